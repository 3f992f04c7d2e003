// ExprToString: Prometheus 2.42's String() form of a tree (printer.go), so
// that ParseExpr(ExprToString(t)) rebuilds t.
//
// Three deliberate differences keep that round trip exact: `group_left` /
// `group_right` are printed even with an empty ignoring() list (Prometheus
// drops them), a __name__ matcher is left out only when a name was written
// before the braces, and +Inf as the left operand of '^' prints as "Inf".
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "model/labels.h"
#include "promql/ast.h"
#include "promql/lexer.h"
#include "promql/parser.h"

namespace tend::promql {
namespace {

// Go's fmt.Sprint(float64): the shortest digits that read back exactly, in
// exponent form when the decimal exponent is < -4 or >= 6 ("1e+06",
// "123456", "0.0001", "1e-05", "1.5e+100"), and "+Inf", "-Inf", "NaN".
std::string FormatFloat(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] =
      std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  if (ec != std::errc()) return "NaN";  // Cannot happen with 64 bytes.
  std::string_view sci(buf, end - buf);
  std::string out;
  if (sci.front() == '-') {
    out = "-";
    sci.remove_prefix(1);
  }
  const size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exp = 0;
  std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+' ? 1 : 0),
                  sci.data() + sci.size(), exp);
  if (digits == "0") return out + "0";
  const int nd = static_cast<int>(digits.size());
  if (exp < -4 || exp >= 6) {
    out += digits[0];
    if (nd > 1) {
      out += '.';
      out += digits.substr(1);
    }
    char ebuf[16];
    std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exp < 0 ? '-' : '+',
                  exp < 0 ? -exp : exp);
    return out + ebuf;
  }
  const int dp = exp + 1;  // Digits before the decimal point.
  if (dp <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-dp), '0');
    out += digits;
    return out;
  }
  if (dp >= nd) {
    out += digits;
    out.append(static_cast<size_t>(dp - nd), '0');
    return out;
  }
  out += digits.substr(0, dp);
  out += '.';
  out += digits.substr(dp);
  return out;
}

// Code points Go's strconv.IsPrint rejects that we may meet: C1 controls,
// spaces other than ' ', format characters, private use, noncharacters. U+FFFD
// is escaped too because the lexer refuses it inside strings.
bool IsPrintable(char32_t r) {
  if (r < 0x20 || r == 0x7F) return false;
  if (r < 0x7F) return true;
  if (r < 0xA0 || r == 0xA0 || r == 0xAD || r == 0x1680) return false;
  if ((r >= 0x2000 && r <= 0x200F) || (r >= 0x2028 && r <= 0x202F) ||
      (r >= 0x205F && r <= 0x2064) || r == 0x3000 || r == 0xFEFF) {
    return false;
  }
  if (r >= 0xE000 && r <= 0xF8FF) return false;
  if (r >= 0xFFF9 && r <= 0xFFFF) return false;
  if (r >= 0xF0000) return false;
  return true;
}

// Go's strconv.Quote.
void AppendQuoted(std::string_view s, std::string* out) {
  out->push_back('"');
  char buf[16];
  for (size_t i = 0; i < s.size();) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    int width = 1;
    const char32_t r = DecodeRune(s, i, &width);
    const size_t n = static_cast<size_t>(width);
    const bool valid = !(r == kRuneError && width == 1);
    if (!valid) {
      std::snprintf(buf, sizeof buf, "\\x%02x", b0);
      *out += buf;
      ++i;
      continue;
    }
    if (r == '"' || r == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(r));
    } else if (IsPrintable(r)) {
      out->append(s.substr(i, n));
    } else {
      switch (r) {
        case '\a':
          *out += "\\a";
          break;
        case '\b':
          *out += "\\b";
          break;
        case '\f':
          *out += "\\f";
          break;
        case '\n':
          *out += "\\n";
          break;
        case '\r':
          *out += "\\r";
          break;
        case '\t':
          *out += "\\t";
          break;
        case '\v':
          *out += "\\v";
          break;
        default:
          if (r < 0x20 || r == 0x7F) {
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(r));
          } else if (r < 0x10000) {
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(r));
          } else {
            std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(r));
          }
          *out += buf;
      }
    }
    i += n;
  }
  out->push_back('"');
}

const char* MatchOp(LabelMatcher::Type t) {
  switch (t) {
    case LabelMatcher::Type::kEqual:
      return "=";
    case LabelMatcher::Type::kNotEqual:
      return "!=";
    case LabelMatcher::Type::kRegexMatch:
      return "=~";
    case LabelMatcher::Type::kRegexNoMatch:
      return "!~";
  }
  return "=";
}

void AppendJoined(const std::vector<std::string>& v, std::string* out) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) *out += ", ";
    *out += v[i];
  }
}

// " @ 100.000" / " @ start()" / " @ end()" then " offset 5m".
void AppendModifiers(AtKind at, int64_t at_ms, int64_t offset_ms,
                     std::string* out) {
  switch (at) {
    case AtKind::kNone:
      break;
    case AtKind::kTimestamp: {
      char buf[64];
      std::snprintf(buf, sizeof buf, " @ %.3f",
                    static_cast<double>(at_ms) / 1000.0);
      *out += buf;
      break;
    }
    case AtKind::kStart:
      *out += " @ start()";
      break;
    case AtKind::kEnd:
      *out += " @ end()";
      break;
  }
  if (offset_ms != 0) {
    *out += " offset ";
    *out += FormatDuration(offset_ms);
  }
}

// The selector without its @ and offset modifiers.
void AppendSelectorBody(const VectorSelector& vs, std::string* out) {
  std::vector<std::string> parts;
  for (const LabelMatcher& m : vs.matchers) {
    if (!vs.name.empty() && m.name() == kMetricNameLabel &&
        m.type() == LabelMatcher::Type::kEqual && m.value() == vs.name) {
      continue;
    }
    std::string s = m.name();
    s += MatchOp(m.type());
    AppendQuoted(m.value(), &s);
    parts.push_back(std::move(s));
  }
  *out += vs.name;
  if (parts.empty()) return;
  std::sort(parts.begin(), parts.end());
  *out += '{';
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) *out += ',';
    *out += parts[i];
  }
  *out += '}';
}

void Print(const Expr& e, std::string* out) {
  switch (e.kind) {
    case NodeKind::kNumberLiteral:
      *out += FormatFloat(static_cast<const NumberLiteral&>(e).value);
      return;
    case NodeKind::kStringLiteral:
      AppendQuoted(static_cast<const StringLiteral&>(e).value, out);
      return;
    case NodeKind::kVectorSelector: {
      const auto& vs = static_cast<const VectorSelector&>(e);
      AppendSelectorBody(vs, out);
      AppendModifiers(vs.at, vs.at_ms, vs.original_offset_ms, out);
      return;
    }
    case NodeKind::kMatrixSelector: {
      const auto& ms = static_cast<const MatrixSelector&>(e);
      const auto* vs = As<VectorSelector>(ms.vector_selector.get());
      if (vs == nullptr) {
        Print(*ms.vector_selector, out);
      } else {
        AppendSelectorBody(*vs, out);
      }
      *out += '[';
      *out += FormatDuration(ms.range_ms);
      *out += ']';
      if (vs != nullptr) {
        AppendModifiers(vs->at, vs->at_ms, vs->original_offset_ms, out);
      }
      return;
    }
    case NodeKind::kSubquery: {
      const auto& sq = static_cast<const SubqueryExpr&>(e);
      Print(*sq.expr, out);
      *out += '[';
      *out += FormatDuration(sq.range_ms);
      *out += ':';
      if (sq.step_ms != 0) *out += FormatDuration(sq.step_ms);
      *out += ']';
      AppendModifiers(sq.at, sq.at_ms, sq.original_offset_ms, out);
      return;
    }
    case NodeKind::kCall: {
      const auto& c = static_cast<const Call&>(e);
      *out += c.func->name;
      *out += '(';
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i > 0) *out += ", ";
        Print(*c.args[i], out);
      }
      *out += ')';
      return;
    }
    case NodeKind::kAggregate: {
      const auto& a = static_cast<const AggregateExpr&>(e);
      *out += AggOpName(a.op);
      if (a.without) {
        *out += " without (";
        AppendJoined(a.grouping, out);
        *out += ") ";
      } else if (!a.grouping.empty()) {
        *out += " by (";
        AppendJoined(a.grouping, out);
        *out += ") ";
      }
      *out += '(';
      if (a.param != nullptr) {
        Print(*a.param, out);
        *out += ", ";
      }
      Print(*a.expr, out);
      *out += ')';
      return;
    }
    case NodeKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      const auto* num = As<NumberLiteral>(b.lhs.get());
      if (b.op == BinOp::kPow && num != nullptr && std::isinf(num->value) &&
          num->value > 0) {
        // "+Inf ^ x" would read back as +(Inf ^ x).
        *out += "Inf";
      } else {
        Print(*b.lhs, out);
      }
      *out += ' ';
      *out += BinOpName(b.op);
      if (b.return_bool) *out += " bool";
      if (b.matching) {
        const VectorMatching& vm = *b.matching;
        const bool grouped = vm.card == Cardinality::kManyToOne ||
                             vm.card == Cardinality::kOneToMany;
        if (!vm.matching_labels.empty() || vm.on || grouped) {
          *out += vm.on ? " on (" : " ignoring (";
          AppendJoined(vm.matching_labels, out);
          *out += ')';
          if (grouped) {
            *out += vm.card == Cardinality::kManyToOne ? " group_left ("
                                                       : " group_right (";
            AppendJoined(vm.include, out);
            *out += ')';
          }
        }
      }
      *out += ' ';
      Print(*b.rhs, out);
      return;
    }
    case NodeKind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      *out += u.negate ? '-' : '+';
      Print(*u.expr, out);
      return;
    }
    case NodeKind::kParen:
      *out += '(';
      Print(*static_cast<const ParenExpr&>(e).expr, out);
      *out += ')';
      return;
    case NodeKind::kStepInvariant:
      Print(*static_cast<const StepInvariantExpr&>(e).expr, out);
      return;
  }
}

}  // namespace

std::string ExprToString(const Expr& e) {
  std::string out;
  Print(e, &out);
  return out;
}

}  // namespace tend::promql
