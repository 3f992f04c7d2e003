// Queries answered by opening the store directly, for CLI commands run when
// no agent owns the data dir.
#ifndef TEND_CLI_LOCAL_STORE_H_
#define TEND_CLI_LOCAL_STORE_H_

#include <cstdint>
#include <string>

#include "base/status.h"
#include "cli/flags.h"

namespace tend {

struct LocalQuery {
  std::string expr;
  bool range = false;
  int64_t time = 0;  // ms, instant queries.
  int64_t start = 0;
  int64_t end = 0;
  int64_t step = 0;
};

// Takes DIR/LOCK, opens DIR/tsdb read-only and evaluates `q` with the query
// limits of --config, returning the body the HTTP API would return (a
// success or an error object). kFailedPrecondition when an agent holds the
// lock (ask it instead); other errors when the store cannot be opened.
Result<std::string> RunLocalQuery(const ParsedFlags& flags,
                                  const std::string& dir, const LocalQuery& q);

}  // namespace tend

#endif  // TEND_CLI_LOCAL_STORE_H_
