#include "logs/logql/label_filter_eval.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "logs/logql/literals.h"

namespace tend::logql {
namespace {

constexpr std::string_view kLabelFilterErr = "LabelFilterErr";
constexpr std::string_view kErrorLabel = "__error__";

bool EqualFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

template <typename T>
bool Compare(CmpOp op, T a, T b) {
  switch (op) {
    case CmpOp::kEq:
      return a == b;
    case CmpOp::kNeq:
      return a != b;
    case CmpOp::kGt:
      return a > b;
    case CmpOp::kGte:
      return a >= b;
    case CmpOp::kLt:
      return a < b;
    case CmpOp::kLte:
      return a <= b;
  }
  return false;
}

// Converts and compares one numeric-kind filter; nullopt when the value
// does not convert (the error is set by the caller).
std::optional<bool> CompareValue(const LabelFilter& f, std::string_view v,
                                 std::string* details) {
  switch (f.kind) {
    case LabelFilter::Kind::kNumber: {
      std::optional<double> x = ParseGoFloat(v);
      if (!x) {
        *details = "strconv.ParseFloat: parsing \"" + std::string(v) +
                   "\": invalid syntax";
        return std::nullopt;
      }
      return Compare(f.op, *x, f.number);
    }
    case LabelFilter::Kind::kDuration: {
      std::optional<int64_t> x = ParseSignedGoDuration(v);
      if (!x) {
        *details = "time: invalid duration \"" + std::string(v) + "\"";
        return std::nullopt;
      }
      return Compare(f.op, *x, f.duration_ns);
    }
    case LabelFilter::Kind::kBytes: {
      std::optional<uint64_t> x = ParseBytes(v);
      if (!x) {
        *details = "strconv.ParseFloat: parsing \"" + std::string(v) +
                   "\": invalid syntax";
        return std::nullopt;
      }
      return Compare(f.op, *x, f.bytes);
    }
    default:
      return false;
  }
}

}  // namespace

std::optional<double> ParseGoFloat(std::string_view text) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  double v = 0;
  if (EqualFold(s, "inf") || EqualFold(s, "infinity")) {
    v = std::numeric_limits<double>::infinity();
  } else if (EqualFold(s, "nan")) {
    v = std::numeric_limits<double>::quiet_NaN();
  } else {
    // Go accepts '_' between digits only with a base prefix; tend does not
    // (it is vanishingly rare in log values).
    std::chars_format fmt = std::chars_format::general;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
      s.remove_prefix(2);
      fmt = std::chars_format::hex;
    }
    if (s.empty() || s[0] == '+' || s[0] == '-') return std::nullopt;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, fmt);
    // Out of range is an error in Go as well.
    if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  }
  return negative ? -v : v;
}

std::optional<int64_t> ParseSignedGoDuration(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  std::optional<int64_t> d = ParseGoDuration(text);
  if (!d) return std::nullopt;
  return negative ? -*d : *d;
}

bool EvalLabelFilter(const LabelFilter& f, LabelFilterContext& ctx) {
  switch (f.kind) {
    case LabelFilter::Kind::kAnd: {
      bool keep = true;
      for (const LabelFilter& child : f.children) {
        // Every side runs: a later one may set or test an error.
        if (!EvalLabelFilter(child, ctx)) keep = false;
      }
      return keep;
    }
    case LabelFilter::Kind::kOr:
      for (const LabelFilter& child : f.children) {
        if (EvalLabelFilter(child, ctx)) return true;
      }
      return false;
    case LabelFilter::Kind::kString: {
      if (!f.matcher) return true;
      if (f.matcher->name() == kErrorLabel) {
        return f.matcher->Matches(ctx.error());
      }
      if (!ctx.error().empty()) return true;
      std::optional<std::string_view> v = ctx.Get(f.matcher->name());
      return f.matcher->Matches(v.value_or(std::string_view()));
    }
    case LabelFilter::Kind::kNumber:
    case LabelFilter::Kind::kDuration:
    case LabelFilter::Kind::kBytes: {
      if (!ctx.error().empty()) return true;
      std::optional<std::string_view> v = ctx.Get(f.name);
      if (!v) return false;
      std::string details;
      std::optional<bool> r = CompareValue(f, *v, &details);
      if (!r) {
        ctx.SetError(kLabelFilterErr, details);
        return true;
      }
      return *r;
    }
  }
  return false;
}

}  // namespace tend::logql
