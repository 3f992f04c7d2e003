#include "alert/engine/rule_runtime.h"

#include <algorithm>
#include <bit>
#include <string>
#include <utility>

#include "alert/template/template.h"
#include "model/point.h"

namespace tend::alert {
namespace {

constexpr std::string_view kAlertNameLabel = "alertname";
constexpr std::string_view kAlertStateLabel = "alertstate";
constexpr std::string_view kAlertsMetric = "ALERTS";
constexpr std::string_view kAlertsForStateMetric = "ALERTS_FOR_STATE";

// Expands one templated label or annotation. A template error does not
// fail the rule: the value says what went wrong, as in Prometheus.
std::string Expand(const TemplatedPair& p, const Labels& labels, double value,
                   const RuleEvalOptions& opts) {
  if (p.tmpl == nullptr || p.tmpl->IsPlainText()) return p.text;
  tmpl::TemplateData data;
  data.labels = &labels;
  data.value = value;
  data.external_labels = opts.external_labels;
  data.external_url = opts.external_url;
  Result<std::string> out = p.tmpl->Execute(data);
  if (!out.ok()) {
    return "<error expanding template: " + out.status().message() + ">";
  }
  return std::move(*out);
}

// Annotations keep empty values (unlike labels) and are sorted by name.
void SortAnnotations(Labels* a) {
  std::sort(a->begin(), a->end(),
            [](const Label& x, const Label& y) { return x.name < y.name; });
}

// A key for one of an alert's series: its label hash mixed with which
// series it is (splitmix64 finalizer).
uint64_t MixKey(uint64_t h, uint64_t which) {
  uint64_t x = h + 0x9e3779b97f4a7c15ull * (which + 1);
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Go's time.Unix(): whole seconds, rounded toward minus infinity.
double UnixSeconds(int64_t ms) {
  int64_t s = ms / 1000;
  if (ms % 1000 < 0) --s;
  return static_cast<double>(s);
}

}  // namespace

std::string_view AlertStateName(AlertState s) {
  switch (s) {
    case AlertState::kInactive:
      return "inactive";
    case AlertState::kPending:
      return "pending";
    case AlertState::kFiring:
      return "firing";
  }
  return "inactive";
}

bool ParseAlertState(std::string_view s, AlertState* out) {
  for (AlertState st :
       {AlertState::kInactive, AlertState::kPending, AlertState::kFiring}) {
    if (s == AlertStateName(st)) {
      *out = st;
      return true;
    }
  }
  return false;
}

std::string_view RuleHealthName(RuleHealth h) {
  switch (h) {
    case RuleHealth::kUnknown:
      return "unknown";
    case RuleHealth::kGood:
      return "ok";
    case RuleHealth::kBad:
      return "err";
  }
  return "unknown";
}

AlertState RuleRuntime::State() const {
  AlertState max = AlertState::kInactive;
  for (const auto& [h, a] : active_) {
    if (a.state == AlertState::kFiring) return AlertState::kFiring;
    if (a.state == AlertState::kPending) max = AlertState::kPending;
  }
  return max;
}

void RuleRuntime::TakeStateFrom(RuleRuntime&& old) {
  active_ = std::move(old.active_);
  health_ = old.health_;
  last_error_ = std::move(old.last_error_);
  last_eval_ms_ = old.last_eval_ms_;
  eval_duration_ns_ = old.eval_duration_ns_;
  series_ = std::move(old.series_);
  gen_ = old.gen_;
  dirty_ = dirty_ || old.dirty_;
}

Status RuleRuntime::Eval(const EvalContext& ctx, const RuleEvalOptions& opts,
                         int64_t ts_ms, int64_t query_offset_ms, int64_t limit,
                         std::string_view generator, promql::Vector* series,
                         std::vector<AlertTransition>* changes,
                         Alerts* notify) {
  const int64_t t_ms = ts_ms - query_offset_ms;
  Result<promql::Vector> result = QueryRule(ctx, *rule_, t_ms);
  Status st;
  if (!result.ok()) {
    st = result.status();
  } else if (rule_->kind == RuleKind::kRecord) {
    st = EvalRecord(*result, t_ms, limit, series);
  } else {
    st = EvalAlert(opts, *result, ts_ms, t_ms, limit, generator, series,
                   changes, notify);
  }
  if (st.ok()) {
    health_ = RuleHealth::kGood;
    last_error_.clear();
  } else {
    health_ = RuleHealth::kBad;
    last_error_ = st.message();
  }
  return st;
}

Status RuleRuntime::EvalRecord(const promql::Vector& result, int64_t t_ms,
                               int64_t limit, promql::Vector* series) {
  const size_t from = series->size();
  series->reserve(from + result.size());
  for (const promql::VectorSample& s : result) {
    promql::VectorSample out;
    out.labels = s.labels;
    SetLabel(&out.labels, kMetricNameLabel, rule_->name);
    for (const TemplatedPair& p : rule_->labels) {
      SetLabel(&out.labels, p.name, p.text);
    }
    out.t = t_ms;
    out.v = s.v;
    series->push_back(std::move(out));
  }
  // Identical label sets after relabelling: Prometheus's error. Sorting a
  // list of positions keeps the result's order for the sink.
  if (series->size() - from > 1) {
    std::vector<uint32_t> order(series->size() - from);
    for (size_t i = 0; i < order.size(); ++i) order[i] = i + from;
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return CompareLabels((*series)[a].labels, (*series)[b].labels) < 0;
    });
    for (size_t i = 1; i < order.size(); ++i) {
      if (CompareLabels((*series)[order[i - 1]].labels,
                        (*series)[order[i]].labels) == 0) {
        series->resize(from);
        return FailedPreconditionError(
            "vector contains metrics with the same labelset after applying "
            "rule labels");
      }
    }
  }
  const int64_t n = static_cast<int64_t>(series->size() - from);
  if (limit > 0 && n > limit) {
    series->resize(from);
    return FailedPreconditionError("exceeded limit of " +
                                   std::to_string(limit) + " with " +
                                   std::to_string(n) + " series");
  }
  keys_.clear();
  TrackSeries(series, from, t_ms);
  return Status::Ok();
}

Status RuleRuntime::EvalAlert(const RuleEvalOptions& opts,
                              const promql::Vector& result, int64_t ts_ms,
                              int64_t t_ms, int64_t limit,
                              std::string_view generator,
                              promql::Vector* series,
                              std::vector<AlertTransition>* changes,
                              Alerts* notify) {
  // The alerts the result asks for, before anything is changed (so an
  // error leaves the state as it was).
  fresh_.clear();
  fresh_.reserve(result.size());
  for (size_t i = 0; i < result.size(); ++i) {
    const promql::VectorSample& s = result[i];
    ActiveAlert a;
    a.labels = s.labels;
    RemoveLabel(&a.labels, kMetricNameLabel);
    for (const TemplatedPair& p : rule_->labels) {
      SetLabel(&a.labels, p.name, Expand(p, s.labels, s.v, opts));
    }
    SetLabel(&a.labels, kAlertNameLabel, rule_->name);
    a.value = s.v;
    a.active_at_ms = ts_ms;
    a.state = AlertState::kPending;
    const uint64_t h = HashLabels(a.labels);
    auto [it, inserted] = fresh_.try_emplace(h);
    if (!inserted) {
      return FailedPreconditionError(
          "vector contains metrics with the same labelset after applying "
          "alert labels");
    }
    it->second.alert = std::move(a);
    it->second.sample = i;
  }

  // Annotations are expanded for new alerts and when the value changed
  // (they see only the labels, which identify the alert, and the value).
  auto expand_annotations = [&](ActiveAlert* a, size_t sample) {
    if (rule_->annotations.empty()) return;
    const promql::VectorSample& s = result[sample];
    Labels ann;
    ann.reserve(rule_->annotations.size());
    for (const TemplatedPair& p : rule_->annotations) {
      ann.push_back({p.name, Expand(p, s.labels, s.v, opts)});
    }
    SortAnnotations(&ann);
    if (ann != a->annotations) a->annotations = std::move(ann);
  };
  std::vector<AlertTransition> local_changes;
  for (auto& [h, f] : fresh_) {
    auto it = active_.find(h);
    if (it != active_.end() && it->second.state != AlertState::kInactive) {
      ActiveAlert& cur = it->second;
      if (std::bit_cast<uint64_t>(cur.value) !=
          std::bit_cast<uint64_t>(f.alert.value)) {
        cur.value = f.alert.value;
        expand_annotations(&cur, f.sample);
      }
      continue;
    }
    expand_annotations(&f.alert, f.sample);
    active_[h] = std::move(f.alert);
    dirty_ = true;
  }

  const size_t from = series->size();
  keys_.clear();
  int64_t num_active = 0;
  for (auto it = active_.begin(); it != active_.end();) {
    ActiveAlert& a = it->second;
    if (fresh_.find(it->first) == fresh_.end()) {
      bool keep_firing = false;
      if (a.state == AlertState::kFiring && rule_->keep_firing_for_ms > 0) {
        if (a.keep_firing_since_ms == 0) {
          a.keep_firing_since_ms = ts_ms;
          dirty_ = true;
        }
        if (ts_ms - a.keep_firing_since_ms < rule_->keep_firing_for_ms) {
          keep_firing = true;
        }
      }
      // A pending alert that is gone is dropped without notice; a
      // resolved one is dropped once it has been handed on long enough.
      if (a.state == AlertState::kPending ||
          (a.resolved_at_ms != 0 &&
           ts_ms - a.resolved_at_ms > opts.resolved_retention_ms)) {
        it = active_.erase(it);
        dirty_ = true;
        continue;
      }
      if (a.state != AlertState::kInactive && !keep_firing) {
        a.state = AlertState::kInactive;
        a.resolved_at_ms = ts_ms;
        dirty_ = true;
        local_changes.push_back(
            {AlertState::kInactive, a.labels, a.value, a.active_at_ms, ts_ms});
      }
      if (!keep_firing) {
        ++it;
        continue;
      }
    } else if (a.keep_firing_since_ms != 0) {
      a.keep_firing_since_ms = 0;
      dirty_ = true;
    }
    ++num_active;
    if (a.state == AlertState::kPending &&
        ts_ms - a.active_at_ms >= rule_->for_ms) {
      a.state = AlertState::kFiring;
      a.fired_at_ms = ts_ms;
      dirty_ = true;
      local_changes.push_back(
          {AlertState::kFiring, a.labels, a.value, a.active_at_ms, ts_ms});
    } else if (a.state == AlertState::kPending && a.active_at_ms == ts_ms) {
      local_changes.push_back(
          {AlertState::kPending, a.labels, a.value, a.active_at_ms, ts_ms});
    }
    // ALERTS{alertstate=...} = 1 and ALERTS_FOR_STATE = ActiveAt in
    // seconds, as Prometheus writes them. Their labels are built once per
    // state; the tracking keys derive from the alert's hash.
    if (a.series_state != a.state || a.alerts_series.empty()) {
      a.alerts_series = a.labels;
      SetLabel(&a.alerts_series, kMetricNameLabel, kAlertsMetric);
      SetLabel(&a.alerts_series, kAlertStateLabel, AlertStateName(a.state));
      if (a.for_state_series.empty()) {
        a.for_state_series = a.labels;
        SetLabel(&a.for_state_series, kMetricNameLabel, kAlertsForStateMetric);
      }
      a.series_state = a.state;
    }
    series->push_back({a.alerts_series, t_ms, 1});
    keys_.push_back(MixKey(it->first, static_cast<uint64_t>(a.state) + 1));
    series->push_back({a.for_state_series, t_ms, UnixSeconds(a.active_at_ms)});
    keys_.push_back(MixKey(it->first, 0));
    ++it;
  }

  if (limit > 0 && num_active > limit) {
    active_.clear();
    dirty_ = true;
    series->resize(from);
    return FailedPreconditionError("exceeded limit of " +
                                   std::to_string(limit) + " with " +
                                   std::to_string(num_active) + " alerts");
  }
  TrackSeries(series, from, t_ms);

  for (auto& [h, a] : active_) {
    if (a.state == AlertState::kPending) continue;
    const bool needs_sending = a.resolved_at_ms > a.last_sent_ms ||
                               a.last_sent_ms + opts.resend_delay_ms < ts_ms;
    if (!needs_sending) continue;
    a.last_sent_ms = ts_ms;
    Alert out;
    out.labels = a.labels;
    out.annotations = a.annotations;
    out.starts_at_ms = a.fired_at_ms != 0 ? a.fired_at_ms : a.active_at_ms;
    out.ends_at_ms = a.state == AlertState::kInactive ? a.resolved_at_ms : 0;
    out.generator = std::string(generator);
    out.value = a.value;
    notify->push_back(std::move(out));
  }
  for (AlertTransition& c : local_changes) changes->push_back(std::move(c));
  return Status::Ok();
}

void RuleRuntime::TrackSeries(promql::Vector* series, size_t from,
                              int64_t t_ms) {
  ++gen_;
  const size_t end = series->size();
  const bool have_keys = keys_.size() == end - from;
  for (size_t i = from; i < end; ++i) {
    const Labels& l = (*series)[i].labels;
    const uint64_t key = have_keys ? keys_[i - from] : HashLabels(l);
    auto [it, inserted] = series_.try_emplace(key);
    if (inserted) it->second.labels = l;
    it->second.gen = gen_;
  }
  keys_.clear();
  if (series_.size() == end - from) return;  // Nothing went away.
  for (auto it = series_.begin(); it != series_.end();) {
    if (it->second.gen == gen_) {
      ++it;
      continue;
    }
    series->push_back({std::move(it->second.labels), t_ms, StaleNaN()});
    it = series_.erase(it);
  }
}

}  // namespace tend::alert
