// Internal to src/automate/playbook: the loader's shared pieces, split
// over loader.cc (plays and roles), task_loader.cc (tasks, blocks and
// imports) and loader_util.cc.
#ifndef TEND_AUTOMATE_PLAYBOOK_LOADER_INTERNAL_H_
#define TEND_AUTOMATE_PLAYBOOK_LOADER_INTERNAL_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "automate/playbook/playbook.h"
#include "automate/yaml_value.h"
#include "base/status.h"

namespace tend::automate::loader_internal {

// Imports nested deeper than this are a loop (a file importing itself).
inline constexpr int kMaxImportDepth = 32;

Status ErrorAt(const SourcePos& pos, const std::string& msg);
std::string DirOf(const std::string& path);
std::string JoinPath(const std::string& dir, const std::string& rel);
bool Exists(const std::string& path);
bool IsDir(const std::string& path);
Expr ExprOf(const YamlDoc::Node& n);
// `when`, `changed_when`, `failed_when`, `notify`: a scalar or a list.
std::vector<Expr> ExprList(const YamlDoc::Node& n);
Result<std::vector<std::string>> Tags(const YamlDoc::Node& n);
Status NeedMapping(const YamlDoc::Node& n, std::string_view what);

// Loads task lists, blocks, imports and roles of one playbook. Roles it
// loads while expanding imports are kept in owned_roles() for the play.
class Loader {
 public:
  explicit Loader(std::string playbook_dir)
      : playbook_dir_(std::move(playbook_dir)) {}

  Result<std::vector<Task>> TaskList(const YamlDoc::Node& n,
                                     const std::string& base_dir,
                                     const Role* role, int depth);

  Result<std::unique_ptr<Role>> RoleAt(const std::string& name,
                                       const SourcePos& pos,
                                       const std::string& tasks_from,
                                       int depth);

  struct RoleRef {
    std::string name;
    Value params = Value::object();
    std::vector<std::string> tags;
    std::vector<Expr> when;
    Value vars = Value::object();
  };

  Status ParseRoleRef(const YamlDoc::Node& n, RoleRef* ref);

  Result<Value> VarsFile(const std::string& dir, const std::string& name);

  static std::string FindYaml(const std::string& dir, const std::string& name);

  const std::string& playbook_dir() const { return playbook_dir_; }
  std::vector<std::unique_ptr<Role>>& owned_roles() { return owned_roles_; }

 private:
  Status OneTask(const YamlDoc::Node& n, const std::string& base_dir,
                 const Role* role, int depth, std::vector<Task>* out);

  Status ActionKeyword(const YamlDoc::Node& child, Task* t,
                       std::vector<std::string>* actions);

  void RecordArgPositions(const YamlDoc::Node& n, Task* t);

  // Splits k=v strings and checks parameter names against the module's
  // spec, so a misspelt parameter is reported before anything runs.
  Status CheckArgs(Task* t);

  Result<std::string> IncludeFile(const Task& t);

  Status ImportTasks(const Task& t, const Role* role, int depth,
                     std::vector<Task>* out);

  Status ImportRole(const Task& t, int depth, std::vector<Task>* out);

  // What a block or an import passes to its tasks: conditions, tags, vars
  // and privilege settings.
  static void Inherit(const Task& parent, std::vector<Task>* children);

  static Status LoopControlOf(const YamlDoc::Node& n, LoopControl* lc);

  static std::string JoinNames(const std::vector<std::string>& v);

  std::string playbook_dir_;
  std::vector<std::unique_ptr<Role>> owned_roles_;
  // Where the current task's argument names were written (errors about
  // a parameter name point at the name).
  std::vector<std::pair<std::string, SourcePos>> arg_key_pos_;
};

}  // namespace tend::automate::loader_internal

#endif  // TEND_AUTOMATE_PLAYBOOK_LOADER_INTERNAL_H_
