#include "automate/jinja/parser.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "automate/jinja/builtins.h"
#include "automate/jinja/jinja.h"
#include "automate/jinja/lexer.h"
#include "config/suggest.h"

namespace tend::automate::jinja {

SourcePos PositionIn(const SourcePos& pos, std::string_view text,
                     uint32_t offset) {
  SourcePos out;
  out.file = pos.file;
  int line = pos.known() ? pos.line : 1;
  int column = pos.known() && pos.column > 0 ? pos.column : 1;
  if (offset > text.size()) offset = static_cast<uint32_t>(text.size());
  size_t last_nl = std::string_view::npos;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      last_nl = i;
    }
  }
  out.line = line;
  out.column = last_nl == std::string_view::npos
                   ? column + static_cast<int>(offset)
                   : static_cast<int>(offset - last_nl);
  return out;
}

Status PositionedError(const SourcePos& pos, std::string_view text,
                       uint32_t offset, std::string_view message,
                       std::string_view snippet) {
  const SourcePos at = PositionIn(pos, text, offset);
  std::string msg;
  if (!at.file.empty()) msg += at.file + ":";
  msg += std::to_string(at.line) + ":" + std::to_string(at.column) + ": ";
  msg += message;
  if (!snippet.empty()) {
    msg += " in \"";
    if (snippet.size() > 200) {
      msg.append(snippet.substr(0, 200));
      msg += "...";
    } else {
      msg.append(snippet);
    }
    msg += "\"";
  }
  return InvalidArgumentError(std::move(msg));
}

namespace {

using ExprPtr = std::unique_ptr<Expr>;

ExprPtr MakeExpr(ExprKind kind, uint32_t offset) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->offset = offset;
  return e;
}

class Parser {
 public:
  Parser(Template* t, std::vector<Token> toks, uint32_t base = 0)
      : t_(t), toks_(std::move(toks)), base_(base) {}

  Status Fail(std::string_view msg, uint32_t offset) {
    if (!status_.ok()) return status_;
    uint32_t tag_end = static_cast<uint32_t>(t_->text.size());
    for (size_t i = tag_start_; i < toks_.size(); ++i) {
      if (toks_[i].kind == TokKind::kVarEnd ||
          toks_[i].kind == TokKind::kBlockEnd) {
        tag_end = toks_[i].offset + 2;
        break;
      }
    }
    const uint32_t begin =
        tag_start_ < toks_.size() ? toks_[tag_start_].offset + base_ : 0;
    std::string_view snippet;
    if (tag_start_ < toks_.size() && begin < t_->text.size() &&
        tag_end + base_ >= begin) {
      snippet = std::string_view(t_->text).substr(
          begin, std::min<size_t>(tag_end + base_, t_->text.size()) - begin);
    }
    status_ = PositionedError(t_->pos, t_->text, offset + base_, msg, snippet);
    return status_;
  }

  const Token& Cur() const { return toks_[i_]; }
  const Token& Peek(size_t k = 1) const {
    return toks_[std::min(i_ + k, toks_.size() - 1)];
  }
  bool IsOp(std::string_view op) const {
    return Cur().kind == TokKind::kOp && Cur().text == op;
  }
  bool IsName(std::string_view n) const {
    return Cur().kind == TokKind::kName && Cur().text == n;
  }
  std::string Describe(const Token& tok) const {
    switch (tok.kind) {
      case TokKind::kEof:
        return "end of template";
      case TokKind::kVarEnd:
        return "'}}'";
      case TokKind::kBlockEnd:
        return "'%}'";
      case TokKind::kString:
        return "string";
      default:
        return "'" + tok.text + "'";
    }
  }
  Status Expect(std::string_view op) {
    if (IsOp(op)) {
      ++i_;
      return Status::Ok();
    }
    return Fail("expected '" + std::string(op) + "', got " + Describe(Cur()),
                Cur().offset);
  }

  // --- expressions --------------------------------------------------------

  Result<ExprPtr> ParseTuple(bool with_condexpr = true) {
    const uint32_t off = Cur().offset;
    ASSIGN_OR_RETURN(ExprPtr first, with_condexpr ? ParseExpr() : ParseOr());
    if (!IsOp(",")) return first;
    auto tuple = MakeExpr(ExprKind::kTuple, off);
    tuple->kids.push_back(std::move(first));
    while (IsOp(",")) {
      ++i_;
      if (!StartsExpr()) break;
      ASSIGN_OR_RETURN(ExprPtr next, with_condexpr ? ParseExpr() : ParseOr());
      tuple->kids.push_back(std::move(next));
    }
    return tuple;
  }

  bool StartsExpr() const {
    const Token& tok = Cur();
    if (tok.kind == TokKind::kName || tok.kind == TokKind::kString ||
        tok.kind == TokKind::kInt || tok.kind == TokKind::kFloat) {
      return true;
    }
    return tok.kind == TokKind::kOp &&
           (tok.text == "(" || tok.text == "[" || tok.text == "{" ||
            tok.text == "-" || tok.text == "+");
  }

  struct DepthGuard {
    explicit DepthGuard(int* d) : depth(d) { ++*depth; }
    ~DepthGuard() { --*depth; }
    int* depth;
  };

  Result<ExprPtr> ParseExpr() {
    DepthGuard guard(&depth_);
    if (depth_ > kMaxNesting) {
      return Fail("expression nested more than " + std::to_string(kMaxNesting) +
                      " levels deep",
                  Cur().offset);
    }
    ASSIGN_OR_RETURN(ExprPtr node, ParseOr());
    while (IsName("if")) {
      const uint32_t off = Cur().offset;
      ++i_;
      auto cond = MakeExpr(ExprKind::kCond, off);
      ASSIGN_OR_RETURN(ExprPtr test, ParseOr());
      ExprPtr other;
      if (IsName("else")) {
        ++i_;
        ASSIGN_OR_RETURN(other, ParseExpr());
      }
      cond->kids.push_back(std::move(test));
      cond->kids.push_back(std::move(node));
      cond->kids.push_back(std::move(other));
      node = std::move(cond);
    }
    return node;
  }

  Result<ExprPtr> ParseOr() {
    ASSIGN_OR_RETURN(ExprPtr node, ParseAnd());
    while (IsName("or")) {
      auto e = MakeExpr(ExprKind::kOr, Cur().offset);
      ++i_;
      ASSIGN_OR_RETURN(ExprPtr rhs, ParseAnd());
      e->kids.push_back(std::move(node));
      e->kids.push_back(std::move(rhs));
      node = std::move(e);
    }
    return node;
  }

  Result<ExprPtr> ParseAnd() {
    ASSIGN_OR_RETURN(ExprPtr node, ParseNot());
    while (IsName("and")) {
      auto e = MakeExpr(ExprKind::kAnd, Cur().offset);
      ++i_;
      ASSIGN_OR_RETURN(ExprPtr rhs, ParseNot());
      e->kids.push_back(std::move(node));
      e->kids.push_back(std::move(rhs));
      node = std::move(e);
    }
    return node;
  }

  Result<ExprPtr> ParseNot() {
    if (IsName("not")) {
      DepthGuard guard(&depth_);
      if (depth_ > kMaxNesting) return Fail("too many 'not'", Cur().offset);
      auto e = MakeExpr(ExprKind::kNot, Cur().offset);
      ++i_;
      ASSIGN_OR_RETURN(ExprPtr operand, ParseNot());
      e->kids.push_back(std::move(operand));
      return e;
    }
    return ParseCompare();
  }

  Result<ExprPtr> ParseCompare() {
    const uint32_t off = Cur().offset;
    ASSIGN_OR_RETURN(ExprPtr first, ParseMath1());
    ExprPtr cmp;
    while (true) {
      CmpOp op;
      if (IsOp("==")) {
        op = CmpOp::kEq;
      } else if (IsOp("!=")) {
        op = CmpOp::kNe;
      } else if (IsOp("<")) {
        op = CmpOp::kLt;
      } else if (IsOp("<=")) {
        op = CmpOp::kLe;
      } else if (IsOp(">")) {
        op = CmpOp::kGt;
      } else if (IsOp(">=")) {
        op = CmpOp::kGe;
      } else if (IsName("in")) {
        op = CmpOp::kIn;
      } else if (IsName("not") && Peek().kind == TokKind::kName &&
                 Peek().text == "in") {
        op = CmpOp::kNotIn;
        ++i_;
      } else {
        break;
      }
      ++i_;
      if (!cmp) {
        cmp = MakeExpr(ExprKind::kCompare, off);
        cmp->kids.push_back(std::move(first));
      }
      ASSIGN_OR_RETURN(ExprPtr rhs, ParseMath1());
      cmp->cmps.push_back(op);
      cmp->kids.push_back(std::move(rhs));
    }
    return cmp ? std::move(cmp) : std::move(first);
  }

  Result<ExprPtr> Binary(ExprPtr lhs, BinOp op, ExprPtr rhs, uint32_t off) {
    auto e = MakeExpr(ExprKind::kBinary, off);
    e->bin = op;
    e->kids.push_back(std::move(lhs));
    e->kids.push_back(std::move(rhs));
    return e;
  }

  Result<ExprPtr> ParseMath1() {
    ASSIGN_OR_RETURN(ExprPtr node, ParseConcat());
    while (IsOp("+") || IsOp("-")) {
      const BinOp op = IsOp("+") ? BinOp::kAdd : BinOp::kSub;
      const uint32_t off = Cur().offset;
      ++i_;
      ASSIGN_OR_RETURN(ExprPtr rhs, ParseConcat());
      ASSIGN_OR_RETURN(node, Binary(std::move(node), op, std::move(rhs), off));
    }
    return node;
  }

  Result<ExprPtr> ParseConcat() {
    ASSIGN_OR_RETURN(ExprPtr node, ParseMath2());
    while (IsOp("~")) {
      const uint32_t off = Cur().offset;
      ++i_;
      ASSIGN_OR_RETURN(ExprPtr rhs, ParseMath2());
      ASSIGN_OR_RETURN(
          node, Binary(std::move(node), BinOp::kConcat, std::move(rhs), off));
    }
    return node;
  }

  Result<ExprPtr> ParseMath2() {
    ASSIGN_OR_RETURN(ExprPtr node, ParsePow());
    while (IsOp("*") || IsOp("/") || IsOp("//") || IsOp("%")) {
      const BinOp op = IsOp("*")    ? BinOp::kMul
                       : IsOp("/")  ? BinOp::kDiv
                       : IsOp("//") ? BinOp::kFloorDiv
                                    : BinOp::kMod;
      const uint32_t off = Cur().offset;
      ++i_;
      ASSIGN_OR_RETURN(ExprPtr rhs, ParsePow());
      ASSIGN_OR_RETURN(node, Binary(std::move(node), op, std::move(rhs), off));
    }
    return node;
  }

  Result<ExprPtr> ParsePow() {
    ASSIGN_OR_RETURN(ExprPtr node, ParseUnary(true));
    while (IsOp("**")) {
      const uint32_t off = Cur().offset;
      ++i_;
      ASSIGN_OR_RETURN(ExprPtr rhs, ParseUnary(true));
      ASSIGN_OR_RETURN(
          node, Binary(std::move(node), BinOp::kPow, std::move(rhs), off));
    }
    return node;
  }

  Result<ExprPtr> ParseUnary(bool with_filter) {
    DepthGuard guard(&depth_);
    if (depth_ > kMaxNesting) {
      return Fail("expression nested more than " + std::to_string(kMaxNesting) +
                      " levels deep",
                  Cur().offset);
    }
    ExprPtr node;
    if (IsOp("-") || IsOp("+")) {
      node =
          MakeExpr(IsOp("-") ? ExprKind::kNeg : ExprKind::kPos, Cur().offset);
      ++i_;
      ASSIGN_OR_RETURN(ExprPtr operand, ParseUnary(false));
      node->kids.push_back(std::move(operand));
    } else {
      ASSIGN_OR_RETURN(node, ParsePrimary());
    }
    ASSIGN_OR_RETURN(node, ParsePostfix(std::move(node)));
    if (with_filter) {
      ASSIGN_OR_RETURN(node, ParseFilterExpr(std::move(node)));
    }
    return node;
  }

  Result<ExprPtr> ParsePrimary() {
    const Token& tok = Cur();
    const uint32_t off = tok.offset;
    switch (tok.kind) {
      case TokKind::kName: {
        auto e = MakeExpr(ExprKind::kLiteral, off);
        const std::string& n = tok.text;
        if (n == "true" || n == "True") {
          e->literal = true;
        } else if (n == "false" || n == "False") {
          e->literal = false;
        } else if (n == "none" || n == "None") {
          e->literal = nullptr;
        } else {
          e->kind = ExprKind::kName;
          e->name = n;
        }
        ++i_;
        return e;
      }
      case TokKind::kString: {
        std::string s = tok.text;
        ++i_;
        while (Cur().kind == TokKind::kString) {
          s += Cur().text;
          ++i_;
        }
        auto e = MakeExpr(ExprKind::kLiteral, off);
        e->literal = std::move(s);
        return e;
      }
      case TokKind::kInt:
      case TokKind::kFloat: {
        auto e = MakeExpr(ExprKind::kLiteral, off);
        RETURN_IF_ERROR(ParseNumber(tok, &e->literal));
        ++i_;
        return e;
      }
      case TokKind::kOp:
        if (tok.text == "(") {
          ++i_;
          if (IsOp(")")) {
            ++i_;
            return MakeExpr(ExprKind::kTuple, off);
          }
          ASSIGN_OR_RETURN(ExprPtr inner, ParseTuple());
          RETURN_IF_ERROR(Expect(")"));
          return inner;
        }
        if (tok.text == "[") {
          ++i_;
          auto e = MakeExpr(ExprKind::kList, off);
          while (!IsOp("]")) {
            ASSIGN_OR_RETURN(ExprPtr item, ParseExpr());
            e->kids.push_back(std::move(item));
            if (!IsOp(",")) break;
            ++i_;
          }
          RETURN_IF_ERROR(Expect("]"));
          return e;
        }
        if (tok.text == "{") {
          ++i_;
          auto e = MakeExpr(ExprKind::kDict, off);
          while (!IsOp("}")) {
            ASSIGN_OR_RETURN(ExprPtr key, ParseExpr());
            RETURN_IF_ERROR(Expect(":"));
            ASSIGN_OR_RETURN(ExprPtr value, ParseExpr());
            e->kids.push_back(std::move(key));
            e->kids.push_back(std::move(value));
            if (!IsOp(",")) break;
            ++i_;
          }
          RETURN_IF_ERROR(Expect("}"));
          return e;
        }
        break;
      default:
        break;
    }
    return Fail("unexpected " + Describe(tok) + ", expected an expression",
                off);
  }

  Status ParseNumber(const Token& tok, Value* out) {
    std::string digits;
    for (char c : tok.text) {
      if (c != '_') digits.push_back(c);
    }
    if (tok.kind == TokKind::kFloat) {
      char* end = nullptr;
      *out = std::strtod(digits.c_str(), &end);
      return Status::Ok();
    }
    int base = 10;
    size_t skip = 0;
    if (digits.size() > 1 && digits[0] == '0' &&
        !std::isdigit(static_cast<unsigned char>(digits[1]))) {
      const char b = static_cast<char>(std::tolower(digits[1]));
      base = b == 'x' ? 16 : b == 'o' ? 8 : 2;
      skip = 2;
    }
    int64_t v = 0;
    auto res = std::from_chars(digits.data() + skip,
                               digits.data() + digits.size(), v, base);
    if (res.ec != std::errc() || res.ptr != digits.data() + digits.size()) {
      if (res.ec == std::errc::result_out_of_range) {
        return Fail("integer literal '" + tok.text + "' is too large",
                    tok.offset);
      }
      return Fail("invalid number '" + tok.text + "'", tok.offset);
    }
    *out = v;
    return Status::Ok();
  }

  Result<ExprPtr> ParsePostfix(ExprPtr node) {
    while (true) {
      if (IsOp(".")) {
        const uint32_t off = Cur().offset;
        ++i_;
        if (Cur().kind != TokKind::kName && Cur().kind != TokKind::kInt) {
          return Fail(
              "expected an attribute name after '.', got " + Describe(Cur()),
              Cur().offset);
        }
        (void)off;
        auto e = MakeExpr(ExprKind::kAttr, Cur().offset);
        e->name = Cur().text;
        e->kids.push_back(std::move(node));
        ++i_;
        node = std::move(e);
      } else if (IsOp("[")) {
        ASSIGN_OR_RETURN(node, ParseSubscript(std::move(node)));
      } else if (IsOp("(")) {
        ASSIGN_OR_RETURN(node, ParseCall(std::move(node)));
      } else {
        return node;
      }
    }
  }

  Result<ExprPtr> ParseSubscript(ExprPtr node) {
    const uint32_t off = Cur().offset;
    ++i_;
    auto part = [&]() -> Result<ExprPtr> {
      if (IsOp(":") || IsOp("]")) return ExprPtr();
      return ParseExpr();
    };
    ASSIGN_OR_RETURN(ExprPtr start, part());
    if (!IsOp(":")) {
      if (!start) return Fail("empty subscript", off);
      RETURN_IF_ERROR(Expect("]"));
      auto e = MakeExpr(ExprKind::kItem, off);
      e->kids.push_back(std::move(node));
      e->kids.push_back(std::move(start));
      return e;
    }
    ++i_;
    ASSIGN_OR_RETURN(ExprPtr stop, part());
    ExprPtr step;
    if (IsOp(":")) {
      ++i_;
      ASSIGN_OR_RETURN(step, part());
    }
    RETURN_IF_ERROR(Expect("]"));
    auto e = MakeExpr(ExprKind::kSlice, off);
    e->kids.push_back(std::move(node));
    e->kids.push_back(std::move(start));
    e->kids.push_back(std::move(stop));
    e->kids.push_back(std::move(step));
    return e;
  }

  // Arguments "(a, b, k=v)" into e->kids (after what is there) and kwargs.
  Status ParseArgs(Expr* e) {
    RETURN_IF_ERROR(Expect("("));
    while (!IsOp(")")) {
      if (IsOp("*") || IsOp("**")) {
        return Fail("*args and **kwargs are not supported", Cur().offset);
      }
      if (Cur().kind == TokKind::kName && Peek().kind == TokKind::kOp &&
          Peek().text == "=") {
        e->kwnames.push_back(Cur().text);
        i_ += 2;
        ASSIGN_OR_RETURN(ExprPtr v, ParseExpr());
        e->kwargs.push_back(std::move(v));
      } else {
        if (!e->kwnames.empty()) {
          return Fail("positional argument follows keyword argument",
                      Cur().offset);
        }
        ASSIGN_OR_RETURN(ExprPtr v, ParseExpr());
        e->kids.push_back(std::move(v));
      }
      if (!IsOp(",")) break;
      ++i_;
    }
    return Expect(")");
  }

  Result<ExprPtr> ParseCall(ExprPtr callee) {
    auto e = MakeExpr(ExprKind::kCall, callee->offset);
    if (callee->kind == ExprKind::kName) {
      e->name = callee->name;
    } else if (callee->kind == ExprKind::kAttr) {
      e->name = callee->name;
    } else {
      return Fail("this expression cannot be called", Cur().offset);
    }
    e->kids.push_back(std::move(callee));
    RETURN_IF_ERROR(ParseArgs(e.get()));
    return e;
  }

  // A filter or test name, possibly dotted (ansible.builtin.to_json).
  Result<std::string> DottedName() {
    if (Cur().kind != TokKind::kName) {
      return Fail("expected a name, got " + Describe(Cur()), Cur().offset);
    }
    std::string name = Cur().text;
    ++i_;
    while (IsOp(".") && Peek().kind == TokKind::kName) {
      name += "." + Peek().text;
      i_ += 2;
    }
    return name;
  }

  Result<ExprPtr> ParseFilterExpr(ExprPtr node) {
    while (true) {
      if (IsOp("|")) {
        ++i_;
        const uint32_t off = Cur().offset;
        ASSIGN_OR_RETURN(std::string name, DottedName());
        const FilterDef* def = FindFilter(name);
        if (def == nullptr) {
          std::string msg = "no filter named '" + name + "'";
          const std::string hint = SuggestClosest(name, FilterNames());
          if (!hint.empty()) msg += "; did you mean '" + hint + "'?";
          return Fail(msg, off);
        }
        auto e = MakeExpr(ExprKind::kFilter, off);
        e->name = std::string(def->name);
        e->filter = def;
        e->kids.push_back(std::move(node));
        if (IsOp("(")) RETURN_IF_ERROR(ParseArgs(e.get()));
        node = std::move(e);
      } else if (IsName("is")) {
        ++i_;
        bool negate = false;
        if (IsName("not")) {
          negate = true;
          ++i_;
        }
        const uint32_t off = Cur().offset;
        ASSIGN_OR_RETURN(std::string name, DottedName());
        const TestDef* def = FindTest(name);
        if (def == nullptr) {
          std::string msg = "no test named '" + name + "'";
          const std::string hint = SuggestClosest(name, TestNames());
          if (!hint.empty()) msg += "; did you mean '" + hint + "'?";
          return Fail(msg, off);
        }
        auto e = MakeExpr(ExprKind::kTest, off);
        e->name = std::string(def->name);
        e->test = def;
        e->negate = negate;
        e->kids.push_back(std::move(node));
        if (IsOp("(")) {
          RETURN_IF_ERROR(ParseArgs(e.get()));
        } else if (StartsTestArg()) {
          ASSIGN_OR_RETURN(ExprPtr arg, ParsePrimary());
          ASSIGN_OR_RETURN(arg, ParsePostfix(std::move(arg)));
          e->kids.push_back(std::move(arg));
        }
        node = std::move(e);
      } else if (IsOp("(")) {
        ASSIGN_OR_RETURN(node, ParseCall(std::move(node)));
      } else {
        return node;
      }
    }
  }

  bool StartsTestArg() const {
    const Token& tok = Cur();
    if (tok.kind == TokKind::kName) {
      static constexpr std::string_view kStop[] = {"else", "or",  "and", "if",
                                                   "is",   "not", "in"};
      for (auto s : kStop) {
        if (tok.text == s) return false;
      }
      return true;
    }
    return tok.kind == TokKind::kString || tok.kind == TokKind::kInt ||
           tok.kind == TokKind::kFloat ||
           (tok.kind == TokKind::kOp &&
            (tok.text == "(" || tok.text == "[" || tok.text == "{"));
  }

  // --- statements ---------------------------------------------------------

  Status ExpectEnd(TokKind end) {
    if (Cur().kind == end) {
      ++i_;
      return Status::Ok();
    }
    return Fail("expected " +
                    std::string(end == TokKind::kVarEnd ? "'}}'" : "'%}'") +
                    ", got " + Describe(Cur()),
                Cur().offset);
  }

  Result<std::vector<std::string>> ParseTargets() {
    std::vector<std::string> names;
    const bool paren = IsOp("(");
    if (paren) ++i_;
    while (true) {
      if (Cur().kind != TokKind::kName) {
        return Fail("expected a variable name, got " + Describe(Cur()),
                    Cur().offset);
      }
      names.push_back(Cur().text);
      ++i_;
      if (!IsOp(",")) break;
      ++i_;
    }
    if (paren) RETURN_IF_ERROR(Expect(")"));
    return names;
  }

  // Parses statements until a block tag whose name is in `ends`; leaves
  // i_ at that tag's name and sets *end_name. At top level (ends empty)
  // stops at end of input.
  Status ParseBody(std::vector<Stmt>* out,
                   std::initializer_list<std::string_view> ends,
                   std::string* end_name, uint32_t opened_at,
                   std::string_view opener) {
    DepthGuard guard(&block_depth_);
    if (block_depth_ > kMaxNesting) {
      return Fail("blocks nested more than " + std::to_string(kMaxNesting) +
                      " levels deep",
                  opened_at);
    }
    while (true) {
      const Token& tok = Cur();
      switch (tok.kind) {
        case TokKind::kEof:
          if (ends.size() == 0) return Status::Ok();
          tag_start_ = toks_.size();
          return Fail("missing {% end" + std::string(opener) +
                          " %} for this {% " + std::string(opener) + " %}",
                      opened_at);
        case TokKind::kData: {
          Stmt s;
          s.kind = StmtKind::kText;
          s.text = tok.text;
          out->push_back(std::move(s));
          ++i_;
          break;
        }
        case TokKind::kVarBegin: {
          tag_start_ = i_;
          Stmt s;
          s.kind = StmtKind::kOutput;
          s.tag_begin = tok.offset;
          ++i_;
          ASSIGN_OR_RETURN(s.expr, ParseTuple());
          s.tag_end = Cur().offset + 2;
          RETURN_IF_ERROR(ExpectEnd(TokKind::kVarEnd));
          out->push_back(std::move(s));
          break;
        }
        case TokKind::kBlockBegin: {
          tag_start_ = i_;
          const uint32_t begin = tok.offset;
          ++i_;
          if (Cur().kind != TokKind::kName) {
            return Fail("expected a tag name, got " + Describe(Cur()),
                        Cur().offset);
          }
          const std::string name = Cur().text;
          for (auto e : ends) {
            if (name == e) {
              *end_name = name;
              return Status::Ok();
            }
          }
          RETURN_IF_ERROR(ParseBlock(name, begin, out));
          break;
        }
        default:
          return Fail("unexpected " + Describe(tok), tok.offset);
      }
    }
  }

  Status ParseBlock(const std::string& name, uint32_t begin,
                    std::vector<Stmt>* out) {
    const uint32_t name_off = Cur().offset;
    ++i_;
    Stmt s;
    s.tag_begin = begin;
    std::string end;
    if (name == "if") {
      s.kind = StmtKind::kIf;
      ASSIGN_OR_RETURN(ExprPtr cond, ParseTuple());
      RETURN_IF_ERROR(ExpectEnd(TokKind::kBlockEnd));
      s.tag_end = toks_[i_ - 1].offset + 2;
      s.conds.push_back(std::move(cond));
      s.bodies.emplace_back();
      while (true) {
        RETURN_IF_ERROR(ParseBody(&s.bodies.back(), {"elif", "else", "endif"},
                                  &end, name_off, "if"));
        const uint32_t tag_off = Cur().offset;
        ++i_;
        if (end == "elif") {
          ASSIGN_OR_RETURN(ExprPtr c, ParseTuple());
          RETURN_IF_ERROR(ExpectEnd(TokKind::kBlockEnd));
          s.conds.push_back(std::move(c));
          s.bodies.emplace_back();
          continue;
        }
        RETURN_IF_ERROR(ExpectEnd(TokKind::kBlockEnd));
        if (end == "else") {
          RETURN_IF_ERROR(
              ParseBody(&s.else_body, {"endif"}, &end, tag_off, "if"));
          ++i_;
          RETURN_IF_ERROR(ExpectEnd(TokKind::kBlockEnd));
        }
        break;
      }
    } else if (name == "for") {
      s.kind = StmtKind::kFor;
      ASSIGN_OR_RETURN(s.targets, ParseTargets());
      if (!IsName("in")) {
        return Fail("expected 'in', got " + Describe(Cur()), Cur().offset);
      }
      ++i_;
      ASSIGN_OR_RETURN(s.expr, ParseTuple(/*with_condexpr=*/false));
      if (IsName("if")) {
        ++i_;
        ASSIGN_OR_RETURN(s.filter, ParseExpr());
      }
      if (IsName("recursive")) {
        return Fail("recursive loops are not supported", Cur().offset);
      }
      RETURN_IF_ERROR(ExpectEnd(TokKind::kBlockEnd));
      s.tag_end = toks_[i_ - 1].offset + 2;
      RETURN_IF_ERROR(
          ParseBody(&s.body, {"else", "endfor"}, &end, name_off, "for"));
      ++i_;
      RETURN_IF_ERROR(ExpectEnd(TokKind::kBlockEnd));
      if (end == "else") {
        RETURN_IF_ERROR(
            ParseBody(&s.else_body, {"endfor"}, &end, name_off, "for"));
        ++i_;
        RETURN_IF_ERROR(ExpectEnd(TokKind::kBlockEnd));
      }
    } else if (name == "set") {
      ASSIGN_OR_RETURN(s.targets, ParseTargets());
      if (IsOp("=")) {
        ++i_;
        s.kind = StmtKind::kSet;
        ASSIGN_OR_RETURN(s.expr, ParseTuple());
        s.tag_end = Cur().offset + 2;
        RETURN_IF_ERROR(ExpectEnd(TokKind::kBlockEnd));
      } else {
        s.kind = StmtKind::kSetBlock;
        if (s.targets.size() != 1) {
          return Fail("a block set assigns exactly one name", name_off);
        }
        RETURN_IF_ERROR(ExpectEnd(TokKind::kBlockEnd));
        RETURN_IF_ERROR(ParseBody(&s.body, {"endset"}, &end, name_off, "set"));
        ++i_;
        RETURN_IF_ERROR(ExpectEnd(TokKind::kBlockEnd));
      }
    } else {
      static constexpr std::string_view kKnown[] = {
          "macro",   "call",  "filter", "include",    "import", "from",
          "extends", "block", "with",   "autoescape", "do"};
      for (auto k : kKnown) {
        if (name == k) {
          return Fail("the {% " + name + " %} tag is not supported", name_off);
        }
      }
      if (name.rfind("end", 0) == 0 || name == "else" || name == "elif") {
        return Fail("unexpected {% " + name + " %}", name_off);
      }
      return Fail("unknown tag '" + name + "'", name_off);
    }
    out->push_back(std::move(s));
    return Status::Ok();
  }

  Status ParseTemplateBody() {
    std::string end;
    return ParseBody(&t_->body, {}, &end, 0, "");
  }

  Status ParseWholeExpression() {
    tag_start_ = toks_.size();
    if (Cur().kind == TokKind::kEof) {
      return Fail("empty expression", Cur().offset);
    }
    ASSIGN_OR_RETURN(t_->expr, ParseTuple());
    if (Cur().kind != TokKind::kEof) {
      return Fail("unexpected " + Describe(Cur()) + " after the expression",
                  Cur().offset);
    }
    return Status::Ok();
  }

  size_t tag_start_ = 0;

 private:
  Template* t_;
  std::vector<Token> toks_;
  uint32_t base_;
  size_t i_ = 0;
  int depth_ = 0;
  int block_depth_ = 0;
  Status status_;
};

int CountTrailingNewlines(std::string_view s) {
  int n = 0;
  size_t i = s.size();
  while (i > 0 && s[i - 1] == '\n') {
    ++n;
    --i;
    if (i > 0 && s[i - 1] == '\r') --i;
  }
  return n;
}

}  // namespace

Status ParseTemplate(Template* t, bool verbatim_strings) {
  std::string_view src = t->text;
  t->trailing_newlines = CountTrailingNewlines(src);
  // Jinja (keep_trailing_newline=False) drops one newline ending the source.
  if (src.size() >= 2 && src.substr(src.size() - 2) == "\r\n") {
    src.remove_suffix(2);
  } else if (!src.empty() && src.back() == '\n') {
    src.remove_suffix(1);
  }
  std::vector<Token> toks;
  LexError err;
  if (!LexTemplate(src, verbatim_strings, &toks, &err)) {
    return PositionedError(t->pos, t->text, err.offset, err.message, "");
  }
  Parser parser(t, std::move(toks));
  RETURN_IF_ERROR(parser.ParseTemplateBody());
  t->single_output =
      t->body.size() == 1 && t->body[0].kind == StmtKind::kOutput;
  return Status::Ok();
}

Status ParseExpressionTemplate(Template* t) {
  std::string_view src = t->text;
  uint32_t base = 0;
  // "{{ expr }}" given where a bare expression is expected.
  size_t b = src.find_first_not_of(" \t\r\n");
  size_t e = src.find_last_not_of(" \t\r\n");
  if (b != std::string_view::npos && src.compare(b, 2, "{{") == 0 &&
      e >= b + 3 && src.compare(e - 1, 2, "}}") == 0 &&
      src.find("{{", b + 2) == std::string_view::npos) {
    base = static_cast<uint32_t>(b + 2);
    src = src.substr(base, e - 1 - base);
  }
  t->expr_base = base;
  std::vector<Token> toks;
  LexError err;
  if (!LexExpression(src, &toks, &err)) {
    return PositionedError(t->pos, t->text, err.offset + base, err.message,
                           t->text);
  }
  Parser parser(t, std::move(toks), base);
  t->expression_mode = true;
  return parser.ParseWholeExpression();
}

namespace {

bool LiteralOnly(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kLiteral:
      return true;
    case ExprKind::kName:
      return e.name == "null";
    case ExprKind::kNeg:
    case ExprKind::kPos:
      return e.kids[0]->kind == ExprKind::kLiteral &&
             (e.kids[0]->literal.is_number());
    case ExprKind::kList:
    case ExprKind::kTuple:
    case ExprKind::kDict:
      for (const auto& k : e.kids) {
        if (!LiteralOnly(*k)) return false;
      }
      return true;
    default:
      return false;
  }
}

Value LiteralValue(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kLiteral:
      return e.literal;
    case ExprKind::kName:
      return nullptr;
    case ExprKind::kNeg: {
      const Value& v = e.kids[0]->literal;
      if (v.is_number_float()) return -v.get<double>();
      return -v.get<int64_t>();
    }
    case ExprKind::kPos:
      return e.kids[0]->literal;
    case ExprKind::kList:
    case ExprKind::kTuple: {
      Value out = Value::array();
      for (const auto& k : e.kids) out.push_back(LiteralValue(*k));
      return out;
    }
    case ExprKind::kDict: {
      Value out = Value::object();
      for (size_t i = 0; i + 1 < e.kids.size(); i += 2) {
        Value key = LiteralValue(*e.kids[i]);
        std::string k = key.is_string() ? key.get<std::string>() : PyStr(key);
        out[k] = LiteralValue(*e.kids[i + 1]);
      }
      return out;
    }
    default:
      return nullptr;
  }
}

}  // namespace

std::optional<Value> LiteralEval(std::string_view text) {
  if (text.size() > (64u << 20)) return std::nullopt;
  std::vector<Token> toks;
  LexError err;
  if (!LexExpression(text, &toks, &err)) return std::nullopt;
  Template t;
  Parser parser(&t, std::move(toks));
  if (!parser.ParseWholeExpression().ok()) return std::nullopt;
  if (!LiteralOnly(*t.expr)) return std::nullopt;
  return LiteralValue(*t.expr);
}

}  // namespace tend::automate::jinja
