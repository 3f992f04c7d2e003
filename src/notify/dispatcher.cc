#include "notify/dispatcher.h"

#include <algorithm>
#include <limits>

#include "base/log.h"

namespace tend::notify {

Dispatcher::Dispatcher(const NotifyConfig& config,
                       std::shared_ptr<const ReceiverSet> receivers,
                       Nflog* nflog, Deliverer* deliverer,
                       DispatcherOptions options)
    : config_(config),
      root_(config_.route),
      inhibitor_(config_.inhibit_rules),
      receivers_(std::move(receivers)),
      nflog_(nflog),
      deliverer_(deliverer),
      options_(std::move(options)) {}

void Dispatcher::Receive(const alert::Alerts& alerts, int64_t now_ms) {
  std::vector<const Route*> routes;
  for (const alert::Alert& in : alerts) {
    const alert::Alert* a = &in;
    alert::Alert canonical;
    if (!IsCanonical(in.labels)) {
      canonical = in;
      CanonicalizeLabels(&canonical.labels);
      a = &canonical;
    }
    uint64_t fp = StableFingerprint(a->labels);
    if (a->firing()) {
      alerts_[fp] = Entry{*a, now_ms};
    } else {
      alerts_.erase(fp);
    }
    routes.clear();
    root_.Match(a->labels, &routes);
    for (const Route* r : routes) Insert(r, *a, fp, now_ms);
  }
}

void Dispatcher::Insert(const Route* route, const alert::Alert& a, uint64_t fp,
                        int64_t now_ms) {
  Labels group_labels = route->GroupLabels(a.labels);
  std::string key = route->key() + ":" + LabelsToString(group_labels);
  if (!a.firing()) {
    auto d = done_.find(key);
    if (d != done_.end()) {
      auto it = d->second.find(fp);
      if (it != d->second.end() && it->second == a.ends_at_ms) return;
    }
  }
  auto [it, created] = groups_.try_emplace(key);
  Group& g = it->second;
  if (created) {
    g.route = route;
    g.group_labels = std::move(group_labels);
    g.key = key;
    g.next_flush_ms = now_ms + route->config().group_wait_ms;
  }
  g.alerts[fp] = Entry{a, now_ms};
  // An alert that has waited group_wait already (a restart, or a group
  // that just emptied) does not wait again.
  if (!g.has_flushed &&
      a.starts_at_ms + route->config().group_wait_ms <= now_ms) {
    g.next_flush_ms = std::min(g.next_flush_ms, now_ms);
  }
}

void Dispatcher::Expire(Entry* e, int64_t now_ms) const {
  int64_t timeout = config_.global.resolve_timeout_ms;
  if (e->alert.firing() && e->last_seen_ms + timeout <= now_ms) {
    e->alert.ends_at_ms = e->last_seen_ms + timeout;
  }
}

bool Dispatcher::Muted(const Labels& labels) const {
  if (options_.is_silenced && options_.is_silenced(labels)) return true;
  return inhibitor_.Muted(labels, firing_);
}

void Dispatcher::Tick(int64_t now_ms) {
  firing_.clear();
  for (auto it = alerts_.begin(); it != alerts_.end();) {
    Expire(&it->second, now_ms);
    if (!it->second.alert.firing()) {
      it = alerts_.erase(it);
      continue;
    }
    firing_.push_back(&it->second.alert);
    ++it;
  }
  for (auto it = groups_.begin(); it != groups_.end();) {
    Group& g = it->second;
    if (g.next_flush_ms <= now_ms) Flush(&g, now_ms);
    if (g.alerts.empty()) {
      it = groups_.erase(it);
    } else {
      ++it;
    }
  }
  if (now_ms >= next_gc_ms_) {
    next_gc_ms_ = now_ms + 10 * 60 * 1000;
    Status s = nflog_->Gc(now_ms - options_.nflog_retention_ms);
    if (!s.ok()) LogWarn("notification log cleanup failed", {{"err", s}});
    for (auto d = done_.begin(); d != done_.end();) {
      std::erase_if(d->second, [now_ms](const auto& kv) {
        return kv.second < now_ms - 3600 * 1000;
      });
      d = d->second.empty() ? done_.erase(d) : std::next(d);
    }
  }
}

void Dispatcher::Flush(Group* g, int64_t now_ms) {
  const RouteConfig& rc = g->route->config();
  std::vector<const alert::Alert*> sendable;
  std::vector<uint64_t> firing, resolved;
  for (auto& [fp, e] : g->alerts) {
    Expire(&e, now_ms);
    if (Muted(e.alert.labels)) continue;
    sendable.push_back(&e.alert);
    (e.alert.firing() ? firing : resolved).push_back(fp);
  }
  std::sort(firing.begin(), firing.end());
  std::sort(resolved.begin(), resolved.end());
  std::sort(sendable.begin(), sendable.end(),
            [](const alert::Alert* a, const alert::Alert* b) {
              return CompareLabels(a->labels, b->labels) < 0;
            });
  bool accepted = true;
  const Receiver* r = receivers_ ? receivers_->Find(rc.receiver) : nullptr;
  if (r == nullptr) {
    LogWarn("route names an unknown receiver", {{"receiver", rc.receiver}});
  }
  for (size_t i = 0; r != nullptr && i < r->integrations.size(); ++i) {
    const Integration& integ = *r->integrations[i];
    std::string key =
        NflogKey(r->name, integ.kind(), static_cast<int>(i), g->key);
    std::optional<NflogEntry> last = nflog_->Get(key);
    if (!NeedsUpdate(last, firing, resolved, integ.send_resolved(),
                     rc.repeat_interval_ms, now_ms)) {
      continue;
    }
    NflogEntry entry{firing, resolved, now_ms};
    Notification n;
    n.receiver = r->name;
    n.group_key = g->key;
    n.group_labels = g->group_labels;
    n.external_url = options_.external_url;
    n.now_ms = now_ms;
    for (const alert::Alert* a : sendable) {
      if (a->firing() || integ.send_resolved()) n.alerts.push_back(*a);
    }
    if (!n.alerts.empty()) {
      ComputeCommon(&n);
      int max = integ.max_alerts();
      if (max > 0 && static_cast<int>(n.alerts.size()) > max) {
        n.truncated_alerts = static_cast<int>(n.alerts.size()) - max;
        n.alerts.resize(max);
      }
      OutboxEnvelope env;
      env.integration = std::string(integ.kind());
      env.index = static_cast<int>(i);
      env.nflog_key = key;
      env.nflog = entry;
      env.alerts = static_cast<int>(n.alerts.size());
      env.body = integ.Render(n);
      Result<int64_t> id = deliverer_->Accept(r->name, g->key, env);
      if (!id.ok()) {
        // Not accepted: the nflog stays as it was, so the next flush
        // (group_interval later) tries again.
        LogError(
            "cannot store notification in the outbox",
            {{"receiver", r->name}, {"group", g->key}, {"err", id.status()}});
        accepted = false;
        continue;
      }
    }
    Status s = nflog_->Apply(key, entry);
    if (!s.ok()) {
      LogWarn("notification log write failed", {{"key", key}, {"err", s}});
    }
  }
  g->has_flushed = true;
  g->next_flush_ms = now_ms + rc.group_interval_ms;
  if (!accepted) return;
  for (auto it = g->alerts.begin(); it != g->alerts.end();) {
    if (!it->second.alert.firing()) {
      done_[g->key][it->first] = it->second.alert.ends_at_ms;
      it = g->alerts.erase(it);
    } else {
      ++it;
    }
  }
}

int64_t Dispatcher::NextDueMs() const {
  int64_t next = std::numeric_limits<int64_t>::max();
  for (const auto& [key, g] : groups_) next = std::min(next, g.next_flush_ms);
  return next;
}

std::vector<Dispatcher::GroupInfo> Dispatcher::Groups() const {
  std::vector<GroupInfo> out;
  for (const auto& [key, g] : groups_) {
    out.push_back({g.route->config().receiver, g.key, g.group_labels,
                   g.alerts.size(), g.next_flush_ms});
  }
  return out;
}

}  // namespace tend::notify
