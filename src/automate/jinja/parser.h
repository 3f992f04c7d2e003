// Parses template text or a bare expression into a Template (syntax tree
// plus source). Filters and tests are resolved while parsing, so an
// unknown name is a compile error with a did-you-mean.
#ifndef TEND_AUTOMATE_JINJA_PARSER_H_
#define TEND_AUTOMATE_JINJA_PARSER_H_

#include <memory>
#include <optional>
#include <string_view>

#include "automate/jinja/template.h"
#include "base/status.h"

namespace tend::automate::jinja {

// Maximum nesting of expressions and blocks; deeper input is an error.
inline constexpr int kMaxNesting = 100;

// Parses a template. Errors are positioned (PositionedError).
// verbatim_strings: see CompileOptions.
Status ParseTemplate(Template* t, bool verbatim_strings);

// Parses t->text as one expression (t->expr), optionally wrapped in
// "{{ }}".
Status ParseExpressionTemplate(Template* t);

// Parses `text` as a Python literal (what Ansible's templar does to output
// that starts with '[' or '{' or is True/False: ast.literal_eval, with
// true/false/null read as JSON's). nullopt when it is not one.
std::optional<Value> LiteralEval(std::string_view text);

}  // namespace tend::automate::jinja

#endif  // TEND_AUTOMATE_JINJA_PARSER_H_
