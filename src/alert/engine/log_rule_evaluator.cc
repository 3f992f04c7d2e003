#include "alert/engine/log_rule_evaluator.h"

#include <utility>

#include "logs/logql/parser.h"

namespace tend::alert {

Result<std::shared_ptr<const logql::Expr>> LogStoreRuleEvaluator::Parsed(
    std::string_view expr) {
  {
    MutexLock lock(&mu_);
    auto it = cache_.find(expr);
    if (it != cache_.end()) return it->second;
  }
  Result<std::unique_ptr<logql::Expr>> parsed = logql::ParseLogQL(expr);
  if (!parsed.ok()) return parsed.status();
  std::shared_ptr<const logql::Expr> shared(std::move(*parsed));
  MutexLock lock(&mu_);
  cache_.emplace(std::string(expr), shared);
  return shared;
}

Result<promql::Vector> LogStoreRuleEvaluator::EvalInstant(std::string_view expr,
                                                          int64_t t_ms) {
  Result<std::shared_ptr<const logql::Expr>> e = Parsed(expr);
  if (!e.ok()) return e.status();
  Result<logql::QueryResult> res = logql::EvalInstant(
      *store_, **e, t_ms * 1'000'000, logs::Direction::kBackward, 100, limits_);
  if (!res.ok()) return res.status();
  switch (res->type) {
    case logql::ResultType::kVector: {
      promql::Vector v = std::move(res->metric.vector);
      for (promql::VectorSample& s : v) s.t = t_ms;
      return v;
    }
    case logql::ResultType::kScalar: {
      promql::Vector v;
      v.push_back({Labels{}, t_ms, res->metric.scalar.v});
      return v;
    }
    default:
      return InvalidArgumentError("log rule expression must be a metric query");
  }
}

}  // namespace tend::alert
