#include "notify/deliverer.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>

#include "base/log.h"

namespace tend::notify {

std::string EncodeEnvelope(const OutboxEnvelope& e) {
  nlohmann::json j = nlohmann::json::object();
  j["integration"] = e.integration;
  j["index"] = e.index;
  j["nflog_key"] = e.nflog_key;
  j["nflog"] = nlohmann::json::parse(EncodeNflogEntry(e.nflog));
  j["alerts"] = e.alerts;
  j["body"] = e.body;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<OutboxEnvelope> DecodeEnvelope(std::string_view payload) {
  nlohmann::json j = nlohmann::json::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return DataLossError("outbox item: payload is not a JSON object");
  }
  OutboxEnvelope e;
  auto str = [&](const char* k, std::string* out) {
    if (!j.contains(k) || !j[k].is_string()) return false;
    *out = j[k].get<std::string>();
    return true;
  };
  if (!str("integration", &e.integration) || !str("nflog_key", &e.nflog_key) ||
      !str("body", &e.body) || !j.contains("index") ||
      !j["index"].is_number_integer() || !j.contains("nflog")) {
    return DataLossError("outbox item: payload lacks a field");
  }
  e.index = j["index"].get<int>();
  if (j.contains("alerts") && j["alerts"].is_number_integer()) {
    e.alerts = j["alerts"].get<int>();
  }
  Result<NflogEntry> n = DecodeNflogEntry(j["nflog"].dump());
  if (!n.ok()) return n.status();
  e.nflog = std::move(*n);
  return e;
}

int64_t BackoffMs(const DelivererOptions& o, int attempts) {
  int64_t d = std::max<int64_t>(o.initial_backoff_ms, 1);
  for (int i = 1; i < attempts && d < o.max_backoff_ms; ++i) d *= 2;
  return std::min(d, o.max_backoff_ms);
}

Deliverer::Deliverer(state::StateDb* db, Nflog* nflog, Clock* clock,
                     NotifyMetrics* metrics, DelivererOptions options)
    : db_(db),
      nflog_(nflog),
      clock_(clock),
      metrics_(metrics),
      options_(options) {}

Deliverer::~Deliverer() { Stop(); }

int64_t Deliverer::NowMs() const {
  return clock_->NowUnixNanos() / kNanosPerMilli;
}

void Deliverer::SetReceivers(std::shared_ptr<const ReceiverSet> receivers) {
  std::lock_guard<std::mutex> lock(mu_);
  receivers_ = std::move(receivers);
  cv_.notify_all();
}

Status Deliverer::Start() {
  Result<std::vector<state::OutboxItem>> all = db_->AllItems();
  if (!all.ok()) return all.status();
  std::lock_guard<std::mutex> lock(mu_);
  if (started_) return FailedPreconditionError("deliverer already started");
  for (state::OutboxItem& item : *all) {
    Pending p;
    Result<OutboxEnvelope> env = DecodeEnvelope(item.payload);
    if (env.ok()) {
      p.dedup_key = env->nflog_key;
      // Step 4 of the contract: the nflog learns what is already accepted.
      Status s = nflog_->Apply(env->nflog_key, env->nflog);
      if (!s.ok()) return s;
    } else {
      p.dedup_key = "#" + std::to_string(item.id);  // Given up when due.
    }
    p.item = std::move(item);
    int64_t id = p.item.id;
    items_.emplace(id, std::move(p));
  }
  if (metrics_ != nullptr) metrics_->SetOutboxSize(items_.size());
  started_ = true;
  stop_ = false;
  for (int i = 0; i < std::max(options_.threads, 1); ++i) {
    threads_.emplace_back([this] { Run(); });
  }
  return Status::Ok();
}

void Deliverer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  std::lock_guard<std::mutex> lock(mu_);
  started_ = false;
}

Result<int64_t> Deliverer::Accept(const std::string& receiver,
                                  const std::string& group_key,
                                  const OutboxEnvelope& envelope) {
  state::OutboxItem item;
  item.receiver = receiver;
  item.group_key = group_key;
  item.payload = EncodeEnvelope(envelope);
  item.created_ms = NowMs();
  item.next_attempt_ms = item.created_ms;
  Result<int64_t> id = db_->Enqueue(item);
  if (!id.ok()) return id.status();
  item.id = *id;
  std::lock_guard<std::mutex> lock(mu_);
  Pending p;
  p.item = std::move(item);
  p.dedup_key = envelope.nflog_key;
  items_.emplace(*id, std::move(p));
  if (metrics_ != nullptr) metrics_->SetOutboxSize(items_.size());
  cv_.notify_all();
  return id;
}

size_t Deliverer::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return items_.size();
}

bool Deliverer::WaitIdle(int64_t timeout_ms) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                      [this] { return items_.empty(); });
}

void Deliverer::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    int64_t now = NowMs();
    int64_t next_due = std::numeric_limits<int64_t>::max();
    // The newest item of each key; older ones are superseded.
    std::map<std::string, int64_t> newest;
    for (const auto& [id, p] : items_) newest[p.dedup_key] = id;
    std::vector<state::OutboxItem> superseded;
    std::optional<Pending> pick;
    for (auto it = items_.begin(); it != items_.end();) {
      Pending& p = it->second;
      if (!p.in_flight && newest[p.dedup_key] != it->first &&
          busy_keys_.count(p.dedup_key) == 0) {
        superseded.push_back(p.item);
        it = items_.erase(it);
        continue;
      }
      bool blocked =
          p.in_flight || busy_keys_.count(p.dedup_key) > 0 ||
          busy_[p.item.receiver] >= std::max(options_.per_receiver, 1);
      if (!blocked && p.item.next_attempt_ms > now) {
        next_due = std::min(next_due, p.item.next_attempt_ms);
        blocked = true;
      }
      if (!blocked && !pick.has_value()) {
        p.in_flight = true;
        busy_[p.item.receiver]++;
        busy_keys_.insert(p.dedup_key);
        pick = p;
      }
      ++it;
    }
    if (!superseded.empty() || pick.has_value()) {
      lock.unlock();
      for (const state::OutboxItem& item : superseded) {
        Result<OutboxEnvelope> env = DecodeEnvelope(item.payload);
        Event(item, env.ok() ? &*env : nullptr, "skipped",
              "superseded by a newer notification for the group");
        Status s = db_->Remove(item.id);
        if (!s.ok()) LogWarn("outbox remove failed", {{"err", s}});
      }
      if (pick.has_value()) Attempt(std::move(*pick));
      lock.lock();
      if (metrics_ != nullptr) metrics_->SetOutboxSize(items_.size());
      cv_.notify_all();
      continue;
    }
    // Poll at least every 200 ms: the clock may be a fake that moves.
    int64_t wait = std::min<int64_t>(next_due - now, 200);
    cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(wait, 1)));
  }
}

void Deliverer::Event(const state::OutboxItem& item, const OutboxEnvelope* env,
                      std::string_view outcome, std::string_view error) {
  nlohmann::json d = nlohmann::json::object();
  d["group_key"] = item.group_key;
  d["integration"] = env != nullptr ? env->integration : "";
  d["attempt"] = item.attempts;
  d["alerts"] = env != nullptr ? env->alerts : 0;
  d["outbox_id"] = item.id;
  if (!error.empty()) d["error"] = std::string(error);
  state::Event e;
  e.time_ms = NowMs();
  e.kind = "notification";
  e.subject = item.receiver;
  e.outcome = std::string(outcome);
  e.message = "notification to " + item.receiver +
              (env != nullptr ? " (" + env->integration + ")" : "") + " " +
              std::string(outcome) +
              (error.empty() ? "" : ": " + std::string(error));
  e.details_json =
      d.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  Result<int64_t> r = db_->AppendEvent(e);
  if (!r.ok())
    LogWarn("cannot record notification event", {{"err", r.status()}});
}

void Deliverer::Attempt(Pending p) {
  state::OutboxItem& item = p.item;
  std::shared_ptr<const ReceiverSet> receivers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    receivers = receivers_;
  }
  Result<OutboxEnvelope> env = DecodeEnvelope(item.payload);
  auto give_up = [&](std::string why) {
    Event(item, env.ok() ? &*env : nullptr, "failed", why);
    LogWarn(
        "notification given up",
        {{"receiver", item.receiver}, {"group", item.group_key}, {"err", why}});
    if (env.ok()) {
      Status s = nflog_->Apply(env->nflog_key, env->nflog);
      if (!s.ok()) LogWarn("nflog write failed", {{"err", s}});
    }
    Status s = db_->Remove(item.id);
    if (!s.ok()) LogWarn("outbox remove failed", {{"err", s}});
    Finish(item.id, item.receiver);
  };
  if (!env.ok()) return give_up(env.status().message());
  const Receiver* r = receivers ? receivers->Find(item.receiver) : nullptr;
  const Integration* integ = nullptr;
  if (r != nullptr && env->index >= 0 &&
      env->index < static_cast<int>(r->integrations.size()) &&
      r->integrations[env->index]->kind() == env->integration) {
    integ = r->integrations[env->index].get();
  }
  if (integ == nullptr) {
    return give_up("receiver " + item.receiver + " has no " + env->integration +
                   " integration #" + std::to_string(env->index) + " any more");
  }
  int64_t now = NowMs();
  if (item.attempts > 0 && now - item.created_ms > options_.max_age_ms) {
    return give_up("gave up after " + std::to_string(item.attempts) +
                   " attempts: " + item.last_error);
  }
  auto t0 = std::chrono::steady_clock::now();
  Status s = integ->Send(env->body);
  double latency =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  item.attempts++;
  if (s.ok()) {
    if (metrics_ != nullptr) {
      metrics_->Sent(item.receiver, env->integration, latency);
    }
    Event(item, &*env, "sent", "");
    Status n = nflog_->Apply(env->nflog_key, env->nflog);
    if (!n.ok()) LogWarn("nflog write failed", {{"err", n}});
    Status rm = db_->Remove(item.id);
    if (!rm.ok()) LogWarn("outbox remove failed", {{"err", rm}});
    return Finish(item.id, item.receiver);
  }
  if (metrics_ != nullptr) metrics_->Failed(item.receiver, env->integration);
  int64_t delay = BackoffMs(options_, item.attempts);
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(-options_.jitter,
                                                options_.jitter);
  delay = std::max<int64_t>(
      1, static_cast<int64_t>(static_cast<double>(delay) * (1 + jitter(rng))));
  now = NowMs();
  item.last_error = s.message();
  if (now + delay - item.created_ms > options_.max_age_ms) {
    return give_up("gave up after " + std::to_string(item.attempts) +
                   " attempts: " + s.message());
  }
  item.next_attempt_ms = now + delay;
  Event(item, &*env, "retry", s.message());
  Status rs = db_->Reschedule(item.id, item.attempts, item.next_attempt_ms,
                              item.last_error);
  if (!rs.ok()) LogWarn("outbox reschedule failed", {{"err", rs}});
  std::lock_guard<std::mutex> lock(mu_);
  auto it = items_.find(item.id);
  if (it != items_.end()) {
    it->second.item = item;
    it->second.in_flight = false;
  }
  busy_[item.receiver]--;
  busy_keys_.erase(p.dedup_key);
  cv_.notify_all();
}

void Deliverer::Finish(int64_t id, const std::string& receiver) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = items_.find(id);
  if (it != items_.end()) {
    busy_keys_.erase(it->second.dedup_key);
    items_.erase(it);
  }
  busy_[receiver]--;
  if (metrics_ != nullptr) metrics_->SetOutboxSize(items_.size());
  cv_.notify_all();
}

}  // namespace tend::notify
