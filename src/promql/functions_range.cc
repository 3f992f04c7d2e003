// The math of the range-vector functions, one window at a time, following
// Prometheus 2.42's promql/functions.go for float samples.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "promql/eval_functions.h"

namespace tend::promql {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// rate(), increase() and delta(): the change over the window, extrapolated
// towards the window's edges (at most half an average sample interval
// beyond the first/last sample, unless that sample is within 1.1 intervals
// of the edge), counters corrected for resets and never extrapolated below
// zero.
double ExtrapolatedRate(std::span<const Point> w, const RangeFnParams& p,
                        bool is_counter, bool is_rate) {
  const Point& first = w.front();
  const Point& last = w.back();
  double result = last.v - first.v;
  if (is_counter && !p.no_counter_resets) {
    double prev = first.v;
    for (size_t i = 1; i < w.size(); ++i) {
      if (w[i].v < prev) result += prev;
      prev = w[i].v;
    }
  }
  double duration_to_start =
      static_cast<double>(first.t - p.range_start) / 1000.0;
  const double duration_to_end =
      static_cast<double>(p.range_end - last.t) / 1000.0;
  const double sampled_interval =
      static_cast<double>(last.t - first.t) / 1000.0;
  const double avg_interval =
      sampled_interval / static_cast<double>(w.size() - 1);
  if (is_counter && result > 0 && first.v >= 0) {
    const double duration_to_zero = sampled_interval * (first.v / result);
    if (duration_to_zero < duration_to_start) {
      duration_to_start = duration_to_zero;
    }
  }
  const double threshold = avg_interval * 1.1;
  double extrapolate_to = sampled_interval;
  extrapolate_to +=
      duration_to_start < threshold ? duration_to_start : avg_interval / 2;
  extrapolate_to +=
      duration_to_end < threshold ? duration_to_end : avg_interval / 2;
  double factor = extrapolate_to / sampled_interval;
  if (is_rate) factor /= static_cast<double>(p.range_ms) / 1000.0;
  return result * factor;
}

// irate() and idelta(): from the last two samples.
bool InstantValue(std::span<const Point> w, bool is_rate, double* out) {
  const Point& last = w[w.size() - 1];
  const Point& prev = w[w.size() - 2];
  double result = (is_rate && last.v < prev.v) ? last.v : last.v - prev.v;
  const int64_t interval = last.t - prev.t;
  if (interval == 0) return false;
  if (is_rate) result /= static_cast<double>(interval) / 1000.0;
  *out = result;
  return true;
}

// Least-squares fit of value over time in seconds relative to
// intercept_time (Kahan-summed as Prometheus).
void LinearRegression(std::span<const Point> w, int64_t intercept_time,
                      double* slope, double* intercept) {
  double n = 0, sum_x = 0, c_x = 0, sum_y = 0, c_y = 0, sum_xy = 0, c_xy = 0,
         sum_x2 = 0, c_x2 = 0;
  const double init_y = w[0].v;
  bool const_y = true;
  for (size_t i = 0; i < w.size(); ++i) {
    if (const_y && i > 0 && w[i].v != init_y) const_y = false;
    n += 1.0;
    const double x = static_cast<double>(w[i].t - intercept_time) / 1e3;
    KahanSumInc(x, &sum_x, &c_x);
    KahanSumInc(w[i].v, &sum_y, &c_y);
    KahanSumInc(x * w[i].v, &sum_xy, &c_xy);
    KahanSumInc(x * x, &sum_x2, &c_x2);
  }
  if (const_y) {
    if (std::isinf(init_y)) {
      *slope = kNaN;
      *intercept = kNaN;
    } else {
      *slope = 0;
      *intercept = init_y;
    }
    return;
  }
  sum_x += c_x;
  sum_y += c_y;
  sum_xy += c_xy;
  sum_x2 += c_x2;
  const double cov_xy = sum_xy - sum_x * sum_y / n;
  const double var_x = sum_x2 - sum_x * sum_x / n;
  *slope = cov_xy / var_x;
  *intercept = sum_y / n - *slope * sum_x / n;
}

double HoltWinters(std::span<const Point> w, double sf, double tf) {
  double s0 = 0, s1 = w[0].v, b = w[1].v - w[0].v;
  for (size_t i = 1; i < w.size(); ++i) {
    const double x = sf * w[i].v;
    if (i > 1) b = tf * (s1 - s0) + (1 - tf) * b;  // The trend at i-1.
    const double y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}

double AvgOverTime(std::span<const Point> w) {
  // Fast path: with finite values far from overflow, the compensated sum
  // divided by the count is the mean (to within rounding, which is all
  // Prometheus's incremental mean differs by) at a fraction of the cost.
  double sum = 0, c = 0;
  bool simple = true;
  for (const Point& p : w) {
    if (!(std::fabs(p.v) < 1e300)) {
      simple = false;
      break;
    }
    KahanSumInc(p.v, &sum, &c);
  }
  if (simple) return (sum + c) / static_cast<double>(w.size());
  // Prometheus's incremental mean, which survives infinities and values
  // whose sum would overflow.
  double mean = 0, count = 0;
  c = 0;
  for (const Point& p : w) {
    count += 1;
    if (std::isinf(mean)) {
      // Inf - Inf would turn the running mean into NaN although the mean
      // is already right: same-signed infinities and finite values keep it.
      if (std::isinf(p.v) && (mean > 0) == (p.v > 0)) continue;
      if (!std::isinf(p.v) && !std::isnan(p.v)) continue;
    }
    KahanSumInc(p.v / count - mean / count, &mean, &c);
  }
  if (std::isinf(mean)) return mean;
  return mean + c;
}

double StdvarOverTime(std::span<const Point> w) {
  double count = 0, mean = 0, c_mean = 0, aux = 0, c_aux = 0;
  for (const Point& p : w) {
    count += 1;
    const double delta = p.v - (mean + c_mean);
    KahanSumInc(delta / count, &mean, &c_mean);
    KahanSumInc(delta * (p.v - (mean + c_mean)), &aux, &c_aux);
  }
  return (aux + c_aux) / count;
}

}  // namespace

void KahanSumInc(double inc, double* sum, double* c) {
  const double t = *sum + inc;
  if (std::fabs(*sum) >= std::fabs(inc)) {
    *c += (*sum - t) + inc;
  } else {
    *c += (inc - t) + *sum;
  }
  *sum = t;
}

double Quantile(double q, std::vector<double>* values) {
  if (values->empty() || std::isnan(q)) return kNaN;
  if (q < 0) return -std::numeric_limits<double>::infinity();
  if (q > 1) return std::numeric_limits<double>::infinity();
  std::sort(values->begin(), values->end(), [](double a, double b) {
    if (std::isnan(a)) return !std::isnan(b);
    return a < b;
  });
  const double n = static_cast<double>(values->size());
  const double rank = q * (n - 1);
  const double lower = std::max(0.0, std::floor(rank));
  const double upper = std::min(n - 1, lower + 1);
  const double weight = rank - std::floor(rank);
  return (*values)[static_cast<size_t>(lower)] * (1 - weight) +
         (*values)[static_cast<size_t>(upper)] * weight;
}

double GoMax(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return kNaN;
  if (a == 0 && b == 0) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}

double GoMin(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return kNaN;
  if (a == 0 && b == 0) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

Status ApplyRangeFn(FnKind kind, std::span<const Point> w,
                    const RangeFnParams& p, double* out, bool* has) {
  *has = true;
  switch (kind) {
    case FnKind::kRate:
    case FnKind::kIncrease:
    case FnKind::kDelta:
      if (w.size() < 2) {
        *has = false;
        return Status::Ok();
      }
      *out =
          ExtrapolatedRate(w, p, kind != FnKind::kDelta, kind == FnKind::kRate);
      return Status::Ok();
    case FnKind::kIrate:
    case FnKind::kIdelta:
      *has = w.size() >= 2 && InstantValue(w, kind == FnKind::kIrate, out);
      return Status::Ok();
    case FnKind::kDeriv:
    case FnKind::kPredictLinear: {
      if (w.size() < 2) {
        *has = false;
        return Status::Ok();
      }
      double slope, intercept;
      if (kind == FnKind::kDeriv) {
        // Relative to the first sample, for accuracy (Prometheus #2674).
        LinearRegression(w, w[0].t, &slope, &intercept);
        *out = slope;
      } else {
        LinearRegression(w, p.ts, &slope, &intercept);
        *out = slope * p.p0 + intercept;
      }
      return Status::Ok();
    }
    case FnKind::kHoltWinters: {
      if (p.p0 <= 0 || p.p0 >= 1) {
        return FailedPreconditionError(
            "invalid smoothing factor. Expected: 0 < sf < 1, got: " +
            std::to_string(p.p0));
      }
      if (p.p1 <= 0 || p.p1 >= 1) {
        return FailedPreconditionError(
            "invalid trend factor. Expected: 0 < tf < 1, got: " +
            std::to_string(p.p1));
      }
      if (w.size() < 2) {
        *has = false;
        return Status::Ok();
      }
      *out = HoltWinters(w, p.p0, p.p1);
      return Status::Ok();
    }
    case FnKind::kResets: {
      int n = 0;
      for (size_t i = 1; i < w.size(); ++i) n += w[i].v < w[i - 1].v;
      *out = n;
      return Status::Ok();
    }
    case FnKind::kChanges: {
      int n = 0;
      for (size_t i = 1; i < w.size(); ++i) {
        const double a = w[i - 1].v, b = w[i].v;
        if (a != b && !(std::isnan(a) && std::isnan(b))) ++n;
      }
      *out = n;
      return Status::Ok();
    }
    case FnKind::kAvgOverTime:
      *out = AvgOverTime(w);
      return Status::Ok();
    case FnKind::kSumOverTime: {
      double sum = 0, c = 0;
      for (const Point& x : w) KahanSumInc(x.v, &sum, &c);
      *out = std::isinf(sum) ? sum : sum + c;
      return Status::Ok();
    }
    case FnKind::kCountOverTime:
      *out = static_cast<double>(w.size());
      return Status::Ok();
    case FnKind::kMinOverTime:
    case FnKind::kMaxOverTime: {
      double m = w[0].v;
      const bool is_max = kind == FnKind::kMaxOverTime;
      for (const Point& x : w) {
        if ((is_max ? x.v > m : x.v < m) || std::isnan(m)) m = x.v;
      }
      *out = m;
      return Status::Ok();
    }
    case FnKind::kLastOverTime:
      *out = w.back().v;
      return Status::Ok();
    case FnKind::kPresentOverTime:
    case FnKind::kAbsentOverTime:
      *out = 1;
      return Status::Ok();
    case FnKind::kQuantileOverTime: {
      std::vector<double> local;
      std::vector<double>& values = p.scratch != nullptr ? *p.scratch : local;
      values.clear();
      for (const Point& x : w) values.push_back(x.v);
      *out = Quantile(p.p0, &values);
      return Status::Ok();
    }
    case FnKind::kStdvarOverTime:
      *out = StdvarOverTime(w);
      return Status::Ok();
    case FnKind::kStddevOverTime:
      *out = std::sqrt(StdvarOverTime(w));
      return Status::Ok();
    default:
      return InternalError("not a range-vector function");
  }
}

}  // namespace tend::promql
