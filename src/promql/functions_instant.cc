// Instant-vector and scalar functions with Prometheus 2.42's semantics.
#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "promql/eval_instant_fn.h"

namespace tend::promql {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Go's time.Unix(int64(v), 0).UTC() broken down, reproduced bit for bit:
// Go converts NaN, infinities and out-of-range floats to the minimum int64
// (x86-64) and does its calendar arithmetic on an unsigned "absolute" time
// that wraps, so even those inputs get the date Prometheus reports.
struct CivilTime {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
  int yday;   // 1..366
  int wday;   // 0 = Sunday
  int hour;
  int minute;
};

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

int64_t GoFloatToInt64(double v) {
  if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) {
    return std::numeric_limits<int64_t>::min();
  }
  return static_cast<int64_t>(v);
}

CivilTime ToCivil(int64_t unix_secs) {
  constexpr uint64_t kSecondsPerDay = 86400;
  constexpr uint64_t kDaysPer400Years = 365 * 400 + 97;
  constexpr uint64_t kDaysPer100Years = 365 * 100 + 24;
  constexpr uint64_t kDaysPer4Years = 365 * 4 + 1;
  constexpr int64_t kAbsoluteZeroYear = -292277022399;
  // Go's unixToInternal + internalToAbsolute.
  constexpr uint64_t kUnixToAbsolute = 9223372028715321600ull;
  const uint64_t abs = static_cast<uint64_t>(unix_secs) + kUnixToAbsolute;
  uint64_t d = abs / kSecondsPerDay;
  uint64_t n = d / kDaysPer400Years;
  uint64_t y = 400 * n;
  d -= kDaysPer400Years * n;
  n = d / kDaysPer100Years;
  n -= n >> 2;
  y += 100 * n;
  d -= kDaysPer100Years * n;
  n = d / kDaysPer4Years;
  y += 4 * n;
  d -= kDaysPer4Years * n;
  n = d / 365;
  n -= n >> 2;
  y += n;
  d -= 365 * n;
  CivilTime c;
  c.year = static_cast<int64_t>(y) + kAbsoluteZeroYear;
  c.yday = static_cast<int>(d) + 1;
  int day = static_cast<int>(d);
  c.month = 0;
  if (IsLeap(c.year)) {
    if (day > 31 + 29 - 1) {
      --day;
    } else if (day == 31 + 29 - 1) {
      c.month = 2;
      c.day = 29;
    }
  }
  if (c.month == 0) {
    static constexpr int kDaysBefore[] = {0,   31,  59,  90,  120, 151, 181,
                                          212, 243, 273, 304, 334, 365};
    int m = day / 31;
    const int end = kDaysBefore[m + 1];
    int begin;
    if (day >= end) {
      ++m;
      begin = end;
    } else {
      begin = kDaysBefore[m];
    }
    c.month = m + 1;
    c.day = day - begin + 1;
  }
  // The absolute epoch is a Monday.
  c.wday = static_cast<int>(((abs + 86400) % (7 * 86400)) / 86400);
  c.hour = static_cast<int>((abs % kSecondsPerDay) / 3600);
  c.minute = static_cast<int>((abs % 3600) / 60);
  return c;
}

double DateField(FnKind kind, double v) {
  const CivilTime c = ToCivil(GoFloatToInt64(v));
  switch (kind) {
    case FnKind::kYear:
      return static_cast<double>(c.year);
    case FnKind::kMonth:
      return c.month;
    case FnKind::kDayOfMonth:
      return c.day;
    case FnKind::kDayOfYear:
      return c.yday;
    case FnKind::kDayOfWeek:
      return c.wday;
    case FnKind::kHour:
      return c.hour;
    case FnKind::kMinute:
      return c.minute;
    case FnKind::kDaysInMonth:
      return DaysInMonth(c.year, c.month);
    default:
      return kNaN;
  }
}

bool IsDateFn(FnKind k) {
  switch (k) {
    case FnKind::kYear:
    case FnKind::kMonth:
    case FnKind::kDayOfMonth:
    case FnKind::kDayOfYear:
    case FnKind::kDayOfWeek:
    case FnKind::kHour:
    case FnKind::kMinute:
    case FnKind::kDaysInMonth:
      return true;
    default:
      return false;
  }
}

// The element-wise math functions; false for other kinds.
bool MathFn(FnKind k, double v, double* out) {
  switch (k) {
    case FnKind::kAbs:
      *out = std::fabs(v);
      return true;
    case FnKind::kCeil:
      *out = std::ceil(v);
      return true;
    case FnKind::kFloor:
      *out = std::floor(v);
      return true;
    case FnKind::kExp:
      *out = std::exp(v);
      return true;
    case FnKind::kSqrt:
      *out = std::sqrt(v);
      return true;
    case FnKind::kLn:
      *out = std::log(v);
      return true;
    case FnKind::kLog2:
      *out = std::log2(v);
      return true;
    case FnKind::kLog10:
      *out = std::log10(v);
      return true;
    case FnKind::kSin:
      *out = std::sin(v);
      return true;
    case FnKind::kCos:
      *out = std::cos(v);
      return true;
    case FnKind::kTan:
      *out = std::tan(v);
      return true;
    case FnKind::kAsin:
      *out = std::asin(v);
      return true;
    case FnKind::kAcos:
      *out = std::acos(v);
      return true;
    case FnKind::kAtan:
      *out = std::atan(v);
      return true;
    case FnKind::kSinh:
      *out = std::sinh(v);
      return true;
    case FnKind::kCosh:
      *out = std::cosh(v);
      return true;
    case FnKind::kTanh:
      *out = std::tanh(v);
      return true;
    case FnKind::kAsinh:
      *out = std::asinh(v);
      return true;
    case FnKind::kAcosh:
      *out = std::acosh(v);
      return true;
    case FnKind::kAtanh:
      *out = std::atanh(v);
      return true;
    case FnKind::kDeg:
      *out = v * 180 / std::numbers::pi;
      return true;
    case FnKind::kRad:
      *out = v * std::numbers::pi / 180;
      return true;
    case FnKind::kSgn:
      *out = v < 0 ? -1.0 : (v > 0 ? 1.0 : v);
      return true;
    default:
      return false;
  }
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_';
}

// Go's regexp.Expand: $1, ${1}, $name, ${name}; $$ is a dollar; a name is
// the longest run of letters, digits and underscores; unknown groups
// expand to nothing; a malformed reference keeps the dollar.
std::string ExpandTemplate(const re2::RE2& re, std::string_view tmpl,
                           std::span<const re2::StringPiece> groups) {
  std::string out;
  while (!tmpl.empty()) {
    size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    out.append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      out += '$';
      tmpl.remove_prefix(1);
      continue;
    }
    std::string_view rest = tmpl;
    bool brace = false;
    if (!rest.empty() && rest[0] == '{') {
      brace = true;
      rest.remove_prefix(1);
    }
    size_t n = 0;
    while (n < rest.size() && IsNameChar(rest[n])) ++n;
    if (n == 0 || (brace && (n >= rest.size() || rest[n] != '}'))) {
      out += '$';  // Malformed: the dollar is literal text.
      continue;
    }
    std::string_view name = rest.substr(0, n);
    tmpl = rest.substr(n + (brace ? 1 : 0));
    int num = 0;
    for (char c : name) {
      if (c < '0' || c > '9' || num >= 100000000) {
        num = -1;
        break;
      }
      num = num * 10 + (c - '0');
    }
    if (name.size() > 1 && name[0] == '0') num = -1;
    if (num < 0) {
      const auto& named = re.NamedCapturingGroups();
      auto it = named.find(std::string(name));
      if (it != named.end()) num = it->second;
    }
    if (num >= 0 && static_cast<size_t>(num) < groups.size() &&
        groups[num].data() != nullptr) {
      out.append(groups[num].data(), groups[num].size());
    }
  }
  out.append(tmpl);
  return out;
}

const std::string* StringArg(const Call& call, size_t i) {
  if (i >= call.args.size()) return nullptr;
  const auto* s = As<StringLiteral>(Unwrap(call.args[i].get()));
  return s != nullptr ? &s->value : nullptr;
}

}  // namespace

Labels AbsentLabels(const Expr* arg) {
  arg = Unwrap(arg);
  const VectorSelector* vs = As<VectorSelector>(arg);
  if (const auto* ms = As<MatrixSelector>(arg)) {
    vs = As<VectorSelector>(ms->vector_selector.get());
  }
  Labels out;
  if (vs == nullptr) return out;
  std::vector<std::string> drop;
  for (const LabelMatcher& m : vs->matchers) {
    if (m.name() == kMetricNameLabel) continue;
    if (m.type() == LabelMatcher::Type::kEqual &&
        GetLabel(out, m.name()).empty()) {
      SetLabel(&out, m.name(), m.value());
    } else {
      drop.push_back(m.name());
    }
  }
  for (const std::string& n : drop) RemoveLabel(&out, n);
  return out;
}

InstantFn::InstantFn(FnKind kind, const Call& call, LabelsPool* pool)
    : kind_(kind), call_(call), pool_(pool) {
  strings_.resize(call.args.size());
  for (size_t i = 0; i < call.args.size(); ++i) {
    if (const std::string* s = StringArg(call, i)) strings_[i] = *s;
  }
}

InstantFn::~InstantFn() = default;

SeriesId InstantFn::Memo(SeriesId in) const {
  return in < memo_.size() ? memo_[in] : kNoSeries;
}

void InstantFn::SetMemo(SeriesId in, SeriesId out) {
  if (memo_.size() <= in) memo_.resize(in + 1, kNoSeries);
  memo_[in] = out;
}

Status InstantFn::Step(int64_t ts, std::span<const StepVector> args,
                       StepVector* out) {
  auto scalar_arg = [&](size_t i, double def) {
    return i < args.size() && !args[i].empty() ? args[i][0].v : def;
  };
  double m;
  if (MathFn(kind_, 0, &m)) {
    for (const Sample& s : args[0]) {
      double v;
      MathFn(kind_, s.v, &v);
      out->push_back(Sample{pool_->DropName(s.id), v});
    }
    return Status::Ok();
  }
  if (IsDateFn(kind_)) {
    if (args.empty()) {
      // Prometheus takes the seconds of the evaluation time, truncated
      // toward zero (Go's integer division).
      const int64_t secs = ts / 1000;
      out->push_back(Sample{LabelsPool::kEmpty,
                            DateField(kind_, static_cast<double>(secs))});
      return Status::Ok();
    }
    for (const Sample& s : args[0]) {
      out->push_back(Sample{pool_->DropName(s.id), DateField(kind_, s.v)});
    }
    return Status::Ok();
  }
  switch (kind_) {
    case FnKind::kTime:
      out->push_back(
          Sample{LabelsPool::kEmpty, static_cast<double>(ts) / 1000.0});
      return Status::Ok();
    case FnKind::kPi:
      out->push_back(Sample{LabelsPool::kEmpty, std::numbers::pi});
      return Status::Ok();
    case FnKind::kVector:
      out->push_back(Sample{LabelsPool::kEmpty, scalar_arg(0, kNaN)});
      return Status::Ok();
    case FnKind::kScalar:
      out->push_back(Sample{LabelsPool::kEmpty,
                            args[0].size() == 1 ? args[0][0].v : kNaN});
      return Status::Ok();
    case FnKind::kTimestamp:
      // Only reached for arguments that are not plain selectors: their
      // samples carry the evaluation time.
      for (const Sample& s : args[0]) {
        out->push_back(
            Sample{pool_->DropName(s.id), static_cast<double>(ts) / 1000.0});
      }
      return Status::Ok();
    case FnKind::kClamp: {
      const double lo = scalar_arg(1, kNaN), hi = scalar_arg(2, kNaN);
      if (hi < lo) return Status::Ok();
      for (const Sample& s : args[0]) {
        out->push_back(
            Sample{pool_->DropName(s.id), GoMax(lo, GoMin(hi, s.v))});
      }
      return Status::Ok();
    }
    case FnKind::kClampMax:
    case FnKind::kClampMin: {
      const double b = scalar_arg(1, kNaN);
      for (const Sample& s : args[0]) {
        double v = kind_ == FnKind::kClampMax ? GoMin(s.v, b) : GoMax(s.v, b);
        out->push_back(Sample{pool_->DropName(s.id), v});
      }
      return Status::Ok();
    }
    case FnKind::kRound: {
      // Ties round up; the inverse avoids some floating point error.
      const double inv = 1.0 / scalar_arg(1, 1.0);
      for (const Sample& s : args[0]) {
        out->push_back(
            Sample{pool_->DropName(s.id), std::floor(s.v * inv + 0.5) / inv});
      }
      return Status::Ok();
    }
    case FnKind::kSort:
    case FnKind::kSortDesc: {
      out->assign(args[0].begin(), args[0].end());
      const bool desc = kind_ == FnKind::kSortDesc;
      std::stable_sort(out->begin(), out->end(),
                       [desc](const Sample& a, const Sample& b) {
                         if (std::isnan(b.v)) return !std::isnan(a.v);
                         return desc ? a.v > b.v : a.v < b.v;
                       });
      return Status::Ok();
    }
    case FnKind::kAbsent:
      if (args[0].empty()) {
        if (memo_.empty()) {
          memo_.push_back(pool_->Intern(AbsentLabels(call_.args[0].get())));
        }
        out->push_back(Sample{memo_[0], 1});
      }
      return Status::Ok();
    case FnKind::kLabelReplace:
      return LabelReplaceStep(args[0], out);
    case FnKind::kLabelJoin:
      return LabelJoinStep(args[0], out);
    case FnKind::kHistogramQuantile:
      HistogramQuantileStep(scalar_arg(0, kNaN), args[1], out);
      return Status::Ok();
    case FnKind::kHistogramCount:
    case FnKind::kHistogramSum:
    case FnKind::kHistogramFraction:
      // Native histograms only; float samples yield nothing.
      return Status::Ok();
    default:
      return InternalError(std::string("function not evaluable here: ") +
                           call_.func->name);
  }
}

Status InstantFn::LabelReplaceStep(const StepVector& in, StepVector* out) {
  const std::string& dst = strings_[1];
  const std::string& repl = strings_[2];
  const std::string& src = strings_[3];
  const std::string& regex = strings_[4];
  if (!validated_) {
    RE2::Options opts;
    opts.set_log_errors(false);
    regex_ = std::make_unique<re2::RE2>("^(?:" + regex + ")$", opts);
    if (!regex_->ok()) {
      return FailedPreconditionError(
          "invalid regular expression in label_replace(): " + regex);
    }
    if (!IsValidLabelName(dst)) {
      return FailedPreconditionError(
          "invalid destination label name in label_replace(): " + dst);
    }
    validated_ = true;
  }
  std::vector<re2::StringPiece> groups(
      static_cast<size_t>(regex_->NumberOfCapturingGroups()) + 1);
  for (const Sample& s : in) {
    SeriesId id = Memo(s.id);
    if (id == kNoSeries) {
      const Labels& l = pool_->Get(s.id);
      const std::string_view src_val = GetLabel(l, src);
      id = s.id;
      if (regex_->Match(src_val, 0, src_val.size(), RE2::UNANCHORED,
                        groups.data(), static_cast<int>(groups.size()))) {
        std::string res = ExpandTemplate(*regex_, repl, groups);
        Labels nl = l;
        SetLabel(&nl, dst, res);  // Empty removes the label.
        id = pool_->Intern(std::move(nl));
      }
      SetMemo(s.id, id);
    }
    out->push_back(Sample{id, s.v});
  }
  return Status::Ok();
}

Status InstantFn::LabelJoinStep(const StepVector& in, StepVector* out) {
  const std::string& dst = strings_[1];
  const std::string& sep = strings_[2];
  if (!validated_) {
    for (size_t i = 3; i < strings_.size(); ++i) {
      if (!IsValidLabelName(strings_[i])) {
        return FailedPreconditionError(
            "invalid source label name in label_join(): " + strings_[i]);
      }
    }
    if (!IsValidLabelName(dst)) {
      return FailedPreconditionError(
          "invalid destination label name in label_join(): " + dst);
    }
    validated_ = true;
  }
  for (const Sample& s : in) {
    SeriesId id = Memo(s.id);
    if (id == kNoSeries) {
      Labels nl = pool_->Get(s.id);
      std::string joined;
      for (size_t i = 3; i < strings_.size(); ++i) {
        if (i > 3) joined += sep;
        joined += GetLabel(nl, strings_[i]);
      }
      SetLabel(&nl, dst, joined);
      id = pool_->Intern(std::move(nl));
      SetMemo(s.id, id);
    }
    out->push_back(Sample{id, s.v});
  }
  return Status::Ok();
}

}  // namespace tend::promql
