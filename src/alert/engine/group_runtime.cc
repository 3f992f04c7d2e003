#include "alert/engine/group_runtime.h"

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "base/log.h"
#include "model/labels_json.h"

namespace tend::alert {
namespace {

std::string_view EventOutcome(AlertState to) {
  switch (to) {
    case AlertState::kPending:
      return "pending";
    case AlertState::kFiring:
      return "firing";
    case AlertState::kInactive:
      return "resolved";
  }
  return "resolved";
}

state::Event ToEvent(const AlertTransition& c, const RuleGroup& g) {
  state::Event e;
  e.time_ms = c.time_ms;
  e.kind = "alert";
  e.subject = std::string(GetLabel(c.labels, "alertname"));
  e.outcome = std::string(EventOutcome(c.to));
  e.message = e.subject + " " + e.outcome + " " + LabelsToString(c.labels);
  nlohmann::json d;
  d["labels"] = LabelsToJson(c.labels);
  d["value"] = c.value;
  d["active_at_ms"] = c.active_at_ms;
  d["group"] = g.name;
  d["file"] = g.file;
  // Non-finite values are not JSON numbers: keep them as text.
  e.details_json =
      d.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return e;
}

// Query-string escaping as Go's url.QueryEscape (space as '+').
void QueryEscape(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
        c == '~') {
      out->push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out->push_back('+');
    } else {
      out->push_back('%');
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    }
  }
}

// Where an alert came from, as a link that works: the rule's query at this
// agent's API (Prometheus links to its /graph page, which tend has not).
void GeneratorUrl(std::string_view external_url, const Rule& rule,
                  std::string* out) {
  out->assign(external_url);
  out->append(rule.language == QueryLanguage::kLogQL
                  ? "/loki/api/v1/query?query="
                  : "/api/v1/query?query=");
  QueryEscape(rule.expr, out);
}

}  // namespace

std::string GroupKey(const std::string& file, const std::string& name) {
  std::string k = file;
  k += '\x1f';
  k += name;
  return k;
}

GroupRuntime::GroupRuntime(RuleGroup group, int64_t interval_ms)
    : group_(std::move(group)),
      key_(GroupKey(group_.file, group_.name)),
      interval_ms_(interval_ms) {
  rules_.reserve(group_.rules.size());
  for (const Rule& r : group_.rules) rules_.emplace_back(&r);
}

void GroupRuntime::Eval(const EvalContext& ctx, const RuleEvalOptions& opts,
                        Clock* clock, int64_t ts_ms, EvalOutput* out) {
  const int64_t group_start = clock->MonotonicNanos();
  std::string generator;
  for (RuleRuntime& r : rules_) {
    const int64_t start = clock->MonotonicNanos();
    series_.clear();
    changes_.clear();
    GeneratorUrl(opts.external_url, r.rule(), &generator);
    ++evaluations_total_;
    Status st = r.Eval(ctx, opts, ts_ms, group_.query_offset_ms, group_.limit,
                       generator, &series_, &changes_, &out->alerts);
    if (!st.ok()) {
      ++failures_total_;
      ++out->rule_failures;
      LogWarn("rule evaluation failed", {{"file", group_.file},
                                         {"group", group_.name},
                                         {"rule", r.rule().name},
                                         {"err", st.message()}});
    }
    if (ctx.sink != nullptr && !series_.empty()) {
      Status s = ctx.sink->Append(series_);
      if (!s.ok()) {
        ++sink_failures_total_;
        LogWarn("storing rule results failed", {{"group", group_.name},
                                                {"rule", r.rule().name},
                                                {"err", s.message()}});
      }
    }
    for (const AlertTransition& c : changes_) {
      out->events.push_back(ToEvent(c, group_));
    }
    r.SetEvalTiming(ts_ms, clock->MonotonicNanos() - start);
  }
  last_eval_ms_ = ts_ms;
  eval_duration_ns_ = clock->MonotonicNanos() - group_start;
  ++out->groups_evaluated;
}

bool GroupRuntime::dirty() const {
  for (const RuleRuntime& r : rules_) {
    if (r.dirty()) return true;
  }
  return false;
}

void GroupRuntime::clear_dirty() {
  for (RuleRuntime& r : rules_) r.clear_dirty();
}

}  // namespace tend::alert
