// The data of Prometheus's GET /api/v1/rules and GET /api/v1/alerts, built
// from RuleManager::Snapshot (the caller wraps it in {"status": "success",
// "data": ...}). Field names and types follow Prometheus's API
// documentation: times are RFC 3339 strings in UTC, durations are seconds
// as numbers, an alert's value is a string ("1e+00"), labels and
// annotations are objects.
#ifndef TEND_ALERT_ENGINE_API_JSON_H_
#define TEND_ALERT_ENGINE_API_JSON_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "alert/engine/snapshot.h"
#include "base/time_format.h"

namespace tend::alert {

// The query parameters of /api/v1/rules. Empty lists match everything.
struct RulesFilter {
  std::string type;  // "", "alert" or "record".
  std::vector<std::string> rule_names;
  std::vector<std::string> rule_groups;
  std::vector<std::string> files;
};

// {"groups": [{"name", "file", "interval", "limit", "rules": [...],
// "evaluationTime", "lastEvaluation"}]}; groups left without rules by the
// filter are omitted (as Prometheus does when filtering).
nlohmann::json RulesData(const std::vector<GroupSnapshot>& groups,
                         const RulesFilter& filter = {});

// {"alerts": [{"labels", "annotations", "state", "activeAt",
// "keepFiringSince" (when set), "value"}]}: pending and firing alerts.
nlohmann::json AlertsData(const std::vector<GroupSnapshot>& groups);

// One alert as both endpoints show it.
nlohmann::json AlertJson(const AlertSnapshot& a);

// Go's time.Time JSON form (base/time_format.h).
inline std::string FormatApiTime(int64_t unix_ms) {
  return FormatGoTime(unix_ms);
}

// Go's strconv.FormatFloat(v, 'e', -1, 64): "1e+00", "3.5e-01", "NaN",
// "+Inf".
std::string FormatApiValue(double v);

}  // namespace tend::alert

#endif  // TEND_ALERT_ENGINE_API_JSON_H_
