// RemedyManager: runs remedies when alerts fire or probes fail, within
// their budgets, checks the result with a re-probe and records what
// happened.
//
// Bindings connect a trigger to a remedy:
//  - an alert: by alert name plus optional label matchers; a remedy runs
//    once per firing episode of each alert (fingerprint): when it starts
//    firing, not at every evaluation; a resolved alert ends the episode;
//  - a probe: after `failures` consecutive failed results (once per
//    failing streak; a success ends it).
//
// A triggered remedy is queued and run on the manager's worker thread
// (never the caller's): budget check, the action (or its description in
// dry_run), then, when the binding names a probe, `settle_ms` later the
// re-probe callback. Every run writes an Event (kind "remedy", subject the
// remedy name, outcome ok | failed | escalated | dry_run | skipped, a
// message saying what was done and whether the re-probe passed) to the
// state database and to the outcome callback, and is kept as the last
// outcome of its binding and alert fingerprint for the notifier.
//
// Budgets are per remedy (shared by its bindings) and persisted in the
// state database (namespace "remedy", key "remedy/<name>"): at most
// max_runs in window, a cooldown between runs; when exhausted the remedy
// escalates once (outcome "escalated") and is skipped until the window
// clears or ResetBudget. Dry runs spend the budget too, so dry_run shows
// when a real configuration would escalate.
//
// Threads: every public member may be called from any thread.
#ifndef TEND_REMEDY_REMEDY_MANAGER_H_
#define TEND_REMEDY_REMEDY_MANAGER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alert/alert.h"
#include "base/clock.h"
#include "base/status.h"
#include "base/subprocess.h"
#include "model/matcher.h"
#include "remedy/actions.h"

namespace tend {
class UnitClient;
namespace state {
class StateDb;
struct Event;
}  // namespace state
}  // namespace tend

namespace tend::remedy {

class Supervisor;

struct RemedyBinding {
  // Identifies the binding in LastOutcome and events; default
  // "<remedy>:alert:<alert>" or "<remedy>:probe:<probe>".
  std::string name;
  std::string remedy;  // A RemedySpec name.
  // Alert trigger (set `alert`) ...
  std::string alert;  // alertname.
  Matchers matchers;  // All must match the alert's labels.
  // ... or probe trigger (set `probe`, leave `alert` empty).
  std::string probe;
  int failures = 1;  // Consecutive failures that trigger.
  // Re-probe after the remedy: this probe (default: `probe`; empty for an
  // alert binding means no re-probe), `settle_ms` after the action.
  std::string reprobe;
  int64_t settle_ms = 5000;
  ScaleDirection direction = ScaleDirection::kUp;  // scale_unit only.
};

struct RemedyOutcome {
  std::string binding;
  std::string remedy;
  std::string outcome;  // ok, failed, escalated, dry_run, skipped.
  std::string message;
  int64_t time_ms = 0;
  // The re-probe: not run (nullopt), passed or failed.
  std::optional<bool> reprobe_passed;
};

struct RemedyManagerOptions {
  state::StateDb* db = nullptr;  // Events and budgets; may be null.
  Clock* clock = Clock::Real();
  Supervisor* supervisor = nullptr;
  // Makes the worker thread's UnitClient on first use (an sd-bus
  // connection belongs to one thread); null or failing: unit remedies fail
  // saying D-Bus is needed.
  std::function<Result<std::unique_ptr<UnitClient>>()> connect_units;
  CommandRunner* runner = CommandRunner::Real();
  // Runs probe `name` once now; true when it passed. Called on the worker
  // thread.
  std::function<bool(const std::string& probe)> reprobe;
  // Every outcome (also written as an Event). Called on the worker thread.
  std::function<void(const RemedyOutcome&)> on_outcome;
  size_t max_queue = 1024;  // Triggers beyond it are dropped and logged.
};

class RemedyManager {
 public:
  // Validates every remedy and binding (an unknown remedy name, a binding
  // with both or neither trigger, failures < 1: kInvalidArgument naming
  // the binding) and starts the worker thread.
  static Result<std::unique_ptr<RemedyManager>> Create(
      std::vector<RemedySpec> remedies, std::vector<RemedyBinding> bindings,
      RemedyManagerOptions options);
  virtual ~RemedyManager() = default;  // Finishes the running action.

  // The alerts of one evaluation (firing and resolved). Starts remedies for
  // alerts that began firing; ends episodes of resolved ones.
  virtual void OnAlerts(const alert::Alerts& alerts) = 0;
  // One probe result.
  virtual void OnProbeResult(const std::string& probe, bool success) = 0;

  // The outcome of the last run for the binding named `binding`, or for
  // the alert with `fingerprint`; nullopt when none ran.
  virtual std::optional<RemedyOutcome> LastOutcome(
      const std::string& binding) = 0;
  virtual std::optional<RemedyOutcome> LastOutcomeForAlert(
      uint64_t fingerprint) = 0;

  // An operator's reset: forgets the runs and escalation of `remedy`.
  virtual Status ResetBudget(const std::string& remedy) = 0;

  // Waits until every queued trigger has been handled (for tests and
  // shutdown).
  virtual void Drain() = 0;
};

}  // namespace tend::remedy

#endif  // TEND_REMEDY_REMEDY_MANAGER_H_
