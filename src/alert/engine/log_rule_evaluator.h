// LogStoreRuleEvaluator: evaluates log rules (LogQL metric queries) over a
// logs::LogStore with logql::EvalInstant. Each distinct expression is
// parsed once and kept.
//
// Threads: EvalInstant may be called from any thread (the parse cache has
// its own mutex; the store's reads are thread-safe).
#ifndef TEND_ALERT_ENGINE_LOG_RULE_EVALUATOR_H_
#define TEND_ALERT_ENGINE_LOG_RULE_EVALUATOR_H_

#include <map>
#include <memory>
#include <string>

#include "alert/engine/eval_context.h"
#include "base/thread_annotations.h"
#include "logs/logql/ast.h"
#include "logs/query/query.h"
#include "logs/store/log_store.h"

namespace tend::alert {

class LogStoreRuleEvaluator : public LogRuleEvaluator {
 public:
  // `store` is not owned and must outlive this.
  explicit LogStoreRuleEvaluator(const logs::LogStore* store,
                                 logql::QueryLimits limits = {})
      : store_(store), limits_(limits) {}

  // A parse error is kInvalidArgument with the parser's message; a log
  // (stream) query is kInvalidArgument ("log rule expression must be a
  // metric query").
  Result<promql::Vector> EvalInstant(std::string_view expr,
                                     int64_t t_ms) override;

 private:
  Result<std::shared_ptr<const logql::Expr>> Parsed(std::string_view expr);

  const logs::LogStore* const store_;
  const logql::QueryLimits limits_;
  Mutex mu_;
  std::map<std::string, std::shared_ptr<const logql::Expr>, std::less<>> cache_
      GUARDED_BY(mu_);
};

}  // namespace tend::alert

#endif  // TEND_ALERT_ENGINE_LOG_RULE_EVALUATOR_H_
