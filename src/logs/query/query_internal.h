// Internals shared by the evaluator's files: the per-query budget (time,
// bytes, series) and the metric value types over steps.
#ifndef TEND_LOGS_QUERY_QUERY_INTERNAL_H_
#define TEND_LOGS_QUERY_QUERY_INTERNAL_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "logs/logql/ast.h"
#include "logs/query/query.h"
#include "logs/store/log_store.h"

namespace tend::logql::internal {

// Tracks one query's limits. Check() is cheap enough for every line: it
// reads the clock once per 1024 calls.
class Budget {
 public:
  explicit Budget(const QueryLimits& limits)
      : limits_(limits), start_(std::chrono::steady_clock::now()) {}

  const QueryLimits& limits() const { return limits_; }
  // Counts one scanned line; an error once a limit is exceeded.
  Status OnLine(size_t bytes, QueryStats* stats) {
    ++stats->lines_scanned;
    stats->bytes_scanned += bytes;
    if (stats->bytes_scanned > limits_.max_bytes_read) {
      return Status(StatusCode::kResourceExhausted,
                    "query read more than max_bytes_read (" +
                        std::to_string(limits_.max_bytes_read) +
                        " bytes) of log lines; narrow the selector, the "
                        "time range or add line filters");
    }
    if ((++calls_ & 1023) == 0) return CheckTime();
    return Status();
  }
  Status CheckTime() const {
    if (ElapsedNs() > limits_.timeout_ns) {
      return Status(StatusCode::kDeadlineExceeded,
                    "query timed out after " +
                        std::to_string(limits_.timeout_ns / 1000000) +
                        " ms (timeout)");
    }
    return Status();
  }
  Status CheckSeries(size_t n) const {
    if (n > limits_.max_series) {
      return Status(StatusCode::kResourceExhausted,
                    "query would return more than max_series (" +
                        std::to_string(limits_.max_series) +
                        ") series; aggregate with sum by (...) or narrow "
                        "the selector");
    }
    return Status();
  }
  Status CheckIntermediateSeries(size_t n) const {
    if (n > limits_.max_intermediate_series) {
      return Status(StatusCode::kResourceExhausted,
                    "query would hold more than max_intermediate_series (" +
                        std::to_string(limits_.max_intermediate_series) +
                        ") series before aggregating; extract only the "
                        "labels you group by (| json status) or narrow the "
                        "selector");
    }
    return Status();
  }
  int64_t ElapsedNs() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now() - start_)
        .count();
  }

 private:
  QueryLimits limits_;
  std::chrono::steady_clock::time_point start_;
  uint64_t calls_ = 0;
};

void AddSelectStats(const logs::SelectStats& s, QueryStats* stats);

// The evaluation steps of a metric query: start + i*step for i < n.
struct Steps {
  int64_t start_ns = 0;
  int64_t step_ns = 0;
  size_t n = 1;
  int64_t at(size_t i) const {
    return start_ns + static_cast<int64_t>(i) * step_ns;
  }
};

// A metric series over the steps: has[i] says whether v[i] is a sample.
struct StepSeries {
  Labels labels;
  std::vector<double> v;
  std::vector<uint8_t> has;
};

// The value of a metric sub-expression: a scalar (a literal, or an
// expression of literals) or a vector over the steps.
struct MetricValue {
  bool is_scalar = false;
  double scalar = 0;
  std::vector<StepSeries> series;
};

Result<MetricValue> EvalRangeAggregation(const logs::LogStore& store,
                                         const RangeAggregationExpr& expr,
                                         const Steps& steps, Budget* budget,
                                         QueryStats* stats);
Result<MetricValue> EvalVectorAggregation(const VectorAggregationExpr& expr,
                                          MetricValue inner, const Steps& steps,
                                          Budget* budget);
Result<MetricValue> EvalBinary(const BinaryExpr& expr, MetricValue lhs,
                               MetricValue rhs, const Steps& steps,
                               Budget* budget);

// Labels of `labels` kept by a grouping (by: only the listed; without: all
// but the listed).
Labels GroupLabels(const Labels& labels, const Grouping& grouping);

}  // namespace tend::logql::internal

#endif  // TEND_LOGS_QUERY_QUERY_INTERNAL_H_
