#include "alert/template/parser.h"

#include <cerrno>
#include <cstdlib>
#include <string>

#include "alert/template/functions.h"
#include "alert/template/lexer.h"

namespace tend::tmpl {

void LineColumn(std::string_view text, int pos, int* line, int* column) {
  int l = 1, c = 1;
  for (int i = 0; i < pos && i < static_cast<int>(text.size()); ++i) {
    if (text[i] == '\n') {
      ++l;
      c = 1;
    } else {
      ++c;
    }
  }
  *line = l;
  *column = c;
}

namespace {

bool IsKeyword(std::string_view s) {
  return s == "if" || s == "else" || s == "end" || s == "range" ||
         s == "with" || s == "define" || s == "template" || s == "block" ||
         s == "break" || s == "continue" || s == "nil" || s == "true" ||
         s == "false";
}

// Names Prometheus defines that need a query engine or are not offered.
bool IsUnsupportedFunction(std::string_view s) {
  return s == "query" || s == "tmpl" || s == "call" || s == "slice" ||
         s == "urlQuery" || s == "strvalue";
}

uint32_t DecodeRune(std::string_view s) {
  const unsigned char c = s[0];
  if (c < 0x80 || s.size() < 2) return c;
  if ((c >> 5) == 6) return ((c & 0x1F) << 6) | (s[1] & 0x3F);
  if ((c >> 4) == 14 && s.size() >= 3) {
    return ((c & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F);
  }
  if (s.size() >= 4) {
    return ((c & 0x07) << 18) | ((s[1] & 0x3F) << 12) | ((s[2] & 0x3F) << 6) |
           (s[3] & 0x3F);
  }
  return 0xFFFD;
}

// Go's number constants: an integer (decimal or 0x hex, '_' separators) is
// an int; anything with '.', 'e' or 'E' is a float64.
bool ParseNumber(std::string_view text, Value* out) {
  std::string t;
  for (char c : text) {
    if (c != '_') t.push_back(c);
  }
  if (t.empty()) return false;
  const bool hex =
      t.find("0x") != std::string::npos || t.find("0X") != std::string::npos;
  const bool is_float = !hex && t.find_first_of(".eE") != std::string::npos;
  errno = 0;
  char* end = nullptr;
  if (!is_float) {
    const long long v = std::strtoll(t.c_str(), &end, hex ? 16 : 10);
    if (*end != 0) return false;
    if (errno == ERANGE) return false;
    *out = Value::Int(v);
    return true;
  }
  const double v = std::strtod(t.c_str(), &end);
  if (*end != 0 || errno == ERANGE) return false;
  *out = Value::Float(v);
  return true;
}

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> toks)
      : text_(text), toks_(std::move(toks)) {
    vars_ = {"$", "$labels", "$externalLabels", "$externalURL", "$value"};
  }

  Result<NodeList> Run() {
    NodeList list;
    while (ok() && Peek().type != Tok::kEOF) {
      NodePtr end_or_else;
      NodePtr n = TextOrAction(&end_or_else);
      if (!ok()) break;
      if (end_or_else) {
        Fail(end_or_else->pos, end_or_else->text == "end"
                                   ? "unexpected {{end}}"
                                   : "unexpected {{else}}");
        break;
      }
      if (n) list.push_back(std::move(n));
    }
    if (!ok()) return InvalidArgumentError(error_);
    return list;
  }

 private:
  bool ok() const { return error_.empty(); }
  void Fail(int pos, std::string_view msg) {
    if (!ok()) return;
    int line, col;
    LineColumn(text_, pos, &line, &col);
    error_ = std::to_string(line) + ":" + std::to_string(col) + ": " +
             std::string(msg);
  }
  const Token& Peek() const { return toks_[i_]; }
  const Token& Next() {
    const Token& t = toks_[i_];
    if (i_ + 1 < toks_.size()) ++i_;
    return t;
  }
  void SkipSpace() {
    while (Peek().type == Tok::kSpace) Next();
  }
  const Token& PeekNonSpace() {
    SkipSpace();
    return Peek();
  }
  std::string Describe(const Token& t) const {
    switch (t.type) {
      case Tok::kEOF:
        return "EOF";
      case Tok::kError:
        return t.text;
      case Tok::kRightDelim:
        return "\"}}\"";
      case Tok::kLeftDelim:
        return "\"{{\"";
      case Tok::kPipe:
        return "\"|\"";
      case Tok::kRightParen:
        return "\")\"";
      case Tok::kLeftParen:
        return "\"(\"";
      case Tok::kDeclare:
        return "\":=\"";
      case Tok::kAssign:
        return "\"=\"";
      case Tok::kComma:
        return "\",\"";
      case Tok::kString:
        return "quoted string";
      default:
        return "\"" + t.text + "\"";
    }
  }
  void Unexpected(const Token& t, std::string_view context) {
    if (t.type == Tok::kError) {
      Fail(t.pos, t.text);
      return;
    }
    Fail(t.pos, "unexpected " + Describe(t) + " in " + std::string(context));
  }

  // Returns a node, or null with *end_or_else set for {{end}} / {{else}}
  // (text "end" or "else"; for "else if" the `if` is left unread).
  NodePtr TextOrAction(NodePtr* end_or_else) {
    const Token& t = Next();
    if (t.type == Tok::kText) {
      auto n = std::make_unique<Node>();
      n->kind = Node::Kind::kText;
      n->pos = t.pos;
      n->text = t.text;
      return n;
    }
    if (t.type == Tok::kLeftDelim) return Action(t.pos, end_or_else);
    Unexpected(t, "input");
    return nullptr;
  }

  NodePtr Action(int open_pos, NodePtr* end_or_else) {
    const Token& t = PeekNonSpace();
    if (t.type == Tok::kIdentifier) {
      const std::string& w = t.text;
      if (w == "end" || w == "else") {
        const int pos = t.pos;
        Next();
        auto n = std::make_unique<Node>();
        n->pos = pos;
        n->text = w;
        if (w == "end" || PeekNonSpace().type != Tok::kIdentifier ||
            Peek().text != "if") {
          if (PeekNonSpace().type != Tok::kRightDelim) {
            Unexpected(Peek(), w);
            return nullptr;
          }
          Next();
        }
        *end_or_else = std::move(n);
        return nullptr;
      }
      if (w == "if" || w == "range" || w == "with") {
        const int pos = t.pos;
        Next();
        return Control(w, pos);
      }
      if (w == "define" || w == "template" || w == "block" || w == "break" ||
          w == "continue") {
        Fail(t.pos, "{{" + w + "}} is not supported in alert templates");
        return nullptr;
      }
    }
    auto n = std::make_unique<Node>();
    n->kind = Node::Kind::kAction;
    n->pos = open_pos;
    n->pipe = Pipeline("command", Tok::kRightDelim);
    if (!ok()) return nullptr;
    return n;
  }

  NodePtr Control(const std::string& context, int pos) {
    if (++depth_ > kMaxParseDepth) {
      Fail(Peek().pos, "templates nested too deeply");
      return nullptr;
    }
    const size_t vars_mark = vars_.size();
    auto n = std::make_unique<Node>();
    n->kind = context == "if"      ? Node::Kind::kIf
              : context == "range" ? Node::Kind::kRange
                                   : Node::Kind::kWith;
    n->pos = pos;
    n->pipe = Pipeline(context, Tok::kRightDelim);
    if (!ok()) return nullptr;
    NodePtr next;
    n->list = ItemList(&next);
    if (!ok()) return nullptr;
    if (next->text == "else") {
      if (context == "if" && PeekNonSpace().type == Tok::kIdentifier &&
          Peek().text == "if") {
        const int if_pos = Peek().pos;
        Next();
        NodePtr inner = Control("if", if_pos);  // Consumes the single {{end}}.
        if (!ok()) return nullptr;
        n->else_list.push_back(std::move(inner));
      } else {
        NodePtr end;
        n->else_list = ItemList(&end);
        if (!ok()) return nullptr;
        if (end->text != "end") {
          Fail(end->pos, "expected end; found {{else}}");
          return nullptr;
        }
      }
    }
    vars_.resize(vars_mark);
    --depth_;
    return n;
  }

  NodeList ItemList(NodePtr* terminator) {
    NodeList list;
    while (ok()) {
      if (PeekNonSpace().type == Tok::kEOF) {
        Fail(Peek().pos, "unexpected EOF");
        break;
      }
      NodePtr n = TextOrAction(terminator);
      if (!ok()) break;
      if (*terminator) return list;
      if (n) list.push_back(std::move(n));
    }
    return list;
  }

  bool HasVar(std::string_view name) const {
    for (const std::string& v : vars_) {
      if (v == name) return true;
    }
    return false;
  }

  std::unique_ptr<Pipe> Pipeline(const std::string& context, Tok end) {
    auto pipe = std::make_unique<Pipe>();
    pipe->pos = PeekNonSpace().pos;
    // Declarations: `$x :=`, `$x =`, `$k, $v :=` (range only).
    while (PeekNonSpace().type == Tok::kVariable) {
      const size_t save = i_;
      const Token var = Next();
      SkipSpace();
      const Tok after = Peek().type;
      if (after == Tok::kDeclare || after == Tok::kAssign) {
        Next();
        pipe->is_assign = after == Tok::kAssign;
        if (pipe->is_assign && !HasVar(var.text)) {
          Fail(var.pos, "undefined variable \"" + var.text + "\"");
          return pipe;
        }
        pipe->decl.push_back(var.text);
        if (!pipe->is_assign) vars_.push_back(var.text);
        break;
      }
      if (after == Tok::kComma) {
        Next();
        pipe->decl.push_back(var.text);
        vars_.push_back(var.text);
        if (context == "range" && pipe->decl.size() < 2 &&
            PeekNonSpace().type == Tok::kVariable) {
          continue;
        }
        Fail(var.pos, context == "range"
                          ? "range can only initialize variables"
                          : "too many declarations in " + context);
        return pipe;
      }
      i_ = save;
      break;
    }
    while (ok()) {
      const Token& t = PeekNonSpace();
      if (t.type == end) {
        Next();
        break;
      }
      switch (t.type) {
        case Tok::kIdentifier:
        case Tok::kChar:
        case Tok::kDot:
        case Tok::kField:
        case Tok::kNumber:
        case Tok::kString:
        case Tok::kVariable:
        case Tok::kLeftParen:
          pipe->cmds.push_back(ParseCommand());
          continue;
        default:
          Unexpected(t, context);
          return pipe;
      }
    }
    if (!ok()) return pipe;
    if (pipe->cmds.empty()) {
      Fail(pipe->pos, "missing value for " + context);
      return pipe;
    }
    for (size_t k = 1; k < pipe->cmds.size(); ++k) {
      const Operand& first = pipe->cmds[k].args[0];
      if (first.kind == Operand::Kind::kConstant ||
          (first.kind == Operand::Kind::kDot && first.fields.empty())) {
        Fail(pipe->cmds[k].pos, "non executable command in pipeline stage " +
                                    std::to_string(k + 1));
        return pipe;
      }
    }
    return pipe;
  }

  Command ParseCommand() {
    Command cmd;
    cmd.pos = PeekNonSpace().pos;
    while (ok()) {
      SkipSpace();
      Operand op;
      if (ParseOperand(&op)) cmd.args.push_back(std::move(op));
      if (!ok()) break;
      const Token& t = Peek();
      if (t.type == Tok::kSpace) {
        Next();
        const Tok n = PeekNonSpace().type;
        if (n == Tok::kRightDelim || n == Tok::kRightParen) break;
        if (n == Tok::kPipe) {
          Next();
          break;
        }
        continue;
      }
      if (t.type == Tok::kRightDelim || t.type == Tok::kRightParen) break;
      if (t.type == Tok::kPipe) {
        Next();
        break;
      }
      Unexpected(t, "operand");
      break;
    }
    if (ok() && cmd.args.empty()) Fail(cmd.pos, "empty command");
    return cmd;
  }

  // Reads a term and its field chain; false (without failing) when the
  // next token does not start an operand.
  bool ParseOperand(Operand* op) {
    const Token& t = Peek();
    op->pos = t.pos;
    switch (t.type) {
      case Tok::kIdentifier: {
        const std::string& w = t.text;
        if (w == "true" || w == "false") {
          op->kind = Operand::Kind::kConstant;
          op->constant = Value::Bool(w == "true");
        } else if (w == "nil") {
          op->kind = Operand::Kind::kConstant;
          op->is_nil = true;
        } else if (IsKeyword(w)) {
          Unexpected(t, "operand");
          return false;
        } else {
          op->kind = Operand::Kind::kFunction;
          op->name = w;
          op->func = LookupFunction(w);
          if (op->func == nullptr) {
            Fail(t.pos,
                 IsUnsupportedFunction(w)
                     ? "function \"" + w +
                           "\" is not supported in tend's alert templates"
                     : "function \"" + w + "\" not defined");
            return false;
          }
        }
        Next();
        break;
      }
      case Tok::kDot:
        op->kind = Operand::Kind::kDot;
        Next();
        break;
      case Tok::kField:
        op->kind = Operand::Kind::kDot;
        break;  // The chain loop below reads it.
      case Tok::kVariable:
        if (!HasVar(t.text)) {
          Fail(t.pos, "undefined variable \"" + t.text + "\"");
          return false;
        }
        op->kind = Operand::Kind::kVariable;
        op->name = t.text;
        Next();
        break;
      case Tok::kNumber:
        op->kind = Operand::Kind::kConstant;
        if (!ParseNumber(t.text, &op->constant)) {
          Fail(t.pos, "illegal number syntax: \"" + t.text + "\"");
          return false;
        }
        Next();
        break;
      case Tok::kChar:
        op->kind = Operand::Kind::kConstant;
        op->constant = Value::Int(DecodeRune(t.text));
        Next();
        break;
      case Tok::kString:
        op->kind = Operand::Kind::kConstant;
        op->constant = Value::String(t.text);
        Next();
        break;
      case Tok::kLeftParen: {
        Next();
        if (++depth_ > kMaxParseDepth) {
          Fail(t.pos, "templates nested too deeply");
          return false;
        }
        op->kind = Operand::Kind::kPipe;
        op->pipe = Pipeline("parenthesized pipeline", Tok::kRightParen);
        --depth_;
        if (!ok()) return false;
        break;
      }
      default:
        return false;
    }
    while (Peek().type == Tok::kField) {
      if (op->kind == Operand::Kind::kConstant ||
          op->kind == Operand::Kind::kFunction) {
        Fail(Peek().pos, "unexpected . after term \"" +
                             (op->kind == Operand::Kind::kFunction
                                  ? op->name
                                  : std::string("constant")) +
                             "\"");
        return false;
      }
      op->fields.push_back(Next().text);
    }
    return true;
  }

  std::string_view text_;
  std::vector<Token> toks_;
  size_t i_ = 0;
  std::vector<std::string> vars_;
  int depth_ = 0;
  std::string error_;
};

}  // namespace

Result<NodeList> ParseTemplateText(std::string_view text) {
  return Parser(text, Lex(text)).Run();
}

}  // namespace tend::tmpl
