// What a run produces: per-task, per-host results and per-host totals,
// delivered to an observer as they happen (text output, JSON report).
#ifndef TEND_AUTOMATE_RUN_REPORT_H_
#define TEND_AUTOMATE_RUN_REPORT_H_

#include <map>
#include <string>
#include <vector>

#include "automate/modules/module.h"
#include "automate/value.h"

namespace tend::automate {

enum class Outcome { kOk, kChanged, kSkipped, kFailed, kUnreachable };

// Ansible's recap counters for one host.
struct HostStats {
  int ok = 0;
  int changed = 0;
  int unreachable = 0;
  int failed = 0;
  int skipped = 0;
  int rescued = 0;
  int ignored = 0;
};

struct ItemResult {
  Outcome outcome = Outcome::kOk;
  std::string label;  // what "(item=...)" shows
  Value result;       // the item's registered result
  std::vector<FileDiff> diffs;
};

// One task's result on one host (after its loop, if any).
struct TaskResult {
  std::string host;
  std::string action;        // short module/action name ("copy")
  std::string delegated_to;  // "" when not delegated
  Outcome outcome = Outcome::kOk;
  bool ignored = false;  // failed, but ignore_errors held
  bool looped = false;
  bool verbose = false;  // print the result (debug does)
  Value result;          // the registered value
  std::vector<ItemResult> items;
  std::vector<FileDiff> diffs;
};

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void OnPlayStart(const std::string& name) {}
  virtual void OnNoHostsMatched() {}
  virtual void OnTaskStart(const std::string& name, bool handler) {}
  // Called from worker threads; implementations serialise.
  virtual void OnHostResult(const TaskResult& result) {}
  // include_tasks loaded `path` for `hosts` (with a loop item's label, or
  // "" without a loop).
  virtual void OnIncluded(const std::string& path,
                          const std::vector<std::string>& hosts,
                          const std::string& item_label) {}
  virtual void OnNoMoreHosts() {}
  virtual void OnWarning(const std::string& message) {}
  // Hosts in name order.
  virtual void OnRecap(const std::map<std::string, HostStats>& stats) {}
};

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_RUN_REPORT_H_
