// RuleManager: the loaded rule groups, their evaluation schedule, alert
// state that survives configuration reloads and restarts, and what the API
// and the self metrics show of them.
//
//   RuleManager m(options, ctx);
//   RETURN_IF_ERROR(m.Load(files));           // restores saved state
//   EvalOutput out = m.EvaluateDue(now_ms);   // on the loop's timer
//   notifier.Add(out.alerts); events.Append(out.events);
//
// Persistence: after an evaluation, every group whose alert state changed
// (an alert appeared, changed state or went away) is written to the state
// database (namespace "alert_state", key GroupKey(file, group), value
// state_codec.h); a failed write is logged, counted and retried after the
// next evaluation. The first Load restores it: firing alerts stay firing
// with their original start (no second "firing" event), resolved ones are
// still handed on until their retention ends, pending ones keep ActiveAt
// as Prometheus's restore-for-state computes it (for_grace_period,
// outage_tolerance). Saved rules whose file, group or name no longer exist
// are dropped.
//
// Threads: every member may be called from any thread (one mutex).
// EvaluateDue/EvaluateAll run the queries and write the state database
// while holding it, so call them from a worker, not the event loop; API
// snapshots wait for a running evaluation.
#ifndef TEND_ALERT_ENGINE_RULE_MANAGER_H_
#define TEND_ALERT_ENGINE_RULE_MANAGER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "alert/engine/eval_context.h"
#include "alert/engine/group_runtime.h"
#include "alert/engine/snapshot.h"
#include "alert/rule.h"
#include "base/clock.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "metrics/metric.h"
#include "state/state_db.h"

namespace tend::alert {

struct SavedGroup;

struct RuleManagerOptions {
  // Of groups without their own `interval` (Prometheus's
  // evaluation_interval).
  int64_t default_interval_ms = 60'000;
  int64_t resolved_retention_ms = 15 * 60'000;
  // See RuleEvalOptions::resend_delay_ms.
  int64_t resend_delay_ms = 0;
  // Restoring pending alerts (Prometheus's rules.alert.for-grace-period and
  // for-outage-tolerance).
  int64_t for_grace_period_ms = 10 * 60'000;
  int64_t outage_tolerance_ms = 60 * 60'000;
  Labels external_labels;    // $externalLabels in templates.
  std::string external_url;  // $externalURL.
  Clock* clock = nullptr;    // nullptr: Clock::Real(). Not owned.
  // nullptr: nothing is persisted or restored. Not owned.
  state::StateDb* db = nullptr;
};

class RuleManager {
 public:
  // `ctx`'s members are not owned and must outlive the manager.
  RuleManager(RuleManagerOptions options, EvalContext ctx);
  ~RuleManager();
  RuleManager(const RuleManager&) = delete;
  RuleManager& operator=(const RuleManager&) = delete;

  // Replaces the loaded rules with `files`. A rule that was loaded before
  // (same file, group, rule name and expression) keeps its alerts, health
  // and stale-marker bookkeeping; a group keeps its schedule while its
  // interval is unchanged. The first call restores the state saved in the
  // database. The rules are installed even when the database fails; the
  // error is returned.
  Status Load(std::vector<RuleFile> files);

  // Evaluates every group whose next evaluation is due at `now_ms`.
  // Groups are evaluated at fixed slots, interval apart, offset within the
  // interval by a hash of the group's key (so groups do not all run at
  // once); the evaluation time is the slot, and slots missed entirely are
  // skipped. A group is first scheduled at its first slot at or after the
  // first call's `now_ms`.
  EvalOutput EvaluateDue(int64_t now_ms);
  // Evaluates every group at `ts_ms`, regardless of the schedule.
  EvalOutput EvaluateAll(int64_t ts_ms);
  // The earliest scheduled evaluation, or 0 when nothing is scheduled yet
  // (before the first EvaluateDue).
  int64_t NextDueMs() const;

  std::vector<GroupSnapshot> Snapshot() const;

  // tend_rule_evaluations_total, tend_rule_evaluation_failures_total,
  // tend_rule_group_last_duration_seconds,
  // tend_rule_group_last_evaluation_timestamp_seconds,
  // tend_rule_group_interval_seconds, tend_rule_group_rules (labelled
  // rule_group="<file>;<group>"), tend_alerts{state="pending"|"firing"},
  // tend_rule_state_write_failures_total, tend_rule_sink_failures_total.
  void CollectMetrics(MetricSet* out) const;

  size_t num_groups() const;

 private:
  void EvalGroupLocked(GroupRuntime& g, int64_t ts_ms, EvalOutput* out)
      REQUIRES(mu_);
  // Writes dirty groups and, when `evaluated`, the last evaluation time.
  void PersistLocked(int64_t now_ms, bool evaluated) REQUIRES(mu_);
  Status RestoreLocked(int64_t now_ms) REQUIRES(mu_);
  void RestoreGroupLocked(GroupRuntime& g, SavedGroup& saved, int64_t now_ms)
      REQUIRES(mu_);
  Status WriteAllLocked(int64_t now_ms) REQUIRES(mu_);
  int64_t OffsetOf(const GroupRuntime& g) const;

  const RuleManagerOptions options_;
  const EvalContext ctx_;
  Clock* const clock_;
  RuleEvalOptions eval_opts_;

  mutable Mutex mu_;
  std::vector<std::unique_ptr<GroupRuntime>> groups_ GUARDED_BY(mu_);
  bool loaded_ GUARDED_BY(mu_) = false;
  uint64_t state_write_failures_ GUARDED_BY(mu_) = 0;
  // Sink failures of groups dropped by a reload.
  uint64_t sink_failures_dropped_ GUARDED_BY(mu_) = 0;
};

}  // namespace tend::alert

#endif  // TEND_ALERT_ENGINE_RULE_MANAGER_H_
