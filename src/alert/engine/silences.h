// Silences: Alertmanager's silences (matchers, start, end, author,
// comment) kept in the state database, with the matchers compiled in
// memory so that Mutes is a scan over a few compiled silences.
//
// Matchers are Alertmanager's text form: `name="value"`, `name!="value"`,
// `name=~"regex"`, `name!~"regex"` (regexes fully anchored, RE2 syntax;
// the value may also be written unquoted). A silence needs at least one
// matcher that does not match the empty string, and must end after it
// starts.
//
// States, as Alertmanager computes them: pending before starts_at, active
// from starts_at until ends_at, expired from ends_at on ([starts, ends)).
//
// Every Add and Expire appends an event (kind "silence", subject the id,
// outcome "created" or "expired").
//
// Threads: every member may be called from any thread (one mutex). Add,
// Expire and Reload write or read the database (blocking I/O); List and
// Mutes only read memory.
#ifndef TEND_ALERT_ENGINE_SILENCES_H_
#define TEND_ALERT_ENGINE_SILENCES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/thread_annotations.h"
#include "model/labels.h"
#include "model/matcher.h"
#include "state/state_db.h"

namespace tend::alert {

// Parses one matcher. kInvalidArgument saying what is wrong and where
// (the byte column), e.g. `bad matcher foo~bar: expected one of =, !=,
// =~, !~ after "foo" at column 4`.
Result<LabelMatcher> ParseSilenceMatcher(std::string_view text);

enum class SilenceState { kPending, kActive, kExpired };
std::string_view SilenceStateName(SilenceState s);  // "pending", ...
SilenceState SilenceStateAt(const state::SilenceRecord& s, int64_t now_ms);

struct SilenceView {
  state::SilenceRecord record;
  SilenceState state = SilenceState::kActive;
};

class Silences {
 public:
  // Loads the silences of `db` (not owned; must outlive this). Silences
  // whose matchers no longer parse are kept in the database, logged and
  // never mute.
  static Result<std::unique_ptr<Silences>> Open(state::StateDb* db);

  // Validates and stores a new silence; returns its id (a random UUID v4;
  // `s.id` is ignored). A start in the past (or 0) becomes `now_ms`, as in
  // Alertmanager. kInvalidArgument for: no matchers, a matcher that does
  // not parse, every matcher matching the empty string, an end not after
  // the start, an end in the past, an empty created_by or comment.
  Result<std::string> Add(state::SilenceRecord s, int64_t now_ms);

  // Ends the silence now: an active one gets ends_at = now, a pending one
  // starts_at = ends_at = now. kNotFound for an unknown id,
  // kFailedPrecondition for an already expired one.
  Status Expire(std::string_view id, int64_t now_ms);

  // Every silence (expired ones until pruned), by starts_at, with its
  // state at `now_ms`.
  std::vector<SilenceView> List(int64_t now_ms) const;

  // The ids of the silences active at `now_ms` that match `labels`
  // (canonical), in List order.
  std::vector<std::string> Mutes(const Labels& labels, int64_t now_ms) const;

  // Re-reads the database (after another process changed it).
  Status Reload();

 private:
  struct Entry {
    state::SilenceRecord record;
    Matchers matchers;
    bool valid = false;
  };
  explicit Silences(state::StateDb* db) : db_(db) {}
  void AppendEvent(const state::SilenceRecord& s, std::string_view outcome,
                   int64_t now_ms);

  state::StateDb* const db_;
  mutable Mutex mu_;
  std::vector<Entry> entries_ GUARDED_BY(mu_);  // By starts_at.
};

// A random UUID v4 in its text form.
std::string NewUuidV4();

}  // namespace tend::alert

#endif  // TEND_ALERT_ENGINE_SILENCES_H_
