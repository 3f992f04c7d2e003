#include "notify/nflog.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/log.h"
#include "notify/notification.h"

namespace tend::notify {
namespace {

constexpr std::string_view kNamespace = "nflog";

bool IsSubset(const std::vector<uint64_t>& sub,
              const std::vector<uint64_t>& set) {
  return std::includes(set.begin(), set.end(), sub.begin(), sub.end());
}

Result<std::vector<uint64_t>> DecodeFps(const nlohmann::json& j) {
  std::vector<uint64_t> out;
  if (!j.is_array()) return DataLossError("nflog: want a list of fingerprints");
  for (const nlohmann::json& x : j) {
    if (!x.is_string() || x.get_ref<const std::string&>().size() != 16) {
      return DataLossError("nflog: bad fingerprint");
    }
    const std::string& s = x.get_ref<const std::string&>();
    char* end = nullptr;
    uint64_t v = std::strtoull(s.c_str(), &end, 16);
    if (*end != '\0') return DataLossError("nflog: bad fingerprint " + s);
    out.push_back(v);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::string EncodeNflogEntry(const NflogEntry& e) {
  nlohmann::json j = nlohmann::json::object();
  nlohmann::json f = nlohmann::json::array(), r = nlohmann::json::array();
  for (uint64_t fp : e.firing) f.push_back(FingerprintHex(fp));
  for (uint64_t fp : e.resolved) r.push_back(FingerprintHex(fp));
  j["firing"] = std::move(f);
  j["resolved"] = std::move(r);
  j["ts"] = e.timestamp_ms;
  return j.dump();
}

Result<NflogEntry> DecodeNflogEntry(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("ts") ||
      !j["ts"].is_number_integer() || !j.contains("firing") ||
      !j.contains("resolved")) {
    return DataLossError("nflog: not an entry");
  }
  NflogEntry e;
  e.timestamp_ms = j["ts"].get<int64_t>();
  Result<std::vector<uint64_t>> f = DecodeFps(j["firing"]);
  if (!f.ok()) return f.status();
  Result<std::vector<uint64_t>> r = DecodeFps(j["resolved"]);
  if (!r.ok()) return r.status();
  e.firing = std::move(*f);
  e.resolved = std::move(*r);
  return e;
}

std::string NflogKey(std::string_view receiver, std::string_view integration,
                     int index, std::string_view group_key) {
  std::string k(receiver);
  k += '/';
  k += integration;
  k += '/';
  k += std::to_string(index);
  k += ':';
  k += group_key;
  return k;
}

bool NeedsUpdate(const std::optional<NflogEntry>& last,
                 const std::vector<uint64_t>& firing,
                 const std::vector<uint64_t>& resolved, bool send_resolved,
                 int64_t repeat_interval_ms, int64_t now_ms) {
  // Never notified: only when something fires.
  if (!last.has_value()) return !firing.empty();
  // A newly firing alert.
  if (!IsSubset(firing, last->firing)) return true;
  // Everything resolved: notify (whatever send_resolved says, so the log
  // forgets the firing set) unless the receiver never heard of them.
  if (firing.empty()) return !last->firing.empty();
  if (send_resolved && !IsSubset(resolved, last->resolved)) return true;
  return last->timestamp_ms + repeat_interval_ms <= now_ms;
}

Result<std::unique_ptr<Nflog>> Nflog::Load(state::StateDb* db) {
  std::unique_ptr<Nflog> log(new Nflog(db));
  Result<std::vector<std::pair<std::string, std::string>>> all =
      db->List(kNamespace);
  if (!all.ok()) return all.status();
  MutexLock lock(&log->mu_);
  for (auto& [key, value] : *all) {
    Result<NflogEntry> e = DecodeNflogEntry(value);
    if (!e.ok()) {
      LogWarn("dropping undecodable notification log entry",
              {{"key", key}, {"err", e.status()}});
      continue;
    }
    log->entries_[key] = std::move(*e);
  }
  return log;
}

std::optional<NflogEntry> Nflog::Get(const std::string& key) const {
  MutexLock lock(&mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

Status Nflog::Apply(const std::string& key, const NflogEntry& e) {
  {
    MutexLock lock(&mu_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.timestamp_ms > e.timestamp_ms) {
      return Status::Ok();
    }
    if (it != entries_.end() && it->second == e) return Status::Ok();
    entries_[key] = e;
  }
  return db_->Put(kNamespace, key, EncodeNflogEntry(e));
}

Status Nflog::Gc(int64_t before_ms) {
  std::vector<std::string> dead;
  {
    MutexLock lock(&mu_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->second.timestamp_ms < before_ms) {
        dead.push_back(it->first);
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const std::string& k : dead) RETURN_IF_ERROR(db_->Delete(kNamespace, k));
  return Status::Ok();
}

size_t Nflog::size() const {
  MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace tend::notify
