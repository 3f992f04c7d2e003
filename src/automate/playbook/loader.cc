#include "automate/playbook/loader.h"

#include <sys/stat.h>

#include <algorithm>
#include <set>

#include "automate/modules/args.h"
#include "automate/playbook/actions.h"
#include "config/suggest.h"

namespace tend::automate {
namespace {

// Imports nested deeper than this are a loop (a file importing itself).
constexpr int kMaxImportDepth = 32;

Status ErrorAt(const SourcePos& pos, const std::string& msg) {
  return Status(StatusCode::kInvalidArgument, pos.ToString() + ": " + msg);
}

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string JoinPath(const std::string& dir, const std::string& rel) {
  if (!rel.empty() && rel[0] == '/') return rel;
  if (dir.empty() || dir == ".") return rel;
  return dir + "/" + rel;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool IsDir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Expr ExprOf(const YamlDoc::Node& n) { return Expr{*n.value, n.pos, n.unsafe}; }

// `when`, `changed_when`, `failed_when`, `notify`: a scalar or a list.
std::vector<Expr> ExprList(const YamlDoc::Node& n) {
  std::vector<Expr> out;
  if (n.value->is_array()) {
    for (const auto& item : n.items) out.push_back(ExprOf(item));
  } else if (!n.value->is_null()) {
    out.push_back(ExprOf(n));
  }
  return out;
}

Result<std::vector<std::string>> Tags(const YamlDoc::Node& n) {
  std::vector<std::string> out;
  auto add = [&](const Value& v, const SourcePos& pos) -> Status {
    if (v.is_string()) {
      // "a, b" is two tags, as Ansible splits them.
      std::string s = v.get<std::string>();
      size_t start = 0;
      while (start <= s.size()) {
        size_t comma = s.find(',', start);
        std::string t =
            s.substr(start, comma == std::string::npos ? std::string::npos
                                                       : comma - start);
        t.erase(0, t.find_first_not_of(' '));
        t.erase(t.find_last_not_of(' ') + 1);
        if (!t.empty()) out.push_back(t);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      return Status::Ok();
    }
    if (v.is_number()) {
      out.push_back(v.dump());
      return Status::Ok();
    }
    return ErrorAt(pos, "tags must be strings");
  };
  if (n.value->is_array()) {
    for (const auto& item : n.items) {
      RETURN_IF_ERROR(add(*item.value, item.pos));
    }
  } else if (!n.value->is_null()) {
    RETURN_IF_ERROR(add(*n.value, n.pos));
  }
  return out;
}

Status NeedMapping(const YamlDoc::Node& n, std::string_view what) {
  if (!n.value->is_object()) {
    return ErrorAt(n.pos, std::string(what) + " must be a mapping");
  }
  return Status::Ok();
}

const std::set<std::string, std::less<>>& TaskKeywords() {
  static const auto* k =
      new std::set<std::string, std::less<>>{"name",
                                             "when",
                                             "loop",
                                             "loop_control",
                                             "register",
                                             "changed_when",
                                             "failed_when",
                                             "ignore_errors",
                                             "ignore_unreachable",
                                             "until",
                                             "retries",
                                             "delay",
                                             "tags",
                                             "notify",
                                             "listen",
                                             "vars",
                                             "environment",
                                             "become",
                                             "become_user",
                                             "become_method",
                                             "become_flags",
                                             "run_once",
                                             "delegate_to",
                                             "delegate_facts",
                                             "check_mode",
                                             "diff",
                                             "no_log",
                                             "any_errors_fatal",
                                             "args",
                                             "action",
                                             "local_action",
                                             "block",
                                             "rescue",
                                             "always",
                                             "throttle",
                                             "timeout",
                                             "collections",
                                             "connection",
                                             "remote_user",
                                             "port",
                                             "debugger",
                                             "module_defaults"};
  return *k;
}

// Keywords accepted but without effect in tend; named in docs.
bool IgnoredKeyword(std::string_view k) {
  return k == "become_method" || k == "become_flags" || k == "throttle" ||
         k == "collections" || k == "debugger" || k == "delegate_facts" ||
         k == "timeout" || k == "connection" || k == "remote_user" ||
         k == "port";
}

class Loader {
 public:
  explicit Loader(std::string playbook_dir)
      : playbook_dir_(std::move(playbook_dir)) {}

  Result<std::vector<Task>> TaskList(const YamlDoc::Node& n,
                                     const std::string& base_dir,
                                     const Role* role, int depth) {
    std::vector<Task> out;
    if (n.value->is_null()) return out;
    if (!n.value->is_array()) {
      return ErrorAt(n.pos, "a task list must be a YAML list of tasks");
    }
    for (const auto& item : n.items) {
      RETURN_IF_ERROR(OneTask(item, base_dir, role, depth, &out));
    }
    return out;
  }

  Result<std::unique_ptr<Role>> RoleAt(const std::string& name,
                                       const SourcePos& pos,
                                       const std::string& tasks_from,
                                       int depth) {
    if (depth > kMaxImportDepth) {
      return ErrorAt(pos, "roles depend on each other in a loop");
    }
    std::string path;
    for (const std::string& cand : {JoinPath(playbook_dir_, "roles/" + name),
                                    JoinPath(playbook_dir_, name), name}) {
      if (IsDir(cand)) {
        path = cand;
        break;
      }
    }
    if (path.empty()) {
      return ErrorAt(pos, "role '" + name + "' not found (looked in " +
                              JoinPath(playbook_dir_, "roles/" + name) +
                              " and " + JoinPath(playbook_dir_, name) + ")");
    }
    auto role = std::make_unique<Role>();
    role->name = name;
    role->path = path;
    ASSIGN_OR_RETURN(role->defaults, VarsFile(path + "/defaults", "main"));
    ASSIGN_OR_RETURN(role->vars, VarsFile(path + "/vars", "main"));
    // meta/main.yml dependencies run first.
    std::string meta = FindYaml(path + "/meta", "main");
    if (!meta.empty()) {
      ASSIGN_OR_RETURN(auto doc, LoadYamlFile(meta));
      if (const auto* deps = doc->root().Find("dependencies");
          deps != nullptr && deps->value->is_array()) {
        for (const auto& d : deps->items) {
          RoleRef ref;
          RETURN_IF_ERROR(ParseRoleRef(d, &ref));
          ASSIGN_OR_RETURN(auto dep,
                           RoleAt(ref.name, d.pos, "main", depth + 1));
          dep->params = ref.params;
          for (Task& t : dep->tasks) {
            role->tasks.push_back(std::move(t));
          }
          for (Task& h : dep->handlers) role->handlers.push_back(std::move(h));
          owned_roles_.push_back(std::move(dep));
        }
      }
    }
    std::string tasks = FindYaml(path + "/tasks", tasks_from);
    if (!tasks.empty()) {
      ASSIGN_OR_RETURN(auto doc, LoadYamlFile(tasks));
      ASSIGN_OR_RETURN(auto list, TaskList(doc->root(), DirOf(tasks),
                                           role.get(), depth + 1));
      for (Task& t : list) role->tasks.push_back(std::move(t));
    } else if (tasks_from != "main") {
      return ErrorAt(
          pos, "role '" + name + "' has no tasks file '" + tasks_from + "'");
    }
    std::string handlers = FindYaml(path + "/handlers", "main");
    if (!handlers.empty()) {
      ASSIGN_OR_RETURN(auto doc, LoadYamlFile(handlers));
      ASSIGN_OR_RETURN(auto list, TaskList(doc->root(), DirOf(handlers),
                                           role.get(), depth + 1));
      for (Task& t : list) role->handlers.push_back(std::move(t));
    }
    return role;
  }

  struct RoleRef {
    std::string name;
    Value params = Value::object();
    std::vector<std::string> tags;
    std::vector<Expr> when;
    Value vars = Value::object();
  };

  Status ParseRoleRef(const YamlDoc::Node& n, RoleRef* ref) {
    if (n.value->is_string()) {
      ref->name = n.value->get<std::string>();
      return Status::Ok();
    }
    RETURN_IF_ERROR(NeedMapping(n, "a role entry"));
    size_t i = 0;
    for (auto it = n.value->begin(); it != n.value->end(); ++it, ++i) {
      const auto& [kpos, child] = n.entries[i];
      const std::string& k = it.key();
      if (k == "role" || k == "name") {
        if (!it->is_string()) return ErrorAt(child.pos, "a role name");
        ref->name = it->get<std::string>();
      } else if (k == "tags") {
        ASSIGN_OR_RETURN(ref->tags, Tags(child));
      } else if (k == "when") {
        ref->when = ExprList(child);
      } else if (k == "vars") {
        RETURN_IF_ERROR(NeedMapping(child, "vars"));
        ref->vars = *it;
      } else if (k == "become" || k == "become_user") {
        ref->params["__" + k] = *it;
      } else {
        ref->params[k] = *it;  // role parameters (old style)
      }
    }
    if (ref->name.empty()) return ErrorAt(n.pos, "a role entry needs 'role'");
    return Status::Ok();
  }

  Result<Value> VarsFile(const std::string& dir, const std::string& name) {
    std::string path = FindYaml(dir, name);
    if (path.empty()) return Value::object();
    ASSIGN_OR_RETURN(auto doc, LoadYamlFile(path));
    if (doc->value().is_null()) return Value::object();
    if (!doc->value().is_object()) {
      return ErrorAt(doc->root().pos, "a vars file must be a mapping");
    }
    return doc->value();
  }

  static std::string FindYaml(const std::string& dir, const std::string& name) {
    for (const char* ext : {".yml", ".yaml", ""}) {
      std::string p = dir + "/" + name + ext;
      if (Exists(p) && !IsDir(p)) return p;
    }
    return "";
  }

  const std::string& playbook_dir() const { return playbook_dir_; }
  std::vector<std::unique_ptr<Role>>& owned_roles() { return owned_roles_; }

 private:
  Status OneTask(const YamlDoc::Node& n, const std::string& base_dir,
                 const Role* role, int depth, std::vector<Task>* out) {
    RETURN_IF_ERROR(NeedMapping(n, "a task"));
    arg_key_pos_.clear();
    Task t;
    t.pos = n.pos;
    t.role = role;
    t.base_dir = base_dir;
    std::vector<std::string> actions;
    const YamlDoc::Node* action_node = nullptr;
    const YamlDoc::Node* extra_args = nullptr;
    const YamlDoc::Node *block = nullptr, *rescue = nullptr, *always = nullptr;
    size_t i = 0;
    for (auto it = n.value->begin(); it != n.value->end(); ++it, ++i) {
      const auto& [kpos, child] = n.entries[i];
      const std::string& k = it.key();
      if (k.starts_with("with_")) {
        static const std::set<std::string, std::less<>> kinds = {
            "items",    "list",        "dict",   "indexed_items", "fileglob",
            "sequence", "subelements", "nested", "together",      "flattened"};
        std::string kind = k.substr(5);
        if (!kinds.contains(kind)) {
          return ErrorAt(kpos, "unsupported loop '" + k +
                                   "'; supported: loop, with_items, "
                                   "with_list, with_dict, with_indexed_items, "
                                   "with_fileglob, with_sequence, "
                                   "with_subelements, with_nested, "
                                   "with_together, with_flattened");
        }
        if (!t.loop_kind.empty()) {
          return ErrorAt(kpos, "a task can have only one loop");
        }
        t.loop_kind = kind;
        t.loop = ExprOf(child);
        continue;
      }
      if (!TaskKeywords().contains(k)) {
        if (IsKnownAction(k)) {
          actions.push_back(k);
          action_node = &child;
          continue;
        }
        std::vector<std::string> names = KnownActionNames();
        for (const auto& kw : TaskKeywords()) names.push_back(kw);
        std::string hint = SuggestClosest(k, names);
        return ErrorAt(kpos,
                       "'" + k +
                           "' is neither a task keyword nor a "
                           "supported module" +
                           (hint.empty() ? std::string()
                                         : " (did you mean '" + hint + "'?)") +
                           "; modules: " + JoinNames(ModuleNames()));
      }
      if (k == "name") {
        t.name = ExprOf(child);
      } else if (k == "when") {
        t.when = ExprList(child);
      } else if (k == "loop") {
        if (!t.loop_kind.empty()) {
          return ErrorAt(kpos, "a task can have only one loop");
        }
        t.loop_kind = "loop";
        t.loop = ExprOf(child);
      } else if (k == "loop_control") {
        RETURN_IF_ERROR(NeedMapping(child, "loop_control"));
        RETURN_IF_ERROR(LoopControlOf(child, &t.loop_control));
      } else if (k == "register") {
        if (!it->is_string()) {
          return ErrorAt(child.pos, "register needs a variable name");
        }
        t.register_var = it->get<std::string>();
      } else if (k == "changed_when") {
        t.changed_when = ExprList(child);
      } else if (k == "failed_when") {
        t.failed_when = ExprList(child);
      } else if (k == "ignore_errors") {
        t.ignore_errors = ExprOf(child);
      } else if (k == "ignore_unreachable") {
        t.ignore_unreachable = ExprOf(child);
      } else if (k == "until") {
        t.until = ExprOf(child);
      } else if (k == "retries") {
        t.retries = ExprOf(child);
      } else if (k == "delay") {
        t.delay = ExprOf(child);
      } else if (k == "tags") {
        ASSIGN_OR_RETURN(t.tags, Tags(child));
      } else if (k == "notify") {
        t.notify = ExprList(child);
      } else if (k == "listen") {
        for (const Expr& e : ExprList(child)) {
          if (!e.value.is_string()) {
            return ErrorAt(e.pos, "listen needs topic names");
          }
          t.listen.push_back(e.value.get<std::string>());
        }
      } else if (k == "vars") {
        if (!it->is_null()) RETURN_IF_ERROR(NeedMapping(child, "vars"));
        if (it->is_object()) t.vars = *it;
        t.vars_pos = child.pos;
      } else if (k == "environment") {
        t.environment = ExprOf(child);
      } else if (k == "become") {
        t.become = ExprOf(child);
      } else if (k == "become_user") {
        t.become_user = ExprOf(child);
      } else if (k == "run_once") {
        t.run_once = ExprOf(child);
      } else if (k == "delegate_to") {
        t.delegate_to = ExprOf(child);
      } else if (k == "check_mode") {
        t.check_mode = ExprOf(child);
      } else if (k == "diff") {
        t.diff = ExprOf(child);
      } else if (k == "no_log") {
        t.no_log = ExprOf(child);
      } else if (k == "any_errors_fatal") {
        t.any_errors_fatal = ExprOf(child);
      } else if (k == "args") {
        extra_args = &child;
      } else if (k == "action" || k == "local_action") {
        // "action: copy src=a dest=b" or "action: {module: copy, ...}".
        if (k == "local_action") {
          t.delegate_to = Expr{Value("localhost"), kpos};
        }
        RETURN_IF_ERROR(ActionKeyword(child, &t, &actions));
        action_node = nullptr;
      } else if (k == "block") {
        block = &child;
      } else if (k == "rescue") {
        rescue = &child;
      } else if (k == "always") {
        always = &child;
      } else if (k == "module_defaults") {
        return ErrorAt(kpos, "module_defaults is not supported");
      } else if (IgnoredKeyword(k)) {
        // Accepted without effect (see docs/automate-playbooks.md).
      }
    }
    if (block != nullptr) {
      if (!actions.empty() || !t.action.empty()) {
        return ErrorAt(n.pos, "a block cannot also run a module ('" +
                                  (actions.empty() ? t.action : actions[0]) +
                                  "')");
      }
      t.kind = Task::Kind::kBlock;
      ASSIGN_OR_RETURN(t.block, TaskList(*block, base_dir, role, depth));
      if (rescue != nullptr) {
        ASSIGN_OR_RETURN(t.rescue, TaskList(*rescue, base_dir, role, depth));
      }
      if (always != nullptr) {
        ASSIGN_OR_RETURN(t.always, TaskList(*always, base_dir, role, depth));
      }
      Inherit(t, &t.block);
      Inherit(t, &t.rescue);
      Inherit(t, &t.always);
      out->push_back(std::move(t));
      return Status::Ok();
    }
    if (rescue != nullptr || always != nullptr) {
      return ErrorAt(n.pos, "rescue and always belong to a block");
    }
    if (actions.size() > 1) {
      return ErrorAt(n.pos, "a task runs one module; this one names " +
                                JoinNames(actions));
    }
    if (action_node != nullptr) {
      t.action = actions[0];
      t.args = ExprOf(*action_node);
      RecordArgPositions(*action_node, &t);
    }
    if (t.action.empty()) {
      return ErrorAt(n.pos, "this task runs no module (a task needs one of: " +
                                JoinNames(ModuleNames()) + ")");
    }
    if (extra_args != nullptr) {
      RETURN_IF_ERROR(NeedMapping(*extra_args, "args"));
      if (!t.args.value.is_object()) t.args.value = Value::object();
      for (auto it = extra_args->value->begin(); it != extra_args->value->end();
           ++it) {
        if (!t.args.value.contains(it.key())) t.args.value[it.key()] = *it;
      }
      RecordArgPositions(*extra_args, &t);
    }
    RETURN_IF_ERROR(CheckArgs(&t));
    const std::string_view short_name = ShortActionName(t.action);
    if (short_name == "import_tasks") {
      return ImportTasks(t, role, depth, out);
    }
    if (short_name == "import_role") {
      return ImportRole(t, depth, out);
    }
    if (short_name == "include_tasks") t.kind = Task::Kind::kIncludeTasks;
    if (short_name == "include_role") t.kind = Task::Kind::kIncludeRole;
    if (short_name == "meta") t.kind = Task::Kind::kMeta;
    out->push_back(std::move(t));
    return Status::Ok();
  }

  Status ActionKeyword(const YamlDoc::Node& child, Task* t,
                       std::vector<std::string>* actions) {
    if (child.value->is_string()) {
      std::string s = child.value->get<std::string>();
      size_t sp = s.find_first_of(" \t");
      std::string name = s.substr(0, sp);
      if (!IsKnownAction(name)) {
        return ErrorAt(child.pos, "unknown module '" + name + "'");
      }
      actions->push_back(name);
      t->action = name;
      t->args = Expr{Value(sp == std::string::npos ? "" : s.substr(sp + 1)),
                     child.pos};
      return Status::Ok();
    }
    RETURN_IF_ERROR(NeedMapping(child, "action"));
    if (!child.value->contains("module")) {
      return ErrorAt(child.pos, "action needs 'module'");
    }
    t->action = (*child.value)["module"].get<std::string>();
    actions->push_back(t->action);
    Value args = *child.value;
    args.erase("module");
    t->args = Expr{args, child.pos};
    RecordArgPositions(child, t);
    return Status::Ok();
  }

  void RecordArgPositions(const YamlDoc::Node& n, Task* t) {
    if (!n.value->is_object()) return;
    size_t i = 0;
    for (auto it = n.value->begin(); it != n.value->end(); ++it, ++i) {
      t->arg_pos.emplace_back(it.key(), n.entries[i].second.pos);
      arg_key_pos_.emplace_back(it.key(), n.entries[i].first);
    }
  }

  // Splits k=v strings and checks parameter names against the module's
  // spec, so a misspelt parameter is reported before anything runs.
  Status CheckArgs(Task* t) {
    const std::string_view name = ShortActionName(t->action);
    if (name == "set_fact") {
      if (t->args.value.is_string()) {
        auto kv =
            ParseKeyValueArgs(t->args.value.get<std::string>(), false, nullptr);
        if (!kv.ok()) return ErrorAt(t->args.pos, kv.status().message());
        t->args.value = *kv;
      }
      if (!t->args.value.is_object()) {
        return ErrorAt(t->args.pos, "set_fact needs variable: value pairs");
      }
      return Status::Ok();
    }
    const ModuleSpec* spec = FindActionSpec(name);
    if (spec == nullptr) {
      const Module* m = FindModule(name);
      if (m != nullptr) spec = &m->spec();
    }
    if (spec == nullptr) return Status::Ok();
    if (t->args.value.is_string()) {
      auto kv = ParseKeyValueArgs(t->args.value.get<std::string>(),
                                  spec->free_form, spec);
      if (!kv.ok()) {
        return ErrorAt(t->args.pos,
                       "module '" + spec->name + "': " + kv.status().message());
      }
      t->args.value = *kv;
    } else if (t->args.value.is_null()) {
      t->args.value = Value::object();
    } else if (!t->args.value.is_object()) {
      return ErrorAt(t->args.pos, "the arguments of '" + spec->name +
                                      "' must be a mapping or key=value text");
    }
    // Only names here; values may be templates.
    Value names_only = Value::object();
    for (auto it = t->args.value.begin(); it != t->args.value.end(); ++it) {
      names_only[it.key()] = nullptr;
    }
    auto checked = ValidateArgs(*spec, names_only);
    if (!checked.ok() && checked.status().message().find(
                             "unsupported parameter") != std::string::npos) {
      SourcePos pos = t->args.pos;
      for (const auto& [k, p] : arg_key_pos_) {
        if (checked.status().message().find("'" + k + "'") !=
            std::string::npos) {
          pos = p;
          break;
        }
      }
      return ErrorAt(pos, checked.status().message());
    }
    return Status::Ok();
  }

  Result<std::string> IncludeFile(const Task& t) {
    const Value& a = t.args.value;
    std::string file;
    if (a.contains("file") && a["file"].is_string()) {
      file = a["file"].get<std::string>();
    } else if (a.contains("_raw_params") && a["_raw_params"].is_string()) {
      file = a["_raw_params"].get<std::string>();
    }
    if (file.empty()) return ErrorAt(t.pos, "which file to import?");
    return file;
  }

  Status ImportTasks(const Task& t, const Role* role, int depth,
                     std::vector<Task>* out) {
    if (depth > kMaxImportDepth) {
      return ErrorAt(t.pos, "import_tasks nested more than " +
                                std::to_string(kMaxImportDepth) +
                                " deep (a file importing itself?)");
    }
    ASSIGN_OR_RETURN(std::string file, IncludeFile(t));
    if (file.find("{{") != std::string::npos) {
      return ErrorAt(t.pos,
                     "import_tasks is static: its file cannot be a template "
                     "(use include_tasks)");
    }
    std::string path = JoinPath(t.base_dir, file);
    if (!Exists(path) && role != nullptr) {
      path = JoinPath(role->path + "/tasks", file);
    }
    if (!Exists(path)) path = JoinPath(playbook_dir_, file);
    auto doc = LoadYamlFile(path);
    if (!doc.ok()) {
      return ErrorAt(t.pos, "import_tasks: " + doc.status().message());
    }
    ASSIGN_OR_RETURN(auto list,
                     TaskList((*doc)->root(), DirOf(path), role, depth + 1));
    Inherit(t, &list);
    for (Task& x : list) out->push_back(std::move(x));
    return Status::Ok();
  }

  Status ImportRole(const Task& t, int depth, std::vector<Task>* out) {
    const Value& a = t.args.value;
    std::string name = a.value("name", "");
    std::string from = a.value("tasks_from", "main");
    ASSIGN_OR_RETURN(auto role, RoleAt(name, t.pos, from, depth + 1));
    std::vector<Task> list = std::move(role->tasks);
    Inherit(t, &list);
    for (Task& x : list) out->push_back(std::move(x));
    owned_roles_.push_back(std::move(role));
    return Status::Ok();
  }

  // What a block or an import passes to its tasks: conditions, tags, vars
  // and privilege settings.
  static void Inherit(const Task& parent, std::vector<Task>* children) {
    for (Task& c : *children) {
      std::vector<Expr> when = parent.when;
      when.insert(when.end(), c.when.begin(), c.when.end());
      c.when = std::move(when);
      for (const std::string& tag : parent.tags) {
        if (std::find(c.tags.begin(), c.tags.end(), tag) == c.tags.end()) {
          c.tags.push_back(tag);
        }
      }
      Value vars = parent.vars;
      for (auto it = c.vars.begin(); it != c.vars.end(); ++it) {
        vars[it.key()] = *it;
      }
      c.vars = std::move(vars);
      for (auto field :
           {&Task::become, &Task::become_user, &Task::environment,
            &Task::ignore_errors, &Task::check_mode, &Task::diff, &Task::no_log,
            &Task::run_once, &Task::delegate_to, &Task::any_errors_fatal}) {
        if (!(c.*field).set() && (parent.*field).set()) {
          c.*field = parent.*field;
        }
      }
      if (c.kind == Task::Kind::kBlock) {
        // The block's own children got the block's values already; give
        // them the new ones too.
        Inherit(parent, &c.block);
        Inherit(parent, &c.rescue);
        Inherit(parent, &c.always);
      }
    }
  }

  static Status LoopControlOf(const YamlDoc::Node& n, LoopControl* lc) {
    size_t i = 0;
    for (auto it = n.value->begin(); it != n.value->end(); ++it, ++i) {
      const auto& [kpos, child] = n.entries[i];
      const std::string& k = it.key();
      if (k == "loop_var") {
        lc->loop_var = it->get<std::string>();
      } else if (k == "index_var") {
        lc->index_var = it->get<std::string>();
      } else if (k == "label") {
        lc->label = ExprOf(child);
      } else if (k == "pause") {
        lc->pause = ExprOf(child);
      } else if (k == "extended") {
        lc->extended = ExprOf(child);
      } else {
        return ErrorAt(kpos, "unknown loop_control key '" + k +
                                 "'; supported: loop_var, index_var, label, "
                                 "pause, extended");
      }
    }
    return Status::Ok();
  }

  static std::string JoinNames(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) {
      if (!out.empty()) out += ", ";
      out += s;
    }
    return out;
  }

  std::string playbook_dir_;
  std::vector<std::unique_ptr<Role>> owned_roles_;
  // Where the current task's argument names were written (errors about
  // a parameter name point at the name).
  std::vector<std::pair<std::string, SourcePos>> arg_key_pos_;
};

const std::set<std::string, std::less<>>& PlayKeywords() {
  static const auto* k =
      new std::set<std::string, std::less<>>{"name",
                                             "hosts",
                                             "vars",
                                             "vars_files",
                                             "gather_facts",
                                             "become",
                                             "become_user",
                                             "become_method",
                                             "serial",
                                             "max_fail_percentage",
                                             "any_errors_fatal",
                                             "check_mode",
                                             "diff",
                                             "environment",
                                             "ignore_errors",
                                             "connection",
                                             "remote_user",
                                             "tags",
                                             "pre_tasks",
                                             "roles",
                                             "tasks",
                                             "post_tasks",
                                             "handlers",
                                             "strategy",
                                             "collections",
                                             "gather_subset",
                                             "gather_timeout",
                                             "order",
                                             "force_handlers",
                                             "port",
                                             "run_once",
                                             "no_log",
                                             "ignore_unreachable",
                                             "vars_prompt",
                                             "module_defaults",
                                             "throttle",
                                             "timeout",
                                             "debugger",
                                             "fact_path"};
  return *k;
}

Status LoadPlays(const std::string& path, Loader* loader, Playbook* pb,
                 int depth);

Status PlaysFromDoc(const YamlDoc& doc, const std::string& path, Loader* loader,
                    Playbook* pb, int depth) {
  const YamlDoc::Node& root = doc.root();
  if (!root.value->is_array()) {
    return ErrorAt(root.pos, "a playbook must be a YAML list of plays");
  }
  for (const auto& pn : root.items) {
    RETURN_IF_ERROR(NeedMapping(pn, "a play"));
    if (const auto* imp = pn.Find("import_playbook")) {
      if (!imp->value->is_string()) {
        return ErrorAt(imp->pos, "import_playbook needs a file name");
      }
      RETURN_IF_ERROR(
          LoadPlays(JoinPath(DirOf(path), imp->value->get<std::string>()),
                    loader, pb, depth + 1));
      continue;
    }
    Play play;
    play.pos = pn.pos;
    const YamlDoc::Node *pre = nullptr, *tasks = nullptr, *post = nullptr,
                        *handlers = nullptr, *roles = nullptr;
    size_t i = 0;
    for (auto it = pn.value->begin(); it != pn.value->end(); ++it, ++i) {
      const auto& [kpos, child] = pn.entries[i];
      const std::string& k = it.key();
      if (!PlayKeywords().contains(k)) {
        // The keywords most plays use come first: ties in the
        // suggestion go to them ("taks" -> tasks, not tags).
        std::vector<std::string> words = {"tasks",    "hosts", "vars",  "roles",
                                          "handlers", "name",  "become"};
        words.insert(words.end(), PlayKeywords().begin(), PlayKeywords().end());
        std::string hint = SuggestClosest(k, words);
        return ErrorAt(
            kpos, "'" + k + "' is not a play keyword" +
                      (hint.empty() ? std::string()
                                    : " (did you mean '" + hint + "'?)") +
                      (IsKnownAction(k) ? "; a module belongs in a task list "
                                          "under 'tasks:'"
                                        : ""));
      }
      if (k == "name")
        play.name = ExprOf(child);
      else if (k == "hosts")
        play.hosts = ExprOf(child);
      else if (k == "vars") {
        if (!it->is_null()) RETURN_IF_ERROR(NeedMapping(child, "vars"));
        if (it->is_object()) play.vars = *it;
      } else if (k == "vars_files") {
        play.vars_files = ExprList(child);
      } else if (k == "gather_facts")
        play.gather_facts = ExprOf(child);
      else if (k == "become")
        play.become = ExprOf(child);
      else if (k == "become_user")
        play.become_user = ExprOf(child);
      else if (k == "serial")
        play.serial = ExprOf(child);
      else if (k == "max_fail_percentage") {
        play.max_fail_percentage = ExprOf(child);
      } else if (k == "any_errors_fatal") {
        play.any_errors_fatal = ExprOf(child);
      } else if (k == "check_mode")
        play.check_mode = ExprOf(child);
      else if (k == "diff")
        play.diff = ExprOf(child);
      else if (k == "environment")
        play.environment = ExprOf(child);
      else if (k == "ignore_errors")
        play.ignore_errors = ExprOf(child);
      else if (k == "connection")
        play.connection = ExprOf(child);
      else if (k == "remote_user")
        play.remote_user = ExprOf(child);
      else if (k == "tags") {
        ASSIGN_OR_RETURN(play.tags, Tags(child));
      } else if (k == "pre_tasks")
        pre = &child;
      else if (k == "tasks")
        tasks = &child;
      else if (k == "post_tasks")
        post = &child;
      else if (k == "handlers")
        handlers = &child;
      else if (k == "roles")
        roles = &child;
      else if (k == "strategy") {
        if (*it != "linear") {
          return ErrorAt(child.pos, "only the linear strategy is supported");
        }
      } else if (k == "vars_prompt" || k == "module_defaults") {
        return ErrorAt(kpos, k + " is not supported");
      }
    }
    if (!play.hosts.set()) {
      return ErrorAt(pn.pos, "a play needs 'hosts'");
    }
    const std::string base = DirOf(path);
    if (pre != nullptr) {
      ASSIGN_OR_RETURN(play.pre_tasks,
                       loader->TaskList(*pre, base, nullptr, 0));
    }
    if (roles != nullptr) {
      if (!roles->value->is_array()) {
        return ErrorAt(roles->pos, "roles must be a list");
      }
      for (const auto& rn : roles->items) {
        Loader::RoleRef ref;
        RETURN_IF_ERROR(loader->ParseRoleRef(rn, &ref));
        ASSIGN_OR_RETURN(auto role,
                         loader->RoleAt(ref.name, rn.pos, "main", 0));
        role->params = ref.params;
        Task parent;
        parent.tags = ref.tags;
        parent.when = ref.when;
        parent.vars = ref.vars;
        for (auto pit = ref.params.begin(); pit != ref.params.end(); ++pit) {
          if (pit.key() == "__become") {
            parent.become = Expr{*pit, rn.pos};
          } else if (pit.key() == "__become_user") {
            parent.become_user = Expr{*pit, rn.pos};
          } else {
            parent.vars[pit.key()] = *pit;
          }
        }
        std::vector<Task> list = std::move(role->tasks);
        for (Task& t : list) {
          std::vector<Expr> when = parent.when;
          when.insert(when.end(), t.when.begin(), t.when.end());
          t.when = std::move(when);
          for (const auto& tag : parent.tags) t.tags.push_back(tag);
          Value vars = parent.vars;
          for (auto vit = t.vars.begin(); vit != t.vars.end(); ++vit) {
            vars[vit.key()] = *vit;
          }
          t.vars = std::move(vars);
          if (!t.become.set()) t.become = parent.become;
          if (!t.become_user.set()) t.become_user = parent.become_user;
          play.role_tasks.push_back(std::move(t));
        }
        for (Task& h : role->handlers) play.handlers.push_back(std::move(h));
        play.roles.push_back(std::move(role));
      }
    }
    if (tasks != nullptr) {
      ASSIGN_OR_RETURN(play.tasks, loader->TaskList(*tasks, base, nullptr, 0));
    }
    if (post != nullptr) {
      ASSIGN_OR_RETURN(play.post_tasks,
                       loader->TaskList(*post, base, nullptr, 0));
    }
    if (handlers != nullptr) {
      ASSIGN_OR_RETURN(auto hs, loader->TaskList(*handlers, base, nullptr, 0));
      // Play handlers come before the roles' so a name defined in both
      // runs the play's (Ansible's lookup order is by definition).
      hs.insert(hs.end(), std::make_move_iterator(play.handlers.begin()),
                std::make_move_iterator(play.handlers.end()));
      play.handlers = std::move(hs);
    }
    for (auto& r : loader->owned_roles()) play.roles.push_back(std::move(r));
    loader->owned_roles().clear();
    pb->plays.push_back(std::move(play));
  }
  return Status::Ok();
}

Status LoadPlays(const std::string& path, Loader* loader, Playbook* pb,
                 int depth) {
  if (depth > kMaxImportDepth) {
    return Status(StatusCode::kInvalidArgument,
                  path + ": import_playbook nested too deeply");
  }
  ASSIGN_OR_RETURN(auto doc, LoadYamlFile(path));
  return PlaysFromDoc(*doc, path, loader, pb, depth);
}

}  // namespace

Result<std::unique_ptr<Playbook>> ParsePlaybook(std::string_view text,
                                                const std::string& path) {
  auto pb = std::make_unique<Playbook>();
  pb->path = path;
  pb->dir = DirOf(path);
  Loader loader(pb->dir);
  ASSIGN_OR_RETURN(auto doc, ParseYaml(text, path));
  RETURN_IF_ERROR(PlaysFromDoc(*doc, path, &loader, pb.get(), 0));
  return pb;
}

Result<std::unique_ptr<Playbook>> LoadPlaybook(const std::string& path) {
  auto pb = std::make_unique<Playbook>();
  pb->path = path;
  pb->dir = DirOf(path);
  Loader loader(pb->dir);
  RETURN_IF_ERROR(LoadPlays(path, &loader, pb.get(), 0));
  return pb;
}

Result<std::vector<Task>> ParseTaskList(const YamlDoc::Node& node,
                                        const std::string& base_dir,
                                        const Role* role) {
  Loader loader(base_dir);
  return loader.TaskList(node, base_dir, role, 0);
}

Result<std::vector<Task>> LoadTaskFile(const std::string& path,
                                       const Role* role) {
  ASSIGN_OR_RETURN(auto doc, LoadYamlFile(path));
  Loader loader(DirOf(path));
  return loader.TaskList(doc->root(), DirOf(path), role, 0);
}

Result<std::unique_ptr<Role>> LoadRole(const std::string& name,
                                       const std::string& playbook_dir,
                                       const std::string& tasks_from) {
  Loader loader(playbook_dir);
  return loader.RoleAt(name, SourcePos{name, 0, 0}, tasks_from, 0);
}

}  // namespace tend::automate
