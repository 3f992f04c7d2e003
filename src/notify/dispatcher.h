// Dispatcher: Alertmanager's dispatcher and notification pipeline, driven
// by the caller's clock.
//
// Receive() takes the alerts the rule evaluator hands over after each
// evaluation (firing, and resolved ones for a while after they resolve);
// an alert is identified by its labels. Each alert is routed (Route) into
// aggregation groups keyed by route and group labels. A group flushes
// group_wait after it was created (at once when its first alert began
// longer than group_wait ago, as after a restart), then every
// group_interval while it has alerts. A flush:
//  - marks firing alerts not received for resolve_timeout as resolved;
//  - leaves out alerts that are silenced (is_silenced) or inhibited;
//  - for each integration of the route's receiver decides with the Nflog
//    whether to notify (NeedsUpdate: new firing alert, resolved alert with
//    send_resolved, everything resolved, or repeat_interval passed);
//  - renders and hands the notification to the Deliverer (durable), then
//    records it in the Nflog (see deliverer.h for why in this order);
//  - drops the resolved alerts it notified; an empty group is removed.
// Groups themselves are not persisted: after a restart they are rebuilt
// from the alerts received and the Nflog prevents repeats (as Alertmanager
// does).
//
// Threads: not thread-safe; call Receive and Tick from one thread. Both
// write to the StateDb (through Deliverer and Nflog), so that thread must
// not be the event loop (use the rule evaluator's worker). No thread is
// started here; nothing happens between calls.
#ifndef TEND_NOTIFY_DISPATCHER_H_
#define TEND_NOTIFY_DISPATCHER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "alert/alert.h"
#include "notify/config.h"
#include "notify/deliverer.h"
#include "notify/integration.h"
#include "notify/nflog.h"
#include "notify/route.h"

namespace tend::notify {

struct DispatcherOptions {
  std::string external_url;
  // Muted alerts are not sent. Null: nothing is silenced.
  std::function<bool(const Labels&)> is_silenced;
  // Nflog entries older than this are deleted (Alertmanager's default).
  int64_t nflog_retention_ms = 120 * 3600 * 1000LL;
};

class Dispatcher {
 public:
  // `config` is copied. `receivers` must be built from the same config.
  // `nflog` and `deliverer` must outlive the dispatcher.
  Dispatcher(const NotifyConfig& config,
             std::shared_ptr<const ReceiverSet> receivers, Nflog* nflog,
             Deliverer* deliverer, DispatcherOptions options);
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Inserts or updates alerts at time `now_ms` (Unix ms).
  void Receive(const alert::Alerts& alerts, int64_t now_ms);
  // Flushes every group that is due at `now_ms`.
  void Tick(int64_t now_ms);
  // The earliest time a group is due (INT64_MAX when none), so the caller
  // can schedule the next Tick.
  int64_t NextDueMs() const;

  struct GroupInfo {
    std::string receiver;
    std::string group_key;
    Labels group_labels;
    size_t alerts = 0;
    int64_t next_flush_ms = 0;
  };
  std::vector<GroupInfo> Groups() const;

 private:
  struct Entry {
    alert::Alert alert;
    int64_t last_seen_ms = 0;
  };
  struct Group {
    const Route* route = nullptr;
    Labels group_labels;
    std::string key;                   // Alertmanager's group key.
    std::map<uint64_t, Entry> alerts;  // By stable fingerprint.
    int64_t next_flush_ms = 0;
    bool has_flushed = false;
  };
  void Insert(const Route* route, const alert::Alert& a, uint64_t fp,
              int64_t now_ms);
  void Flush(Group* g, int64_t now_ms);
  bool Muted(const Labels& labels) const;
  // Firing alerts whose resolve_timeout has passed become resolved.
  void Expire(Entry* e, int64_t now_ms) const;

  NotifyConfig config_;
  Route root_;
  Inhibitor inhibitor_;
  std::shared_ptr<const ReceiverSet> receivers_;
  Nflog* nflog_;
  Deliverer* deliverer_;
  DispatcherOptions options_;
  // Every alert received (for inhibition), by stable fingerprint.
  std::map<uint64_t, Entry> alerts_;
  std::vector<const alert::Alert*> firing_;  // Rebuilt per Tick.
  std::map<std::string, Group> groups_;      // By route key + group labels.
  // Resolved alerts already notified and dropped, by group key, with their
  // ends_at: identical re-deliveries from the rule evaluator are ignored
  // (they would only create a group that notifies nothing).
  std::map<std::string, std::map<uint64_t, int64_t>> done_;
  int64_t next_gc_ms_ = 0;
};

}  // namespace tend::notify

#endif  // TEND_NOTIFY_DISPATCHER_H_
