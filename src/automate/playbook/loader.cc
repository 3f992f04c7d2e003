#include "automate/playbook/loader.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "automate/playbook/actions.h"
#include "automate/playbook/loader_internal.h"
#include "config/suggest.h"

namespace tend::automate {
namespace loader_internal {

Result<std::unique_ptr<Role>> Loader::RoleAt(const std::string& name,
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
                            JoinPath(playbook_dir_, "roles/" + name) + " and " +
                            JoinPath(playbook_dir_, name) + ")");
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
        ASSIGN_OR_RETURN(auto dep, RoleAt(ref.name, d.pos, "main", depth + 1));
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
    ASSIGN_OR_RETURN(
        auto list, TaskList(doc->root(), DirOf(tasks), role.get(), depth + 1));
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

Status Loader::ParseRoleRef(const YamlDoc::Node& n, RoleRef* ref) {
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

Result<Value> Loader::VarsFile(const std::string& dir,
                               const std::string& name) {
  std::string path = FindYaml(dir, name);
  if (path.empty()) return Value::object();
  ASSIGN_OR_RETURN(auto doc, LoadYamlFile(path));
  if (doc->value().is_null()) return Value::object();
  if (!doc->value().is_object()) {
    return ErrorAt(doc->root().pos, "a vars file must be a mapping");
  }
  return doc->value();
}

std::string Loader::FindYaml(const std::string& dir, const std::string& name) {
  for (const char* ext : {".yml", ".yaml", ""}) {
    std::string p = dir + "/" + name + ext;
    if (Exists(p) && !IsDir(p)) return p;
  }
  return "";
}

}  // namespace loader_internal

namespace {

using loader_internal::DirOf;
using loader_internal::ErrorAt;
using loader_internal::ExprList;
using loader_internal::ExprOf;
using loader_internal::JoinPath;
using loader_internal::kMaxImportDepth;
using loader_internal::Loader;
using loader_internal::NeedMapping;
using loader_internal::Tags;

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
  // playbook_dir is absolute (as Ansible's), so files found relative to it
  // stay valid whatever directory a module runs a command in.
  std::string abs = path;
  if (!abs.empty() && abs[0] != '/') {
    char cwd[4096];
    if (::getcwd(cwd, sizeof cwd) != nullptr)
      abs = std::string(cwd) + "/" + abs;
  }
  pb->dir = DirOf(abs);
  Loader loader(pb->dir);
  RETURN_IF_ERROR(LoadPlays(abs, &loader, pb.get(), 0));
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
