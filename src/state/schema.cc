#include "state/schema.h"

#include <string>

#include "state/sqlite.h"

namespace tend::state {
namespace {

// Migration i takes the schema from version i to i + 1. Never edit one that
// shipped: add the next.
constexpr const char* kMigrations[] = {
    // 0 -> 1
    R"sql(
CREATE TABLE events(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  outcome TEXT NOT NULL,
  message TEXT NOT NULL,
  details TEXT NOT NULL);
CREATE INDEX events_time ON events(time_ms);
CREATE TABLE kv(
  ns TEXT NOT NULL,
  key TEXT NOT NULL,
  value BLOB NOT NULL,
  PRIMARY KEY(ns, key)) WITHOUT ROWID;
CREATE TABLE silences(
  id TEXT PRIMARY KEY,
  matchers TEXT NOT NULL,
  starts_ms INTEGER NOT NULL,
  ends_ms INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  comment TEXT NOT NULL,
  updated_ms INTEGER NOT NULL);
CREATE TABLE outbox(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  receiver TEXT NOT NULL,
  group_key TEXT NOT NULL,
  payload BLOB NOT NULL,
  created_ms INTEGER NOT NULL,
  next_attempt_ms INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL);
CREATE INDEX outbox_due ON outbox(next_attempt_ms);
)sql",
};

constexpr int kMigrationCount =
    static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));
static_assert(kMigrationCount == kSchemaVersion);

Result<int64_t> PragmaInt(sqlite3* db, const char* pragma) {
  ASSIGN_OR_RETURN(Statement st,
                   Statement::Prepare(db, std::string("PRAGMA ") + pragma));
  ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

}  // namespace

Status MigrateSchema(sqlite3* db) {
  // Reading the header first: a file that is not SQLite fails here with
  // SQLITE_NOTADB before anything is written.
  ASSIGN_OR_RETURN(int64_t app, PragmaInt(db, "application_id"));
  ASSIGN_OR_RETURN(int64_t version, PragmaInt(db, "user_version"));
  ASSIGN_OR_RETURN(int64_t tables,
                   PragmaInt(db, "schema_version"));  // 0: empty file.
  if (app != kApplicationId && (app != 0 || tables != 0)) {
    return FailedPreconditionError(
        "not a tend state database (another application's SQLite file); "
        "move it away or point --data-dir elsewhere");
  }
  if (version > kSchemaVersion) {
    return FailedPreconditionError(
        "state database schema version " + std::to_string(version) +
        " is newer than this tend understands (" +
        std::to_string(kSchemaVersion) + "); run a newer tend");
  }
  RETURN_IF_ERROR(Exec(db, "PRAGMA journal_mode=WAL", "state database: WAL"));
  RETURN_IF_ERROR(
      Exec(db, "PRAGMA synchronous=NORMAL", "state database: synchronous"));
  for (int v = static_cast<int>(version); v < kSchemaVersion; ++v) {
    std::string sql = "BEGIN IMMEDIATE;";
    sql += kMigrations[v];
    sql += "PRAGMA application_id=" + std::to_string(kApplicationId) + ";";
    sql += "PRAGMA user_version=" + std::to_string(v + 1) + ";COMMIT;";
    Status s = Exec(
        db, sql,
        "state database: migrating the schema to " + std::to_string(v + 1));
    if (!s.ok()) {
      Exec(db, "ROLLBACK", "rollback").IgnoreError();
      return s;
    }
  }
  return Status::Ok();
}

}  // namespace tend::state
