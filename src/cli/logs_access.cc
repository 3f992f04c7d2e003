#include "cli/logs_access.h"

#include <filesystem>

#include "agent/data_dir.h"
#include "agent/log_service.h"
#include "api/loki_api.h"
#include "cli/commands.h"
#include "config/tend_config_schema.h"
#include "http/client.h"

namespace tend {

Result<LogsAnswer> AskLogs(
    const ParsedFlags& flags, const std::string& path,
    const std::vector<std::pair<std::string, std::string>>& params) {
  const std::string dir = DataDirFlag(flags);
  std::unique_ptr<DataDirLock> lock;
  if (!flags.Has("listen")) {
    Result<std::unique_ptr<DataDirLock>> l = DataDirLock::Acquire(dir);
    if (l.ok()) {
      lock = std::move(*l);
    } else if (l.status().code() != StatusCode::kFailedPrecondition) {
      return l.status();
    }
  }
  if (lock) {
    // No agent: answer from the store, holding the lock meanwhile.
    std::error_code ec;
    if (!std::filesystem::exists(dir + "/logs", ec)) {
      return NotFoundError("no log store in " + dir +
                           " (start the agent with --data-dir " + dir +
                           ", or tend logs import)");
    }
    LogsSection logs;
    QuerySection query;
    if (flags.Has("config")) {
      ASSIGN_OR_RETURN(TendConfig c, LoadConfigFile(flags.Get("config")));
      logs = c.logs;
      query = c.query;
    }
    ASSIGN_OR_RETURN(logs::LogStoreOptions o, LogStoreOptionsOf(logs));
    o.retention_time_ns = 0;  // Reading must not delete anything.
    o.retention_bytes = 0;
    Result<std::unique_ptr<logs::LogStore>> store =
        logs::LogStore::Open(dir + "/logs", o);
    if (!store.ok()) {
      return store.status().WithContext("opening the log store in " + dir +
                                        "/logs");
    }
    LokiApiOptions lo;
    lo.limits.timeout_ns = query.timeout_ms * 1'000'000;
    LokiApi api(store->get(), Clock::Real(), lo);
    HttpRequest req;
    req.method = "GET";
    req.path = path;
    for (const auto& [k, v] : params) req.params.emplace(k, v);
    HttpResponse res;
    if (path == "/loki/api/v1/query_range") {
      api.QueryRange(req, &res);
    } else if (path == "/loki/api/v1/query") {
      api.Query(req, &res);
    } else if (path == "/loki/api/v1/labels") {
      api.LabelNames(req, &res);
    } else if (path == "/loki/api/v1/series") {
      api.Series(req, &res);
    } else {
      return InvalidArgumentError("internal: no local route for " + path);
    }
    return LogsAnswer{res.status, std::move(res.body), false};
  }
  HttpClientRequest req;
  req.address = AgentAddress(flags);
  req.path = path;
  char sep = '?';
  for (const auto& [k, v] : params) {
    req.path += sep + UrlEncode(k) + "=" + UrlEncode(v);
    sep = '&';
  }
  req.timeout_ms = 130000;
  Result<HttpClientResponse> res = HttpFetch(req);
  if (!res.ok()) {
    return UnavailableError("the agent owning " + dir + " did not answer at " +
                            req.address + ": " + res.status().message());
  }
  return LogsAnswer{res->status, std::move(res->body), true};
}

}  // namespace tend
