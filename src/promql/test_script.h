// Runs Prometheus's PromQL test scripts (promql/testdata/*.test: load,
// clear, eval instant at, eval_ordered, eval_fail) against an Engine over a
// MemStorage, checking results the way Prometheus 2.42's promql/test.go
// does:
// - labels must match exactly, values within 1e-6 relative error (NaN
//   equals NaN), order only for eval_ordered, scalar vs vector kinds;
// - eval_fail passes when the query fails to parse or evaluate;
// - every eval is also run as a range query from t-1m to t+1m with a 1m
//   step and the t column compared (not for eval_ordered, whose order a
//   range query does not define; the range query must still succeed);
// - unless the query uses a function whose value depends on the evaluation
//   time, it is rerun with @ t pinned on every selector and subquery (not
//   inside subqueries) at the times -10t, 0, t/5, t, 10t (-1s, 0, 1s when
//   t = 0), which must give the same result.
// An instant eval whose result is a range vector compares each series'
// values with the expected line's value sequence.
//
// Counting is per eval command: it passes when all its variants do.
#ifndef TEND_PROMQL_TEST_SCRIPT_H_
#define TEND_PROMQL_TEST_SCRIPT_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "promql/engine.h"

namespace tend::promql {

// Evals tend knows it fails: "file:line" (file as its base name) -> reason.
struct KnownFailures {
  std::map<std::string, std::string> entries;
};

// Parses a known-failures list: one `<file>:<line> <reason>` per line;
// blank lines and lines starting with '#' are ignored. Every entry needs a
// reason. Errors name `list_name`:line.
Result<KnownFailures> ParseKnownFailures(std::string_view text,
                                         std::string_view list_name);

struct ScriptResult {
  int passed = 0;
  int failed = 0;        // All failing evals, known ones included.
  int known_failed = 0;  // Failing evals listed as known failures.
  // One message per unexpected failure: "file:line: query: what happened".
  std::vector<std::string> failures;
  // Evals listed as known failures that passed ("file:line").
  std::vector<std::string> unexpected_passes;
  int total() const { return passed + failed; }
};

struct ScriptOptions {
  const KnownFailures* known = nullptr;
  bool range_mode = true;
  bool at_modifier = true;
};

// Parses and runs one script. A malformed script (unknown command, bad load
// line, bad duration, bad expected line) fails with kInvalidArgument naming
// file:line; query failures are results, not errors.
Result<ScriptResult> RunTestScript(std::string_view text,
                                   std::string_view file_name,
                                   const Engine& engine,
                                   const ScriptOptions& options = {});

// One line of a script's series notation, e.g.
// `http_requests{job="api"} 0+10x5 _ stale 3`: the label set and the
// expanded values (nullopt for `_`, a stale marker for `stale`).
struct SeriesDesc {
  Labels labels;
  std::vector<std::optional<double>> values;
};
Result<SeriesDesc> ParseSeriesDesc(std::string_view line);

}  // namespace tend::promql

#endif  // TEND_PROMQL_TEST_SCRIPT_H_
