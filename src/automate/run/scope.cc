#include "automate/run/scope.h"

#include <unistd.h>

#include <algorithm>

#include "automate/run/lookups.h"

namespace tend::automate {
namespace {

// A variable rendering chain deeper than this is a loop Ansible would
// also refuse ("recursive loop detected in template string").
constexpr size_t kMaxRenderDepth = 64;

const Value* FindKey(const Value& obj, std::string_view name) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(name);
  return it == obj.end() ? nullptr : &*it;
}

bool HasTemplate(const Value& v) {
  if (v.is_string()) return jinja::IsTemplate(v.get_ref<const std::string&>());
  if (v.is_array() || v.is_object()) {
    for (const auto& x : v) {
      if (HasTemplate(x)) return true;
    }
  }
  return false;
}

}  // namespace

TaskScope::TaskScope(Templar* templar, const PlayVars* play, HostVarState* host,
                     const Task* task)
    : templar_(templar), play_(play), host_(host), task_(task) {}

const Value* TaskScope::Raw(std::string_view name, const char** layer) const {
  auto at = [&](const Value& obj, const char* what) -> const Value* {
    const Value* v = FindKey(obj, name);
    if (v != nullptr && layer != nullptr) *layer = what;
    return v;
  };
  const Value* v;
  if ((v = at(locals_, "loop variables"))) return v;
  if ((v = at(play_->extra, "extra vars"))) return v;
  for (auto it = host_->include_stack.rbegin();
       it != host_->include_stack.rend(); ++it) {
    if ((v = at(*it, "include parameters"))) return v;
  }
  if ((v = at(host_->runtime, "set_fact/register"))) return v;
  if (task_ != nullptr) {
    if ((v = at(task_->vars, "task vars"))) return v;
    if (task_->role != nullptr) {
      if ((v = at(task_->role->params, "role params"))) return v;
      if ((v = at(task_->role->vars, "role vars"))) return v;
    }
  }
  // The roles of the play's `roles:` export their vars and defaults to
  // the whole play (Ansible's default, private_role_vars off).
  if (play_->play != nullptr) {
    for (const auto& role : play_->play->roles) {
      if ((v = at(role->vars, "role vars"))) return v;
    }
  }
  if ((v = at(play_->vars, "play vars"))) return v;
  if (name == "ansible_facts") {
    if (layer != nullptr) *layer = "facts";
    return &host_->facts;
  }
  if (name.starts_with("ansible_")) {
    if ((v = at(host_->facts, "facts")); v == nullptr) {
      v = FindKey(host_->facts, name.substr(8));
      if (v != nullptr && layer != nullptr) *layer = "facts";
    }
    if (v != nullptr) return v;
  }
  if ((v = at(host_->inventory, "inventory"))) return v;
  if (task_ != nullptr && task_->role != nullptr) {
    if ((v = at(task_->role->defaults, "role defaults"))) return v;
  }
  if (play_->play != nullptr) {
    for (const auto& role : play_->play->roles) {
      if ((v = at(role->defaults, "role defaults"))) return v;
    }
  }
  return nullptr;
}

const Value* TaskScope::Find(std::string_view name) {
  const Value* raw = Raw(name, nullptr);
  if (raw == nullptr || HasTemplate(*raw)) return nullptr;
  return raw;
}

Result<std::optional<Value>> TaskScope::Lookup(std::string_view name) {
  const Value* raw = Raw(name, nullptr);
  if (raw == nullptr) {
    bool found = false;
    Value m = Magic(name, &found);
    if (!found) return std::optional<Value>();
    return std::optional<Value>(std::move(m));
  }
  if (!HasTemplate(*raw)) return std::optional<Value>(*raw);
  if (std::find(rendering_.begin(), rendering_.end(), name) !=
          rendering_.end() ||
      rendering_.size() >= kMaxRenderDepth) {
    std::string chain;
    for (const auto& n : rendering_) chain += n + " -> ";
    return Status(StatusCode::kInvalidArgument,
                  "recursive loop detected in variable '" + std::string(name) +
                      "' (" + chain + std::string(name) + ")");
  }
  rendering_.emplace_back(name);
  auto r = templar_->Render(
      *raw, SourcePos{"variable '" + std::string(name) + "'", 0, 0}, *this);
  rendering_.pop_back();
  if (!r.ok()) return r.status();
  return std::optional<Value>(std::move(*r));
}

Value TaskScope::HostVarsValue() const {
  Value out = Value::object();
  if (play_->hosts == nullptr) return out;
  for (const HostVarState* h : *play_->hosts) {
    Value v = h->inventory;
    for (auto it = play_->vars.begin(); it != play_->vars.end(); ++it) {
      v[it.key()] = *it;
    }
    for (auto it = h->facts.begin(); it != h->facts.end(); ++it) {
      v["ansible_" + it.key()] = *it;
    }
    v["ansible_facts"] = h->facts;
    for (auto it = h->runtime.begin(); it != h->runtime.end(); ++it) {
      v[it.key()] = *it;
    }
    v["inventory_hostname"] = h->name;
    out[h->name] = std::move(v);
  }
  return out;
}

Value TaskScope::Magic(std::string_view name, bool* found) const {
  *found = true;
  if (name == "inventory_hostname") return host_->name;
  if (name == "inventory_hostname_short") {
    return host_->name.substr(0, host_->name.find('.'));
  }
  if (name == "omit") return std::string(jinja::kOmitPlaceholder);
  if (name == "ansible_check_mode") return play_->check_mode;
  if (name == "ansible_diff_mode") return play_->diff_mode;
  if (name == "hostvars") return HostVarsValue();
  if (name == "role_path" && task_ != nullptr && task_->role != nullptr) {
    return task_->role->path;
  }
  if (name == "role_name" && task_ != nullptr && task_->role != nullptr) {
    return task_->role->name;
  }
  if (const Value* v = FindKey(play_->magic, name)) return *v;
  if (name == "group_names") {
    if (const Value* gn = FindKey(play_->magic, "__group_names")) {
      if (const Value* mine = FindKey(*gn, host_->name)) return *mine;
    }
    return Value::array();
  }
  *found = false;
  return nullptr;
}

Result<Value> TaskScope::CallLookup(std::string_view plugin,
                                    const std::vector<Value>& args,
                                    const Value& kwargs) {
  return RunLookup(plugin, args, kwargs, LookupContext{Dirs(), this});
}

SearchDirs TaskScope::Dirs() const {
  const Value* pb = FindKey(play_->magic, "playbook_dir");
  return DirsOf(task_, pb != nullptr && pb->is_string() ? pb->get<std::string>()
                                                        : std::string());
}

}  // namespace tend::automate
