#include "alert/engine/rule_manager.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <utility>

#include "alert/engine/state_codec.h"
#include "base/log.h"

namespace tend::alert {
namespace {

constexpr std::string_view kStateNamespace = "alert_state";
// When rules were last evaluated: how long tend was down at a restart.
constexpr std::string_view kMetaNamespace = "alert_state_meta";
constexpr std::string_view kLastEvalKey = "last_eval";

Labels PairsToLabels(const std::vector<TemplatedPair>& pairs) {
  Labels out;
  out.reserve(pairs.size());
  for (const TemplatedPair& p : pairs) out.push_back({p.name, p.text});
  std::sort(out.begin(), out.end(),
            [](const Label& a, const Label& b) { return a.name < b.name; });
  return out;
}

bool HasAlerts(const GroupRuntime& g) {
  for (const RuleRuntime& r : g.rules()) {
    if (!r.alerts().empty()) return true;
  }
  return false;
}

std::string RuleGroupLabel(const GroupRuntime& g) {
  return g.group().file + ";" + g.group().name;
}

}  // namespace

RuleManager::RuleManager(RuleManagerOptions options, EvalContext ctx)
    : options_(std::move(options)),
      ctx_(ctx),
      clock_(options_.clock != nullptr ? options_.clock : Clock::Real()) {
  eval_opts_.resolved_retention_ms = options_.resolved_retention_ms;
  eval_opts_.resend_delay_ms = options_.resend_delay_ms;
  eval_opts_.external_labels = &options_.external_labels;
  eval_opts_.external_url = options_.external_url;
}

RuleManager::~RuleManager() = default;

int64_t RuleManager::OffsetOf(const GroupRuntime& g) const {
  // FNV-1a of the key: deterministic across restarts (std::hash is not
  // promised to be).
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : g.key()) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<int64_t>(h % static_cast<uint64_t>(g.interval_ms()));
}

Status RuleManager::Load(std::vector<RuleFile> files) {
  MutexLock lock(&mu_);
  std::map<std::string, std::unique_ptr<GroupRuntime>> old;
  for (auto& g : groups_) {
    std::string key = g->key();
    old.emplace(std::move(key), std::move(g));
  }
  groups_.clear();
  for (RuleFile& f : files) {
    for (RuleGroup& rg : f.groups) {
      if (rg.file.empty()) rg.file = f.path;
      const int64_t interval =
          rg.interval_ms > 0 ? rg.interval_ms : options_.default_interval_ms;
      auto g = std::make_unique<GroupRuntime>(std::move(rg),
                                              std::max<int64_t>(interval, 1));
      auto it = old.find(g->key());
      if (it != old.end()) {
        GroupRuntime& prev = *it->second;
        if (prev.interval_ms() == g->interval_ms()) {
          g->next_eval_ms = prev.next_eval_ms;
        }
        std::vector<bool> taken(prev.rules().size(), false);
        for (RuleRuntime& r : g->rules()) {
          for (size_t i = 0; i < prev.rules().size(); ++i) {
            const Rule& pr = prev.rules()[i].rule();
            if (taken[i] || pr.kind != r.rule().kind ||
                pr.name != r.rule().name || pr.expr != r.rule().expr) {
              continue;
            }
            taken[i] = true;
            r.TakeStateFrom(std::move(prev.rules()[i]));
            break;
          }
        }
        sink_failures_dropped_ += prev.sink_failures_total();
        old.erase(it);
      }
      groups_.push_back(std::move(g));
    }
  }
  for (auto& [k, g] : old) sink_failures_dropped_ += g->sink_failures_total();
  const int64_t now_ms = clock_->NowUnixNanos() / kNanosPerMilli;
  Status st;
  if (!loaded_) {
    loaded_ = true;
    st = RestoreLocked(now_ms);
  }
  Status w = WriteAllLocked(now_ms);
  return st.ok() ? w : st;
}

Status RuleManager::RestoreLocked(int64_t now_ms) {
  if (options_.db == nullptr) return Status::Ok();
  Result<std::vector<std::pair<std::string, std::string>>> saved =
      options_.db->List(kStateNamespace);
  if (!saved.ok()) {
    return saved.status().WithContext("restoring alert state");
  }
  int64_t last_eval_ms = 0;
  Result<std::string> meta = options_.db->Get(kMetaNamespace, kLastEvalKey);
  if (meta.ok()) {
    last_eval_ms = std::strtoll(meta->c_str(), nullptr, 10);
  } else if (meta.status().code() != StatusCode::kNotFound) {
    return meta.status().WithContext("restoring alert state");
  }
  std::map<std::string_view, GroupRuntime*> by_key;
  for (auto& g : groups_) by_key.emplace(g->key(), g.get());
  for (const auto& [key, value] : *saved) {
    auto it = by_key.find(key);
    if (it == by_key.end()) continue;  // Group gone: dropped.
    Result<SavedGroup> sg = DecodeGroupState(value);
    if (!sg.ok()) {
      LogWarn("ignoring saved alert state",
              {{"group", it->second->group().name}, {"err", sg.status()}});
      continue;
    }
    sg->saved_at_ms = std::max(sg->saved_at_ms, last_eval_ms);
    RestoreGroupLocked(*it->second, *sg, now_ms);
  }
  return Status::Ok();
}

void RuleManager::RestoreGroupLocked(GroupRuntime& g, SavedGroup& saved,
                                     int64_t now_ms) {
  std::vector<bool> claimed(g.rules().size(), false);
  auto find = [&](const SavedRule& sr, bool need_expr) -> RuleRuntime* {
    for (size_t i = 0; i < g.rules().size(); ++i) {
      const Rule& r = g.rules()[i].rule();
      if (claimed[i] || r.kind != RuleKind::kAlert || r.name != sr.name ||
          (need_expr && r.expr != sr.expr)) {
        continue;
      }
      claimed[i] = true;
      return &g.rules()[i];
    }
    return nullptr;
  };
  const int64_t down_at = saved.saved_at_ms;
  const bool outage_too_long = now_ms - down_at > options_.outage_tolerance_ms;
  for (SavedRule& sr : saved.rules) {
    RuleRuntime* target = find(sr, true);
    if (target == nullptr) target = find(sr, false);
    if (target == nullptr) continue;  // Rule gone: dropped.
    const int64_t hold = target->rule().for_ms;
    for (ActiveAlert& a : sr.alerts) {
      if (a.state == AlertState::kInactive &&
          now_ms - a.resolved_at_ms > options_.resolved_retention_ms) {
        continue;
      }
      if (a.state == AlertState::kPending) {
        // Prometheus's RestoreForState: no restore after a long outage or
        // for rules whose `for` is shorter than the grace period; the time
        // spent down does not count as pending; an alert that would fire
        // within the grace period waits for it.
        if (outage_too_long || hold < options_.for_grace_period_ms) continue;
        const int64_t remaining = hold - (down_at - a.active_at_ms);
        if (remaining <= 0) {
          // Would have fired: fires at the next evaluation.
        } else if (remaining < options_.for_grace_period_ms) {
          a.active_at_ms = now_ms + options_.for_grace_period_ms - hold;
        } else {
          a.active_at_ms += now_ms - down_at;
        }
      }
      const uint64_t h = HashLabels(a.labels);
      target->mutable_alerts()[h] = std::move(a);
    }
  }
}

Status RuleManager::WriteAllLocked(int64_t now_ms) {
  if (options_.db == nullptr) return Status::Ok();
  std::vector<std::pair<std::string, std::string>> values;
  for (auto& g : groups_) {
    if (HasAlerts(*g))
      values.emplace_back(g->key(), EncodeGroupState(*g, now_ms));
  }
  Status st = options_.db->PutAll(kStateNamespace, values, /*replace=*/true);
  if (!st.ok()) {
    ++state_write_failures_;
    for (auto& g : groups_) {
      for (RuleRuntime& r : g->rules()) r.mark_dirty();
    }
    return st.WithContext("saving alert state");
  }
  for (auto& g : groups_) g->clear_dirty();
  return Status::Ok();
}

void RuleManager::PersistLocked(int64_t now_ms, bool evaluated) {
  if (options_.db == nullptr) {
    for (auto& g : groups_) g->clear_dirty();
    return;
  }
  if (evaluated) {
    Status hb =
        options_.db->Put(kMetaNamespace, kLastEvalKey, std::to_string(now_ms));
    if (!hb.ok()) {
      ++state_write_failures_;
      LogWarn("saving alert state failed", {{"err", hb}});
    }
  }
  std::vector<std::pair<std::string, std::string>> puts;
  std::vector<GroupRuntime*> deletes;
  std::vector<GroupRuntime*> written;
  for (auto& g : groups_) {
    if (!g->dirty()) continue;
    if (HasAlerts(*g)) {
      puts.emplace_back(g->key(), EncodeGroupState(*g, now_ms));
    } else {
      deletes.push_back(g.get());
    }
    written.push_back(g.get());
  }
  if (written.empty()) return;
  Status st;
  if (!puts.empty()) st = options_.db->PutAll(kStateNamespace, puts, false);
  for (GroupRuntime* g : deletes) {
    if (!st.ok()) break;
    st = options_.db->Delete(kStateNamespace, g->key());
    if (st.code() == StatusCode::kNotFound) st = Status::Ok();
  }
  if (!st.ok()) {
    ++state_write_failures_;
    LogWarn("saving alert state failed", {{"err", st}});
    return;  // Still dirty: written again after the next evaluation.
  }
  for (GroupRuntime* g : written) g->clear_dirty();
}

void RuleManager::EvalGroupLocked(GroupRuntime& g, int64_t ts_ms,
                                  EvalOutput* out) {
  g.Eval(ctx_, eval_opts_, clock_, ts_ms, out);
}

EvalOutput RuleManager::EvaluateDue(int64_t now_ms) {
  EvalOutput out;
  MutexLock lock(&mu_);
  for (auto& gp : groups_) {
    GroupRuntime& g = *gp;
    const int64_t iv = g.interval_ms();
    if (g.next_eval_ms == 0) {
      const int64_t off = OffsetOf(g);
      int64_t slot = (now_ms - off) / iv * iv + off;
      if (slot < now_ms) slot += iv;
      g.next_eval_ms = slot;
    }
    if (now_ms < g.next_eval_ms) continue;
    // The latest slot at or before now; earlier missed ones are skipped.
    const int64_t ts = g.next_eval_ms + (now_ms - g.next_eval_ms) / iv * iv;
    EvalGroupLocked(g, ts, &out);
    g.next_eval_ms = ts + iv;
  }
  PersistLocked(now_ms, out.groups_evaluated > 0);
  return out;
}

EvalOutput RuleManager::EvaluateAll(int64_t ts_ms) {
  EvalOutput out;
  MutexLock lock(&mu_);
  for (auto& g : groups_) EvalGroupLocked(*g, ts_ms, &out);
  PersistLocked(ts_ms, out.groups_evaluated > 0);
  return out;
}

int64_t RuleManager::NextDueMs() const {
  MutexLock lock(&mu_);
  int64_t next = 0;
  for (const auto& g : groups_) {
    if (g->next_eval_ms != 0 && (next == 0 || g->next_eval_ms < next)) {
      next = g->next_eval_ms;
    }
  }
  return next;
}

size_t RuleManager::num_groups() const {
  MutexLock lock(&mu_);
  return groups_.size();
}

std::vector<GroupSnapshot> RuleManager::Snapshot() const {
  MutexLock lock(&mu_);
  std::vector<GroupSnapshot> out;
  out.reserve(groups_.size());
  for (const auto& gp : groups_) {
    const GroupRuntime& g = *gp;
    GroupSnapshot gs;
    gs.file = g.group().file;
    gs.name = g.group().name;
    gs.interval_ms = g.interval_ms();
    gs.limit = g.group().limit;
    gs.query_offset_ms = g.group().query_offset_ms;
    gs.last_eval_ms = g.last_eval_ms();
    gs.eval_duration_ns = g.eval_duration_ns();
    for (const RuleRuntime& r : g.rules()) {
      RuleSnapshot rs;
      const Rule& rule = r.rule();
      rs.kind = rule.kind;
      rs.language = rule.language;
      rs.name = rule.name;
      rs.query = rule.expr;
      rs.for_ms = rule.for_ms;
      rs.keep_firing_for_ms = rule.keep_firing_for_ms;
      rs.labels = PairsToLabels(rule.labels);
      rs.annotations = PairsToLabels(rule.annotations);
      rs.health = r.health();
      rs.last_error = r.last_error();
      rs.last_eval_ms = r.last_eval_ms();
      rs.eval_duration_ns = r.eval_duration_ns();
      rs.state = r.State();
      for (const auto& [h, a] : r.alerts()) {
        if (a.state == AlertState::kInactive) continue;
        rs.alerts.push_back({a.labels, a.annotations, a.state, a.active_at_ms,
                             a.fired_at_ms, a.resolved_at_ms,
                             a.keep_firing_since_ms, a.value});
      }
      std::sort(rs.alerts.begin(), rs.alerts.end(),
                [](const AlertSnapshot& a, const AlertSnapshot& b) {
                  return CompareLabels(a.labels, b.labels) < 0;
                });
      gs.rules.push_back(std::move(rs));
    }
    out.push_back(std::move(gs));
  }
  return out;
}

void RuleManager::CollectMetrics(MetricSet* out) const {
  MutexLock lock(&mu_);
  int64_t pending = 0;
  int64_t firing = 0;
  uint64_t sink_failures = sink_failures_dropped_;
  for (const auto& gp : groups_) {
    const GroupRuntime& g = *gp;
    const std::string rg = RuleGroupLabel(g);
    out->Counter("tend_rule_evaluations_total", "Rule evaluations, by group.",
                 static_cast<double>(g.evaluations_total()),
                 {{"rule_group", rg}});
    out->Counter("tend_rule_evaluation_failures_total",
                 "Rule evaluations that failed, by group.",
                 static_cast<double>(g.failures_total()), {{"rule_group", rg}});
    out->Gauge("tend_rule_group_last_duration_seconds",
               "How long the group's last evaluation took.",
               static_cast<double>(g.eval_duration_ns()) / 1e9,
               {{"rule_group", rg}});
    out->Gauge("tend_rule_group_last_evaluation_timestamp_seconds",
               "When the group was last evaluated (0: never).",
               static_cast<double>(g.last_eval_ms()) / 1e3,
               {{"rule_group", rg}});
    out->Gauge(
        "tend_rule_group_interval_seconds", "The group's evaluation interval.",
        static_cast<double>(g.interval_ms()) / 1e3, {{"rule_group", rg}});
    out->Gauge("tend_rule_group_rules", "Rules in the group.",
               static_cast<double>(g.rules().size()), {{"rule_group", rg}});
    sink_failures += g.sink_failures_total();
    for (const RuleRuntime& r : g.rules()) {
      for (const auto& [h, a] : r.alerts()) {
        if (a.state == AlertState::kPending) ++pending;
        if (a.state == AlertState::kFiring) ++firing;
      }
    }
  }
  out->Gauge("tend_alerts", "Active alerts, by state.",
             static_cast<double>(pending), {{"state", "pending"}});
  out->Gauge("tend_alerts", "Active alerts, by state.",
             static_cast<double>(firing), {{"state", "firing"}});
  out->Counter("tend_rule_state_write_failures_total",
               "Failed writes of alert state to the state database.",
               static_cast<double>(state_write_failures_));
  out->Counter("tend_rule_sink_failures_total",
               "Rule results the metric store refused.",
               static_cast<double>(sink_failures));
}

}  // namespace tend::alert
