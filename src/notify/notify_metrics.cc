#include "notify/notify_metrics.h"

namespace tend::notify {

void NotifyMetrics::Sent(const std::string& receiver,
                         const std::string& integration, double latency_s) {
  MutexLock lock(&mu_);
  PerIntegration& p = per_[{receiver, integration}];
  p.sent += 1;
  p.latency_sum += latency_s;
  p.latency_last = latency_s;
}

void NotifyMetrics::Failed(const std::string& receiver,
                           const std::string& integration) {
  MutexLock lock(&mu_);
  per_[{receiver, integration}].failed += 1;
}

void NotifyMetrics::SetOutboxSize(int64_t n) {
  MutexLock lock(&mu_);
  outbox_size_ = n;
}

void NotifyMetrics::AlertmanagerSent(const std::string& url, int64_t n) {
  MutexLock lock(&mu_);
  am_sent_[url] += n;
}

void NotifyMetrics::AlertmanagerDropped(int64_t n) {
  MutexLock lock(&mu_);
  am_dropped_ += n;
}

void NotifyMetrics::AlertmanagerError(const std::string& url) {
  MutexLock lock(&mu_);
  am_errors_[url] += 1;
}

void NotifyMetrics::Collect(MetricSet* out) const {
  MutexLock lock(&mu_);
  for (const auto& [key, p] : per_) {
    Labels l = {{"integration", key.second}, {"receiver", key.first}};
    out->Counter("tend_notifications_total",
                 "Notifications delivered, by receiver and integration.",
                 p.sent, l);
    out->Counter("tend_notifications_failed_total",
                 "Failed notification attempts, by receiver and integration.",
                 p.failed, l);
    out->Counter("tend_notification_latency_seconds_sum",
                 "Total time spent in successful notification sends.",
                 p.latency_sum, l);
    out->Counter("tend_notification_latency_seconds_count",
                 "Successful notification sends timed.", p.sent, l);
    out->Gauge("tend_notification_latency_last_seconds",
               "Duration of the last successful notification send.",
               p.latency_last, l);
  }
  out->Gauge("tend_notification_outbox_size",
             "Notifications accepted and not yet delivered or given up.",
             static_cast<double>(outbox_size_));
  for (const auto& [url, n] : am_sent_) {
    out->Counter("tend_alertmanager_alerts_sent_total",
                 "Alerts posted to Alertmanager.", static_cast<double>(n),
                 {{"alertmanager", url}});
  }
  for (const auto& [url, n] : am_errors_) {
    out->Counter("tend_alertmanager_errors_total",
                 "Failed posts to Alertmanager.", static_cast<double>(n),
                 {{"alertmanager", url}});
  }
  out->Counter("tend_alertmanager_alerts_dropped_total",
               "Alerts dropped because the forwarding queue was full.",
               static_cast<double>(am_dropped_));
}

double NotifyMetrics::SentCount(const std::string& receiver,
                                const std::string& integration) const {
  MutexLock lock(&mu_);
  auto it = per_.find({receiver, integration});
  return it == per_.end() ? 0 : it->second.sent;
}

double NotifyMetrics::FailedCount(const std::string& receiver,
                                  const std::string& integration) const {
  MutexLock lock(&mu_);
  auto it = per_.find({receiver, integration});
  return it == per_.end() ? 0 : it->second.failed;
}

int64_t NotifyMetrics::AlertmanagerDroppedCount() const {
  MutexLock lock(&mu_);
  return am_dropped_;
}

int64_t NotifyMetrics::AlertmanagerSentCount() const {
  MutexLock lock(&mu_);
  int64_t n = 0;
  for (const auto& [url, v] : am_sent_) n += v;
  return n;
}

}  // namespace tend::notify
