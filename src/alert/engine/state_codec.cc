#include "alert/engine/state_codec.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "model/labels_json.h"

namespace tend::alert {
namespace {

using nlohmann::json;

json ValueJson(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return v;
}

bool ReadLabels(const json& j, bool annotations, Labels* out) {
  if (!j.is_object()) return false;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it.value().is_string()) return false;
    out->push_back({it.key(), it.value().get<std::string>()});
  }
  // json objects iterate in key order: already sorted.
  if (!annotations) CanonicalizeLabels(out);
  return true;
}

bool ReadInt(const json& obj, const char* name, int64_t* out) {
  auto it = obj.find(name);
  if (it == obj.end()) {
    *out = 0;
    return true;
  }
  if (!it->is_number_integer()) return false;
  *out = it->get<int64_t>();
  return true;
}

bool ReadValue(const json& obj, double* out) {
  auto it = obj.find("value");
  if (it == obj.end()) {
    *out = 0;
    return true;
  }
  if (it->is_number()) {
    *out = it->get<double>();
    return true;
  }
  if (!it->is_string()) return false;
  const std::string& s = it->get_ref<const std::string&>();
  if (s == "NaN") {
    *out = std::numeric_limits<double>::quiet_NaN();
  } else if (s == "+Inf") {
    *out = std::numeric_limits<double>::infinity();
  } else if (s == "-Inf") {
    *out = -std::numeric_limits<double>::infinity();
  } else {
    return false;
  }
  return true;
}

Status Bad(const std::string& what) {
  return DataLossError("alert state record: " + what);
}

}  // namespace

std::string EncodeGroupState(const GroupRuntime& group, int64_t saved_at_ms) {
  json rules = json::array();
  for (const RuleRuntime& r : group.rules()) {
    if (r.rule().kind != RuleKind::kAlert || r.alerts().empty()) continue;
    std::vector<const ActiveAlert*> sorted;
    sorted.reserve(r.alerts().size());
    for (const auto& [h, a] : r.alerts()) sorted.push_back(&a);
    std::sort(sorted.begin(), sorted.end(),
              [](const ActiveAlert* a, const ActiveAlert* b) {
                return CompareLabels(a->labels, b->labels) < 0;
              });
    json alerts = json::array();
    for (const ActiveAlert* a : sorted) {
      json o;
      o["labels"] = LabelsToJson(a->labels);
      o["annotations"] = LabelsToJson(a->annotations);
      o["state"] = std::string(AlertStateName(a->state));
      o["active_at"] = a->active_at_ms;
      o["fired_at"] = a->fired_at_ms;
      o["resolved_at"] = a->resolved_at_ms;
      o["keep_firing_since"] = a->keep_firing_since_ms;
      o["last_sent"] = a->last_sent_ms;
      o["value"] = ValueJson(a->value);
      alerts.push_back(std::move(o));
    }
    json jr;
    jr["name"] = r.rule().name;
    jr["expr"] = r.rule().expr;
    jr["alerts"] = std::move(alerts);
    rules.push_back(std::move(jr));
  }
  json root;
  root["v"] = 1;
  root["saved_at"] = saved_at_ms;
  root["rules"] = std::move(rules);
  return root.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<SavedGroup> DecodeGroupState(std::string_view data) {
  json root = json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) return Bad("not JSON");
  auto v = root.find("v");
  if (v == root.end() || !v->is_number_integer() || v->get<int64_t>() != 1) {
    return Bad("unknown version");
  }
  SavedGroup g;
  if (!ReadInt(root, "saved_at", &g.saved_at_ms)) return Bad("bad saved_at");
  auto rules = root.find("rules");
  if (rules == root.end() || !rules->is_array()) return Bad("no rules");
  for (const json& jr : *rules) {
    if (!jr.is_object()) return Bad("rule is not an object");
    SavedRule r;
    auto name = jr.find("name");
    auto expr = jr.find("expr");
    auto alerts = jr.find("alerts");
    if (name == jr.end() || !name->is_string() || expr == jr.end() ||
        !expr->is_string() || alerts == jr.end() || !alerts->is_array()) {
      return Bad("rule without name, expr or alerts");
    }
    r.name = name->get<std::string>();
    r.expr = expr->get<std::string>();
    for (const json& ja : *alerts) {
      if (!ja.is_object()) return Bad("alert is not an object");
      ActiveAlert a;
      auto labels = ja.find("labels");
      auto ann = ja.find("annotations");
      auto st = ja.find("state");
      if (labels == ja.end() || !ReadLabels(*labels, false, &a.labels)) {
        return Bad("alert of " + r.name + " has bad labels");
      }
      if (ann != ja.end() && !ReadLabels(*ann, true, &a.annotations)) {
        return Bad("alert of " + r.name + " has bad annotations");
      }
      if (st == ja.end() || !st->is_string() ||
          !ParseAlertState(st->get_ref<const std::string&>(), &a.state)) {
        return Bad("alert of " + r.name + " has a bad state");
      }
      if (!ReadInt(ja, "active_at", &a.active_at_ms) ||
          !ReadInt(ja, "fired_at", &a.fired_at_ms) ||
          !ReadInt(ja, "resolved_at", &a.resolved_at_ms) ||
          !ReadInt(ja, "keep_firing_since", &a.keep_firing_since_ms) ||
          !ReadInt(ja, "last_sent", &a.last_sent_ms) ||
          !ReadValue(ja, &a.value)) {
        return Bad("alert of " + r.name + " has a bad time or value");
      }
      r.alerts.push_back(std::move(a));
    }
    g.rules.push_back(std::move(r));
  }
  return g;
}

}  // namespace tend::alert
