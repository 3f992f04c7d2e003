#include "state/state_db.h"

#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>
#include <utility>

#include "state/schema.h"
#include "state/sqlite.h"

namespace tend::state {

class StateDb::Impl {
 public:
  ~Impl() {
    if (db != nullptr) sqlite3_close_v2(db);
  }

  // Runs fn inside BEGIN IMMEDIATE ... COMMIT; rolls back when fn or the
  // commit fails, so a failed call changes nothing.
  template <typename Fn>
  Status InTransaction(Fn fn) {
    RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE", "state database: begin"));
    Status s = fn();
    if (s.ok()) s = Exec(db, "COMMIT", "state database: commit");
    if (!s.ok()) {
      Exec(db, "ROLLBACK", "state database: rollback").IgnoreError();
      return s;
    }
    return Status::Ok();
  }

  std::string path;
  sqlite3* db = nullptr;
  std::mutex mu;
};

namespace {

Status WithPath(Status s, const std::string& path) {
  if (s.ok()) return s;
  return s.WithContext(path);
}

std::string MatchersToJson(const std::vector<std::string>& m) {
  return nlohmann::json(m).dump();
}

std::vector<std::string> MatchersFromJson(const std::string& text) {
  std::vector<std::string> out;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& e : j) {
    if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

SilenceRecord SilenceFromRow(const Statement& st) {
  SilenceRecord s;
  s.id = st.Text(0);
  s.matchers = MatchersFromJson(st.Text(1));
  s.starts_at_ms = st.Int(2);
  s.ends_at_ms = st.Int(3);
  s.created_by = st.Text(4);
  s.comment = st.Text(5);
  s.updated_at_ms = st.Int(6);
  return s;
}

OutboxItem OutboxFromRow(const Statement& st) {
  OutboxItem o;
  o.id = st.Int(0);
  o.receiver = st.Text(1);
  o.group_key = st.Text(2);
  o.payload = st.Text(3);
  o.created_ms = st.Int(4);
  o.next_attempt_ms = st.Int(5);
  o.attempts = static_cast<int>(st.Int(6));
  o.last_error = st.Text(7);
  return o;
}

constexpr std::string_view kSilenceColumns =
    "id, matchers, starts_ms, ends_ms, created_by, comment, updated_ms";
constexpr std::string_view kOutboxColumns =
    "id, receiver, group_key, payload, created_ms, next_attempt_ms, "
    "attempts, last_error";

}  // namespace

StateDb::StateDb(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StateDb::~StateDb() = default;

const std::string& StateDb::path() const { return impl_->path; }

Result<std::unique_ptr<StateDb>> StateDb::Open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  int rc = sqlite3_open_v2(
      path.c_str(), &impl->db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      nullptr);
  if (rc != SQLITE_OK) {
    return WithPath(SqliteStatus(rc, impl->db, "opening the state database"),
                    path);
  }
  sqlite3_extended_result_codes(impl->db, 1);
  sqlite3_busy_timeout(impl->db, 5000);
  Status s = MigrateSchema(impl->db);
  if (!s.ok()) return WithPath(s, path);
  return std::unique_ptr<StateDb>(new StateDb(std::move(impl)));
}

// --- Events -----------------------------------------------------------------

Result<int64_t> StateDb::AppendEvent(const Event& e) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(impl_->db,
                         "INSERT INTO events(time_ms, kind, subject, outcome, "
                         "message, details) VALUES(?,?,?,?,?,?)"));
  st.Bind(1, e.time_ms)
      .Bind(2, e.kind)
      .Bind(3, e.subject)
      .Bind(4, e.outcome)
      .Bind(5, e.message)
      .Bind(6, e.details_json);
  Status s = st.Run();
  if (!s.ok()) return WithPath(s.WithContext("appending an event"), path());
  return static_cast<int64_t>(sqlite3_last_insert_rowid(impl_->db));
}

Result<std::vector<Event>> StateDb::ListEvents(const EventQuery& q) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::string sql =
      "SELECT id, time_ms, kind, subject, outcome, message, details FROM "
      "events WHERE time_ms >= ? AND time_ms < ?";
  if (!q.subject.empty()) sql += " AND subject = ?";
  if (!q.kinds.empty()) {
    sql += " AND kind IN (";
    for (size_t i = 0; i < q.kinds.size(); ++i) sql += i == 0 ? "?" : ",?";
    sql += ")";
  }
  sql += " ORDER BY id DESC LIMIT ?";
  ASSIGN_OR_RETURN(Statement st, Statement::Prepare(impl_->db, sql));
  int i = 1;
  st.Bind(i++, q.since_ms);
  st.Bind(i++, q.until_ms);
  if (!q.subject.empty()) st.Bind(i++, q.subject);
  for (const std::string& k : q.kinds) st.Bind(i++, k);
  st.Bind(i++, static_cast<int64_t>(q.limit));
  ASSIGN_OR_RETURN(std::vector<Event> out,
                   CollectRows<Event>(st, [](const Statement& r) {
                     Event e;
                     e.id = r.Int(0);
                     e.time_ms = r.Int(1);
                     e.kind = r.Text(2);
                     e.subject = r.Text(3);
                     e.outcome = r.Text(4);
                     e.message = r.Text(5);
                     e.details_json = r.Text(6);
                     return e;
                   }));
  std::reverse(out.begin(), out.end());
  return out;
}

Result<int64_t> StateDb::PruneEvents(int64_t before_ms, int64_t max_events) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  int64_t deleted = 0;
  Status s = impl_->InTransaction([&]() -> Status {
    ASSIGN_OR_RETURN(
        Statement old,
        Statement::Prepare(impl_->db, "DELETE FROM events WHERE time_ms < ?"));
    old.Bind(1, before_ms);
    RETURN_IF_ERROR(old.Run());
    deleted += sqlite3_changes(impl_->db);
    ASSIGN_OR_RETURN(
        Statement excess,
        Statement::Prepare(impl_->db,
                           "DELETE FROM events WHERE id <= (SELECT id FROM "
                           "events ORDER BY id DESC LIMIT 1 OFFSET ?)"));
    excess.Bind(1, max_events);
    RETURN_IF_ERROR(excess.Run());
    deleted += sqlite3_changes(impl_->db);
    return Status::Ok();
  });
  if (!s.ok()) return WithPath(s.WithContext("pruning events"), path());
  return deleted;
}

// --- Keyed records
// ------------------------------------------------------------

Status StateDb::Put(std::string_view ns, std::string_view key,
                    std::string_view value) {
  return PutAll(ns, {{std::string(key), std::string(value)}}, false);
}

Result<std::string> StateDb::Get(std::string_view ns, std::string_view key) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(impl_->db,
                         "SELECT value FROM kv WHERE ns = ? AND key = ?"));
  st.Bind(1, ns).Bind(2, key);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) {
    return NotFoundError("no state record " + std::string(ns) + "/" +
                         std::string(key));
  }
  return st.Text(0);
}

Status StateDb::Delete(std::string_view ns, std::string_view key) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(impl_->db, "DELETE FROM kv WHERE ns = ? AND key = ?"));
  st.Bind(1, ns).Bind(2, key);
  return WithPath(st.Run(), path());
}

Result<std::vector<std::pair<std::string, std::string>>> StateDb::List(
    std::string_view ns) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(
          impl_->db, "SELECT key, value FROM kv WHERE ns = ? ORDER BY key"));
  st.Bind(1, ns);
  using Pair = std::pair<std::string, std::string>;
  return CollectRows<Pair>(
      st, [](const Statement& r) { return Pair(r.Text(0), r.Text(1)); });
}

Status StateDb::PutAll(
    std::string_view ns,
    const std::vector<std::pair<std::string, std::string>>& values,
    bool replace) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Status s = impl_->InTransaction([&]() -> Status {
    if (replace) {
      // Mark-and-sweep inside the transaction: delete the namespace, then
      // write the new set. SQLite applies it atomically at COMMIT.
      ASSIGN_OR_RETURN(
          Statement del,
          Statement::Prepare(impl_->db, "DELETE FROM kv WHERE ns = ?"));
      del.Bind(1, ns);
      RETURN_IF_ERROR(del.Run());
    }
    ASSIGN_OR_RETURN(Statement st,
                     Statement::Prepare(impl_->db,
                                        "INSERT OR REPLACE INTO kv(ns, key, "
                                        "value) VALUES(?,?,?)"));
    for (const auto& [k, v] : values) {
      st.Bind(1, ns).Bind(2, k).BindBlob(3, v);
      RETURN_IF_ERROR(st.Run());
      st.Reset();
    }
    return Status::Ok();
  });
  return WithPath(s, path());
}

// --- Silences
// -----------------------------------------------------------------

Status StateDb::PutSilence(const SilenceRecord& s) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(impl_->db,
                         "INSERT OR REPLACE INTO silences(id, matchers, "
                         "starts_ms, ends_ms, created_by, comment, "
                         "updated_ms) VALUES(?,?,?,?,?,?,?)"));
  st.Bind(1, s.id)
      .Bind(2, MatchersToJson(s.matchers))
      .Bind(3, s.starts_at_ms)
      .Bind(4, s.ends_at_ms)
      .Bind(5, s.created_by)
      .Bind(6, s.comment)
      .Bind(7, s.updated_at_ms);
  return WithPath(st.Run(), path());
}

Result<std::vector<SilenceRecord>> StateDb::ListSilences() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(impl_->db, "SELECT " + std::string(kSilenceColumns) +
                                        " FROM silences ORDER BY starts_ms, "
                                        "id"));
  return CollectRows<SilenceRecord>(st, SilenceFromRow);
}

Result<SilenceRecord> StateDb::GetSilence(std::string_view id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(impl_->db, "SELECT " + std::string(kSilenceColumns) +
                                        " FROM silences WHERE id = ?"));
  st.Bind(1, id);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NotFoundError("no silence with id " + std::string(id));
  return SilenceFromRow(st);
}

Result<int64_t> StateDb::PruneSilences(int64_t before_ms) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(impl_->db, "DELETE FROM silences WHERE ends_ms < ?"));
  st.Bind(1, before_ms);
  RETURN_IF_ERROR(WithPath(st.Run(), path()));
  return static_cast<int64_t>(sqlite3_changes(impl_->db));
}

// --- Outbox
// -------------------------------------------------------------------

Result<int64_t> StateDb::Enqueue(const OutboxItem& o) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(impl_->db,
                         "INSERT INTO outbox(receiver, group_key, payload, "
                         "created_ms, next_attempt_ms, attempts, last_error) "
                         "VALUES(?,?,?,?,?,?,?)"));
  st.Bind(1, o.receiver)
      .Bind(2, o.group_key)
      .BindBlob(3, o.payload)
      .Bind(4, o.created_ms)
      .Bind(5, o.next_attempt_ms)
      .Bind(6, static_cast<int64_t>(o.attempts))
      .Bind(7, o.last_error);
  Status s = st.Run();
  if (!s.ok())
    return WithPath(s.WithContext("queueing a notification"), path());
  return static_cast<int64_t>(sqlite3_last_insert_rowid(impl_->db));
}

Result<std::vector<OutboxItem>> StateDb::DueItems(int64_t now_ms,
                                                  size_t limit) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(impl_->db, "SELECT " + std::string(kOutboxColumns) +
                                        " FROM outbox WHERE next_attempt_ms "
                                        "<= ? ORDER BY id LIMIT ?"));
  st.Bind(1, now_ms).Bind(2, static_cast<int64_t>(limit));
  return CollectRows<OutboxItem>(st, OutboxFromRow);
}

Result<std::vector<OutboxItem>> StateDb::AllItems() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(impl_->db, "SELECT " + std::string(kOutboxColumns) +
                                        " FROM outbox ORDER BY id"));
  return CollectRows<OutboxItem>(st, OutboxFromRow);
}

Status StateDb::Reschedule(int64_t id, int attempts, int64_t next_attempt_ms,
                           std::string_view last_error) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(impl_->db,
                         "UPDATE outbox SET attempts = ?, next_attempt_ms = ?, "
                         "last_error = ? WHERE id = ?"));
  st.Bind(1, static_cast<int64_t>(attempts))
      .Bind(2, next_attempt_ms)
      .Bind(3, last_error)
      .Bind(4, id);
  return WithPath(st.Run(), path());
}

Status StateDb::Remove(int64_t id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(impl_->db, "DELETE FROM outbox WHERE id = ?"));
  st.Bind(1, id);
  return WithPath(st.Run(), path());
}

Result<int64_t> StateDb::OutboxSize() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASSIGN_OR_RETURN(Statement st, Statement::Prepare(
                                     impl_->db, "SELECT count(*) FROM outbox"));
  ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

}  // namespace tend::state
