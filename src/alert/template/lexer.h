// The template lexer (internal): text and the tokens inside {{ }}, as Go's
// text/template/parse lexer produces them, including the trim markers
// ({{- and -}}, which remove the adjacent white space from the text) and
// comments ({{/* ... */}}, which produce nothing).
#ifndef TEND_ALERT_TEMPLATE_LEXER_H_
#define TEND_ALERT_TEMPLATE_LEXER_H_

#include <string>
#include <string_view>
#include <vector>

namespace tend::tmpl {

enum class Tok {
  kEOF,
  kError,       // text: the message.
  kText,        // text: the literal text (already trimmed).
  kLeftDelim,   // {{
  kRightDelim,  // }}
  kSpace,
  kIdentifier,  // Function names and keywords (if, else, end, ...).
  kField,       // .name (text is "name")
  kVariable,    // $name or $ (text includes the $)
  kDot,         // .
  kString,      // text: the unquoted value.
  kNumber,      // text: as written.
  kChar,        // text: the unquoted value (one rune).
  kPipe,        // |
  kLeftParen,
  kRightParen,
  kDeclare,  // :=
  kAssign,   // =
  kComma,
};

struct Token {
  Tok type = Tok::kEOF;
  int pos = 0;  // Byte offset in the template text.
  std::string text;
};

// Splits `text` into tokens. Stops after the first kError or at kEOF (the
// last token is always one of those). Never fails otherwise.
std::vector<Token> Lex(std::string_view text);

}  // namespace tend::tmpl

#endif  // TEND_ALERT_TEMPLATE_LEXER_H_
