// Loading playbooks, task files and roles from Ansible's YAML into the
// model of playbook.h, with every error at file:line:column.
#ifndef TEND_AUTOMATE_PLAYBOOK_LOADER_H_
#define TEND_AUTOMATE_PLAYBOOK_LOADER_H_

#include <memory>
#include <string>
#include <vector>

#include "automate/playbook/playbook.h"
#include "base/status.h"

namespace tend::automate {

// Loads a playbook file (a list of plays and import_playbook entries).
// Checks the structure: known keywords, one action per task, known modules
// and parameter names (values are checked when templated at run time).
Result<std::unique_ptr<Playbook>> LoadPlaybook(const std::string& path);

// The same from text already read; `path` names it in errors and anchors
// relative imports, roles and files.
Result<std::unique_ptr<Playbook>> ParsePlaybook(std::string_view text,
                                                const std::string& path);

// Loads a task file for include_tasks at run time (or import_tasks at
// load): a list of tasks. `role` is the role the file belongs to, if any.
// Relative paths inside resolve against the file's directory.
Result<std::vector<Task>> LoadTaskFile(const std::string& path,
                                       const Role* role);

// Parses one task list from a document node (used by the two above and by
// tests); `base_dir` is where relative includes resolve.
Result<std::vector<Task>> ParseTaskList(const YamlDoc::Node& node,
                                        const std::string& base_dir,
                                        const Role* role);

// Loads role `name` (found under <playbook_dir>/roles/, then the playbook
// dir, or as a path) with its tasks (tasks_from), handlers, defaults and
// vars, and its meta/main.yml dependencies first.
Result<std::unique_ptr<Role>> LoadRole(const std::string& name,
                                       const std::string& playbook_dir,
                                       const std::string& tasks_from = "main");

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_PLAYBOOK_LOADER_H_
