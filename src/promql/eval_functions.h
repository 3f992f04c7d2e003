// PromQL's functions as the evaluator dispatches them: a kind per function
// name, the math of the range-vector functions (one window at a time) and
// shared numeric helpers with Prometheus 2.42's exact semantics.
#ifndef TEND_PROMQL_EVAL_FUNCTIONS_H_
#define TEND_PROMQL_EVAL_FUNCTIONS_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/point.h"

namespace tend::promql {

enum class FnKind {
  // Range-vector functions (one matrix argument). They come first and end
  // with kSumOverTime: functions_call.cc tells them apart by that order.
  kAbsentOverTime,
  kAvgOverTime,
  kChanges,
  kCountOverTime,
  kDelta,
  kDeriv,
  kHoltWinters,
  kIdelta,
  kIncrease,
  kIrate,
  kLastOverTime,
  kMaxOverTime,
  kMinOverTime,
  kPredictLinear,
  kPresentOverTime,
  kQuantileOverTime,
  kRate,
  kResets,
  kStddevOverTime,
  kStdvarOverTime,
  kSumOverTime,
  // Instant-vector and scalar functions.
  kAbs,
  kAbsent,
  kAcos,
  kAcosh,
  kAsin,
  kAsinh,
  kAtan,
  kAtanh,
  kCeil,
  kClamp,
  kClampMax,
  kClampMin,
  kCos,
  kCosh,
  kDayOfMonth,
  kDayOfWeek,
  kDayOfYear,
  kDaysInMonth,
  kDeg,
  kExp,
  kFloor,
  kHistogramCount,
  kHistogramFraction,
  kHistogramQuantile,
  kHistogramSum,
  kHour,
  kLabelJoin,
  kLabelReplace,
  kLn,
  kLog10,
  kLog2,
  kMinute,
  kMonth,
  kPi,
  kRad,
  kRound,
  kScalar,
  kSgn,
  kSin,
  kSinh,
  kSort,
  kSortDesc,
  kSqrt,
  kTan,
  kTanh,
  kTime,
  kTimestamp,
  kVector,
  kYear,
};

std::optional<FnKind> LookupFn(std::string_view name);

// What a range function sees of one step.
struct RangeFnParams {
  int64_t ts = 0;           // The evaluation time (predict_linear).
  int64_t range_start = 0;  // Window bounds, ms (rate extrapolation).
  int64_t range_end = 0;
  int64_t range_ms = 0;
  double p0 = 0;  // quantile_over_time's q, predict_linear's duration,
  double p1 = 0;  // holt_winters' sf (p0) and tf (p1).
  // Reused buffer for functions that sort a window (quantile_over_time).
  std::vector<double>* scratch = nullptr;
  // Set when the caller knows no value in the window is below its
  // predecessor: rate() and increase() then skip their scan for counter
  // resets (the result is the same, bit for bit).
  bool no_counter_resets = false;
};

// Applies a range function to one window (sorted, no stale markers,
// non-empty). Sets *has = false when the function yields nothing for this
// window (e.g. rate over fewer than two samples). Fails for invalid
// holt_winters factors, as Prometheus.
Status ApplyRangeFn(FnKind kind, std::span<const Point> w,
                    const RangeFnParams& p, double* out, bool* has);

// Neumaier-compensated summation step (Prometheus's kahanSumInc).
void KahanSumInc(double inc, double* sum, double* c);

// Prometheus's quantile(): NaN for no values or NaN q, -Inf/+Inf below 0
// or above 1, else linear interpolation between the closest ranks. Sorts
// `values` (NaN first).
double Quantile(double q, std::vector<double>* values);

// Go's math.Max/math.Min: NaN when either argument is NaN.
double GoMax(double a, double b);
double GoMin(double a, double b);

// Go's strconv.FormatFloat(v, 'f', -1, 64) ("+Inf", "-Inf", "NaN" for the
// specials).
std::string FormatFloatF(double v);

// Go's strconv.ParseFloat for the forms Prometheus meets in label values
// and test scripts: decimal, optional sign, Inf/Infinity/NaN in any case.
bool ParseGoFloat(std::string_view s, double* out);

}  // namespace tend::promql

#endif  // TEND_PROMQL_EVAL_FUNCTIONS_H_
