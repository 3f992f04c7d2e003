// What a rule evaluation reads from and writes to: the PromQL engine and
// the metric store, the log-rule evaluator, and the sink for the series
// rules produce (record rules, ALERTS, ALERTS_FOR_STATE).
#ifndef TEND_ALERT_ENGINE_EVAL_CONTEXT_H_
#define TEND_ALERT_ENGINE_EVAL_CONTEXT_H_

#include <cstdint>
#include <string_view>

#include "alert/rule.h"
#include "base/status.h"
#include "promql/engine.h"
#include "tsdb/queryable.h"

namespace tend::alert {

// Evaluates the LogQL metric query of a log rule at one instant. Returns
// the result as a vector: a scalar result is a one-element vector with no
// labels (as Prometheus turns a scalar rule result into a vector); a log
// (stream) query is kInvalidArgument. Called on the evaluating thread;
// implementations must be safe to call from it while the log store is
// written by its own writer.
class LogRuleEvaluator {
 public:
  virtual ~LogRuleEvaluator() = default;
  virtual Result<promql::Vector> EvalInstant(std::string_view expr,
                                             int64_t t_ms) = 0;
};

// Receives the samples a rule produced, once per rule in group order, on
// the evaluating thread. Labels are canonical and include __name__;
// a value may be the stale marker (model/point.h) for a series that the
// rule produced at its previous evaluation but not at this one. A record
// rule's output should be visible to queries when Append returns, so that
// later rules of the same group see it (as in Prometheus). An error is
// logged and counted; the evaluation goes on.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual Status Append(const promql::Vector& samples) = 0;
};

// Not owned; each must outlive the evaluation. `logs` and `sink` may be
// null: log rules then fail with an error (as rule health), produced
// series are discarded.
struct EvalContext {
  const promql::Engine* engine = nullptr;
  Queryable* store = nullptr;
  LogRuleEvaluator* logs = nullptr;
  RecordSink* sink = nullptr;
};

// Runs `rule`'s query at `t_ms` and returns its result as a vector (a
// scalar becomes one sample without labels; any other type is an error,
// as Prometheus's "rule result is not a vector or scalar").
Result<promql::Vector> QueryRule(const EvalContext& ctx, const Rule& rule,
                                 int64_t t_ms);

}  // namespace tend::alert

#endif  // TEND_ALERT_ENGINE_EVAL_CONTEXT_H_
