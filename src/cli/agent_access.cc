#include "cli/agent_access.h"

#include "agent/data_dir.h"
#include "cli/commands.h"
#include "http/client.h"

namespace tend {

Result<ApiAnswer> AskAgentOrLocal(const ParsedFlags& flags,
                                  const std::string& method,
                                  const std::string& path, const Params& params,
                                  const std::string& body,
                                  const LocalHandler& local, int timeout_ms) {
  const std::string dir = DataDirFlag(flags);
  if (!flags.Has("listen")) {
    Result<std::unique_ptr<DataDirLock>> lock = DataDirLock::Acquire(dir);
    if (lock.ok()) {
      // No agent: answer here, holding the lock meanwhile.
      HttpRequest req;
      req.method = method;
      req.path = path;
      req.body = body;
      for (const auto& [k, v] : params) req.params.emplace(k, v);
      HttpResponse res;
      RETURN_IF_ERROR(local(req, &res));
      return ApiAnswer{res.status, std::move(res.body), false};
    }
    if (lock.status().code() != StatusCode::kFailedPrecondition) {
      return lock.status();
    }
  }
  HttpClientRequest req;
  req.method = method;
  req.address = AgentAddress(flags);
  req.path = path;
  char sep = '?';
  for (const auto& [k, v] : params) {
    req.path += sep + UrlEncode(k) + "=" + UrlEncode(v);
    sep = '&';
  }
  req.body = body;
  if (!body.empty()) req.content_type = "application/json";
  req.timeout_ms = timeout_ms;
  Result<HttpClientResponse> res = HttpFetch(req);
  if (!res.ok()) {
    return UnavailableError("the agent owning " + dir + " did not answer at " +
                            req.address + ": " + res.status().message());
  }
  return ApiAnswer{res->status, std::move(res->body), true};
}

}  // namespace tend
