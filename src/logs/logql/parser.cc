// The LogQL parser: recursive descent over the tokens of lexer.h.
//
// Metric expressions use precedence climbing with PromQL's (and Loki's)
// binding powers, all left-associative except '^':
//
//   or  <  and unless  <  == != > >= < <=  <  + -  <  * / %  <  ^
//
// A log query (`{...} | pipeline`) may stand alone, in parentheses, but is
// never an operand; a range (`[5m]`) appears only inside a range
// aggregation. This file holds the query level; pipeline stages and label
// filters are in parser_stages.cc.
#include "logs/logql/parser.h"

#include <string>
#include <utility>

#include "base/duration.h"
#include "logs/logql/literals.h"
#include "logs/logql/parser_internal.h"

namespace tend::logql {
namespace {

struct NamedRangeOp {
  const char* name;
  RangeOp op;
};
constexpr NamedRangeOp kRangeOps[] = {
    {"count_over_time", RangeOp::kCountOverTime},
    {"rate", RangeOp::kRate},
    {"bytes_over_time", RangeOp::kBytesOverTime},
    {"bytes_rate", RangeOp::kBytesRate},
    {"sum_over_time", RangeOp::kSumOverTime},
    {"avg_over_time", RangeOp::kAvgOverTime},
    {"min_over_time", RangeOp::kMinOverTime},
    {"max_over_time", RangeOp::kMaxOverTime},
    {"stddev_over_time", RangeOp::kStddevOverTime},
    {"stdvar_over_time", RangeOp::kStdvarOverTime},
    {"quantile_over_time", RangeOp::kQuantileOverTime},
    {"first_over_time", RangeOp::kFirstOverTime},
    {"last_over_time", RangeOp::kLastOverTime},
    {"absent_over_time", RangeOp::kAbsentOverTime},
};

struct NamedVectorOp {
  const char* name;
  VectorOp op;
};
constexpr NamedVectorOp kVectorOps[] = {
    {"sum", VectorOp::kSum},         {"avg", VectorOp::kAvg},
    {"min", VectorOp::kMin},         {"max", VectorOp::kMax},
    {"count", VectorOp::kCount},     {"stddev", VectorOp::kStddev},
    {"stdvar", VectorOp::kStdvar},   {"topk", VectorOp::kTopK},
    {"bottomk", VectorOp::kBottomK},
};

// Loki functions and operators outside the subset, named in the error.
constexpr const char* kUnsupportedFuncs[] = {
    "rate_counter", "label_replace", "sort",
    "sort_desc",    "approx_topk",   "variants",
};

// The binary operator a token stands for; false when it is none.
bool TokenBinOp(const Token& t, BinOp* op) {
  switch (t.type) {
    case Tok::kAdd:
      *op = BinOp::kAdd;
      return true;
    case Tok::kSub:
      *op = BinOp::kSub;
      return true;
    case Tok::kMul:
      *op = BinOp::kMul;
      return true;
    case Tok::kDiv:
      *op = BinOp::kDiv;
      return true;
    case Tok::kMod:
      *op = BinOp::kMod;
      return true;
    case Tok::kPow:
      *op = BinOp::kPow;
      return true;
    case Tok::kCmpEq:
      *op = BinOp::kEql;
      return true;
    case Tok::kNeq:
      *op = BinOp::kNeq;
      return true;
    case Tok::kGt:
      *op = BinOp::kGtr;
      return true;
    case Tok::kGte:
      *op = BinOp::kGte;
      return true;
    case Tok::kLt:
      *op = BinOp::kLss;
      return true;
    case Tok::kLte:
      *op = BinOp::kLte;
      return true;
    case Tok::kIdent:
      if (t.text == "or") {
        *op = BinOp::kOr;
        return true;
      }
      if (t.text == "and") {
        *op = BinOp::kAnd;
        return true;
      }
      if (t.text == "unless") {
        *op = BinOp::kUnless;
        return true;
      }
      return false;
    default:
      return false;
  }
}

}  // namespace

Status ParseError(std::string_view query, int pos, std::string_view msg) {
  size_t p = pos < 0 ? 0 : static_cast<size_t>(pos);
  if (p > query.size()) p = query.size();
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < p; ++i) {
    if (query[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return InvalidArgumentError("parse error at line " + std::to_string(line) +
                              ", col " + std::to_string(p - line_start + 1) +
                              ": " + std::string(msg));
}

// ------------------------------------------------------------ Token access.

const Token& Parser::Peek(size_t k) const {
  return toks_[std::min(next_ + k, toks_.size() - 1)];
}

const Token& Parser::Next() {
  const Token& t = toks_[next_];
  if (next_ + 1 < toks_.size()) ++next_;
  return t;
}

bool Parser::PeekIdent(std::string_view word, size_t k) const {
  const Token& t = Peek(k);
  return t.type == Tok::kIdent && t.text == word;
}

Status Parser::Error(int pos, const std::string& msg) const {
  return ParseError(input_, pos, msg);
}

Status Parser::Unexpected(const std::string& expected) const {
  const Token& t = Peek();
  if (t.type == Tok::kError) return Error(t.pos, t.value);
  std::string msg = "unexpected " + DescribeToken(t);
  if (!expected.empty()) msg += ", expected " + expected;
  return Error(t.pos, msg);
}

Status Parser::ExpectTok(Tok type, const char* expected) {
  if (Peek().type != type) return Unexpected(expected);
  Next();
  return Status::Ok();
}

Result<std::string> Parser::ExpectIdent(const char* expected) {
  if (Peek().type != Tok::kIdent) return Unexpected(expected);
  return std::string(Next().text);
}

Result<std::string> Parser::ExpectString(const char* expected, int* pos) {
  if (Peek().type != Tok::kString) return Unexpected(expected);
  const Token& t = Next();
  if (pos != nullptr) *pos = t.pos;
  return t.value;
}

int Parser::PosInString(const Token& t, size_t offset) {
  if (t.text.size() == t.value.size() + 2) {
    return t.pos + 1 + static_cast<int>(offset);
  }
  return t.pos;
}

// ------------------------------------------------------------------ Query.

Result<ExprPtr> Parser::ParseQuery() {
  if (Peek().type == Tok::kEof) return Error(0, "empty query");
  ASSIGN_OR_RETURN(Parsed p, ParseExpr(0, 0));
  if (Peek().type != Tok::kEof) {
    if (!p.e->is_metric() && Peek().type == Tok::kLBracket) {
      return Error(Peek().pos,
                   "a range such as [5m] is only allowed inside a range "
                   "aggregation such as count_over_time(...)");
    }
    return Unexpected(p.e->is_metric() ? "an operator or end of input"
                                       : "a pipeline stage or end of input");
  }
  return std::move(p.e);
}

Result<Matchers> Parser::ParseSelectorOnly() {
  if (Peek().type != Tok::kLBrace) return Unexpected("a stream selector");
  ASSIGN_OR_RETURN(Matchers m, ParseSelector());
  if (Peek().type != Tok::kEof) return Unexpected("end of input");
  return m;
}

Result<Parser::Parsed> Parser::ParseExpr(int min_prec, int depth) {
  if (depth > kMaxDepth) {
    return Error(Peek().pos, "query is nested too deeply");
  }
  ASSIGN_OR_RETURN(Parsed lhs, ParseUnary(depth));
  for (;;) {
    const Token& op_tok = Peek();
    BinOp op;
    if (!TokenBinOp(op_tok, &op)) break;
    const int prec = BinOpPrecedence(op);
    if (prec < min_prec) break;
    if (!lhs.e->is_metric()) {
      return Error(op_tok.pos,
                   "log queries cannot be operands of binary operators; "
                   "use a range aggregation such as count_over_time(...)");
    }
    const int op_pos = op_tok.pos;
    Next();
    auto bin = std::make_unique<BinaryExpr>();
    bin->op = op;
    bin->pos = lhs.e->pos;
    if (PeekIdent("bool")) {
      if (!IsComparison(op)) {
        return Error(Peek().pos,
                     "bool modifier can only be used on comparison operators");
      }
      Next();
      bin->return_bool = true;
    }
    for (const char* kw : {"on", "ignoring", "group_left", "group_right"}) {
      if (PeekIdent(kw)) {
        return Error(Peek().pos,
                     "vector matching (on, ignoring, group_left, "
                     "group_right) is not supported");
      }
    }
    ASSIGN_OR_RETURN(Parsed rhs,
                     ParseExpr(op == BinOp::kPow ? prec : prec + 1, depth + 1));
    if (!rhs.e->is_metric()) {
      return Error(rhs.e->pos,
                   "log queries cannot be operands of binary operators; "
                   "use a range aggregation such as count_over_time(...)");
    }
    // Numbers, not vector(N), which is a vector.
    auto is_number = [](const Expr& e) {
      return e.kind == ExprKind::kLiteral &&
             !static_cast<const LiteralExpr&>(e).is_vector;
    };
    const bool lit_l = is_number(*lhs.e);
    const bool lit_r = is_number(*rhs.e);
    if (IsSetOp(op) && (lit_l || lit_r)) {
      return Error(op_pos, std::string("set operator \"") + BinOpName(op) +
                               "\" needs vector operands, not numbers");
    }
    if (IsComparison(op) && lit_l && lit_r && !bin->return_bool) {
      return Error(op_pos,
                   "comparisons between numbers must use the bool modifier");
    }
    const int h = std::max(lhs.height, rhs.height) + 1;
    if (h > kMaxDepth) return Error(op_pos, "query is nested too deeply");
    bin->lhs = std::move(lhs.e);
    bin->rhs = std::move(rhs.e);
    lhs.e = std::move(bin);
    lhs.height = h;
  }
  return lhs;
}

Result<Parser::Parsed> Parser::ParseUnary(int depth) {
  const Token& t = Peek();
  if (t.type != Tok::kAdd && t.type != Tok::kSub) return ParsePrimary(depth);
  const int pos = t.pos;
  const bool neg = t.type == Tok::kSub;
  Next();
  if (Peek().type != Tok::kNumber) {
    if (Peek().type == Tok::kEof || Peek().type == Tok::kError) {
      return Unexpected("a number");
    }
    return Error(pos, "unary + and - are only supported before a number");
  }
  ASSIGN_OR_RETURN(Parsed p, ParsePrimary(depth));
  auto* lit = static_cast<LiteralExpr*>(p.e.get());
  if (neg) lit->value = -lit->value;
  lit->pos = pos;
  return p;
}

Result<Parser::Parsed> Parser::ParsePrimary(int depth) {
  const Token& t = Peek();
  switch (t.type) {
    case Tok::kLParen: {
      Next();
      ASSIGN_OR_RETURN(Parsed inner, ParseExpr(0, depth + 1));
      if (!inner.e->is_metric() && Peek().type == Tok::kLBracket) {
        return Error(Peek().pos,
                     "a range such as [5m] is only allowed inside a range "
                     "aggregation such as count_over_time(...)");
      }
      RETURN_IF_ERROR(ExpectTok(Tok::kRParen, "\")\""));
      return inner;
    }
    case Tok::kLBrace: {
      auto q = std::make_unique<LogQueryExpr>();
      q->pos = t.pos;
      ASSIGN_OR_RETURN(q->selector, ParseSelector());
      RETURN_IF_ERROR(ParsePipeline(&q->pipeline, nullptr, depth));
      return Parsed{std::move(q), 1};
    }
    case Tok::kNumber: {
      const auto v = ParseNumberLiteral(t.text);
      if (!v) {
        return Error(t.pos, "invalid number \"" + std::string(t.text) + "\"");
      }
      auto lit = std::make_unique<LiteralExpr>();
      lit->pos = t.pos;
      lit->value = *v;
      Next();
      return Parsed{std::move(lit), 1};
    }
    case Tok::kIdent: {
      for (const NamedRangeOp& r : kRangeOps) {
        if (t.text == r.name) return ParseRangeAggregation(r.op, depth);
      }
      for (const NamedVectorOp& v : kVectorOps) {
        if (t.text == v.name) return ParseVectorAggregation(v.op, depth);
      }
      if (t.text == "vector" && Peek(1).type == Tok::kLParen) {
        const int pos = t.pos;
        Next();
        Next();
        const Token& n = Peek();
        const auto v =
            n.type == Tok::kNumber ? ParseNumberLiteral(n.text) : std::nullopt;
        if (!v) return Unexpected("a number in vector(...)");
        Next();
        RETURN_IF_ERROR(ExpectTok(Tok::kRParen, "\")\""));
        auto lit = std::make_unique<LiteralExpr>();
        lit->pos = pos;
        lit->value = *v;
        lit->is_vector = true;
        return Parsed{std::move(lit), 1};
      }
      for (const char* name : kUnsupportedFuncs) {
        if (t.text == name) {
          return Error(t.pos, std::string(name) + " is not supported");
        }
      }
      if (Peek(1).type == Tok::kLParen) {
        return Error(t.pos, "unknown function \"" + std::string(t.text) + "\"");
      }
      return Unexpected("a stream selector, number or aggregation");
    }
    default:
      return Unexpected("a stream selector, number or aggregation");
  }
}

Result<Grouping> Parser::ParseGrouping() {
  Grouping g;
  g.without = Next().text == "without";
  RETURN_IF_ERROR(ExpectTok(Tok::kLParen, "\"(\""));
  if (Peek().type == Tok::kRParen) {
    Next();
    return g;
  }
  for (;;) {
    ASSIGN_OR_RETURN(std::string l, ExpectIdent("a label name"));
    g.labels.push_back(std::move(l));
    if (Peek().type == Tok::kComma) {
      Next();
      continue;
    }
    RETURN_IF_ERROR(ExpectTok(Tok::kRParen, "\",\" or \")\""));
    return g;
  }
}

Result<Parser::Parsed> Parser::ParseRangeAggregation(RangeOp op, int depth) {
  const Token& name = Next();
  const int pos = name.pos;
  const std::string op_name = RangeOpName(op);
  if (Peek().type != Tok::kLParen) {
    return Unexpected("\"(\" after " + op_name);
  }
  Next();
  auto agg = std::make_unique<RangeAggregationExpr>();
  agg->op = op;
  agg->pos = pos;
  if (Peek().type == Tok::kNumber || Peek().type == Tok::kSub) {
    const int ppos = Peek().pos;
    const bool neg = Peek().type == Tok::kSub;
    if (neg) Next();
    if (Peek().type != Tok::kNumber) return Unexpected("a number");
    const auto v = ParseNumberLiteral(Peek().text);
    if (!v) return Unexpected("a number");
    Next();
    if (op != RangeOp::kQuantileOverTime) {
      return Error(ppos, op_name + " does not take a parameter");
    }
    agg->param = neg ? -*v : *v;
    RETURN_IF_ERROR(ExpectTok(Tok::kComma, "\",\""));
  } else if (op == RangeOp::kQuantileOverTime) {
    return Unexpected(
        "the quantile parameter, e.g. quantile_over_time(0.99, ...)");
  }
  ASSIGN_OR_RETURN(agg->range, ParseLogRange(depth + 1, /*inner=*/false));
  RETURN_IF_ERROR(ExpectTok(Tok::kRParen, "\")\""));
  if (PeekIdent("by") || PeekIdent("without")) {
    const int gpos = Peek().pos;
    ASSIGN_OR_RETURN(agg->grouping, ParseGrouping());
    if (!agg->range.unwrap) {
      return Error(gpos, "grouping after " + op_name +
                             "(...) needs an unwrapped range; use e.g. sum "
                             "by (...) (" +
                             op_name + "(...)) instead");
    }
  }
  const bool unwrapped = agg->range.unwrap.has_value();
  switch (op) {
    case RangeOp::kCountOverTime:
    case RangeOp::kBytesOverTime:
    case RangeOp::kBytesRate:
    case RangeOp::kAbsentOverTime:
      if (unwrapped) return Error(pos, op_name + " cannot be used with unwrap");
      break;
    case RangeOp::kRate:
      break;
    default:
      if (!unwrapped) {
        return Error(pos, op_name + " needs an unwrapped range, e.g. " +
                              op_name + "({...} | unwrap latency [5m])");
      }
  }
  return Parsed{std::move(agg), 1};
}

Result<Parser::Parsed> Parser::ParseVectorAggregation(VectorOp op, int depth) {
  const Token& name = Next();
  const int pos = name.pos;
  const std::string op_name = VectorOpName(op);
  auto agg = std::make_unique<VectorAggregationExpr>();
  agg->op = op;
  agg->pos = pos;
  if (PeekIdent("by") || PeekIdent("without")) {
    ASSIGN_OR_RETURN(agg->grouping, ParseGrouping());
  }
  if (Peek().type != Tok::kLParen) return Unexpected("\"(\" after " + op_name);
  Next();
  const bool takes_k = op == VectorOp::kTopK || op == VectorOp::kBottomK;
  if (Peek().type == Tok::kNumber && Peek(1).type == Tok::kComma) {
    const Token& k = Next();
    if (!takes_k) return Error(k.pos, op_name + " does not take a parameter");
    const auto v = ParseNumberLiteral(k.text);
    // Range check first: the cast is undefined for values past int64.
    if (!v || *v < 1 || *v > 1e15 ||
        *v != static_cast<double>(static_cast<int64_t>(*v))) {
      return Error(k.pos, op_name + " parameter must be a positive integer");
    }
    agg->param = static_cast<int64_t>(*v);
    Next();  // The comma.
  } else if (takes_k) {
    return Unexpected("the number of series, e.g. " + op_name + "(10, ...)");
  }
  ASSIGN_OR_RETURN(Parsed inner, ParseExpr(0, depth + 1));
  if (!inner.e->is_metric()) {
    return Error(inner.e->pos, op_name +
                                   " needs a metric expression, not a log "
                                   "query; use e.g. count_over_time(...)");
  }
  RETURN_IF_ERROR(ExpectTok(Tok::kRParen, "\")\""));
  if (PeekIdent("by") || PeekIdent("without")) {
    if (agg->grouping) return Unexpected("an operator or end of input");
    ASSIGN_OR_RETURN(agg->grouping, ParseGrouping());
  }
  agg->inner = std::move(inner.e);
  return Parsed{std::move(agg), inner.height + 1};
}

// ------------------------------------------------------------ Log ranges.

Result<int64_t> Parser::ParseRangeDuration() {
  RETURN_IF_ERROR(ExpectTok(Tok::kLBracket, "\"[\""));
  if (Peek().type != Tok::kNumber) return Unexpected("a duration such as 5m");
  const Token& t = Next();
  auto d = ParseDuration(t.text);
  if (!d.ok()) {
    return Error(t.pos, "invalid duration \"" + std::string(t.text) +
                            "\": " + d.status().message());
  }
  if (*d <= 0) return Error(t.pos, "range must be greater than 0");
  RETURN_IF_ERROR(ExpectTok(Tok::kRBracket, "\"]\""));
  return *d;
}

Result<int64_t> Parser::ParseOffset() {
  Next();  // "offset"
  if (Peek().type != Tok::kNumber) return Unexpected("a duration such as 1h");
  const Token& t = Next();
  auto d = ParseDuration(t.text);
  if (!d.ok()) {
    return Error(t.pos, "invalid duration \"" + std::string(t.text) +
                            "\": " + d.status().message());
  }
  return *d;
}

Result<LogRange> Parser::ParseLogRange(int depth, bool inner) {
  if (depth > kMaxDepth) {
    return Error(Peek().pos, "query is nested too deeply");
  }
  LogRange r;
  bool has_range = false;
  auto range_and_offset = [&]() -> Status {
    ASSIGN_OR_RETURN(r.range_ms, ParseRangeDuration());
    has_range = true;
    if (PeekIdent("offset")) {
      ASSIGN_OR_RETURN(r.offset_ms, ParseOffset());
    }
    return Status::Ok();
  };
  if (Peek().type == Tok::kLParen) {
    Next();
    ASSIGN_OR_RETURN(r, ParseLogRange(depth + 1, /*inner=*/true));
    has_range = r.range_ms > 0;
    RETURN_IF_ERROR(ExpectTok(Tok::kRParen, "\")\""));
  } else {
    if (Peek().type != Tok::kLBrace) return Unexpected("a stream selector");
    ASSIGN_OR_RETURN(r.selector, ParseSelector());
    if (Peek().type == Tok::kLBracket) RETURN_IF_ERROR(range_and_offset());
    RETURN_IF_ERROR(ParsePipeline(&r.pipeline, &r.unwrap, depth));
  }
  if (!has_range) {
    if (Peek().type == Tok::kLBracket) {
      RETURN_IF_ERROR(range_and_offset());
    } else if (!inner || Peek().type != Tok::kRParen) {
      // Inside parentheses the range may follow the closing one.
      return Unexpected("a range such as [5m]");
    }
  }
  return r;
}

Result<Matchers> Parser::ParseSelector() {
  const int pos = Next().pos;  // '{'
  Matchers ms;
  if (Peek().type != Tok::kRBrace) {
    for (;;) {
      ASSIGN_OR_RETURN(LabelMatcher m, ParseMatcher());
      ms.push_back(std::move(m));
      if (Peek().type == Tok::kComma) {
        Next();
        continue;
      }
      break;
    }
  }
  RETURN_IF_ERROR(ExpectTok(Tok::kRBrace, "\",\" or \"}\""));
  bool non_empty = false;
  for (const LabelMatcher& m : ms) {
    if (!m.MatchesEmpty()) non_empty = true;
  }
  if (!non_empty) {
    return Error(pos,
                 "queries require at least one matcher that does not match "
                 "the empty string, e.g. app=\"x\" or app=~\".+\" (not "
                 "app=~\".*\")");
  }
  return ms;
}

Result<LabelMatcher> Parser::ParseMatcher() {
  ASSIGN_OR_RETURN(std::string name, ExpectIdent("a label name"));
  LabelMatcher::Type type;
  switch (Peek().type) {
    case Tok::kEq:
      type = LabelMatcher::Type::kEqual;
      break;
    case Tok::kNeq:
      type = LabelMatcher::Type::kNotEqual;
      break;
    case Tok::kRe:
      type = LabelMatcher::Type::kRegexMatch;
      break;
    case Tok::kNre:
      type = LabelMatcher::Type::kRegexNoMatch;
      break;
    default:
      return Unexpected("one of \"=\", \"!=\", \"=~\", \"!~\"");
  }
  Next();
  int vpos = 0;
  ASSIGN_OR_RETURN(std::string value, ExpectString("a string", &vpos));
  auto m = LabelMatcher::Create(type, std::move(name), std::move(value));
  if (!m.ok()) return Error(vpos, m.status().message());
  return std::move(*m);
}

// ------------------------------------------------------------ Entry points.

Result<std::unique_ptr<Expr>> ParseLogQL(std::string_view query) {
  Parser p(query);
  return p.ParseQuery();
}

Result<Matchers> ParseLogSelector(std::string_view selector) {
  Parser p(selector);
  return p.ParseSelectorOnly();
}

}  // namespace tend::logql
