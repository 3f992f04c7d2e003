// Actions the executor performs itself (Ansible's action plugins and
// control statements): they act on variables, conditions or the play
// rather than on a host, so they are not Modules.
#ifndef TEND_AUTOMATE_PLAYBOOK_ACTIONS_H_
#define TEND_AUTOMATE_PLAYBOOK_ACTIONS_H_

#include <string>
#include <string_view>
#include <vector>

#include "automate/modules/module.h"

namespace tend::automate {

// The canonical short name of an action ("ansible.builtin.debug" ->
// "debug"), whether it is a module or an executor action.
std::string_view ShortActionName(std::string_view name);

// The spec of an executor action (debug, assert, fail, pause, setup,
// gather_facts, ping, include_vars, include_tasks, import_tasks,
// include_role, import_role, meta), or nullptr. set_fact is an action
// without a spec: it takes any variable names.
const ModuleSpec* FindActionSpec(std::string_view name);

// True when `name` is a module or an executor action.
bool IsKnownAction(std::string_view name);

// Every module and action name, sorted (for error messages).
std::vector<std::string> KnownActionNames();

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_PLAYBOOK_ACTIONS_H_
