// The state database's schema and its migrations (docs/formats/state-db.md).
#ifndef TEND_STATE_SCHEMA_H_
#define TEND_STATE_SCHEMA_H_

#include <sqlite3.h>

#include "base/status.h"

namespace tend::state {

// The schema version this build writes (PRAGMA user_version).
inline constexpr int kSchemaVersion = 1;
// PRAGMA application_id: "TEND" in ASCII, so `file(1)`-like tools and tend
// itself can tell a tend state database from another SQLite file.
inline constexpr int kApplicationId = 0x54454e44;

// Sets the connection's pragmas (WAL, synchronous=NORMAL, foreign keys)
// and brings the schema from its stored version to kSchemaVersion, each
// step in its own transaction. Fails, changing nothing, on a database of
// another application or of a newer schema (kFailedPrecondition).
Status MigrateSchema(sqlite3* db);

}  // namespace tend::state

#endif  // TEND_STATE_SCHEMA_H_
