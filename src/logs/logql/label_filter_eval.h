// Evaluation of a LogQL label filter expression (`| status >= 500 and
// level="error"`) against one line's labels, with Loki's semantics:
//
// - A string filter compares the label's value ("" when absent). A filter
//   on `__error__` compares the line's error ("" when none); any other
//   string filter keeps a line that already has an error (only `__error__`
//   filters may drop such a line).
// - A numeric, duration or bytes filter keeps a line that already has an
//   error, drops a line without the label, and when the value does not
//   convert (Go's ParseFloat, ParseDuration, go-humanize ParseBytes) sets
//   the error LabelFilterErr with the conversion's message as details and
//   keeps the line.
// - `and` evaluates both sides (the right one sees errors the left set);
//   `or` stops at the first side that keeps the line.
//
// Used by the query pipeline (labels of a line) and by ingest processors
// (fields of a record): each supplies a LabelFilterContext.
#ifndef TEND_LOGS_LOGQL_LABEL_FILTER_EVAL_H_
#define TEND_LOGS_LOGQL_LABEL_FILTER_EVAL_H_

#include <optional>
#include <string>
#include <string_view>

#include "logs/logql/ast.h"

namespace tend::logql {

// The labels of one line as a filter sees them. Not thread-safe; one per
// evaluating thread.
class LabelFilterContext {
 public:
  virtual ~LabelFilterContext() = default;
  // The value of label `name`, or nullopt when the line has no such label.
  // The view must stay valid until the next call on this context.
  virtual std::optional<std::string_view> Get(std::string_view name) = 0;
  // The line's error (`__error__`), "" when it has none.
  virtual std::string_view error() = 0;
  // Records an error and its details on the line.
  virtual void SetError(std::string_view error, std::string_view details) = 0;
};

// True to keep the line.
bool EvalLabelFilter(const LabelFilter& filter, LabelFilterContext& ctx);

// The value conversions numeric filters use, exposed for unwrap and tests.
// Go's strconv.ParseFloat: optional sign, decimal or hex float, "Inf",
// "NaN"; nullopt when malformed.
std::optional<double> ParseGoFloat(std::string_view text);
// Go's time.ParseDuration with an optional sign; nullopt when malformed.
std::optional<int64_t> ParseSignedGoDuration(std::string_view text);

}  // namespace tend::logql

#endif  // TEND_LOGS_LOGQL_LABEL_FILTER_EVAL_H_
