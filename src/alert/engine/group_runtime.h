// GroupRuntime: one loaded rule group, its rules' runtimes and its
// evaluation schedule and counters. Rules are evaluated in file order, one
// after another, each seeing what the earlier ones recorded (when the sink
// makes it visible at once), as in Prometheus.
//
// Threads: owned by the RuleManager and used under its lock.
#ifndef TEND_ALERT_ENGINE_GROUP_RUNTIME_H_
#define TEND_ALERT_ENGINE_GROUP_RUNTIME_H_

#include <cstdint>
#include <string>
#include <vector>

#include "alert/alert.h"
#include "alert/engine/eval_context.h"
#include "alert/engine/rule_runtime.h"
#include "alert/rule.h"
#include "base/clock.h"
#include "state/state_db.h"

namespace tend::alert {

// What one round of evaluations produced.
struct EvalOutput {
  // Firing alerts and alerts resolved within the retention, for the
  // notifier (see RuleEvalOptions::resend_delay_ms).
  Alerts alerts;
  // kind "alert": outcome "pending", "firing" or "resolved"; the subject is
  // the alert name; details_json holds labels, value, group and file.
  std::vector<state::Event> events;
  size_t groups_evaluated = 0;
  size_t rule_failures = 0;
};

class GroupRuntime {
 public:
  // `interval_ms` is the group's own interval or the default.
  GroupRuntime(RuleGroup group, int64_t interval_ms);
  GroupRuntime(const GroupRuntime&) = delete;
  GroupRuntime& operator=(const GroupRuntime&) = delete;

  const RuleGroup& group() const { return group_; }
  // file + "\x1f" + name: the key of its state in the state database.
  const std::string& key() const { return key_; }
  int64_t interval_ms() const { return interval_ms_; }
  std::vector<RuleRuntime>& rules() { return rules_; }
  const std::vector<RuleRuntime>& rules() const { return rules_; }

  // Evaluates every rule at `ts_ms` (each queries at ts_ms minus the
  // group's query_offset), hands the series to ctx.sink rule by rule and
  // appends alerts and events to *out. `clock` times the evaluation.
  void Eval(const EvalContext& ctx, const RuleEvalOptions& opts, Clock* clock,
            int64_t ts_ms, EvalOutput* out);

  // True when some rule's alert state changed since the last clear.
  bool dirty() const;
  void clear_dirty();

  // Scheduling: the next evaluation is due at next_eval_ms (0: not yet
  // scheduled).
  int64_t next_eval_ms = 0;

  int64_t last_eval_ms() const { return last_eval_ms_; }
  int64_t eval_duration_ns() const { return eval_duration_ns_; }
  uint64_t evaluations_total() const { return evaluations_total_; }
  uint64_t failures_total() const { return failures_total_; }
  uint64_t sink_failures_total() const { return sink_failures_total_; }

 private:
  RuleGroup group_;
  std::string key_;
  int64_t interval_ms_;
  std::vector<RuleRuntime> rules_;
  int64_t last_eval_ms_ = 0;
  int64_t eval_duration_ns_ = 0;
  uint64_t evaluations_total_ = 0;  // Rule evaluations.
  uint64_t failures_total_ = 0;
  uint64_t sink_failures_total_ = 0;
  promql::Vector series_;  // Scratch, reused.
  std::vector<AlertTransition> changes_;
};

// The state-database key of a group: file + "\x1f" + name.
std::string GroupKey(const std::string& file, const std::string& name);

}  // namespace tend::alert

#endif  // TEND_ALERT_ENGINE_GROUP_RUNTIME_H_
