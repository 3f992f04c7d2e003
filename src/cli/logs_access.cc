#include "cli/logs_access.h"

#include <filesystem>

#include "agent/log_service.h"
#include "api/loki_api.h"
#include "cli/agent_access.h"
#include "cli/commands.h"
#include "config/tend_config_schema.h"

namespace tend {

Result<LogsAnswer> AskLogs(
    const ParsedFlags& flags, const std::string& path,
    const std::vector<std::pair<std::string, std::string>>& params) {
  const std::string dir = DataDirFlag(flags);
  // No agent: answer from the store (AskAgentOrLocal holds the lock).
  auto local = [&](const HttpRequest& req, HttpResponse* res) -> Status {
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
    if (path == "/loki/api/v1/query_range") {
      api.QueryRange(req, res);
    } else if (path == "/loki/api/v1/query") {
      api.Query(req, res);
    } else if (path == "/loki/api/v1/labels") {
      api.LabelNames(req, res);
    } else if (path == "/loki/api/v1/series") {
      api.Series(req, res);
    } else {
      return InvalidArgumentError("internal: no local route for " + path);
    }
    return Status::Ok();
  };
  // A query may run up to the agent's query timeout (2 min by default).
  return AskAgentOrLocal(flags, "GET", path, params, "", local,
                         /*timeout_ms=*/130000);
}

}  // namespace tend
