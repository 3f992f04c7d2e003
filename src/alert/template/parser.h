// The template parser (internal): tokens to the tree in ast.h, with Go's
// parse-time checks (undefined variables and functions, misplaced
// else/end, empty commands, non-executable pipeline stages).
#ifndef TEND_ALERT_TEMPLATE_PARSER_H_
#define TEND_ALERT_TEMPLATE_PARSER_H_

#include <string_view>

#include "alert/template/ast.h"
#include "base/status.h"

namespace tend::tmpl {

// Parses `text`. Fails with kInvalidArgument "<line>:<col>: <what>" (1-based
// line, byte column of the offending token).
Result<NodeList> ParseTemplateText(std::string_view text);

// The line and byte column (1-based) of byte `pos` in `text`.
void LineColumn(std::string_view text, int pos, int* line, int* column);

// Nesting limit for if/range/with and parentheses.
inline constexpr int kMaxParseDepth = 100;

}  // namespace tend::tmpl

#endif  // TEND_ALERT_TEMPLATE_PARSER_H_
