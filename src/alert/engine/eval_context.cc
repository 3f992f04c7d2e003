#include "alert/engine/eval_context.h"

#include <string>
#include <utility>

namespace tend::alert {

Result<promql::Vector> QueryRule(const EvalContext& ctx, const Rule& rule,
                                 int64_t t_ms) {
  if (rule.language == QueryLanguage::kLogQL) {
    if (ctx.logs == nullptr) {
      return FailedPreconditionError(
          "log rule cannot be evaluated: no log store is configured");
    }
    return ctx.logs->EvalInstant(rule.expr, t_ms);
  }
  if (rule.promql == nullptr) {
    return FailedPreconditionError("rule expression was not parsed");
  }
  if (ctx.engine == nullptr || ctx.store == nullptr) {
    return FailedPreconditionError("no metric store to evaluate against");
  }
  Result<promql::QueryResult> res =
      ctx.engine->InstantExpr(*ctx.store, *rule.promql, t_ms);
  if (!res.ok()) return res.status();
  switch (res->type) {
    case promql::ValueType::kVector:
      return std::move(res->vector);
    case promql::ValueType::kScalar: {
      promql::Vector v;
      v.push_back({Labels{}, res->scalar.t, res->scalar.v});
      return v;
    }
    default:
      return FailedPreconditionError("rule result is not a vector or scalar");
  }
}

}  // namespace tend::alert
