// A compiled template (the class jinja.h declares) and the formatting of
// positioned errors.
#ifndef TEND_AUTOMATE_JINJA_TEMPLATE_H_
#define TEND_AUTOMATE_JINJA_TEMPLATE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "automate/jinja/ast.h"
#include "automate/value.h"
#include "base/status.h"

namespace tend::automate::jinja {

class Template {
 public:
  SourcePos pos;
  std::string text;
  std::vector<Stmt> body;
  // Expression mode (CompileExpression): the expression; body is empty.
  std::unique_ptr<Expr> expr;
  bool expression_mode = false;
  // The template is exactly one {{ expr }} (body[0] is that output).
  bool single_output = false;
  // Newlines ending the source text: the rendering is padded back to
  // this many, as Ansible's templar does.
  int trailing_newlines = 0;
  // Where the expression of expression mode starts in `text` (after a
  // "{{" the string was wrapped in).
  uint32_t expr_base = 0;
};

// The 1-based line and column of byte `offset` of template text that
// starts at `pos` (line 1, column 1 when pos is unknown): exact on the
// template's first line; later lines count columns from their start.
SourcePos PositionIn(const SourcePos& pos, std::string_view text,
                     uint32_t offset);

// kInvalidArgument "file:line:column: message in \"snippet\"" (the
// snippet cut to 200 bytes; omitted when empty).
Status PositionedError(const SourcePos& pos, std::string_view text,
                       uint32_t offset, std::string_view message,
                       std::string_view snippet);

}  // namespace tend::automate::jinja

#endif  // TEND_AUTOMATE_JINJA_TEMPLATE_H_
