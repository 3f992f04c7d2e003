// Thin RAII wrappers over SQLite's C API for src/state: a connection, a
// prepared statement with typed binds and columns, and the mapping of
// SQLite's result codes to Status.
//
// Not thread-safe: the owner (StateDb) serializes every use.
#ifndef TEND_STATE_SQLITE_H_
#define TEND_STATE_SQLITE_H_

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace tend::state {

// Maps a SQLite result code to a Status: SQLITE_FULL and I/O errors are
// kUnavailable, SQLITE_CORRUPT and SQLITE_NOTADB kDataLoss, SQLITE_BUSY and
// SQLITE_LOCKED kUnavailable, constraint violations kAlreadyExists, the
// rest kInternal. `what` says what was being done; `db` supplies
// sqlite3_errmsg (may be null).
Status SqliteStatus(int rc, sqlite3* db, std::string_view what);

class Statement {
 public:
  Statement() = default;
  ~Statement();
  Statement(Statement&& o) noexcept;
  Statement& operator=(Statement&& o) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Compiles `sql` (one statement) on `db`.
  static Result<Statement> Prepare(sqlite3* db, std::string_view sql);

  // Binds are 1-based, as in SQLite. Text and blobs are copied.
  Statement& Bind(int i, int64_t v);
  Statement& Bind(int i, std::string_view v);
  Statement& BindBlob(int i, std::string_view v);

  // Runs one step: true when a row is available, false when done.
  Result<bool> Step();
  // Steps to completion (for statements that return no rows).
  Status Run();
  // Clears the bindings and rewinds so the statement can run again.
  void Reset();

  int64_t Int(int col) const;
  std::string Text(int col) const;  // Text or blob bytes.

 private:
  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
};

// Steps `st` to completion and returns row(st) for every row.
template <typename T, typename RowFn>
Result<std::vector<T>> CollectRows(Statement& st, RowFn row) {
  std::vector<T> out;
  for (;;) {
    Result<bool> has = st.Step();
    if (!has.ok()) return has.status();
    if (!*has) return out;
    out.push_back(row(st));
  }
}

// Runs `sql` (any number of statements, no results).
Status Exec(sqlite3* db, std::string_view sql, std::string_view what);

}  // namespace tend::state

#endif  // TEND_STATE_SQLITE_H_
