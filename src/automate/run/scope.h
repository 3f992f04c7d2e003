// Variables as a task on one host sees them, in Ansible's precedence, with
// variables whose values are templates rendered when read.
#ifndef TEND_AUTOMATE_RUN_SCOPE_H_
#define TEND_AUTOMATE_RUN_SCOPE_H_

#include <memory>
#include <string>
#include <vector>

#include "automate/jinja/jinja.h"
#include "automate/playbook/playbook.h"
#include "automate/run/search_path.h"
#include "automate/run/templar.h"

namespace tend::automate {

struct HostVarsSource;

// One host's state for a run: what tasks add to its variables.
struct HostVarState {
  std::string name;
  Value inventory = Value::object();  // merged inventory vars
  Value facts = Value::object();      // ansible_facts
  Value runtime = Value::object();    // set_fact and register
  // include_tasks/include_role parameters and loop variables of the
  // includes this host is inside, innermost last.
  std::vector<Value> include_stack;
};

// What every host in a play shares.
struct PlayVars {
  const Play* play = nullptr;
  Value vars = Value::object();   // play vars, then vars_files over them
  Value extra = Value::object();  // -e
  Value magic = Value::object();  // groups, playbook_dir, ansible_play_hosts
  // Every host's state by name, for `hostvars`.
  const std::vector<HostVarState*>* hosts = nullptr;
  bool check_mode = false;
  bool diff_mode = false;
};

// A Scope for one task on one host. Lookup order (first found wins):
// locals (loop variables), extra vars, include params, set_fact/register,
// task vars (with block vars and role params), role vars, play vars_files
// and vars, facts (as ansible_facts and as ansible_<name>), inventory vars,
// role defaults, then the magic variables (inventory_hostname, groups,
// group_names, hostvars, playbook_dir, role_path, role_name,
// ansible_check_mode, ansible_diff_mode, omit, ansible_play_hosts,
// ansible_play_batch). A variable whose value holds templates is rendered
// against this same scope when read; a variable that reads itself
// (directly or through others) is an error naming it.
class TaskScope : public jinja::Scope {
 public:
  TaskScope(Templar* templar, const PlayVars* play, HostVarState* host,
            const Task* task);

  // Loop variables and other task-local names (highest precedence).
  void SetLocal(const std::string& name, Value v) {
    locals_[name] = std::move(v);
  }
  void ClearLocals() { locals_ = Value::object(); }

  Result<std::optional<Value>> Lookup(std::string_view name) override;
  // The stored value without a copy when it holds no template (variables
  // do not change while one template renders).
  const Value* Find(std::string_view name) override;
  Result<Value> CallLookup(std::string_view plugin,
                           const std::vector<Value>& args,
                           const Value& kwargs) override;

  // The raw value before templating, and where it came from ("task vars",
  // "play vars", ...), for `tend apply --explain`-style messages.
  const Value* Raw(std::string_view name, const char** layer) const;

  const Task* task() const { return task_; }
  // Where the task's relative file names are looked for.
  SearchDirs Dirs() const;
  HostVarState* host() { return host_; }

 private:
  Value HostVarsValue() const;
  Value Magic(std::string_view name, bool* found) const;

  Templar* templar_;
  const PlayVars* play_;
  HostVarState* host_;
  const Task* task_;
  Value locals_ = Value::object();
  std::vector<std::string> rendering_;  // names being rendered (cycles)
};

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_RUN_SCOPE_H_
