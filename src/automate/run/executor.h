// Running a playbook: plays over inventory hosts in serial batches, tasks
// in Ansible's linear strategy (every host finishes a task before any
// starts the next), up to `forks` hosts at once.
#ifndef TEND_AUTOMATE_RUN_EXECUTOR_H_
#define TEND_AUTOMATE_RUN_EXECUTOR_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "automate/inventory/inventory.h"
#include "automate/playbook/playbook.h"
#include "automate/run/report.h"
#include "automate/transport/connection.h"
#include "base/clock.h"
#include "base/status.h"

namespace tend::automate {

// Opens the connection to a host given its merged variables
// (ansible_connection, ansible_host, ansible_port, ansible_user ...).
// An error makes the host unreachable for the play.
using ConnectFn = std::function<Result<std::unique_ptr<Connection>>(
    const std::string& host, const Value& vars)>;

// Every member has a default initializer so designated initializers may
// leave any out.
struct ApplyOptions {
  std::string limit{};                   // --limit pattern; "" = none
  std::vector<std::string> tags{};       // --tags; empty = all
  std::vector<std::string> skip_tags{};  // --skip-tags
  bool check = false;
  bool diff = false;
  int forks = 50;
  Value extra_vars = Value::object();
  ConnectFn connect{};              // nullptr: DefaultConnect
  const Clock* clock = nullptr;     // nullptr: the real clock
  RunObserver* observer = nullptr;  // nullptr: silent
};

struct RunSummary {
  std::map<std::string, HostStats> stats;
  // True when any host failed or was unreachable (the exit status).
  bool failed = false;
  int tasks_run = 0;
};

// Runs every play of `pb` against `inv`. An error return means the run
// could not start or a play was malformed beyond one host (a bad `hosts:`
// pattern); host failures are in the summary.
Result<RunSummary> RunPlaybook(const Playbook& pb, const Inventory& inv,
                               const ApplyOptions& opts);

// Opens a connection the default way: local for ansible_connection=local
// and for localhost/127.0.0.1 without other settings; SSH otherwise.
Result<std::unique_ptr<Connection>> DefaultConnect(const std::string& host,
                                                   const Value& vars);

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_RUN_EXECUTOR_H_
