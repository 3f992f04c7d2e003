// The executor's own actions: debug, set_fact, assert, fail, pause, ping,
// setup/gather_facts and include_vars; and template-file rendering for the
// template module.
#ifndef TEND_AUTOMATE_RUN_BUILTIN_ACTIONS_H_
#define TEND_AUTOMATE_RUN_BUILTIN_ACTIONS_H_

#include <functional>
#include <string>
#include <string_view>

#include "automate/playbook/playbook.h"
#include "automate/run/report.h"
#include "automate/run/scope.h"
#include "automate/run/templar.h"
#include "automate/transport/connection.h"
#include "base/clock.h"

namespace tend::automate {

struct BuiltinContext {
  const Task* task;
  TaskScope* scope;
  Templar* templar;
  HostVarState* host;
  const Clock* clock;
  bool check_mode;
  // Gathers facts on the task's host (setup, gather_facts).
  std::function<Result<Value>()> gather{};
};

struct BuiltinResult {
  Outcome outcome = Outcome::kOk;
  Value result = Value::object();
  bool verbose = false;  // print the result (debug)
  bool unreachable = false;
};

// Runs executor action `name`. An error Result is a task failure whose
// message already says where.
Result<BuiltinResult> RunBuiltin(std::string_view name, BuiltinContext& ctx);

// Renders a controller-side template file (template module): Ansible's
// template options (trim_blocks on, a trailing newline kept).
Result<std::string> RenderTemplateFile(const std::string& path,
                                       Templar& templar, jinja::Scope& scope);

// Facts gathered natively over the connection, no Python on the target:
// os_family, distribution, distribution_version, distribution_release,
// distribution_major_version, hostname, nodename, fqdn, domain,
// default_ipv4 / all_ipv4_addresses / all_ipv6_addresses, processor_count,
// processor_cores, processor_vcpus, memtotal_mb, memfree_mb, mounts,
// kernel, architecture, machine_id, python-free env (user_id, user_dir),
// date_time, service_mgr, pkg_mgr, virtualization_type (basic).
Result<Value> GatherFacts(Connection* conn);

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_RUN_BUILTIN_ACTIONS_H_
