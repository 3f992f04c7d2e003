// Splits template text into tokens: text between tags (with whitespace
// control and trim_blocks applied), tag delimiters, and expression tokens.
//
// Delimiters are Jinja's defaults ({{ }}, {% %}, {# #}); trim_blocks is on
// (the first newline after a block tag or comment is removed) and
// lstrip_blocks off, as Ansible configures Jinja. "{%-"/"-%}" strip all
// whitespace before/after a tag; "+%}" keeps the newline trim_blocks would
// remove. {% raw %}...{% endraw %} is returned as text.
#ifndef TEND_AUTOMATE_JINJA_LEXER_H_
#define TEND_AUTOMATE_JINJA_LEXER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace tend::automate::jinja {

enum class TokKind : uint8_t {
  kData,        // text; `text` holds it after whitespace control
  kVarBegin,    // {{
  kVarEnd,      // }}
  kBlockBegin,  // {%
  kBlockEnd,    // %}
  kName,
  kString,  // `text` holds the unescaped value
  kInt,     // `text` holds the source digits
  kFloat,
  kOp,  // `text` holds the operator
  kEof,
};

struct Token {
  TokKind kind;
  uint32_t offset;  // byte offset in the template text
  std::string text;
};

// Error raised by the lexer: message and byte offset.
struct LexError {
  std::string message;
  uint32_t offset = 0;
};

// Tokenizes a whole template. On failure returns false and fills *err.
// With verbatim_strings, string literals inside {{ }} keep their
// backslashes as written (Ansible's templar; see CompileOptions).
bool LexTemplate(std::string_view text, bool verbatim_strings,
                 std::vector<Token>* out, LexError* err);

// Tokenizes a bare expression (no delimiters): expression tokens then kEof.
bool LexExpression(std::string_view text, std::vector<Token>* out,
                   LexError* err);

}  // namespace tend::automate::jinja

#endif  // TEND_AUTOMATE_JINJA_LEXER_H_
