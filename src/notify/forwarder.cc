#include "notify/forwarder.h"

#include <nlohmann/json.hpp>

#include "base/log.h"

namespace tend::notify {

std::string AlertmanagerPayload(const std::vector<alert::Alert>& alerts,
                                int64_t now_ms, int64_t resend_delay_ms) {
  nlohmann::json arr = nlohmann::json::array();
  for (const alert::Alert& a : alerts) {
    nlohmann::json x = nlohmann::json::object();
    nlohmann::json l = nlohmann::json::object(), an = nlohmann::json::object();
    for (const Label& p : a.labels) l[p.name] = p.value;
    for (const Label& p : a.annotations) an[p.name] = p.value;
    x["labels"] = std::move(l);
    x["annotations"] = std::move(an);
    x["startsAt"] = FormatRfc3339(a.starts_at_ms);
    x["endsAt"] =
        FormatRfc3339(a.firing() ? now_ms + 4 * resend_delay_ms : a.ends_at_ms);
    if (!a.generator.empty()) x["generatorURL"] = a.generator;
    arr.push_back(std::move(x));
  }
  return arr.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

AlertmanagerForwarder::AlertmanagerForwarder(ForwarderOptions options,
                                             Clock* clock,
                                             NotifyMetrics* metrics,
                                             HttpFunc http)
    : options_(std::move(options)),
      clock_(clock),
      metrics_(metrics),
      http_(http ? std::move(http)
                 : [](const OutboundRequest& r) { return OutboundFetch(r); }) {}

AlertmanagerForwarder::~AlertmanagerForwarder() { Stop(); }

void AlertmanagerForwarder::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void AlertmanagerForwarder::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void AlertmanagerForwarder::Handle(const alert::Alerts& alerts) {
  int64_t now = clock_->NowUnixNanos() / kNanosPerMilli;
  int64_t dropped = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const alert::Alert& a : alerts) {
      Sent& s = sent_[StableFingerprint(a.labels)];
      s.last_seen_ms = now;
      // A change of state (fired, resolved, fired again) is sent at once.
      bool send = a.ends_at_ms != s.last_ends_at_ms || s.last_sent_ms == 0 ||
                  s.last_sent_ms + options_.resend_delay_ms <= now;
      if (!send) continue;
      s.last_sent_ms = now;
      s.last_ends_at_ms = a.ends_at_ms;
      queue_.push_back(a);
      if (queue_.size() > options_.queue_capacity) {
        queue_.pop_front();
        ++dropped;
      }
    }
    std::erase_if(sent_, [now](const auto& kv) {
      return kv.second.last_seen_ms < now - 3600 * 1000;
    });
    cv_.notify_all();
  }
  if (dropped > 0) {
    if (metrics_ != nullptr) metrics_->AlertmanagerDropped(dropped);
    LogWarn("alertmanager queue full, dropped oldest alerts",
            {{"dropped", static_cast<long long>(dropped)}});
  }
}

size_t AlertmanagerForwarder::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

bool AlertmanagerForwarder::WaitIdle(int64_t timeout_ms) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                      [this] { return queue_.empty() && !posting_; });
}

void AlertmanagerForwarder::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    if (queue_.empty()) {
      cv_.wait(lock);
      continue;
    }
    std::vector<alert::Alert> batch;
    while (!queue_.empty() && batch.size() < options_.max_batch) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    posting_ = true;
    lock.unlock();
    Post(batch);
    lock.lock();
    posting_ = false;
    cv_.notify_all();
  }
}

void AlertmanagerForwarder::Post(const std::vector<alert::Alert>& batch) {
  int64_t now = clock_->NowUnixNanos() / kNanosPerMilli;
  std::string body = AlertmanagerPayload(batch, now, options_.resend_delay_ms);
  for (const std::string& base : options_.urls) {
    std::string url = base;
    while (!url.empty() && url.back() == '/') url.pop_back();
    url += "/api/v2/alerts";
    OutboundRequest r;
    r.method = "POST";
    r.url = url;
    r.body = body;
    r.timeout_ms = options_.timeout_ms;
    r.headers.push_back({"Content-Type", "application/json"});
    r.headers.push_back({"User-Agent", "tend"});
    r.max_body_bytes = 1 << 20;
    ApplyHttpConfig(options_.http, &r);
    Result<OutboundResponse> resp = http_(r);
    Status s;
    if (!resp.ok()) {
      s = resp.status();
    } else if (resp->status < 200 || resp->status > 299) {
      s = UnavailableError(url + ": HTTP " + std::to_string(resp->status) +
                           ": " + resp->body.substr(0, 200));
    }
    if (s.ok()) {
      if (metrics_ != nullptr) {
        metrics_->AlertmanagerSent(base, static_cast<int64_t>(batch.size()));
      }
    } else {
      if (metrics_ != nullptr) metrics_->AlertmanagerError(base);
      LogWarn("posting alerts to alertmanager failed",
              {{"url", url}, {"err", s}});
    }
  }
}

}  // namespace tend::notify
