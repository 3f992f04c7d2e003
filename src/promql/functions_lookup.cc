// The function-name dispatch table and the number formatting/parsing that
// must match Go's strconv.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "promql/eval_functions.h"

namespace tend::promql {

namespace {

struct FnEntry {
  std::string_view name;
  FnKind kind;
};

// Sorted by name for binary search.
constexpr std::array kFunctions = {
    FnEntry{"abs", FnKind::kAbs},
    FnEntry{"absent", FnKind::kAbsent},
    FnEntry{"absent_over_time", FnKind::kAbsentOverTime},
    FnEntry{"acos", FnKind::kAcos},
    FnEntry{"acosh", FnKind::kAcosh},
    FnEntry{"asin", FnKind::kAsin},
    FnEntry{"asinh", FnKind::kAsinh},
    FnEntry{"atan", FnKind::kAtan},
    FnEntry{"atanh", FnKind::kAtanh},
    FnEntry{"avg_over_time", FnKind::kAvgOverTime},
    FnEntry{"ceil", FnKind::kCeil},
    FnEntry{"changes", FnKind::kChanges},
    FnEntry{"clamp", FnKind::kClamp},
    FnEntry{"clamp_max", FnKind::kClampMax},
    FnEntry{"clamp_min", FnKind::kClampMin},
    FnEntry{"cos", FnKind::kCos},
    FnEntry{"cosh", FnKind::kCosh},
    FnEntry{"count_over_time", FnKind::kCountOverTime},
    FnEntry{"day_of_month", FnKind::kDayOfMonth},
    FnEntry{"day_of_week", FnKind::kDayOfWeek},
    FnEntry{"day_of_year", FnKind::kDayOfYear},
    FnEntry{"days_in_month", FnKind::kDaysInMonth},
    FnEntry{"deg", FnKind::kDeg},
    FnEntry{"delta", FnKind::kDelta},
    FnEntry{"deriv", FnKind::kDeriv},
    FnEntry{"exp", FnKind::kExp},
    FnEntry{"floor", FnKind::kFloor},
    FnEntry{"histogram_count", FnKind::kHistogramCount},
    FnEntry{"histogram_fraction", FnKind::kHistogramFraction},
    FnEntry{"histogram_quantile", FnKind::kHistogramQuantile},
    FnEntry{"histogram_sum", FnKind::kHistogramSum},
    FnEntry{"holt_winters", FnKind::kHoltWinters},
    FnEntry{"hour", FnKind::kHour},
    FnEntry{"idelta", FnKind::kIdelta},
    FnEntry{"increase", FnKind::kIncrease},
    FnEntry{"irate", FnKind::kIrate},
    FnEntry{"label_join", FnKind::kLabelJoin},
    FnEntry{"label_replace", FnKind::kLabelReplace},
    FnEntry{"last_over_time", FnKind::kLastOverTime},
    FnEntry{"ln", FnKind::kLn},
    FnEntry{"log10", FnKind::kLog10},
    FnEntry{"log2", FnKind::kLog2},
    FnEntry{"max_over_time", FnKind::kMaxOverTime},
    FnEntry{"min_over_time", FnKind::kMinOverTime},
    FnEntry{"minute", FnKind::kMinute},
    FnEntry{"month", FnKind::kMonth},
    FnEntry{"pi", FnKind::kPi},
    FnEntry{"predict_linear", FnKind::kPredictLinear},
    FnEntry{"present_over_time", FnKind::kPresentOverTime},
    FnEntry{"quantile_over_time", FnKind::kQuantileOverTime},
    FnEntry{"rad", FnKind::kRad},
    FnEntry{"rate", FnKind::kRate},
    FnEntry{"resets", FnKind::kResets},
    FnEntry{"round", FnKind::kRound},
    FnEntry{"scalar", FnKind::kScalar},
    FnEntry{"sgn", FnKind::kSgn},
    FnEntry{"sin", FnKind::kSin},
    FnEntry{"sinh", FnKind::kSinh},
    FnEntry{"sort", FnKind::kSort},
    FnEntry{"sort_desc", FnKind::kSortDesc},
    FnEntry{"sqrt", FnKind::kSqrt},
    FnEntry{"stddev_over_time", FnKind::kStddevOverTime},
    FnEntry{"stdvar_over_time", FnKind::kStdvarOverTime},
    FnEntry{"sum_over_time", FnKind::kSumOverTime},
    FnEntry{"tan", FnKind::kTan},
    FnEntry{"tanh", FnKind::kTanh},
    FnEntry{"time", FnKind::kTime},
    FnEntry{"timestamp", FnKind::kTimestamp},
    FnEntry{"vector", FnKind::kVector},
    FnEntry{"year", FnKind::kYear},
};

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

}  // namespace

std::optional<FnKind> LookupFn(std::string_view name) {
  auto it = std::lower_bound(
      kFunctions.begin(), kFunctions.end(), name,
      [](const FnEntry& e, std::string_view n) { return e.name < n; });
  if (it == kFunctions.end() || it->name != name) return std::nullopt;
  return it->kind;
}

std::string FormatFloatF(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Go prints the shortest digits that round-trip and pads with zeros
  // (1e21 is "1000000000000000000000", not the double's exact integer), so
  // take the shortest scientific form and move its decimal point.
  char buf[64];
  auto res =
      std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  std::string out;
  if (sci.front() == '-') {
    out += '-';
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
  // The value is 0.digits * 10^(exp+1).
  const int point = exp + 1;
  if (point <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-point), '0');
    out += digits;
  } else if (static_cast<size_t>(point) >= digits.size()) {
    out += digits;
    out.append(static_cast<size_t>(point) - digits.size(), '0');
  } else {
    out += digits.substr(0, static_cast<size_t>(point));
    out += '.';
    out += digits.substr(static_cast<size_t>(point));
  }
  return out;
}

bool ParseGoFloat(std::string_view s, double* out) {
  if (s.empty()) return false;
  bool neg = false;
  std::string_view body = s;
  if (body[0] == '+' || body[0] == '-') {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  if (EqualFold(body, "inf") || EqualFold(body, "infinity")) {
    *out = neg ? -std::numeric_limits<double>::infinity()
               : std::numeric_limits<double>::infinity();
    return true;
  }
  if (EqualFold(body, "nan")) {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (body.empty() || body[0] == '+' || body[0] == '-') return false;
  double v = 0;
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')) {
    // Hexadecimal mantissa, optionally with a binary exponent (p).
    auto res = std::from_chars(body.data() + 2, body.data() + body.size(), v,
                               std::chars_format::hex);
    if (res.ec != std::errc() || res.ptr != body.data() + body.size()) {
      return false;
    }
  } else {
    auto res = std::from_chars(body.data(), body.data() + body.size(), v,
                               std::chars_format::general);
    if (res.ptr != body.data() + body.size()) return false;
    if (res.ec == std::errc::result_out_of_range) {
      // Go returns ±Inf (or 0 for underflow) with an error; Prometheus
      // rejects such label values, and so do we.
      return false;
    }
    if (res.ec != std::errc()) return false;
  }
  *out = neg ? -v : v;
  return true;
}

}  // namespace tend::promql
