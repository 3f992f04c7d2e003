#include "alert/engine/api_json.h"

#include <time.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "base/time_format.h"
#include "model/labels_json.h"

namespace tend::alert {
namespace {

using nlohmann::json;

bool Matches(const std::vector<std::string>& want, const std::string& v) {
  return want.empty() || std::find(want.begin(), want.end(), v) != want.end();
}

double Seconds(int64_t ms) { return static_cast<double>(ms) / 1e3; }

json RuleJson(const RuleSnapshot& r) {
  json o;
  if (r.kind == RuleKind::kAlert) {
    o["state"] = std::string(AlertStateName(r.state));
    o["name"] = r.name;
    o["query"] = r.query;
    o["duration"] = Seconds(r.for_ms);
    o["keepFiringFor"] = Seconds(r.keep_firing_for_ms);
    o["labels"] = LabelsToJson(r.labels);
    o["annotations"] = LabelsToJson(r.annotations);
    json alerts = json::array();
    for (const AlertSnapshot& a : r.alerts) alerts.push_back(AlertJson(a));
    o["alerts"] = std::move(alerts);
  } else {
    o["name"] = r.name;
    o["query"] = r.query;
    if (!r.labels.empty()) o["labels"] = LabelsToJson(r.labels);
  }
  o["health"] = std::string(RuleHealthName(r.health));
  if (!r.last_error.empty()) o["lastError"] = r.last_error;
  o["evaluationTime"] = static_cast<double>(r.eval_duration_ns) / 1e9;
  o["lastEvaluation"] = FormatApiTime(r.last_eval_ms);
  o["type"] = r.kind == RuleKind::kAlert ? "alerting" : "recording";
  return o;
}

}  // namespace

std::string FormatApiValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto res =
      std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  return std::string(buf, res.ptr);
}

json AlertJson(const AlertSnapshot& a) {
  json o;
  o["labels"] = LabelsToJson(a.labels);
  o["annotations"] = LabelsToJson(a.annotations);
  o["state"] = std::string(AlertStateName(a.state));
  o["activeAt"] = FormatApiTime(a.active_at_ms);
  if (a.keep_firing_since_ms != 0) {
    o["keepFiringSince"] = FormatApiTime(a.keep_firing_since_ms);
  }
  o["value"] = FormatApiValue(a.value);
  return o;
}

json RulesData(const std::vector<GroupSnapshot>& groups,
               const RulesFilter& filter) {
  const bool filtering = !filter.type.empty() || !filter.rule_names.empty() ||
                         !filter.rule_groups.empty() || !filter.files.empty();
  json out_groups = json::array();
  for (const GroupSnapshot& g : groups) {
    if (!Matches(filter.rule_groups, g.name) ||
        !Matches(filter.files, g.file)) {
      continue;
    }
    json rules = json::array();
    for (const RuleSnapshot& r : g.rules) {
      if (filter.type == "alert" && r.kind != RuleKind::kAlert) continue;
      if (filter.type == "record" && r.kind != RuleKind::kRecord) continue;
      if (!Matches(filter.rule_names, r.name)) continue;
      rules.push_back(RuleJson(r));
    }
    if (filtering && rules.empty()) continue;
    json o;
    o["name"] = g.name;
    o["file"] = g.file;
    o["rules"] = std::move(rules);
    o["interval"] = Seconds(g.interval_ms);
    o["limit"] = g.limit;
    o["evaluationTime"] = static_cast<double>(g.eval_duration_ns) / 1e9;
    o["lastEvaluation"] = FormatApiTime(g.last_eval_ms);
    out_groups.push_back(std::move(o));
  }
  json data;
  data["groups"] = std::move(out_groups);
  return data;
}

json AlertsData(const std::vector<GroupSnapshot>& groups) {
  json alerts = json::array();
  for (const GroupSnapshot& g : groups) {
    for (const RuleSnapshot& r : g.rules) {
      for (const AlertSnapshot& a : r.alerts) alerts.push_back(AlertJson(a));
    }
  }
  json data;
  data["alerts"] = std::move(alerts);
  return data;
}

}  // namespace tend::alert
