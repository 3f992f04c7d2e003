// LogMetrics: Prometheus counters and histograms computed from log records
// at ingest (docs/logs-processing.md), so that request rate, error rate and
// latency quantiles of an access log are ordinary metrics in the metric
// store and on /metrics.
//
//   counter    one series per distinct label set; each matching record adds
//              1, or the numeric value of the `value` field (e.g. bytes).
//              Named exactly as configured (add `_total` yourself).
//   histogram  a classic Prometheus histogram of the `value` field:
//              name_bucket{le="..."} (cumulative, ending with le="+Inf"),
//              name_sum and name_count, so that
//                histogram_quantile(0.95, sum by (le) (rate(name_bucket[5m])))
//              works. Buckets default to Prometheus's default buckets.
//
// Label values come from the record's attributes and fields as conditions
// see them (condition.h); a missing one is "" (the label is absent).
// A value that is missing, does not parse as a number (Go ParseFloat
// syntax), is NaN or infinite, or is negative for a counter is not observed
// and is counted in tend_logs_metric_errors_total{metric}. Beyond
// max_series label sets, records of new label sets go to one overflow
// series (the configured labels absent, tend_overflow="true") and are
// counted in tend_logs_metric_overflow_total{metric}.
//
// Values are monotonic for the life of the process; a restart starts them
// at zero again, which PromQL's rate() treats as a counter reset.
//
// Threads: Observe is called by the log pipeline (one thread at a time per
// LogMetrics; it keeps per-call scratch space); Collect may run at the same
// time from the collection thread. A mutex guards the series; Observe holds
// it only to update one series, Collect only to copy the numbers, so every
// snapshot is consistent (count == the +Inf bucket).
#ifndef TEND_LOGS_METRICS_LOG_METRICS_H_
#define TEND_LOGS_METRICS_LOG_METRICS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "logs/parse/record.h"
#include "metrics/metric.h"

namespace tend::logs {

enum class LogMetricType { kCounter, kHistogram };

// "counter" / "histogram"; kInvalidArgument for anything else.
Result<LogMetricType> LogMetricTypeFromName(std::string_view name);

struct LogMetricConfig {
  std::string name;  // A valid Prometheus metric name.
  LogMetricType type = LogMetricType::kCounter;
  std::string help;    // Empty: a generic help text naming the source.
  std::string match;   // Condition (condition.h); empty matches every record.
  std::string source;  // Only records of this source; empty: every source.
  std::vector<std::string> labels;  // Attribute or field names.
  std::string value;       // Field observed (histogram: required) or added.
  double value_scale = 1;  // Multiplies the value (0.001: ms -> s).
  std::vector<double> buckets;  // Histogram upper bounds; empty: default.
  size_t max_series = 10000;    // Label sets before the overflow series.
};

// Prometheus's default buckets: .005 .01 .025 .05 .1 .25 .5 1 2.5 5 10.
const std::vector<double>& DefaultBuckets();

class LogMetrics {
 public:
  // Validates every config. On failure returns kInvalidArgument of the form
  //   log metric 1 ("http_request_seconds"): buckets[3]: 0.5 is not greater
  //   than the previous bucket 1
  // naming the metric's index, its name, the field and the bad value.
  static Result<std::unique_ptr<LogMetrics>> Create(
      const std::vector<LogMetricConfig>& configs);

  ~LogMetrics();
  LogMetrics(const LogMetrics&) = delete;
  LogMetrics& operator=(const LogMetrics&) = delete;

  // Feeds one record (after processing) to every metric. Allocates only
  // when the record creates a new series.
  void Observe(const LogRecord& record);

  // Appends every metric's current values (plus the error, overflow and
  // series-count metrics) to *out. Thread-safe.
  void Collect(MetricSet* out) const;

  size_t size() const;

 private:
  struct Series;
  struct Metric;
  LogMetrics();
  void ObserveOne(Metric& m, const LogRecord& record);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Metric>> metrics_;  // Series guarded by mu_.
};

}  // namespace tend::logs

#endif  // TEND_LOGS_METRICS_LOG_METRICS_H_
