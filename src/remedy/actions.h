// Remedy actions: what a remedy does when it runs, one kind per row of
// the table in actions.cc.
//
//   restart_unit        UnitClient::Restart(unit)
//   restart_supervised  Supervisor::Restart(process)
//   runbook             steps in order, each an argv with a timeout;
//                       stops at the first step that fails
//   scale_unit          starts (up) or stops (down) one instance of a
//                       template unit "app@.service" between min and max
//   exec                one argv with a timeout
//
// Actions block (D-Bus jobs, child processes) and run on the remedy
// manager's worker thread.
#ifndef TEND_REMEDY_ACTIONS_H_
#define TEND_REMEDY_ACTIONS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/subprocess.h"
#include "remedy/budget.h"

namespace tend {
class UnitClient;
}

namespace tend::remedy {

class Supervisor;

enum class RemedyKind {
  kRestartUnit,
  kRestartSupervised,
  kRunbook,
  kScaleUnit,
  kExec
};

// "restart_unit", "restart_supervised", "runbook", "scale_unit", "exec".
Result<RemedyKind> ParseRemedyKind(std::string_view s);
const char* RemedyKindName(RemedyKind k);

struct RunbookStep {
  std::string name;  // For messages; default "step N".
  std::vector<std::string> argv;
  int64_t timeout_ms = 60'000;
};

enum class ScaleDirection { kUp, kDown };
Result<ScaleDirection> ParseScaleDirection(std::string_view s);  // up|down

// One `remedies:` entry.
struct RemedySpec {
  std::string name;
  RemedyKind kind = RemedyKind::kExec;
  std::string unit;     // restart_unit: "nginx.service".
  std::string process;  // restart_supervised: a `supervise:` name.
  // runbook: the steps; exec: exactly one step.
  std::vector<RunbookStep> steps;
  // scale_unit: the template ("app@.service"); instances are app@1 ...
  // app@max_instances.
  std::string template_unit;
  int min_instances = 1;
  int max_instances = 1;
  // restart_unit / scale_unit / restart_supervised: how long to wait for
  // the job or the new process.
  int64_t timeout_ms = 30'000;
  BudgetSpec budget;
  bool dry_run = false;  // Record what would be done; do nothing.
};

// Checks the fields the kind needs (kInvalidArgument naming the remedy and
// field): a unit for restart_unit, a process for restart_supervised,
// steps with non-empty argv for runbook (exactly one for exec), a template
// "x@.service" and 0 <= min <= max for scale_unit, positive timeouts.
Status ValidateRemedySpec(const RemedySpec& spec);

struct ActionContext {
  // The unit client of the calling thread (nullptr: unit kinds fail with
  // kUnavailable saying D-Bus is needed).
  UnitClient* units = nullptr;
  Supervisor* supervisor = nullptr;
  CommandRunner* runner = CommandRunner::Real();
  ScaleDirection direction = ScaleDirection::kUp;
};

struct ActionResult {
  bool ok = false;
  // One line: what was done (or would be done) and how it ended.
  std::string message;
  // A JSON object with details (runbook steps with exit codes and output
  // tails), or empty.
  std::string details_json;
};

// Runs the action (or, with dry_run, only describes it). Never fails as a
// call: failures are ok=false with the reason in the message.
ActionResult RunAction(const RemedySpec& spec, const ActionContext& ctx);

// The last `max_bytes` of `s`, starting at a line boundary when possible.
std::string OutputTail(std::string_view s, size_t max_bytes);

}  // namespace tend::remedy

#endif  // TEND_REMEDY_ACTIONS_H_
