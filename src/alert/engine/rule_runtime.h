// RuleRuntime: one rule of a loaded group with what its evaluations left
// behind: health, the series it wrote (for stale markers) and, for an
// alert rule, its active alerts and their state machine, which follows
// Prometheus's rules/alerting.go:
//
//   - each sample of the result is an alert identified by its labels (the
//     sample's without __name__, then the rule's labels expanded as
//     templates, then alertname);
//   - a new one is pending with ActiveAt = the evaluation time; once it has
//     been active for `for` it fires (for: 0 fires at once);
//   - when its sample is gone a pending alert is dropped (no notification)
//     and a firing one is resolved (ResolvedAt), unless keep_firing_for
//     keeps it firing that long after the condition stopped;
//   - a resolved alert is kept, and handed on, for the resolved retention
//     (15 minutes) and then dropped; when the condition comes back it is a
//     new pending alert.
//
// Threads: owned by its group; used by one thread at a time (the
// manager's lock).
#ifndef TEND_ALERT_ENGINE_RULE_RUNTIME_H_
#define TEND_ALERT_ENGINE_RULE_RUNTIME_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "alert/alert.h"
#include "alert/engine/eval_context.h"
#include "alert/rule.h"
#include "model/labels.h"
#include "promql/engine.h"

namespace tend::alert {

enum class AlertState { kInactive, kPending, kFiring };
// "inactive", "pending", "firing".
std::string_view AlertStateName(AlertState s);
// The inverse; false for anything else.
bool ParseAlertState(std::string_view s, AlertState* out);

// Times are Unix milliseconds; 0 means unset.
struct ActiveAlert {
  Labels labels;       // Canonical.
  Labels annotations;  // Canonical.
  AlertState state = AlertState::kPending;
  int64_t active_at_ms = 0;
  int64_t fired_at_ms = 0;
  int64_t resolved_at_ms = 0;
  int64_t keep_firing_since_ms = 0;
  int64_t last_sent_ms = 0;
  double value = 0;
  // Derived, not persisted: the ALERTS and ALERTS_FOR_STATE series labels,
  // built when the state changes (empty: to be built).
  Labels alerts_series;
  Labels for_state_series;
  AlertState series_state = AlertState::kInactive;
};

// A change of an alert's state, for the event log.
struct AlertTransition {
  AlertState to = AlertState::kPending;  // kInactive means resolved.
  Labels labels;
  double value = 0;
  int64_t active_at_ms = 0;
  int64_t time_ms = 0;
};

enum class RuleHealth { kUnknown, kGood, kBad };
// "unknown", "ok", "err" (Prometheus's API words).
std::string_view RuleHealthName(RuleHealth h);

struct RuleEvalOptions {
  int64_t resolved_retention_ms = 15 * 60 * 1000;
  // A firing alert is handed on again once this long has passed since it
  // was last handed on (Prometheus's --rules.alert.resend-delay); 0 hands
  // every firing and resolved alert on at every evaluation.
  int64_t resend_delay_ms = 0;
  const Labels* external_labels = nullptr;  // For templates; may be null.
  std::string_view external_url;
};

class RuleRuntime {
 public:
  // `rule` is owned by the caller (the group) and must outlive this.
  explicit RuleRuntime(const Rule* rule) : rule_(rule) {}

  // Evaluates the rule at `ts_ms`, querying at ts_ms - query_offset_ms.
  // On success: the series to record are appended to *series (record
  // rules: the result renamed; alert rules: ALERTS and ALERTS_FOR_STATE,
  // plus stale markers for series gone since the last success), alert
  // state changes to *changes and the alerts to hand on to *notify. On
  // failure (query error, duplicate label sets, `limit` exceeded) the
  // error is returned and kept as the rule's health; alert state is left
  // as it was, except that exceeding `limit` drops every alert of the
  // rule (as Prometheus does). Health, last evaluation time and duration
  // are set either way. `generator` names the rule in handed-on alerts.
  Status Eval(const EvalContext& ctx, const RuleEvalOptions& opts,
              int64_t ts_ms, int64_t query_offset_ms, int64_t limit,
              std::string_view generator, promql::Vector* series,
              std::vector<AlertTransition>* changes, Alerts* notify);

  const Rule& rule() const { return *rule_; }
  void set_rule(const Rule* rule) { rule_ = rule; }

  // Alerts by HashLabels(labels).
  using AlertMap = std::unordered_map<uint64_t, ActiveAlert>;
  const AlertMap& alerts() const { return active_; }
  AlertMap& mutable_alerts() { return active_; }
  // The highest state of any alert (kInactive when none is active).
  AlertState State() const;

  RuleHealth health() const { return health_; }
  const std::string& last_error() const { return last_error_; }
  int64_t last_eval_ms() const { return last_eval_ms_; }
  int64_t eval_duration_ns() const { return eval_duration_ns_; }
  void SetEvalTiming(int64_t last_eval_ms, int64_t duration_ns) {
    last_eval_ms_ = last_eval_ms;
    eval_duration_ns_ = duration_ns;
  }

  // True when an evaluation changed what is persisted (an alert appeared,
  // changed state or was dropped); cleared by the caller.
  bool dirty() const { return dirty_; }
  void clear_dirty() { dirty_ = false; }
  void mark_dirty() { dirty_ = true; }

  // Moves health, alerts and the previous series from `old` (a rule of the
  // replaced configuration with the same name and expression).
  void TakeStateFrom(RuleRuntime&& old);

 private:
  Status EvalRecord(const promql::Vector& result, int64_t t_ms, int64_t limit,
                    promql::Vector* series);
  Status EvalAlert(const RuleEvalOptions& opts, const promql::Vector& result,
                   int64_t ts_ms, int64_t t_ms, int64_t limit,
                   std::string_view generator, promql::Vector* series,
                   std::vector<AlertTransition>* changes, Alerts* notify);
  // Appends stale markers for the series written last time but not now and
  // remembers this evaluation's series (the tail of *series from `from`,
  // identified by keys_[i - from]).
  void TrackSeries(promql::Vector* series, size_t from, int64_t t_ms);

  const Rule* rule_;
  AlertMap active_;
  RuleHealth health_ = RuleHealth::kUnknown;
  std::string last_error_;
  int64_t last_eval_ms_ = 0;
  int64_t eval_duration_ns_ = 0;
  bool dirty_ = false;
  // The series written at the last successful evaluation, by HashLabels,
  // with the generation that last wrote them (for stale markers).
  struct Tracked {
    Labels labels;
    uint64_t gen = 0;
  };
  std::unordered_map<uint64_t, Tracked> series_;
  uint64_t gen_ = 0;
  // Scratch for EvalAlert, kept to reuse its buckets: the alerts of the
  // result by label hash, with the index of their sample.
  struct Fresh {
    ActiveAlert alert;
    size_t sample = 0;
  };
  std::unordered_map<uint64_t, Fresh> fresh_;
  std::vector<uint64_t> keys_;  // Of the series being tracked.
};

}  // namespace tend::alert

#endif  // TEND_ALERT_ENGINE_RULE_RUNTIME_H_
