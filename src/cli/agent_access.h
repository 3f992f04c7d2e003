// How CLI commands reach the agent's state: through the agent that owns
// the data dir (its HTTP API), or, when none runs, by answering the same
// API route in-process over the files of the data dir. Either way the
// command gets the status and body the API would return.
#ifndef TEND_CLI_AGENT_ACCESS_H_
#define TEND_CLI_AGENT_ACCESS_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "cli/flags.h"
#include "http/server.h"

namespace tend {

struct ApiAnswer {
  int status = 0;
  std::string body;
  bool from_agent = false;
};

using Params = std::vector<std::pair<std::string, std::string>>;

// Answers a request in-process when no agent runs; kNotFound when the data
// dir has nothing to answer from.
using LocalHandler =
    std::function<Status(const HttpRequest& req, HttpResponse* res)>;

// Sends METHOD PATH with `params` (query string) and `body` to the agent
// owning --data-dir (or --listen), or, when no agent holds the data dir's
// lock, takes the lock and calls `local` instead.
Result<ApiAnswer> AskAgentOrLocal(const ParsedFlags& flags,
                                  const std::string& method,
                                  const std::string& path, const Params& params,
                                  const std::string& body,
                                  const LocalHandler& local,
                                  int timeout_ms = 30000);

}  // namespace tend

#endif  // TEND_CLI_AGENT_ACCESS_H_
