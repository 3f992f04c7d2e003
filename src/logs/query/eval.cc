// EvalRange / EvalInstant: dispatch on the expression kind, evaluate
// metric trees over the steps, and convert to the PromQL result types.
#include <algorithm>

#include "logs/query/query.h"
#include "logs/query/query_internal.h"

namespace tend::logql {

namespace internal {
Result<QueryResult> EvalLogQuery(const logs::LogStore& store,
                                 const LogQueryExpr& expr, int64_t start_ns,
                                 int64_t end_ns, logs::Direction direction,
                                 size_t limit, const QueryLimits& limits);
}  // namespace internal

namespace {

constexpr size_t kMaxSteps = 11000;

Result<internal::MetricValue> EvalMetric(const logs::LogStore& store,
                                         const Expr& expr,
                                         const internal::Steps& steps,
                                         internal::Budget* budget,
                                         QueryStats* stats) {
  RETURN_IF_ERROR(budget->CheckTime());
  switch (expr.kind) {
    case ExprKind::kLiteral: {
      const auto& lit = static_cast<const LiteralExpr&>(expr);
      internal::MetricValue v;
      if (lit.is_vector) {
        internal::StepSeries s;
        s.v.assign(steps.n, lit.value);
        s.has.assign(steps.n, 1);
        v.series.push_back(std::move(s));
        return v;
      }
      v.is_scalar = true;
      v.scalar = lit.value;
      return v;
    }
    case ExprKind::kRangeAggregation:
      return internal::EvalRangeAggregation(
          store, static_cast<const RangeAggregationExpr&>(expr), steps, budget,
          stats);
    case ExprKind::kVectorAggregation: {
      const auto& e = static_cast<const VectorAggregationExpr&>(expr);
      ASSIGN_OR_RETURN(auto inner,
                       EvalMetric(store, *e.inner, steps, budget, stats));
      if (inner.is_scalar) {
        return InvalidArgumentError(std::string(VectorOpName(e.op)) +
                                    " expects a vector argument, got a scalar");
      }
      return internal::EvalVectorAggregation(e, std::move(inner), steps,
                                             budget);
    }
    case ExprKind::kBinary: {
      const auto& e = static_cast<const BinaryExpr&>(expr);
      ASSIGN_OR_RETURN(auto lhs,
                       EvalMetric(store, *e.lhs, steps, budget, stats));
      ASSIGN_OR_RETURN(auto rhs,
                       EvalMetric(store, *e.rhs, steps, budget, stats));
      return internal::EvalBinary(e, std::move(lhs), std::move(rhs), steps,
                                  budget);
    }
    case ExprKind::kLogQuery:
      break;
  }
  return InvalidArgumentError(
      "a log query cannot be an operand of a metric expression");
}

int64_t NsToMs(int64_t ns) {
  // Floor division so negative times round down like positive ones.
  return ns >= 0 ? ns / 1'000'000 : -((-ns + 999'999) / 1'000'000);
}

void SortByLabels(std::vector<internal::StepSeries>* s) {
  std::sort(s->begin(), s->end(), [](const auto& a, const auto& b) {
    return CompareLabels(a.labels, b.labels) < 0;
  });
}

}  // namespace

Result<QueryResult> EvalRange(const logs::LogStore& store, const Expr& expr,
                              int64_t start_ns, int64_t end_ns, int64_t step_ns,
                              logs::Direction direction, size_t limit,
                              const QueryLimits& limits) {
  if (end_ns < start_ns) {
    return InvalidArgumentError("end timestamp must not be before start time");
  }
  if (expr.kind == ExprKind::kLogQuery) {
    return internal::EvalLogQuery(store, static_cast<const LogQueryExpr&>(expr),
                                  start_ns, end_ns, direction, limit, limits);
  }
  if (step_ns <= 0) {
    return InvalidArgumentError(
        "zero or negative query resolution step widths are not accepted; "
        "try a positive integer");
  }
  const uint64_t span = static_cast<uint64_t>(end_ns - start_ns);
  if (span / static_cast<uint64_t>(step_ns) >= kMaxSteps) {
    return InvalidArgumentError(
        "exceeded maximum resolution of 11,000 points per timeseries; try "
        "decreasing the query resolution (?step=XX)");
  }
  internal::Steps steps{start_ns, step_ns,
                        static_cast<size_t>(span / step_ns) + 1};
  internal::Budget budget(limits);
  QueryResult result;
  result.type = ResultType::kMatrix;
  ASSIGN_OR_RETURN(auto value,
                   EvalMetric(store, expr, steps, &budget, &result.stats));
  if (!value.is_scalar)
    RETURN_IF_ERROR(budget.CheckSeries(value.series.size()));
  result.metric.type = promql::ValueType::kMatrix;
  if (value.is_scalar) {
    // A scalar over a range is one series without labels (as Loki).
    promql::Series s;
    for (size_t i = 0; i < steps.n; ++i) {
      s.points.push_back({NsToMs(steps.at(i)), value.scalar});
    }
    result.metric.matrix.push_back(std::move(s));
  } else {
    SortByLabels(&value.series);
    for (auto& ss : value.series) {
      promql::Series s;
      s.labels = std::move(ss.labels);
      for (size_t i = 0; i < steps.n; ++i) {
        if (ss.has[i]) s.points.push_back({NsToMs(steps.at(i)), ss.v[i]});
      }
      if (!s.points.empty()) result.metric.matrix.push_back(std::move(s));
    }
  }
  result.stats.exec_ns = budget.ElapsedNs();
  return result;
}

Result<QueryResult> EvalInstant(const logs::LogStore& store, const Expr& expr,
                                int64_t t_ns, logs::Direction direction,
                                size_t limit, const QueryLimits& limits) {
  (void)direction;
  (void)limit;
  if (expr.kind == ExprKind::kLogQuery) {
    return InvalidArgumentError(
        "log queries are not supported as an instant query type, please "
        "change your query to a range query type");
  }
  internal::Steps steps{t_ns, 0, 1};
  internal::Budget budget(limits);
  QueryResult result;
  ASSIGN_OR_RETURN(auto value,
                   EvalMetric(store, expr, steps, &budget, &result.stats));
  if (!value.is_scalar)
    RETURN_IF_ERROR(budget.CheckSeries(value.series.size()));
  if (value.is_scalar) {
    result.type = ResultType::kScalar;
    result.metric.type = promql::ValueType::kScalar;
    result.metric.scalar = {NsToMs(t_ns), value.scalar};
  } else {
    result.type = ResultType::kVector;
    result.metric.type = promql::ValueType::kVector;
    // topk/bottomk at the top keep their order (best first per group);
    // everything else is sorted by labels.
    const bool ranked = expr.kind == ExprKind::kVectorAggregation &&
                        (static_cast<const VectorAggregationExpr&>(expr).op ==
                             VectorOp::kTopK ||
                         static_cast<const VectorAggregationExpr&>(expr).op ==
                             VectorOp::kBottomK);
    if (!ranked) SortByLabels(&value.series);
    for (auto& ss : value.series) {
      if (!ss.has[0]) continue;
      result.metric.vector.push_back(
          {std::move(ss.labels), NsToMs(t_ns), ss.v[0]});
    }
    if (ranked) {
      const bool top =
          static_cast<const VectorAggregationExpr&>(expr).op == VectorOp::kTopK;
      std::stable_sort(result.metric.vector.begin(), result.metric.vector.end(),
                       [top](const auto& a, const auto& b) {
                         return top ? a.v > b.v : a.v < b.v;
                       });
    }
  }
  result.stats.exec_ns = budget.ElapsedNs();
  return result;
}

}  // namespace tend::logql
