// The parsed form of a template (internal to src/alert/template): the tree
// Go's text/template/parse builds, reduced to the node kinds Prometheus's
// alert templates use. Positions are byte offsets into the template text.
#ifndef TEND_ALERT_TEMPLATE_AST_H_
#define TEND_ALERT_TEMPLATE_AST_H_

#include <memory>
#include <string>
#include <vector>

#include "alert/template/value.h"

namespace tend::tmpl {

struct Pipe;
struct Function;

// One operand of a command.
struct Operand {
  enum class Kind {
    kDot,       // `.` or `.a.b` (fields hold a, b).
    kVariable,  // `$x` or `$x.a.b`; name is "$x" ("$" for the root).
    kFunction,  // An identifier naming a function.
    kConstant,  // A string, number, bool or nil literal.
    kPipe,      // `( pipeline )`, optionally followed by .fields.
  };
  Kind kind = Kind::kDot;
  int pos = 0;
  std::string name;
  std::vector<std::string> fields;
  Value constant;  // kConstant (kNil for `nil`).
  bool is_nil = false;
  const Function* func = nullptr;  // kFunction.
  std::unique_ptr<Pipe> pipe;      // kPipe.
};

struct Command {
  int pos = 0;
  std::vector<Operand> args;
};

struct Pipe {
  int pos = 0;
  bool is_assign = false;         // `=` rather than `:=`.
  std::vector<std::string> decl;  // Declared or assigned variables.
  std::vector<Command> cmds;
};

struct Node;
using NodePtr = std::unique_ptr<Node>;
using NodeList = std::vector<NodePtr>;

struct Node {
  enum class Kind { kText, kAction, kIf, kRange, kWith };
  Kind kind = Kind::kText;
  int pos = 0;
  std::string text;            // kText.
  std::unique_ptr<Pipe> pipe;  // Everything else.
  NodeList list;               // if/range/with body.
  NodeList else_list;          // {{ else }} part (an `else if` nests here).
};

}  // namespace tend::tmpl

#endif  // TEND_ALERT_TEMPLATE_AST_H_
