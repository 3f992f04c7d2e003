// The record a deploy keeps on the target, <path>/.tend-deploy.json: every
// release in the order it was deployed, with its outcome and times, and
// how `current` was last reached. The format is documented in
// docs/automate-deploy.md ("The state file").
#ifndef TEND_AUTOMATE_DEPLOY_DEPLOY_STATE_H_
#define TEND_AUTOMATE_DEPLOY_DEPLOY_STATE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automate/value.h"
#include "base/status.h"

namespace tend::automate::deploy {

// What became of a release.
//   pending:     created, not (yet) switched to and proven healthy; a
//                deploy interrupted half-way leaves this.
//   healthy:     switched to and passed its health gate (or had none).
//   failed:      a hook, the restart or the health gate failed.
//   rolled_back: was current and was left by `state: rolled_back`.
enum class Outcome { kPending, kHealthy, kFailed, kRolledBack };

std::string_view OutcomeName(Outcome o);
std::optional<Outcome> ParseOutcome(std::string_view name);

struct ReleaseRecord {
  // Default initializers on every member so designated initializers may
  // leave any out (-Wmissing-field-initializers).
  std::string id{};
  Outcome outcome = Outcome::kPending;
  std::string created{};   // RFC 3339 UTC, when the release dir was made
  std::string switched{};  // when `current` last pointed to it; "" never
  std::string finished{};  // when the outcome was decided
  std::string message{};   // why it failed, "" otherwise
};

struct DeployState {
  std::vector<ReleaseRecord> releases;  // oldest first
  // The release `current` pointed to when tend last switched it ("" before
  // the first switch); the symlink itself is the truth, this is a check.
  std::string current;
  // Set when `current` was reached by a rollback, to the release rolled
  // back from; cleared by the next deploy. Makes `state: rolled_back`
  // idempotent (a second run does not go back further).
  std::string rolled_back_from;

  ReleaseRecord* Find(std::string_view id);
  const ReleaseRecord* Find(std::string_view id) const;
  // Appends a record, or moves an existing one with this id to the end
  // (a redeploy of the same id is the newest deploy).
  ReleaseRecord& Upsert(std::string_view id);
  // The newest healthy release other than `except` (nullptr if none).
  const ReleaseRecord* LastHealthy(std::string_view except = {}) const;
  void Remove(std::string_view id);
};

// The state file's name inside the deploy path.
inline constexpr std::string_view kStateFileName = ".tend-deploy.json";
// Bound on what a target can make the controller read.
inline constexpr size_t kMaxStateFileBytes = 4 << 20;

// Parses the file's text; errors name `where` and what is wrong.
Result<DeployState> ParseDeployState(std::string_view text,
                                     std::string_view where);
// Pretty JSON with a final newline.
std::string SerializeDeployState(const DeployState& s);

// As a Value for module results and `tend deploy list -o json`.
Value ReleasesValue(const DeployState& s);

}  // namespace tend::automate::deploy

#endif  // TEND_AUTOMATE_DEPLOY_DEPLOY_STATE_H_
