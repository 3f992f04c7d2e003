// How `tend logs` reaches the log store: through the agent that owns the
// data dir (its Loki API), or, when none does, by taking the data dir's
// lock and opening DIR/logs itself, answering with the same API handlers
// in-process. Either way the caller gets the HTTP status and body the API
// would return.
#ifndef TEND_CLI_LOGS_ACCESS_H_
#define TEND_CLI_LOGS_ACCESS_H_

#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "cli/agent_access.h"
#include "cli/flags.h"

namespace tend {

using LogsAnswer = ApiAnswer;

// GETs `path` (/loki/api/v1/...) with `params`. Errors: the agent cannot be
// reached, or the store cannot be opened.
Result<LogsAnswer> AskLogs(
    const ParsedFlags& flags, const std::string& path,
    const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace tend

#endif  // TEND_CLI_LOGS_ACCESS_H_
