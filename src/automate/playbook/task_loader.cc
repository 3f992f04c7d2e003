// Task lists: tasks, blocks, loops, arguments, and the static imports.
#include <algorithm>
#include <set>

#include "automate/modules/args.h"
#include "automate/playbook/actions.h"
#include "automate/playbook/loader_internal.h"
#include "config/suggest.h"

namespace tend::automate::loader_internal {
namespace {

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

}  // namespace

Result<std::vector<Task>> Loader::TaskList(const YamlDoc::Node& n,
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

Status Loader::OneTask(const YamlDoc::Node& n, const std::string& base_dir,
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
    return ErrorAt(
        n.pos, "a task runs one module; this one names " + JoinNames(actions));
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
    // A free-form or k=v string becomes a mapping first, so `args:` adds
    // to it ("command: touch x" with "args: {creates: x}").
    RETURN_IF_ERROR(CheckArgs(&t));
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

Status Loader::ActionKeyword(const YamlDoc::Node& child, Task* t,
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
    t->args =
        Expr{Value(sp == std::string::npos ? "" : s.substr(sp + 1)), child.pos};
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

void Loader::RecordArgPositions(const YamlDoc::Node& n, Task* t) {
  if (!n.value->is_object()) return;
  size_t i = 0;
  for (auto it = n.value->begin(); it != n.value->end(); ++it, ++i) {
    t->arg_pos.emplace_back(it.key(), n.entries[i].second.pos);
    arg_key_pos_.emplace_back(it.key(), n.entries[i].first);
  }
}

Status Loader::CheckArgs(Task* t) {
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
      if (checked.status().message().find("'" + k + "'") != std::string::npos) {
        pos = p;
        break;
      }
    }
    return ErrorAt(pos, checked.status().message());
  }
  return Status::Ok();
}

Result<std::string> Loader::IncludeFile(const Task& t) {
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

Status Loader::ImportTasks(const Task& t, const Role* role, int depth,
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

Status Loader::ImportRole(const Task& t, int depth, std::vector<Task>* out) {
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

void Loader::Inherit(const Task& parent, std::vector<Task>* children) {
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

Status Loader::LoopControlOf(const YamlDoc::Node& n, LoopControl* lc) {
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

std::string Loader::JoinNames(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

}  // namespace tend::automate::loader_internal
