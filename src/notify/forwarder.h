// AlertmanagerForwarder: sends tend's alerts to real Alertmanagers through
// their v2 API (POST <url>/api/v2/alerts), as Prometheus's
// `alerting.alertmanagers` does.
//
// Handle() is called with every alert after each evaluation. Like
// Prometheus, a firing alert is (re)sent when it was last sent more than
// resend_delay ago, with endsAt = now + 4 x resend_delay (so Alertmanager
// resolves it by itself if tend stops sending); a resolved alert is sent
// at once (its state changed since the last send), and then every
// resend_delay while the evaluator keeps handing it on. Alerts go into a
// bounded queue (when full the oldest are dropped and counted in
// tend_alertmanager_alerts_dropped_total); one sender thread posts them in
// batches of at most max_batch to every configured Alertmanager. A failed
// post is logged and counted, not retried: the next resend covers it.
//
// Thread-safety: Handle may be called from any thread; it never blocks on
// the network.
#ifndef TEND_NOTIFY_FORWARDER_H_
#define TEND_NOTIFY_FORWARDER_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alert/alert.h"
#include "base/clock.h"
#include "notify/integration.h"
#include "notify/notify_metrics.h"

namespace tend::notify {

struct ForwarderOptions {
  std::vector<std::string> urls;  // Base URLs: http://127.0.0.1:9093
  int64_t resend_delay_ms = 60000;
  int64_t timeout_ms = 10000;
  size_t queue_capacity = 10000;
  size_t max_batch = 64;
  HttpClientConfig http;
};

// The v2 API body for `alerts` (a JSON array) at `now_ms`.
std::string AlertmanagerPayload(const std::vector<alert::Alert>& alerts,
                                int64_t now_ms, int64_t resend_delay_ms);

class AlertmanagerForwarder {
 public:
  // `clock` and `metrics` (may be null) must outlive this. `http` empty:
  // OutboundFetch.
  AlertmanagerForwarder(ForwarderOptions options, Clock* clock,
                        NotifyMetrics* metrics, HttpFunc http = {});
  ~AlertmanagerForwarder();  // Stop().

  void Start();
  // Stops after the post in progress; queued alerts are dropped (they are
  // sent again after a restart: the evaluator restores them).
  void Stop();

  void Handle(const alert::Alerts& alerts);

  size_t queued() const;
  // Until the queue is empty and no post is running, or timeout (real time).
  bool WaitIdle(int64_t timeout_ms) const;

 private:
  void Run();
  void Post(const std::vector<alert::Alert>& batch);

  const ForwarderOptions options_;
  Clock* const clock_;
  NotifyMetrics* const metrics_;
  HttpFunc http_;

  mutable std::mutex mu_;  // std::mutex for timed waits.
  mutable std::condition_variable cv_;
  std::deque<alert::Alert> queue_;
  struct Sent {
    int64_t last_sent_ms = 0;
    int64_t last_seen_ms = 0;
    int64_t last_ends_at_ms = 0;  // Of the last send (0: it was firing).
  };
  std::map<uint64_t, Sent> sent_;  // By stable fingerprint.
  bool posting_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace tend::notify

#endif  // TEND_NOTIFY_FORWARDER_H_
