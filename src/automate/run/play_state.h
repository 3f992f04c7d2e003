// Internal to src/automate/run: the state a run keeps per host and per
// play, shared by the play loop (executor.cc) and task execution
// (task_exec.cc).
#ifndef TEND_AUTOMATE_RUN_PLAY_STATE_H_
#define TEND_AUTOMATE_RUN_PLAY_STATE_H_

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "automate/run/executor.h"
#include "automate/run/scope.h"
#include "automate/run/templar.h"

namespace tend::automate {

struct HostRun {
  HostVarState vars;
  std::unique_ptr<Connection> conn;
  std::unique_ptr<IdResolver> ids;
  bool connect_tried = false;
  Status connect_error;
  HostStats stats;
  bool failed = false;  // failed in this play (out of the task lists)
  bool unreachable = false;
  bool ended = false;              // meta: end_host
  bool ran = false;                // some task ran here (listed in the recap)
  std::set<std::string> notified;  // handler names and listen topics
  // Failures inside the current block not yet counted (a rescue may
  // still rescue them).
  int pending_failures = 0;
};

struct RunShared {
  const Playbook* pb = nullptr;
  const Inventory* inv = nullptr;
  const ApplyOptions* opts = nullptr;
  const Clock* clock = nullptr;
  TemplateCache cache;
  std::unique_ptr<Connection> local;  // for delegate_to: localhost
  std::unique_ptr<IdResolver> local_ids;
  Mutex local_mu;  // delegated tasks share `local`
  std::atomic<int> tasks_run{0};
  // Roles loaded by include_role, kept alive for their tasks.
  Mutex roles_mu;
  std::vector<std::unique_ptr<Role>> dynamic_roles GUARDED_BY(roles_mu);
};

// Runs one task (not a block or an include) on one host: when, loop,
// the action, until/retries, changed_when/failed_when, register, notify.
// Counts the outcome in host->stats (failures go to pending_failures when
// `in_block`).
TaskResult RunTaskOnHost(const Task& task, HostRun* host, const PlayVars& pv,
                         RunShared* shared);

// Whether a task runs under --tags/--skip-tags (Ansible's rules with the
// special tags always, never, tagged, untagged, all).
bool TagsSelected(const std::vector<std::string>& task_tags,
                  const ApplyOptions& opts);

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_RUN_PLAY_STATE_H_
