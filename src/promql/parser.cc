// The PromQL parser: recursive descent with precedence climbing over the
// tokens of lexer.h, reproducing the precedence and associativity of
// Prometheus 2.42's yacc grammar (generated_parser.y):
//
//   or  <  and unless  <  == != <= < >= >  <  + -  <  * / % atan2  <  ^
//
// all left-associative except '^'. Unary +/- binds like '*' (so -a^b is
// -(a^b) and -a*b is (-a)*b). The postfix forms [range], [range:step],
// offset and @ bind tighter than any operator and apply left to right.
//
// Parsing stops at the first error; the type checks (parser_check.cc) run
// only on a tree that parsed, as in Prometheus, so the first error reported
// is the one Prometheus reports in nearly every case.
#include "promql/parser.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "promql/functions_table.h"
#include "promql/lexer.h"
#include "promql/parser_internal.h"

namespace tend::promql {
namespace {

// Deeper queries are rejected: the parser, checker, printer, engine and
// destructors all recurse over the tree.
constexpr int kMaxDepth = 1000;

constexpr double kMaxAtMs = 35184372088832.0;  // 2^45.

// A subtree and its height (nodes on the longest root-to-leaf path).
struct Parsed {
  ExprPtr e;
  int height = 1;
};

class Parser {
 public:
  explicit Parser(std::string_view input) : input_(input), toks_(Lex(input)) {}

  Result<ExprPtr> ParseQuery() {
    if (Peek().type == TokenType::kEof) {
      return Error(0, "no expression found in input");
    }
    ASSIGN_OR_RETURN(Parsed p, ParseExpr(0));
    if (Peek().type != TokenType::kEof) return Unexpected("", "");
    RETURN_IF_ERROR(CheckAst(*p.e, input_, op_pos_));
    return std::move(p.e);
  }

  Result<Matchers> ParseSelector() {
    const Token& t = Peek();
    if (!IsMetricIdentifier(t.type) && t.type != TokenType::kLeftBrace) {
      return Unexpected("", "");
    }
    ASSIGN_OR_RETURN(Parsed p, ParseVectorSelector());
    if (Peek().type != TokenType::kEof) return Unexpected("", "");
    RETURN_IF_ERROR(CheckAst(*p.e, input_, op_pos_));
    return std::move(static_cast<VectorSelector*>(p.e.get())->matchers);
  }

 private:
  const Token& Peek(size_t k = 0) const {
    const size_t i = std::min(next_ + k, toks_.size() - 1);
    return toks_[i];
  }
  const Token& Next() {
    const Token& t = toks_[next_];
    if (next_ + 1 < toks_.size()) ++next_;
    return t;
  }

  Status Error(int pos, const std::string& msg) const {
    return ParseError(input_, pos, msg);
  }

  // "unexpected <token>[ in <context>][, expected <what>]" about the next
  // token, or the lexer's message when the next token is a lexical error.
  Status Unexpected(const char* context, const char* expected) const {
    const Token& t = Peek();
    if (t.type == TokenType::kError) return Error(t.pos, t.error);
    std::string msg = "unexpected " + DescribeToken(t);
    // Prometheus's grammar recovers from any error inside an aggregation's
    // parentheses in the aggregation rule, hence names it.
    if (*context == '\0' && agg_depth_ > 0) context = "aggregation";
    if (*context != '\0') {
      msg += " in ";
      msg += context;
    }
    if (*expected != '\0') {
      msg += ", expected ";
      msg += expected;
    }
    return Error(t.pos, msg);
  }

  Status CheckHeight(const Parsed& p) const {
    if (p.height > kMaxDepth) {
      return Error(p.e->pos.start, "query is nested more than " +
                                       std::to_string(kMaxDepth) +
                                       " levels deep");
    }
    return Status::Ok();
  }

  Result<int64_t> ParseDurationToken() {
    const Token& t = Next();
    auto d = ParseDuration(t.text);
    if (!d.ok()) return Error(t.pos, d.status().message());
    if (*d == 0) return Error(t.pos, "duration must be greater than 0");
    return *d;
  }

  Result<Parsed> ParseExpr(int min_prec) {
    if (++depth_ > kMaxDepth) {
      return Error(Peek().pos, "query is nested more than " +
                                   std::to_string(kMaxDepth) + " levels deep");
    }
    ASSIGN_OR_RETURN(Parsed lhs, ParseUnary());
    for (;;) {
      const Token& op = Peek();
      const int prec = Precedence(op.type);
      if (prec == 0 || prec < min_prec) break;
      Next();
      auto bin = std::make_unique<BinaryExpr>();
      bin->op = ToBinOp(op.type);
      RETURN_IF_ERROR(ParseBinModifiers(bin.get()));
      // '^' is right-associative, everything else left-associative.
      ASSIGN_OR_RETURN(Parsed rhs,
                       ParseExpr(prec == kPowPrecedence ? prec : prec + 1));
      bin->pos = {lhs.e->pos.start, rhs.e->pos.end};
      op_pos_[bin.get()] = op.pos;
      const int h = std::max(lhs.height, rhs.height) + 1;
      bin->lhs = std::move(lhs.e);
      bin->rhs = std::move(rhs.e);
      lhs = Parsed{std::move(bin), h};
      RETURN_IF_ERROR(CheckHeight(lhs));
    }
    --depth_;
    return lhs;
  }

  // bool, then on/ignoring (labels), then group_left/group_right [labels].
  Status ParseBinModifiers(BinaryExpr* bin) {
    VectorMatching vm;
    if (Peek().type == TokenType::kBool) {
      Next();
      bin->return_bool = true;
    }
    const TokenType t = Peek().type;
    if (t == TokenType::kOn || t == TokenType::kIgnoring) {
      Next();
      vm.on = t == TokenType::kOn;
      RETURN_IF_ERROR(ParseGroupingLabels(&vm.matching_labels));
      const TokenType g = Peek().type;
      if (g == TokenType::kGroupLeft || g == TokenType::kGroupRight) {
        Next();
        vm.card = g == TokenType::kGroupLeft ? Cardinality::kManyToOne
                                             : Cardinality::kOneToMany;
        if (Peek().type == TokenType::kLeftParen ||
            !CanStartExpr(Peek().type)) {
          RETURN_IF_ERROR(ParseGroupingLabels(&vm.include));
        }
      }
    }
    bin->matching = std::move(vm);
    return Status::Ok();
  }

  Status ParseGroupingLabels(std::vector<std::string>* out) {
    if (Peek().type != TokenType::kLeftParen) {
      return Unexpected("grouping opts", "\"(\"");
    }
    Next();
    if (Peek().type == TokenType::kRightParen) {
      Next();
      return Status::Ok();
    }
    for (;;) {
      const Token& l = Peek();
      if (!IsMaybeLabel(l.type) || !IsValidLabelName(l.text)) {
        return Unexpected("grouping opts", "label");
      }
      Next();
      out->emplace_back(l.text);
      if (Peek().type == TokenType::kComma) {
        Next();
        if (Peek().type == TokenType::kRightParen) {
          Next();
          return Status::Ok();
        }
        continue;
      }
      if (Peek().type == TokenType::kRightParen) {
        Next();
        return Status::Ok();
      }
      return Unexpected("grouping opts", "\",\" or \")\"");
    }
  }

  Result<Parsed> ParseUnary() {
    const Token& t = Peek();
    if (t.type != TokenType::kAdd && t.type != TokenType::kSub) {
      ASSIGN_OR_RETURN(Parsed p, ParsePrimary());
      return ParsePostfix(std::move(p));
    }
    Next();
    // The operand binds everything tighter than '*', i.e. only '^'.
    ASSIGN_OR_RETURN(Parsed operand, ParseExpr(kPowPrecedence));
    const bool negate = t.type == TokenType::kSub;
    if (auto* num = As<NumberLiteral>(operand.e.get())) {
      if (negate) num->value = -num->value;
      num->pos.start = t.pos;
      return operand;
    }
    auto u = std::make_unique<UnaryExpr>();
    u->negate = negate;
    u->pos = {t.pos, operand.e->pos.end};
    u->expr = std::move(operand.e);
    Parsed p{std::move(u), operand.height + 1};
    RETURN_IF_ERROR(CheckHeight(p));
    return p;
  }

  Result<Parsed> ParsePrimary() {
    const Token& t = Peek();
    switch (t.type) {
      case TokenType::kNumber: {
        Next();
        auto v = ParseNumber(t.text);
        if (!v.ok()) {
          return Error(t.pos, "error parsing number: " + v.status().message());
        }
        auto n = std::make_unique<NumberLiteral>();
        n->value = *v;
        n->pos = {t.pos, t.pos + static_cast<int>(t.text.size())};
        return Parsed{std::move(n), 1};
      }
      case TokenType::kString: {
        Next();
        auto v = UnquoteString(t.text);
        if (!v.ok()) {
          return Error(t.pos, "error unquoting string: " +
                                  std::string(v.status().message()));
        }
        auto s = std::make_unique<StringLiteral>();
        s->value = std::move(*v);
        s->pos = {t.pos, t.pos + static_cast<int>(t.text.size())};
        return Parsed{std::move(s), 1};
      }
      case TokenType::kLeftParen: {
        Next();
        ASSIGN_OR_RETURN(Parsed inner, ParseExpr(0));
        if (Peek().type != TokenType::kRightParen) return Unexpected("", "");
        const Token& close = Next();
        auto p = std::make_unique<ParenExpr>();
        p->pos = {t.pos, close.pos + 1};
        p->expr = std::move(inner.e);
        Parsed out{std::move(p), inner.height + 1};
        RETURN_IF_ERROR(CheckHeight(out));
        return out;
      }
      case TokenType::kLeftBrace:
        return ParseVectorSelector();
      case TokenType::kIdentifier:
        if (Peek(1).type == TokenType::kLeftParen) return ParseCall();
        return ParseVectorSelector();
      default:
        break;
    }
    if (IsAggregatorToken(t.type)) {
      const TokenType n = Peek(1).type;
      if (n == TokenType::kLeftParen || n == TokenType::kBy ||
          n == TokenType::kWithout) {
        return ParseAggregate();
      }
    }
    if (IsMetricIdentifier(t.type)) return ParseVectorSelector();
    return Unexpected("", "");
  }

  // `(` [expr {`,` expr}] `)`; the '(' is the next token.
  Status ParseArgs(std::vector<Parsed>* args, int* end) {
    Next();
    if (Peek().type == TokenType::kRightParen) {
      *end = Next().pos + 1;
      return Status::Ok();
    }
    for (;;) {
      ASSIGN_OR_RETURN(Parsed arg, ParseExpr(0));
      args->push_back(std::move(arg));
      if (Peek().type == TokenType::kComma) {
        const Token& comma = Next();
        if (Peek().type == TokenType::kError) return Unexpected("", "");
        // What cannot start an argument makes the comma a trailing one, as
        // Prometheus reports it.
        if (!CanStartExpr(Peek().type)) {
          return Error(comma.pos,
                       "trailing commas not allowed in function call args");
        }
        continue;
      }
      if (Peek().type == TokenType::kRightParen) {
        *end = Next().pos + 1;
        return Status::Ok();
      }
      return Unexpected("", "");
    }
  }

  Result<Parsed> ParseCall() {
    const Token& name = Next();
    std::vector<Parsed> args;
    int end = 0;
    RETURN_IF_ERROR(ParseArgs(&args, &end));
    const FunctionSignature* f = FindFunction(name.text);
    if (f == nullptr) {
      return Error(name.pos, "unknown function with name \"" +
                                 std::string(name.text) + "\"");
    }
    auto call = std::make_unique<Call>();
    call->func = f;
    call->pos = {name.pos, end};
    int h = 0;
    for (Parsed& a : args) {
      h = std::max(h, a.height);
      call->args.push_back(std::move(a.e));
    }
    Parsed out{std::move(call), h + 1};
    RETURN_IF_ERROR(CheckHeight(out));
    return out;
  }

  Status ParseAggregateModifier(AggregateExpr* agg) {
    agg->without = Next().type == TokenType::kWithout;
    return ParseGroupingLabels(&agg->grouping);
  }

  Result<Parsed> ParseAggregate() {
    const Token& op = Next();
    auto agg = std::make_unique<AggregateExpr>();
    agg->op = ToAggOp(op.type);
    bool have_modifier = false;
    if (Peek().type == TokenType::kBy || Peek().type == TokenType::kWithout) {
      RETURN_IF_ERROR(ParseAggregateModifier(agg.get()));
      have_modifier = true;
    }
    if (Peek().type != TokenType::kLeftParen) {
      return Unexpected("aggregation", "");
    }
    std::vector<Parsed> args;
    int end = 0;
    ++agg_depth_;
    Status st = ParseArgs(&args, &end);
    --agg_depth_;
    RETURN_IF_ERROR(st);
    if (!have_modifier &&
        (Peek().type == TokenType::kBy || Peek().type == TokenType::kWithout)) {
      RETURN_IF_ERROR(ParseAggregateModifier(agg.get()));
      end = toks_[next_ - 1].pos + 1;  // The grouping list's ')'.
    }
    agg->pos = {op.pos, end};
    if (args.empty()) {
      return Error(op.pos, "no arguments for aggregate expression provided");
    }
    const bool has_param =
        agg->op == AggOp::kTopK || agg->op == AggOp::kBottomK ||
        agg->op == AggOp::kQuantile || agg->op == AggOp::kCountValues;
    const size_t want = has_param ? 2 : 1;
    if (args.size() != want) {
      return Error(op.pos,
                   "wrong number of arguments for aggregate expression "
                   "provided, expected " +
                       std::to_string(want) + ", got " +
                       std::to_string(args.size()));
    }
    int h = 0;
    for (const Parsed& a : args) h = std::max(h, a.height);
    if (has_param) agg->param = std::move(args[0].e);
    agg->expr = std::move(args.back().e);
    Parsed out{std::move(agg), h + 1};
    RETURN_IF_ERROR(CheckHeight(out));
    return out;
  }

  // [metric_identifier] [`{` matchers `}`]
  Result<Parsed> ParseVectorSelector() {
    auto vs = std::make_unique<VectorSelector>();
    const Token& first = Peek();
    vs->pos.start = first.pos;
    if (first.type != TokenType::kLeftBrace) {
      Next();
      vs->name = std::string(first.text);
      vs->matchers.push_back(
          LabelMatcher::Equal(std::string(kMetricNameLabel), vs->name));
      vs->pos.end = first.pos + static_cast<int>(first.text.size());
      if (Peek().type != TokenType::kLeftBrace) {
        return Parsed{std::move(vs), 1};
      }
    }
    Next();  // '{'
    for (;;) {
      if (Peek().type == TokenType::kRightBrace) break;
      const Token& name = Peek();
      if (name.type != TokenType::kIdentifier) {
        return Unexpected("label matching", "identifier or \"}\"");
      }
      Next();
      LabelMatcher::Type type;
      switch (Peek().type) {
        case TokenType::kEql:
          type = LabelMatcher::Type::kEqual;
          break;
        case TokenType::kNeq:
          type = LabelMatcher::Type::kNotEqual;
          break;
        case TokenType::kEqlRegex:
          type = LabelMatcher::Type::kRegexMatch;
          break;
        case TokenType::kNeqRegex:
          type = LabelMatcher::Type::kRegexNoMatch;
          break;
        default:
          return Unexpected("label matching", "label matching operator");
      }
      Next();
      if (Peek().type != TokenType::kString) {
        return Unexpected("label matching", "string");
      }
      const Token& value = Next();
      auto unquoted = UnquoteString(value.text);
      if (!unquoted.ok()) {
        return Error(value.pos, "error unquoting string: " +
                                    std::string(unquoted.status().message()));
      }
      const std::string pattern = *unquoted;
      auto m = LabelMatcher::Create(type, std::string(name.text),
                                    std::move(*unquoted));
      if (!m.ok()) return Error(name.pos, RegexError(m.status(), pattern));
      if (type == LabelMatcher::Type::kRegexMatch ||
          type == LabelMatcher::Type::kRegexNoMatch) {
        // Prometheus also parses the pattern on its own, which rejects an
        // unbalanced ')' that the anchoring group would otherwise absorb.
        std::string err = StandaloneRegexError(pattern);
        if (!err.empty()) return Error(name.pos, err);
      }
      vs->matchers.push_back(std::move(*m));
      if (Peek().type == TokenType::kComma) {
        Next();
        continue;
      }
      if (Peek().type != TokenType::kRightBrace) {
        return Unexpected("label matching", "\",\" or \"}\"");
      }
    }
    vs->pos.end = Next().pos + 1;  // '}'
    return Parsed{std::move(vs), 1};
  }

  Result<Parsed> ParsePostfix(Parsed p) {
    for (;;) {
      switch (Peek().type) {
        case TokenType::kLeftBracket: {
          ASSIGN_OR_RETURN(p, ParseRangeOrSubquery(std::move(p)));
          break;
        }
        case TokenType::kOffset: {
          Next();
          bool neg = false;
          if (Peek().type == TokenType::kSub) {
            Next();
            neg = true;
          }
          if (Peek().type != TokenType::kDuration) {
            return Unexpected("offset", "duration");
          }
          ASSIGN_OR_RETURN(int64_t d, ParseDurationToken());
          RETURN_IF_ERROR(SetOffset(p.e.get(), neg ? -d : d));
          break;
        }
        case TokenType::kAt:
          Next();
          RETURN_IF_ERROR(ParseAt(p.e.get()));
          break;
        default:
          return p;
      }
    }
  }

  Result<Parsed> ParseRangeOrSubquery(Parsed p) {
    const Token& open = Next();
    if (Peek().type != TokenType::kDuration) {
      return Unexpected("subquery selector", "duration");
    }
    ASSIGN_OR_RETURN(int64_t range, ParseDurationToken());
    if (Peek().type == TokenType::kRightBracket) {
      const Token& close = Next();
      auto* vs = As<VectorSelector>(p.e.get());
      const char* err = nullptr;
      if (vs == nullptr) {
        err = "ranges only allowed for vector selectors";
      } else if (vs->original_offset_ms != 0) {
        err = "no offset modifiers allowed before range";
      } else if (vs->at == AtKind::kTimestamp) {
        // Only a timestamp: Prometheus 2.42 lets `x @ start()[5m]` through.
        err = "no @ modifiers allowed before range";
      }
      if (err != nullptr) return Error(open.pos, err);
      auto ms = std::make_unique<MatrixSelector>();
      ms->pos = {p.e->pos.start, close.pos + 1};
      ms->range_ms = range;
      ms->vector_selector = std::move(p.e);
      return Parsed{std::move(ms), 2};
    }
    if (Peek().type != TokenType::kColon) {
      return Unexpected("subquery or range", "\":\" or \"]\"");
    }
    Next();
    int64_t step = 0;
    if (Peek().type == TokenType::kDuration) {
      ASSIGN_OR_RETURN(step, ParseDurationToken());
      if (Peek().type != TokenType::kRightBracket) {
        return Unexpected("subquery selector", "\"]\"");
      }
    } else if (Peek().type != TokenType::kRightBracket) {
      return Unexpected("subquery selector", "duration or \"]\"");
    }
    const Token& close = Next();
    auto sq = std::make_unique<SubqueryExpr>();
    sq->pos = {p.e->pos.start, close.pos + 1};
    sq->range_ms = range;
    sq->step_ms = step;
    sq->expr = std::move(p.e);
    Parsed out{std::move(sq), p.height + 1};
    RETURN_IF_ERROR(CheckHeight(out));
    return out;
  }

  // The offset/@ fields of a selector or subquery, or nullptr for other
  // nodes (set *error then).
  struct Modifiable {
    int64_t* offset = nullptr;
    AtKind* at = nullptr;
    int64_t* at_ms = nullptr;
    int* end = nullptr;
  };
  Modifiable Fields(Expr* e) {
    if (auto* vs = As<VectorSelector>(e)) {
      return {&vs->original_offset_ms, &vs->at, &vs->at_ms, &vs->pos.end};
    }
    if (auto* ms = As<MatrixSelector>(e)) {
      auto* vs = static_cast<VectorSelector*>(ms->vector_selector.get());
      return {&vs->original_offset_ms, &vs->at, &vs->at_ms, &ms->pos.end};
    }
    if (auto* sq = As<SubqueryExpr>(e)) {
      return {&sq->original_offset_ms, &sq->at, &sq->at_ms, &sq->pos.end};
    }
    return {};
  }

  int LastEnd() const {
    const Token& t = toks_[next_ - 1];
    return t.pos + static_cast<int>(t.text.size());
  }

  Status SetOffset(Expr* e, int64_t offset) {
    Modifiable f = Fields(e);
    if (f.offset == nullptr) {
      return Error(e->pos.start,
                   "offset modifier must be preceded by an instant vector "
                   "selector or range vector selector or a subquery");
    }
    if (*f.offset != 0) {
      return Error(e->pos.start, "offset may not be set multiple times");
    }
    *f.offset = offset;
    *f.end = LastEnd();
    return Status::Ok();
  }

  // After '@': a signed number, start() or end().
  Status ParseAt(Expr* e) {
    AtKind kind = AtKind::kTimestamp;
    double ts = 0;
    const Token& t = Peek();
    if (t.type == TokenType::kStart || t.type == TokenType::kEnd) {
      if (Peek(1).type != TokenType::kLeftParen) {
        Next();
        return Unexpected("@", "timestamp");
      }
      if (Peek(2).type != TokenType::kRightParen) {
        Next();
        Next();
        return Unexpected("@", "timestamp");
      }
      kind = t.type == TokenType::kStart ? AtKind::kStart : AtKind::kEnd;
      Next();
      Next();
      Next();
    } else {
      bool neg = false;
      if (t.type == TokenType::kAdd || t.type == TokenType::kSub) {
        neg = t.type == TokenType::kSub;
        Next();
      }
      if (Peek().type != TokenType::kNumber)
        return Unexpected("@", "timestamp");
      const Token& num = Next();
      auto v = ParseNumber(num.text);
      if (!v.ok()) {
        return Error(num.pos, "error parsing number: " + v.status().message());
      }
      ts = neg ? -*v : *v;
      // Prometheus accepts up to ±2^63 seconds and then overflows the
      // millisecond conversion. Here the bound is 2^45 ms (the year 3084):
      // within it, the "%.3f" printed form reads back to the same
      // millisecond, which keeps ExprToString round trips exact.
      if (!std::isfinite(ts) || std::abs(ts) * 1000 > kMaxAtMs) {
        char buf[64];
        if (std::isnan(ts)) {
          std::snprintf(buf, sizeof buf, "NaN");
        } else if (std::isinf(ts)) {
          std::snprintf(buf, sizeof buf, "%s", ts > 0 ? "+Inf" : "-Inf");
        } else {
          std::snprintf(buf, sizeof buf, "%f", ts);
        }
        return Error(
            e->pos.start,
            std::string("timestamp out of bounds for @ modifier: ") + buf);
      }
    }
    Modifiable f = Fields(e);
    if (f.at == nullptr) {
      return Error(e->pos.start,
                   "@ modifier must be preceded by an instant vector "
                   "selector or range vector selector or a subquery");
    }
    if (*f.at != AtKind::kNone) {
      return Error(e->pos.start, "@ <timestamp> may not be set multiple times");
    }
    *f.at = kind;
    if (kind == AtKind::kTimestamp) {
      *f.at_ms = static_cast<int64_t>(std::round(ts * 1000));
    }
    *f.end = LastEnd();
    return Status::Ok();
  }

  std::string_view input_;
  std::vector<Token> toks_;
  size_t next_ = 0;
  int depth_ = 0;
  int agg_depth_ = 0;  // Aggregation bodies being parsed.
  OpPositions op_pos_;
};

}  // namespace

Status ParseError(std::string_view query, int pos, std::string_view msg) {
  if (pos < 0) pos = 0;
  if (pos > static_cast<int>(query.size())) {
    pos = static_cast<int>(query.size());
  }
  int line = 1;
  int last_newline = -1;
  for (int i = 0; i < pos; ++i) {
    if (query[i] == '\n') {
      ++line;
      last_newline = i;
    }
  }
  return InvalidArgumentError(std::to_string(line) + ":" +
                              std::to_string(pos - last_newline) +
                              ": parse error: " + std::string(msg));
}

Result<ExprPtr> ParseExpr(std::string_view query) {
  return Parser(query).ParseQuery();
}

Result<Matchers> ParseMetricSelector(std::string_view selector) {
  return Parser(selector).ParseSelector();
}

}  // namespace tend::promql
