// The playbook model: plays, tasks, blocks, handlers and roles as loaded
// from Ansible's YAML, before any templating.
//
// Every templatable field keeps its raw text (or Value) and where it was
// written, so errors at run time say file:line:column. Static parts of the
// language are resolved at load: import_tasks, import_playbook and `roles:`
// are expanded in place (with their tags and when conditions passed down);
// include_tasks and include_role stay as tasks and load when they run.
#ifndef TEND_AUTOMATE_PLAYBOOK_PLAYBOOK_H_
#define TEND_AUTOMATE_PLAYBOOK_PLAYBOOK_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "automate/value.h"
#include "automate/yaml_value.h"

namespace tend::automate {

// A templatable value with where it was written. `value` is a string,
// a bool, a number, or a list/mapping of those (templated recursively).
struct Expr {
  Value value;
  SourcePos pos;
  bool unsafe = false;  // !unsafe: used as is, never templated
  bool set() const { return !value.is_null(); }
};

struct LoopControl {
  std::string loop_var = "item";
  std::string index_var;
  Expr label;
  Expr pause;  // seconds between items
  Expr extended;
};

struct Role;

struct Task {
  enum class Kind {
    kModule,        // an action: a module or one of the executor's own
    kBlock,         // block/rescue/always
    kIncludeTasks,  // include_tasks: loaded when it runs
    kIncludeRole,   // include_role
    kMeta,          // meta: flush_handlers, end_play, end_host, noop, ...
  };
  Kind kind = Kind::kModule;
  SourcePos pos;       // of the task's first key
  Expr name;           // may be templated ("{{ item }}")
  std::string action;  // module name as written ("copy",
                       // "ansible.builtin.copy"), or the meta verb
  Expr args;           // the module's arguments (a mapping or free-form
                       // string split into a mapping at load time)
  // Where each top-level argument was written (errors in its template).
  std::vector<std::pair<std::string, SourcePos>> arg_pos;
  std::vector<Expr> when;  // all must hold (inherited ones first)
  Expr loop;               // `loop:` or `with_<lookup>:` value
  std::string loop_kind;   // "" (none), "loop", "items", "list", "dict",
                           // "indexed_items", "fileglob", "sequence",
                           // "subelements", "nested", "together"
  LoopControl loop_control;
  std::string register_var;
  std::vector<Expr> changed_when;  // empty: the module decides
  std::vector<Expr> failed_when;
  Expr ignore_errors;
  Expr ignore_unreachable;
  Expr until;
  Expr retries;
  Expr delay;
  std::vector<std::string> tags;  // own and inherited
  std::vector<Expr> notify;
  std::vector<std::string> listen;  // handlers only
  Value vars = Value::object();     // task vars (raw, templated lazily)
  SourcePos vars_pos;
  Expr environment;
  Expr become;
  Expr become_user;
  Expr run_once;
  Expr delegate_to;
  Expr check_mode;  // per-task override of --check
  Expr diff;
  Expr no_log;
  Expr any_errors_fatal;
  // Blocks.
  std::vector<Task> block, rescue, always;
  // The role this task came from (for files/, templates/, role vars), or
  // nullptr.
  const Role* role = nullptr;
  // Directory relative paths in the task resolve against (the including
  // file's dir).
  std::string base_dir;
};

struct Role {
  std::string name;
  std::string path;                  // roles/<name>
  Value defaults = Value::object();  // defaults/main.yml
  Value vars = Value::object();      // vars/main.yml
  Value params = Value::object();    // role: x, with params (play level)
  std::vector<Task> tasks;           // tasks/main.yml (expanded)
  std::vector<Task> handlers;        // handlers/main.yml
};

struct Play {
  SourcePos pos;
  Expr name;
  Expr hosts;  // a pattern (string or list)
  Value vars = Value::object();
  std::vector<Expr> vars_files;
  Expr gather_facts;  // default true
  Expr become;
  Expr become_user;
  Expr serial;  // int, "30%", or a list of them
  Expr max_fail_percentage;
  Expr any_errors_fatal;
  Expr check_mode;
  Expr diff;
  Expr environment;
  Expr ignore_errors;
  Expr connection;  // "local" forces the local transport
  Expr remote_user;
  std::vector<std::string> tags;
  // Roles first (their tasks in pre_tasks' and tasks' order: pre_tasks,
  // roles, tasks, post_tasks, as Ansible runs them).
  std::vector<Task> pre_tasks, tasks, post_tasks;
  std::vector<std::unique_ptr<Role>> roles;
  std::vector<Task> role_tasks;  // the roles' tasks, expanded in order
  std::vector<Task> handlers;    // play handlers, then roles' handlers
};

struct Playbook {
  std::string path;  // as given
  std::string dir;   // its directory (playbook_dir)
  std::vector<Play> plays;
};

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_PLAYBOOK_PLAYBOOK_H_
