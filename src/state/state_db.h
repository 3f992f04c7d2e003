// StateDb: tend's state database (SQLite, one file: <data-dir>/state.db).
//
// It keeps what must survive a restart and is not a time series: events
// (what tend noticed and did), the state of alert rules, silences, the
// notification outbox and small keyed records (the notification log,
// remedy budgets). The format is documented in docs/formats/state-db.md.
//
// Durability: WAL journal, synchronous=NORMAL. Every mutating call is one
// transaction; when it returns OK the change survives a crash of tend
// (kill -9). A power loss may lose the last transactions (about the last
// second), never corrupt the file.
//
// Errors: every call returns a Status; a failing disk (SQLITE_FULL,
// SQLITE_IOERR) is kUnavailable and names the file; a corrupt file is
// kDataLoss. Nothing is half-written: a failed call changes nothing.
//
// Threads: every member may be called from any thread (one connection
// behind one mutex). Calls block on disk I/O: do not call from the event
// loop thread.
#ifndef TEND_STATE_STATE_DB_H_
#define TEND_STATE_STATE_DB_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace tend::state {

// One thing tend noticed or did. `kind` is one of "alert", "notification",
// "remedy", "probe", "silence", "supervise", "rules" (free text is allowed
// but these are what the CLI filters on).
struct Event {
  int64_t id = 0;       // Assigned by AppendEvent (increasing).
  int64_t time_ms = 0;  // Unix milliseconds.
  std::string kind;
  // What the event is about: an alert name, a receiver, a remedy, a probe.
  std::string subject;
  // One word: "firing", "resolved", "pending", "sent", "failed", "retry",
  // "ok", "skipped", "escalated", "dry_run", "started", "exited" ...
  std::string outcome;
  std::string message;  // One line for humans.
  // A JSON object with the details (labels, attempt, error ...), or empty.
  std::string details_json;
};

struct EventQuery {
  int64_t since_ms = 0;                                    // Inclusive.
  int64_t until_ms = std::numeric_limits<int64_t>::max();  // Exclusive.
  std::vector<std::string> kinds;                          // Empty: every kind.
  std::string subject;  // Empty: every subject.
  size_t limit = 1000;  // The newest `limit` matching events.
};

// A silence with Alertmanager's fields. Matchers are kept as their text
// (`name="value"`, `name=~"re"` ...), parsed by src/alert.
struct SilenceRecord {
  std::string id;  // Unique; the caller makes it (a random UUID).
  std::vector<std::string> matchers;
  int64_t starts_at_ms = 0;
  int64_t ends_at_ms = 0;
  std::string created_by;
  std::string comment;
  int64_t updated_at_ms = 0;
};

// A notification accepted for delivery: it stays in the outbox until it is
// delivered or given up (then removed, with an event written by the
// caller), so one accepted before a restart is delivered after it.
struct OutboxItem {
  int64_t id = 0;         // Assigned by Enqueue (increasing).
  std::string receiver;   // Receiver name (which integration sends it).
  std::string group_key;  // The aggregation group (for dedup and events).
  std::string payload;    // What the receiver sends (its own encoding).
  int64_t created_ms = 0;
  int64_t next_attempt_ms = 0;  // Due at or after this time.
  int attempts = 0;             // Attempts made so far.
  std::string last_error;       // Of the last failed attempt.
};

class StateDb {
 public:
  // Opens or creates the database at `path` (its directory must exist) and
  // brings its schema to the current version. Fails on a file that is not
  // a tend state database or has a newer schema (kFailedPrecondition,
  // saying which version), or when the disk fails.
  static Result<std::unique_ptr<StateDb>> Open(const std::string& path);
  ~StateDb();

  StateDb(const StateDb&) = delete;
  StateDb& operator=(const StateDb&) = delete;

  const std::string& path() const;

  // --- Events -------------------------------------------------------------
  // Appends `event` (its id is ignored) and returns the assigned id.
  Result<int64_t> AppendEvent(const Event& event);
  // Matching events, oldest first (at most query.limit, the newest ones).
  Result<std::vector<Event>> ListEvents(const EventQuery& query);
  // Deletes events older than `before_ms`, then the oldest beyond
  // `max_events`. Returns how many were deleted.
  Result<int64_t> PruneEvents(int64_t before_ms, int64_t max_events);

  // --- Keyed records --------------------------------------------------------
  // Small values by (namespace, key): alert rule state ("alert_state", one
  // key per rule group), the notification log ("nflog"), remedy budgets
  // ("remedy"). Values are opaque bytes to the database.
  Status Put(std::string_view ns, std::string_view key, std::string_view value);
  // The value, or kNotFound.
  Result<std::string> Get(std::string_view ns, std::string_view key);
  Status Delete(std::string_view ns, std::string_view key);
  // Every (key, value) of `ns`, by key.
  Result<std::vector<std::pair<std::string, std::string>>> List(
      std::string_view ns);
  // In one transaction: sets every pair of `values` in `ns` and, when
  // `replace` is true, deletes the keys of `ns` not in `values`.
  Status PutAll(std::string_view ns,
                const std::vector<std::pair<std::string, std::string>>& values,
                bool replace);

  // --- Silences -------------------------------------------------------------
  // Inserts or replaces the silence with `s.id`.
  Status PutSilence(const SilenceRecord& s);
  // Every silence (expired ones too, until pruned), by starts_at.
  Result<std::vector<SilenceRecord>> ListSilences();
  // kNotFound when absent.
  Result<SilenceRecord> GetSilence(std::string_view id);
  // Deletes silences that ended before `before_ms`; returns how many.
  Result<int64_t> PruneSilences(int64_t before_ms);

  // --- Notification outbox --------------------------------------------------
  // Stores `item` (id ignored) and returns its id.
  Result<int64_t> Enqueue(const OutboxItem& item);
  // Items with next_attempt_ms <= now_ms, oldest id first, at most `limit`.
  Result<std::vector<OutboxItem>> DueItems(int64_t now_ms, size_t limit);
  // Every item in the outbox, oldest first.
  Result<std::vector<OutboxItem>> AllItems();
  // Records a failed attempt: attempts, next_attempt_ms and last_error.
  Status Reschedule(int64_t id, int attempts, int64_t next_attempt_ms,
                    std::string_view last_error);
  // Removes a delivered (or abandoned) item; removing an absent id is OK.
  Status Remove(int64_t id);
  Result<int64_t> OutboxSize();

 private:
  class Impl;
  explicit StateDb(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tend::state

#endif  // TEND_STATE_STATE_DB_H_
