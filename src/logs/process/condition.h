// Condition: a LogQL label-filter expression evaluated against one parsed
// LogRecord, used by the keep/drop/sample processors and by log-derived
// metrics (`match:`).
//
// Syntax: what follows `|` in a LogQL label filter stage, e.g.
//   level=~"debug|trace"
//   status >= 500 and method="POST"
//   app="cron" or message=~".*session opened.*"
// String matchers (`=`, `!=`, `=~`, `!~`; regexes fully anchored), numeric
// comparisons (`status >= 500`), durations (`request_time > 250ms`) and
// bytes (`bytes > 1MB`), `and` (or `,`), `or` and parentheses.
//
// Names: the record's attributes `message`, `app`, `host`, `level`
// (LevelName: emerg alert crit error warn notice info debug unknown),
// `pid`, `source` and `parse_error` ("true" when no parser understood the
// line, else "false"), then its fields. An attribute name always means the
// attribute, even when the record also has a field of that name (a field
// shadows nothing); an empty attribute (no host, no app, pid -1) is absent.
// Other names are looked up among the fields (the first of a repeated
// name); a missing name is absent: a string matcher sees "", a numeric
// comparison is false.
//
// Errors: where LogQL would keep a line and mark it with __error__ (a
// numeric comparison on a value that is not a number), a condition is
// FALSE: at ingest there is no later `__error__` filter to look at the
// mark, and "status >= 500" must not hold for status="-". Such records are
// counted (conversion_errors()).
//
// Thread-safety: Eval is const and uses only stack state; a Condition may
// be shared by threads. The record must not change during Eval.
#ifndef TEND_LOGS_PROCESS_CONDITION_H_
#define TEND_LOGS_PROCESS_CONDITION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "logs/logql/ast.h"
#include "logs/parse/record.h"

namespace tend::logs {

// The names a condition (or a metric label) can read from a record besides
// its fields.
enum class RecordAttr : uint8_t {
  kNone,  // Not an attribute: a field.
  kMessage,
  kApp,
  kHost,
  kLevel,
  kPid,
  kSource,
  kParseError,
};

// The attribute called `name`, or kNone.
RecordAttr RecordAttrFromName(std::string_view name);

// Scratch space for formatting numeric attributes (pid) without allocating.
struct RecordValueBuffer {
  char text[24];
};

// The value of `name` in `record`, resolved as described above (attr is
// RecordAttrFromName(name), passed in so callers can resolve it once).
// nullopt when absent. The view points into `record` or `buf`.
std::optional<std::string_view> RecordValue(const LogRecord& record,
                                            RecordAttr attr,
                                            std::string_view name,
                                            RecordValueBuffer* buf);

class Condition {
 public:
  // Parses `text`. On failure returns kInvalidArgument with a message such
  // as `condition "status >= abc": parse error at col 11: ...` (the column
  // counts from the start of `text`), or saying why the text is not a
  // single label-filter expression (a line filter, a parser stage, ...).
  static Result<Condition> Parse(std::string_view text);

  // True when the record satisfies the condition. `conversion_error`, when
  // not null, is set to true if a value failed to convert (the result is
  // then false).
  bool Eval(const LogRecord& record, bool* conversion_error = nullptr) const;

  const std::string& text() const { return text_; }

 private:
  Condition() = default;

  std::string text_;
  // Owns the parsed query; filter_ points into it. Shared so a Condition
  // copies cheaply (the tree is immutable after parsing).
  std::shared_ptr<const logql::Expr> expr_;
  const logql::LabelFilter* filter_ = nullptr;
};

}  // namespace tend::logs

#endif  // TEND_LOGS_PROCESS_CONDITION_H_
