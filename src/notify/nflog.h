// Nflog: the notification log, as Alertmanager keeps it. For each
// (receiver integration, aggregation group) it records which alerts were
// firing and which resolved in the last notification accepted for
// delivery, and when. A flush notifies only when that set changed or the
// repeat interval passed (NeedsUpdate), so a restart (after which the rule
// evaluator hands the same firing alerts again) notifies nothing twice.
//
// Storage: StateDb namespace "nflog", key NflogKey(...), value JSON
// {"firing":[fp...],"resolved":[fp...],"ts":ms} with fingerprints as 16 hex
// digits (StableFingerprint). Everything is also held in memory; Get never
// touches the disk. Entries older than the retention (default 5 days, as
// Alertmanager's --data.retention) are deleted by Gc.
//
// Thread-safety: every member may be called from any thread.
#ifndef TEND_NOTIFY_NFLOG_H_
#define TEND_NOTIFY_NFLOG_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/thread_annotations.h"
#include "state/state_db.h"

namespace tend::notify {

struct NflogEntry {
  std::vector<uint64_t> firing;    // Sorted stable fingerprints.
  std::vector<uint64_t> resolved;  // Sorted.
  int64_t timestamp_ms = 0;
  friend bool operator==(const NflogEntry&, const NflogEntry&) = default;
};

std::string EncodeNflogEntry(const NflogEntry& e);
Result<NflogEntry> DecodeNflogEntry(std::string_view text);

// "<receiver>/<integration>/<index>:<group key>".
std::string NflogKey(std::string_view receiver, std::string_view integration,
                     int index, std::string_view group_key);

// Alertmanager's DedupStage decision: whether a flush with these sets must
// notify. `firing` and `resolved` are sorted.
bool NeedsUpdate(const std::optional<NflogEntry>& last,
                 const std::vector<uint64_t>& firing,
                 const std::vector<uint64_t>& resolved, bool send_resolved,
                 int64_t repeat_interval_ms, int64_t now_ms);

class Nflog {
 public:
  // Loads every entry of namespace "nflog"; `db` must outlive the Nflog.
  // Undecodable entries are dropped with a warning (they only cause one
  // repeated notification).
  static Result<std::unique_ptr<Nflog>> Load(state::StateDb* db);

  std::optional<NflogEntry> Get(const std::string& key) const;
  // Stores `e` unless the stored entry is newer (timestamp greater), so
  // replaying an older outbox item never moves the log backwards. Memory
  // is updated even when the disk write fails (the error is returned).
  Status Apply(const std::string& key, const NflogEntry& e);
  // Deletes entries whose timestamp is before `before_ms`.
  Status Gc(int64_t before_ms);
  size_t size() const;

 private:
  explicit Nflog(state::StateDb* db) : db_(db) {}
  state::StateDb* const db_;
  mutable Mutex mu_;
  std::map<std::string, NflogEntry, std::less<>> entries_ GUARDED_BY(mu_);
};

}  // namespace tend::notify

#endif  // TEND_NOTIFY_NFLOG_H_
