// Budgets: how often a remedy (or a supervised restart) may run, as Monit
// has them ("if 3 restarts within 5 cycles then timeout").
//
// A budget allows at most `max_runs` runs in any sliding `window_ms`, and
// at least `cooldown_ms` between two runs. When a run is wanted while the
// window is full, the budget *escalates* once (the caller reports an
// "escalated" outcome that the notifier sees) and then refuses every run
// (outcome "skipped") until enough old runs have left the window or an
// operator resets it.
//
// The run times (Unix milliseconds) and the escalation are persisted in
// the state database (namespace "remedy") so a restart of tend does not
// hand out a fresh budget.
#ifndef TEND_REMEDY_BUDGET_H_
#define TEND_REMEDY_BUDGET_H_

#include <cstdint>
#include <deque>
#include <string>

#include "base/status.h"

namespace tend::state {
class StateDb;
}

namespace tend::remedy {

struct BudgetSpec {
  int max_runs = 3;                // 0: unlimited.
  int64_t window_ms = 5 * 60'000;  // Sliding window for max_runs.
  int64_t cooldown_ms = 0;         // Minimum time between two runs.
};

enum class BudgetVerdict {
  kAllow,      // Run now (then call RecordRun).
  kCooldown,   // Too soon after the last run; try again later.
  kEscalate,   // The window is full and this is the first refusal.
  kExhausted,  // Already escalated and the window is still full.
};

const char* BudgetVerdictName(BudgetVerdict v);

// The state of one budget. Not thread-safe (its owner serialises).
class Budget {
 public:
  Budget() = default;
  explicit Budget(BudgetSpec spec) : spec_(spec) {}

  const BudgetSpec& spec() const { return spec_; }

  // What a run wanted at `now_ms` gets. kEscalate marks the budget
  // escalated (the next refusals are kExhausted); a window that has cleared
  // clears the escalation.
  BudgetVerdict Check(int64_t now_ms);
  void RecordRun(int64_t now_ms);
  // Forgets the runs and the escalation (an operator's reset).
  void Reset();

  bool escalated() const { return escalated_; }
  // Runs inside the window ending at `now_ms`.
  int RunsInWindow(int64_t now_ms) const;
  // When the oldest run in the window leaves it (0 when not full).
  int64_t ClearsAtMs(int64_t now_ms) const;

  // {"runs":[ms,...],"escalated":true}; Parse fails (kDataLoss) on text
  // that is not such an object.
  std::string Serialize() const;
  Status Parse(const std::string& text);

 private:
  void Expire(int64_t now_ms);

  BudgetSpec spec_;
  std::deque<int64_t> runs_;  // Ascending.
  bool escalated_ = false;
};

// Loads and saves budgets under key `key` of namespace "remedy" ("remedy/
// <name>" for remedies, "supervise/<name>" for supervised processes). A db
// of nullptr keeps budgets in memory only.
Status LoadBudget(state::StateDb* db, const std::string& key, Budget* budget);
Status SaveBudget(state::StateDb* db, const std::string& key,
                  const Budget& budget);

}  // namespace tend::remedy

#endif  // TEND_REMEDY_BUDGET_H_
