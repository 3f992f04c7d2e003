// Canonical LogQL printing (printer.h).
#include "logs/logql/printer.h"

#include <string>

#include "base/duration.h"
#include "logs/logql/literals.h"

namespace tend::logql {
namespace {

void AppendMatcher(const LabelMatcher& m, std::string* out) {
  *out += m.name();
  switch (m.type()) {
    case LabelMatcher::Type::kEqual:
      *out += "=";
      break;
    case LabelMatcher::Type::kNotEqual:
      *out += "!=";
      break;
    case LabelMatcher::Type::kRegexMatch:
      *out += "=~";
      break;
    case LabelMatcher::Type::kRegexNoMatch:
      *out += "!~";
      break;
  }
  *out += Quote(m.value());
}

void AppendLabelFilter(const LabelFilter& f, std::string* out) {
  switch (f.kind) {
    case LabelFilter::Kind::kOr:
    case LabelFilter::Kind::kAnd: {
      const bool is_and = f.kind == LabelFilter::Kind::kAnd;
      for (size_t i = 0; i < f.children.size(); ++i) {
        if (i > 0) *out += is_and ? " and " : " or ";
        const LabelFilter& c = f.children[i];
        const bool paren = is_and && c.kind == LabelFilter::Kind::kOr;
        if (paren) *out += '(';
        AppendLabelFilter(c, out);
        if (paren) *out += ')';
      }
      return;
    }
    case LabelFilter::Kind::kString:
      AppendMatcher(*f.matcher, out);
      return;
    case LabelFilter::Kind::kNumber:
    case LabelFilter::Kind::kDuration:
    case LabelFilter::Kind::kBytes:
      *out += f.name;
      *out += ' ';
      *out += CmpOpName(f.op);
      *out += ' ';
      *out += f.kind == LabelFilter::Kind::kNumber ? FormatNumber(f.number)
                                                   : f.literal;
      return;
  }
}

void AppendExtractions(const std::vector<Extraction>& xs, std::string* out) {
  for (size_t i = 0; i < xs.size(); ++i) {
    *out += i == 0 ? " " : ", ";
    *out += xs[i].label;
    *out += '=';
    *out += Quote(xs[i].expression);
  }
}

struct StagePrinter {
  std::string* out;

  void operator()(const LineFilter& f) const {
    switch (f.op) {
      case LineFilterOp::kContains:
        *out += " |= ";
        break;
      case LineFilterOp::kNotContains:
        *out += " != ";
        break;
      case LineFilterOp::kRegex:
        *out += " |~ ";
        break;
      case LineFilterOp::kNotRegex:
        *out += " !~ ";
        break;
    }
    for (size_t i = 0; i < f.values.size(); ++i) {
      if (i > 0) *out += " or ";
      *out += Quote(f.values[i]);
    }
  }
  void operator()(const ParserStage& p) const {
    switch (p.kind) {
      case ParserKind::kJson:
        *out += " | json";
        AppendExtractions(p.extractions, out);
        return;
      case ParserKind::kLogfmt:
        *out += " | logfmt";
        if (p.strict) *out += " --strict";
        if (p.keep_empty) *out += " --keep-empty";
        AppendExtractions(p.extractions, out);
        return;
      case ParserKind::kRegexp:
        *out += " | regexp " + Quote(p.source);
        return;
      case ParserKind::kPattern:
        *out += " | pattern " + Quote(p.source);
        return;
      case ParserKind::kUnpack:
        *out += " | unpack";
        return;
    }
  }
  void operator()(const LabelFilter& f) const {
    *out += " | ";
    AppendLabelFilter(f, out);
  }
  void operator()(const LineFormat& f) const {
    *out += " | line_format " + Quote(f.source);
  }
  void operator()(const LabelFormat& f) const {
    *out += " | label_format";
    for (size_t i = 0; i < f.items.size(); ++i) {
      *out += i == 0 ? " " : ", ";
      *out += f.items[i].dst + "=";
      *out += f.items[i].rename ? f.items[i].src : Quote(f.items[i].src);
    }
  }
  void operator()(const DropKeep& d) const {
    *out += d.keep ? " | keep" : " | drop";
    for (size_t i = 0; i < d.items.size(); ++i) {
      *out += i == 0 ? " " : ", ";
      if (d.items[i].matcher) {
        AppendMatcher(*d.items[i].matcher, out);
      } else {
        *out += d.items[i].name;
      }
    }
  }
  void operator()(const Decolorize&) const { *out += " | decolorize"; }
};

void AppendGrouping(const Grouping& g, std::string* out) {
  *out += g.without ? "without (" : "by (";
  for (size_t i = 0; i < g.labels.size(); ++i) {
    if (i > 0) *out += ", ";
    *out += g.labels[i];
  }
  *out += ')';
}

void AppendLogRange(const LogRange& r, std::string* out) {
  *out += SelectorToString(r.selector);
  *out += PipelineToString(r.pipeline);
  bool space = !r.pipeline.empty();
  if (r.unwrap) {
    space = true;
    *out += " | unwrap ";
    switch (r.unwrap->conv) {
      case UnwrapConv::kNone:
        *out += r.unwrap->label;
        break;
      case UnwrapConv::kBytes:
        *out += "bytes(" + r.unwrap->label + ")";
        break;
      case UnwrapConv::kDuration:
        *out += "duration(" + r.unwrap->label + ")";
        break;
      case UnwrapConv::kDurationSeconds:
        *out += "duration_seconds(" + r.unwrap->label + ")";
        break;
    }
    for (const LabelFilter& f : r.unwrap->post_filters) {
      *out += " | ";
      AppendLabelFilter(f, out);
    }
  }
  if (space) *out += ' ';
  *out += "[" + FormatDuration(r.range_ms) + "]";
  if (r.offset_ms != 0) *out += " offset " + FormatDuration(r.offset_ms);
}

void Print(const Expr& e, std::string* out);

// Prints a binary operand, in parentheses when its operator binds looser
// than `parent` (or as loosely, on the side associativity does not group).
void PrintOperand(const Expr& e, BinOp parent, bool right, std::string* out) {
  bool paren = false;
  if (e.kind == ExprKind::kBinary) {
    const int pc = BinOpPrecedence(static_cast<const BinaryExpr&>(e).op);
    const int pp = BinOpPrecedence(parent);
    const bool right_assoc = parent == BinOp::kPow;
    paren = pc < pp || (pc == pp && right != right_assoc);
  }
  if (paren) *out += '(';
  Print(e, out);
  if (paren) *out += ')';
}

void Print(const Expr& e, std::string* out) {
  switch (e.kind) {
    case ExprKind::kLogQuery: {
      const auto& q = static_cast<const LogQueryExpr&>(e);
      *out += SelectorToString(q.selector);
      *out += PipelineToString(q.pipeline);
      return;
    }
    case ExprKind::kLiteral: {
      const auto& lit = static_cast<const LiteralExpr&>(e);
      if (lit.is_vector) *out += "vector(";
      *out += FormatNumber(lit.value);
      if (lit.is_vector) *out += ')';
      return;
    }
    case ExprKind::kRangeAggregation: {
      const auto& a = static_cast<const RangeAggregationExpr&>(e);
      *out += RangeOpName(a.op);
      *out += '(';
      if (a.param) *out += FormatNumber(*a.param) + ", ";
      AppendLogRange(a.range, out);
      *out += ')';
      if (a.grouping) {
        *out += ' ';
        AppendGrouping(*a.grouping, out);
      }
      return;
    }
    case ExprKind::kVectorAggregation: {
      const auto& a = static_cast<const VectorAggregationExpr&>(e);
      *out += VectorOpName(a.op);
      if (a.grouping) {
        *out += ' ';
        AppendGrouping(*a.grouping, out);
        *out += ' ';
      }
      *out += '(';
      if (a.param) *out += std::to_string(*a.param) + ", ";
      Print(*a.inner, out);
      *out += ')';
      return;
    }
    case ExprKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      PrintOperand(*b.lhs, b.op, false, out);
      *out += ' ';
      *out += BinOpName(b.op);
      if (b.return_bool) *out += " bool";
      *out += ' ';
      PrintOperand(*b.rhs, b.op, true, out);
      return;
    }
  }
}

}  // namespace

std::string SelectorToString(const Matchers& selector) {
  std::string out = "{";
  for (size_t i = 0; i < selector.size(); ++i) {
    if (i > 0) out += ", ";
    AppendMatcher(selector[i], &out);
  }
  out += '}';
  return out;
}

std::string PipelineToString(const Pipeline& pipeline) {
  std::string out;
  for (const Stage& s : pipeline) std::visit(StagePrinter{&out}, s);
  return out;
}

std::string LabelFilterToString(const LabelFilter& f) {
  std::string out;
  AppendLabelFilter(f, &out);
  return out;
}

std::string ToString(const Expr& e) {
  std::string out;
  Print(e, &out);
  return out;
}

}  // namespace tend::logql
