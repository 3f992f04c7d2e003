// NotifyMetrics: tend's own metrics about notifications and forwarding,
// written by the deliverer and the forwarder, read by Collect.
//
// Families: tend_notifications_total{receiver,integration},
// tend_notifications_failed_total{receiver,integration} (failed attempts),
// tend_notification_latency_seconds{receiver,integration} (a summary:
// _sum and _count of successful sends, and the last value under
// tend_notification_latency_last_seconds), tend_notification_outbox_size,
// tend_alertmanager_alerts_sent_total{alertmanager},
// tend_alertmanager_alerts_dropped_total, tend_alertmanager_errors_total.
//
// Thread-safety: every member may be called from any thread.
#ifndef TEND_NOTIFY_NOTIFY_METRICS_H_
#define TEND_NOTIFY_NOTIFY_METRICS_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "base/thread_annotations.h"
#include "metrics/metric.h"

namespace tend::notify {

class NotifyMetrics {
 public:
  void Sent(const std::string& receiver, const std::string& integration,
            double latency_s) EXCLUDES(mu_);
  void Failed(const std::string& receiver, const std::string& integration)
      EXCLUDES(mu_);
  void SetOutboxSize(int64_t n) EXCLUDES(mu_);
  void AlertmanagerSent(const std::string& url, int64_t n) EXCLUDES(mu_);
  void AlertmanagerDropped(int64_t n) EXCLUDES(mu_);
  void AlertmanagerError(const std::string& url) EXCLUDES(mu_);

  // Appends the families above to *out.
  void Collect(MetricSet* out) const EXCLUDES(mu_);

  // For tests.
  double SentCount(const std::string& receiver,
                   const std::string& integration) const EXCLUDES(mu_);
  double FailedCount(const std::string& receiver,
                     const std::string& integration) const EXCLUDES(mu_);
  int64_t AlertmanagerDroppedCount() const EXCLUDES(mu_);
  int64_t AlertmanagerSentCount() const EXCLUDES(mu_);

 private:
  struct PerIntegration {
    double sent = 0, failed = 0, latency_sum = 0, latency_last = 0;
  };
  using Key = std::pair<std::string, std::string>;
  mutable Mutex mu_;
  std::map<Key, PerIntegration> per_ GUARDED_BY(mu_);
  int64_t outbox_size_ GUARDED_BY(mu_) = 0;
  std::map<std::string, int64_t> am_sent_ GUARDED_BY(mu_);
  std::map<std::string, int64_t> am_errors_ GUARDED_BY(mu_);
  int64_t am_dropped_ GUARDED_BY(mu_) = 0;
};

}  // namespace tend::notify

#endif  // TEND_NOTIFY_NOTIFY_METRICS_H_
