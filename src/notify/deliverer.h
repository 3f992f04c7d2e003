// Deliverer: the durable outbox and the threads that empty it.
//
// Contract with the dispatcher (why nothing is lost or sent twice):
//  1. At flush the dispatcher renders the body and calls Accept, which
//     stores an OutboxItem in StateDb (one transaction) whose payload is an
//     envelope holding the integration, the body AND the notification-log
//     entry this notification implies (see OutboxEnvelope).
//  2. Only then does the dispatcher write that entry to the Nflog.
//  3. A delivery thread sends the item; on success (or when it gives up)
//     it first writes the envelope's nflog entry (Nflog::Apply is
//     idempotent and never moves an entry backwards), then removes the
//     item.
//  4. Start() replays the nflog entry of every item still in the outbox.
// A crash before 1 loses nothing that was accepted (the next flush, after
// the restart, finds the nflog unchanged and notifies). A crash between 1
// and 2 leaves the item in the outbox: it is delivered after the restart,
// and step 4 records it in the nflog before the dispatcher's first flush,
// so the flush does not enqueue it again. A crash between sending and
// removal (3) re-sends that one notification after the restart: delivery
// is at-least-once, which is what a receiver that answered nothing (or
// crashed with us) must assume anyway.
//
// Ordering: items for the same (receiver, integration, group) are sent in
// order, one at a time; a newer item replaces an older one still waiting
// (the receiver only needs the group's latest state), with an event.
//
// Isolation: `threads` threads; at most `per_receiver` of them on one
// receiver at once, so a receiver that hangs (until its own timeout) holds
// at most that many threads and never the dispatcher.
//
// Retries: exponential backoff from initial_backoff (doubling, capped at
// max_backoff) with ±jitter, until the item is older than max_age; then it
// is given up with a "failed" event. Every attempt appends an event (kind
// "notification", subject the receiver, outcome sent/retry/failed, details
// {group_key, integration, attempt, error, alerts}).
//
// Thread-safety: every public member may be called from any thread.
#ifndef TEND_NOTIFY_DELIVERER_H_
#define TEND_NOTIFY_DELIVERER_H_

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "notify/integration.h"
#include "notify/nflog.h"
#include "notify/notify_metrics.h"
#include "state/state_db.h"

namespace tend::notify {

// What OutboxItem.payload holds (JSON).
struct OutboxEnvelope {
  std::string integration;  // "webhook", "slack", "email", "exec".
  int index = 0;            // Position among the receiver's integrations.
  std::string nflog_key;
  NflogEntry nflog;
  int alerts = 0;
  std::string body;
};
std::string EncodeEnvelope(const OutboxEnvelope& e);
Result<OutboxEnvelope> DecodeEnvelope(std::string_view payload);

struct DelivererOptions {
  int threads = 4;
  int per_receiver = 1;
  int64_t initial_backoff_ms = 1000;
  int64_t max_backoff_ms = 5 * 60 * 1000;
  double jitter = 0.2;
  int64_t max_age_ms = 24 * 3600 * 1000LL;
};

// The delay before attempt number `attempts + 1`, after `attempts` failed
// ones (>= 1), before jitter.
int64_t BackoffMs(const DelivererOptions& o, int attempts);

class Deliverer {
 public:
  // `db`, `nflog`, `clock` and `metrics` (may be null) must outlive this.
  Deliverer(state::StateDb* db, Nflog* nflog, Clock* clock,
            NotifyMetrics* metrics, DelivererOptions options);
  ~Deliverer();  // Stop().

  // Replaces the receivers (configuration reload). Items whose receiver or
  // integration no longer exists are given up when next due.
  void SetReceivers(std::shared_ptr<const ReceiverSet> receivers);

  // Loads the outbox, replays each item's nflog entry, starts the threads.
  Status Start();
  // Stops the threads after their current attempt (which may take up to an
  // integration's timeout). Items stay in the outbox.
  void Stop();

  // Stores a notification durably and schedules it at once. Returns the id;
  // on failure nothing was stored.
  Result<int64_t> Accept(const std::string& receiver,
                         const std::string& group_key,
                         const OutboxEnvelope& envelope);

  // Items not yet delivered or given up.
  size_t pending() const;
  // Blocks until no item is pending or `timeout_ms` passed (real time);
  // true when empty. For tests and shutdown.
  bool WaitIdle(int64_t timeout_ms) const;

 private:
  struct Pending {
    state::OutboxItem item;
    std::string dedup_key;  // nflog key: receiver/integration/index:group.
    bool in_flight = false;
  };
  void Run();
  // One attempt at `p` (a copy; in_flight is set in the map).
  void Attempt(Pending p);
  void Event(const state::OutboxItem& item, const OutboxEnvelope* env,
             std::string_view outcome, std::string_view error);
  void Finish(int64_t id, const std::string& receiver);
  int64_t NowMs() const;

  state::StateDb* const db_;
  Nflog* const nflog_;
  Clock* const clock_;
  NotifyMetrics* const metrics_;
  const DelivererOptions options_;

  // std::mutex rather than tend::Mutex: the threads need timed waits.
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::shared_ptr<const ReceiverSet> receivers_;
  std::map<int64_t, Pending> items_;  // By id (oldest first).
  std::map<std::string, int> busy_;   // Receiver -> attempts running.
  std::set<std::string> busy_keys_;   // dedup keys with one in flight.
  bool stop_ = false;
  bool started_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace tend::notify

#endif  // TEND_NOTIFY_DELIVERER_H_
