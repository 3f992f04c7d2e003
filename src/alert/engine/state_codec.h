// The persisted state of one rule group's alerts (StateDb namespace
// "alert_state", key GroupKey(file, group)): a JSON object
//
//   {"v": 1, "saved_at": <ms>, "rules": [
//     {"name": "HighLoad", "expr": "load1 > 4", "alerts": [
//       {"labels": {...}, "annotations": {...}, "state": "firing",
//        "active_at": <ms>, "fired_at": <ms>, "resolved_at": <ms>,
//        "keep_firing_since": <ms>, "last_sent": <ms>, "value": 5.2}]}]}
//
// Times are Unix milliseconds (0: unset); a non-finite value is the string
// "NaN", "+Inf" or "-Inf". Only alert rules with alerts are written.
// Documented in docs/alerting.md ("Persistence").
#ifndef TEND_ALERT_ENGINE_STATE_CODEC_H_
#define TEND_ALERT_ENGINE_STATE_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "alert/engine/group_runtime.h"
#include "alert/engine/rule_runtime.h"
#include "base/status.h"

namespace tend::alert {

struct SavedRule {
  std::string name;
  std::string expr;
  std::vector<ActiveAlert> alerts;
};

struct SavedGroup {
  int64_t saved_at_ms = 0;
  std::vector<SavedRule> rules;
};

// Encodes the group's active alerts (alerts sorted by labels, so equal
// states encode equally).
std::string EncodeGroupState(const GroupRuntime& group, int64_t saved_at_ms);

// kDataLoss naming what is wrong for anything EncodeGroupState did not
// write (a damaged or foreign value).
Result<SavedGroup> DecodeGroupState(std::string_view data);

}  // namespace tend::alert

#endif  // TEND_ALERT_ENGINE_STATE_CODEC_H_
