// Copies of the rule manager's state for the API (taken under its lock,
// then encoded without it). Times are Unix milliseconds, 0 when unset.
#ifndef TEND_ALERT_ENGINE_SNAPSHOT_H_
#define TEND_ALERT_ENGINE_SNAPSHOT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "alert/engine/rule_runtime.h"
#include "alert/rule.h"
#include "model/labels.h"

namespace tend::alert {

struct AlertSnapshot {
  Labels labels;
  Labels annotations;
  AlertState state = AlertState::kPending;
  int64_t active_at_ms = 0;
  int64_t fired_at_ms = 0;
  int64_t resolved_at_ms = 0;
  int64_t keep_firing_since_ms = 0;
  double value = 0;
};

struct RuleSnapshot {
  RuleKind kind = RuleKind::kAlert;
  QueryLanguage language = QueryLanguage::kPromQL;
  std::string name;
  std::string query;
  int64_t for_ms = 0;
  int64_t keep_firing_for_ms = 0;
  Labels labels;       // As written (templates unexpanded), by name.
  Labels annotations;  // As written, by name.
  RuleHealth health = RuleHealth::kUnknown;
  std::string last_error;
  int64_t last_eval_ms = 0;
  int64_t eval_duration_ns = 0;
  AlertState state = AlertState::kInactive;
  // Pending and firing alerts (not resolved ones), sorted by labels.
  std::vector<AlertSnapshot> alerts;
};

struct GroupSnapshot {
  std::string file;
  std::string name;
  int64_t interval_ms = 0;
  int64_t limit = 0;
  int64_t query_offset_ms = 0;
  int64_t last_eval_ms = 0;
  int64_t eval_duration_ns = 0;
  std::vector<RuleSnapshot> rules;
};

}  // namespace tend::alert

#endif  // TEND_ALERT_ENGINE_SNAPSHOT_H_
