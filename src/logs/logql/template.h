// The subset of Go's text/template that line_format and label_format accept,
// parsed once at query parse time.
//
//   text {{ .label }} text {{ .a | ToUpper }} {{ default "-" .b }}
//   {{ printf "%s=%d" .k .v }} {{ __line__ }} {{- .trimmed -}}
//
// An action is a pipeline of commands separated by '|'. The first command
// yields a value: a single operand (`.label`, "string", number) or a
// function call; each later command is a function call that receives the
// previous value as its last argument, as in Go. Functions: ToUpper,
// ToLower, upper, lower, TrimSpace, trim (one argument), default (two:
// default value, value), printf (a string literal format, then any), and
// __line__ (none; the log line). Anything else (if/range/with, variables,
// other functions, nested fields) is rejected when the template is parsed.
#ifndef TEND_LOGS_LOGQL_TEMPLATE_H_
#define TEND_LOGS_LOGQL_TEMPLATE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tend::logql {

enum class TemplateFunc {
  kNone,  // The command is a single operand.
  kToUpper,
  kToLower,
  kTrimSpace,
  kDefault,
  kPrintf,
  kLine,  // __line__
};

struct TemplateArg {
  enum class Kind { kField, kString, kNumber, kLine };
  Kind kind = Kind::kField;
  std::string text;  // Field name (no dot), string value or number text.
};

struct TemplateCommand {
  TemplateFunc func = TemplateFunc::kNone;
  std::vector<TemplateArg> args;  // Not counting a piped-in value.
};

// Literal text (is_text) or an action.
struct TemplateNode {
  bool is_text = true;
  std::string text;
  std::vector<TemplateCommand> pipeline;
};

struct Template {
  std::vector<TemplateNode> nodes;
  // The labels the template reads (each once), so an evaluator can fetch
  // them up front.
  std::vector<std::string> fields;
};

// A failure: what is wrong and the byte offset in the template text.
struct TemplateError {
  std::string message;
  size_t offset = 0;
};

// Parses `text`. Returns false and fills *error on failure.
bool ParseTemplate(std::string_view text, Template* out, TemplateError* error);

}  // namespace tend::logql

#endif  // TEND_LOGS_LOGQL_TEMPLATE_H_
