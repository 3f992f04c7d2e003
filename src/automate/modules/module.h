// Modules: what a task does, with ansible.builtin's names, parameters and
// changed/ok semantics.
//
// A module is tend code in the controller acting on the target through a
// Connection (transport/connection.h). It receives its arguments already
// templated and validated against its ModuleSpec (args.h), and returns a
// ModuleResult. In check mode a module changes nothing and returns exactly
// the result a real run would (changed or not, and the diff): check mode
// that lies is worse than none.
#ifndef TEND_AUTOMATE_MODULES_MODULE_H_
#define TEND_AUTOMATE_MODULES_MODULE_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "automate/transport/connection.h"
#include "automate/value.h"
#include "base/clock.h"
#include "base/status.h"

namespace tend::automate {

enum class ParamType {
  kStr,    // a string; numbers and booleans are converted to their text
  kBool,   // true/false, yes/no, on/off, 1/0 (strings in any case too)
  kInt,    // an integer, or a string holding one
  kFloat,  // a number, or a string holding one
  kPath,   // a string; a leading ~ is kept for the module to expand
  kList,   // a list; a string is split on commas (Ansible's behaviour)
  kDict,   // a mapping
  kRaw,    // anything, unchanged
};

struct ParamSpec {
  // Every member has a default initializer so designated initializers
  // may leave any out (-Wmissing-field-initializers).
  std::string name{};
  ParamType type = ParamType::kStr;
  bool required = false;
  Value default_value{};               // null: no default (absent)
  std::vector<std::string> choices{};  // allowed values (after conversion)
  std::vector<std::string> aliases{};
};

// Builds a ParamSpec by name: Param("state").Default("present")
// .Choices({...}).
struct Param : ParamSpec {
  explicit Param(std::string n, ParamType t = ParamType::kStr) {
    name = std::move(n);
    type = t;
  }
  Param& Required(bool r = true) {
    required = r;
    return *this;
  }
  Param& Default(Value v) {
    default_value = std::move(v);
    return *this;
  }
  Param& Choices(std::vector<std::string> c) {
    choices = std::move(c);
    return *this;
  }
  Param& Aliases(std::vector<std::string> a) {
    aliases = std::move(a);
    return *this;
  }
};

struct ModuleSpec {
  std::string name{};  // "file" (reached as "file" and
                       // "ansible.builtin.file")
  std::vector<ParamSpec> params{};
  // Accepts a free-form string ("command: ls -l", "shell: ..."), which
  // arrives as the parameter "_raw_params"; k=v words in it that name a
  // parameter are split off first (chdir=/tmp ls), as Ansible does.
  bool free_form = false;
  // Groups of parameters of which at most one may be given.
  std::vector<std::vector<std::string>> mutually_exclusive{};
  // Groups of which at least one must be given.
  std::vector<std::vector<std::string>> required_one_of{};
};

// One file's change, for --diff (printed as a unified diff).
struct FileDiff {
  std::string before_header;  // usually the path
  std::string after_header;
  std::string before;  // whole text; "" when absent
  std::string after;
  // For state changes that are not content (file: absent -> directory,
  // mode 0644 -> 0600): a short "before"/"after" state printed instead.
  bool is_state = false;
};

struct ModuleResult {
  bool changed = false;
  bool failed = false;
  bool skipped = false;
  std::string msg;
  // Module-specific return values (rc, stdout, stderr, path, mode, stat,
  // ...), merged into the registered variable next to changed/failed/msg.
  Value data = Value::object();
  // Facts to set on the host (gathering, set_fact's cacheable ones).
  Value facts = Value::object();
  std::vector<FileDiff> diffs;
};

// What a module run may use besides its arguments. Owned by the executor;
// valid for one Run call.
struct ModuleContext {
  Connection* conn = nullptr;
  IdResolver* ids = nullptr;  // the same connection's user/group names
  Privilege priv;             // become for this task
  bool check_mode = false;
  bool diff = false;
  const Clock* clock = nullptr;
  // Finds a controller-side `src` (copy, template, unarchive, script) the
  // way Ansible does: absolute as is; relative first in the role's files/
  // (templates/ for the template module), then next to the playbook.
  // `kind` is "files" or "templates". kNotFound names where it looked.
  std::function<Result<std::string>(std::string_view src,
                                    std::string_view kind)>
      find_src;
  // Renders a controller-side template file with the task's variables
  // (template module), with the template module's Jinja options.
  std::function<Result<std::string>(const std::string& local_path)> render_file;
};

class Module {
 public:
  virtual ~Module() = default;
  virtual const ModuleSpec& spec() const = 0;
  // `args` is a mapping holding only parameters of spec() (validated,
  // converted, defaults applied). An ordinary failure (a missing file, a
  // command's non-zero exit) is a ModuleResult with failed=true and msg; an
  // error Result is reported the same way, its message as msg.
  virtual Result<ModuleResult> Run(const Value& args, ModuleContext& ctx) = 0;
};

// The module with this name ("copy" or "ansible.builtin.copy"), or nullptr.
const Module* FindModule(std::string_view name);
// Every module's short name, sorted (for "supported modules are ...").
std::vector<std::string> ModuleNames();

// Registration: each group of modules has a function adding its modules;
// registry.cc calls them all once.
using ModuleList = std::vector<std::unique_ptr<Module>>;
void AddFileModules(ModuleList* out);    // modules/files/
void AddSystemModules(ModuleList* out);  // modules/system/
void AddNetModules(ModuleList* out);     // modules/net/
void AddDeployModules(ModuleList* out);  // deploy/ (library
                                         // tend_automate_deploy)
void AddBackupModules(ModuleList* out);  // automate/backup/

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_MODULES_MODULE_H_
