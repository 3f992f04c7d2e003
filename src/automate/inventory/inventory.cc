// The inventory model: hosts, groups, the group tree, and variables merged
// in Ansible's precedence.
#include "automate/inventory/inventory.h"

#include <algorithm>
#include <set>
#include <utility>

namespace tend::automate {

namespace {

// Ansible's combine_vars with hash_behaviour=replace: top-level keys of
// `over` replace those of *base.
void MergeInto(Value* base, const Value& over) {
  if (!over.is_object()) return;
  for (auto it = over.begin(); it != over.end(); ++it) {
    (*base)[it.key()] = it.value();
  }
}

// Ancestors of the host's direct groups (the groups themselves included),
// "all" excluded.
std::vector<const InventoryGroup*> GroupsWithAncestors(
    const Inventory& inv, const InventoryHost& host) {
  std::vector<const InventoryGroup*> out;
  std::set<std::string_view> seen;
  std::vector<const InventoryGroup*> stack;
  for (const std::string& g : host.groups) {
    if (const InventoryGroup* grp = inv.FindGroup(g)) stack.push_back(grp);
  }
  while (!stack.empty()) {
    const InventoryGroup* g = stack.back();
    stack.pop_back();
    if (!seen.insert(g->name).second) continue;
    if (g->name != "all") out.push_back(g);
    for (const std::string& p : g->parents) {
      if (const InventoryGroup* pg = inv.FindGroup(p)) stack.push_back(pg);
    }
  }
  return out;
}

const Value* Layer(const std::vector<Value>& layers, size_t i) {
  return i < layers.size() ? &layers[i] : nullptr;
}

}  // namespace

bool IsLocalhostName(std::string_view name) {
  return name == "localhost" || name == "127.0.0.1" || name == "::1";
}

Inventory::Inventory() : implicit_localhost_(ImplicitLocalhost()) {
  AddGroup("all");
  AddGroup("ungrouped");
  Status s = AddChild("all", "ungrouped");
  s.IgnoreError();  // cannot fail on a fresh inventory
}

const InventoryHost* Inventory::FindHost(std::string_view name) const {
  auto it = host_index_.find(name);
  return it == host_index_.end() ? nullptr : &hosts_[it->second];
}

InventoryHost* Inventory::MutableHost(std::string_view name) {
  auto it = host_index_.find(name);
  return it == host_index_.end() ? nullptr : &hosts_[it->second];
}

const InventoryGroup* Inventory::FindGroup(std::string_view name) const {
  auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : &it->second;
}

InventoryGroup* Inventory::MutableGroup(std::string_view name) {
  auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : &it->second;
}

InventoryHost& Inventory::AddHost(std::string_view name) {
  auto it = host_index_.find(name);
  if (it != host_index_.end()) return hosts_[it->second];
  host_index_.emplace(std::string(name), hosts_.size());
  InventoryHost& h = hosts_.emplace_back();
  h.name = std::string(name);
  return h;
}

InventoryGroup& Inventory::AddGroup(std::string_view name) {
  auto it = groups_.find(name);
  if (it != groups_.end()) return it->second;
  auto [pos, inserted] = groups_.emplace(std::string(name), InventoryGroup{});
  pos->second.name = std::string(name);
  group_order_.push_back(std::string(name));
  return pos->second;
}

void Inventory::AddHostToGroup(std::string_view host, std::string_view group) {
  AddHost(host);
  InventoryGroup& g = AddGroup(group);
  InventoryHost& h = *MutableHost(host);
  if (std::find(g.hosts.begin(), g.hosts.end(), host) == g.hosts.end()) {
    g.hosts.push_back(std::string(host));
  }
  if (std::find(h.groups.begin(), h.groups.end(), group) == h.groups.end()) {
    h.groups.push_back(std::string(group));
  }
}

Status Inventory::AddChild(std::string_view parent, std::string_view child) {
  if (parent == child) {
    return InvalidArgumentError("group '" + std::string(parent) +
                                "' cannot be a child of itself");
  }
  AddGroup(parent);
  AddGroup(child);
  InventoryGroup& p = *MutableGroup(parent);
  if (std::find(p.children.begin(), p.children.end(), child) !=
      p.children.end()) {
    return Status::Ok();
  }
  // A cycle appears when `child` is already an ancestor of `parent`.
  std::vector<std::string_view> stack{parent};
  std::set<std::string_view> seen;
  while (!stack.empty()) {
    std::string_view g = stack.back();
    stack.pop_back();
    if (g == child) {
      return InvalidArgumentError("adding group '" + std::string(child) +
                                  "' as a child of '" + std::string(parent) +
                                  "' creates a recursive dependency loop");
    }
    if (!seen.insert(g).second) continue;
    for (const std::string& pp : FindGroup(g)->parents) stack.push_back(pp);
  }
  p.children.push_back(std::string(child));
  InventoryGroup& c = *MutableGroup(child);
  c.parents.push_back(std::string(parent));
  return Status::Ok();
}

Status Inventory::SetGroupVar(std::string_view group, std::string_view key,
                              Value value) {
  InventoryGroup& g = AddGroup(group);
  if (key != "ansible_group_priority") {
    g.vars[std::string(key)] = std::move(value);
    return Status::Ok();
  }
  if (value.is_number_integer()) {
    g.priority = value.get<int>();
    return Status::Ok();
  }
  if (value.is_boolean()) {  // Python's int(True) == 1
    g.priority = value.get<bool>() ? 1 : 0;
    return Status::Ok();
  }
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t j = s.size();
    while (j > i && (s[j - 1] == ' ' || s[j - 1] == '\t')) --j;
    std::string_view t(s.data() + i, j - i);
    bool neg = !t.empty() && (t[0] == '-' || t[0] == '+');
    std::string_view digits = neg ? t.substr(1) : t;
    if (!digits.empty() && digits.size() < 10 &&
        std::all_of(digits.begin(), digits.end(),
                    [](char ch) { return ch >= '0' && ch <= '9'; })) {
      int v = std::stoi(std::string(digits));
      g.priority = t[0] == '-' ? -v : v;
      return Status::Ok();
    }
  }
  return InvalidArgumentError("ansible_group_priority of group '" +
                              std::string(group) +
                              "' must be an integer, got " + value.dump());
}

void Inventory::Finish() {
  for (const std::string& name : group_order_) {
    if (name == "all") continue;
    if (FindGroup(name)->parents.empty()) {
      Status s = AddChild("all", name);
      s.IgnoreError();  // "all" has no parents, so no cycle is possible
    }
  }
  InventoryGroup& ungrouped = *MutableGroup("ungrouped");
  for (InventoryHost& h : hosts_) {
    bool other = false;
    bool in_ungrouped = false;
    for (const std::string& g : h.groups) {
      if (g == "ungrouped") {
        in_ungrouped = true;
      } else if (g != "all") {
        other = true;
      }
    }
    if (other && in_ungrouped) {
      std::erase(h.groups, "ungrouped");
      std::erase(ungrouped.hosts, h.name);
    } else if (!other && !in_ungrouped) {
      ungrouped.hosts.push_back(h.name);
      h.groups.push_back("ungrouped");
    }
  }
  // Depth: the longest path from a root, relaxed in creation order until
  // stable (the graph is acyclic, so this ends within #groups rounds).
  for (auto& [name, g] : groups_) g.depth = 0;
  bool changed = true;
  for (size_t round = 0; changed && round <= groups_.size(); ++round) {
    changed = false;
    for (const std::string& name : group_order_) {
      const InventoryGroup& g = *FindGroup(name);
      for (const std::string& c : g.children) {
        InventoryGroup& cg = *MutableGroup(c);
        if (cg.depth < g.depth + 1) {
          cg.depth = g.depth + 1;
          changed = true;
        }
      }
    }
  }
}

std::vector<std::string> Inventory::HostsOfGroup(std::string_view name) const {
  std::vector<std::string> out;
  const InventoryGroup* start = FindGroup(name);
  if (start == nullptr) return out;
  std::set<std::string_view> seen_groups{start->name};
  std::set<std::string_view> seen_hosts;
  std::vector<const InventoryGroup*> level{start};
  while (!level.empty()) {
    std::vector<const InventoryGroup*> next;
    for (const InventoryGroup* g : level) {
      for (const std::string& h : g->hosts) {
        if (seen_hosts.insert(h).second) out.push_back(h);
      }
      for (const std::string& c : g->children) {
        if (seen_groups.insert(c).second) next.push_back(FindGroup(c));
      }
    }
    level = std::move(next);
  }
  return out;
}

Value Inventory::VarsForHost(std::string_view name) const {
  Value out = Value::object();
  const InventoryHost* host = FindHost(name);
  const InventoryGroup* all = FindGroup("all");
  if (host == nullptr && !IsLocalhostName(name)) return out;
  std::vector<const InventoryGroup*> groups;
  if (host != nullptr) {
    groups = GroupsWithAncestors(*this, *host);
    std::sort(groups.begin(), groups.end(),
              [](const InventoryGroup* a, const InventoryGroup* b) {
                if (a->depth != b->depth) return a->depth < b->depth;
                if (a->priority != b->priority)
                  return a->priority < b->priority;
                return a->name < b->name;
              });
  }
  MergeInto(&out, all->vars);
  for (const InventoryGroup* g : groups) MergeInto(&out, g->vars);
  for (size_t l = 0; l < vars_layers_; ++l) {
    if (const Value* v = Layer(all->dir_vars, l)) MergeInto(&out, *v);
  }
  for (size_t l = 0; l < vars_layers_; ++l) {
    for (const InventoryGroup* g : groups) {
      if (const Value* v = Layer(g->dir_vars, l)) MergeInto(&out, *v);
    }
  }
  if (host == nullptr) host = &implicit_localhost_;
  MergeInto(&out, host->vars);
  for (size_t l = 0; l < vars_layers_; ++l) {
    if (const Value* v = Layer(host->dir_vars, l)) MergeInto(&out, *v);
  }
  return out;
}

std::vector<std::string> Inventory::GroupNamesOf(std::string_view name) const {
  std::vector<std::string> out;
  const InventoryHost* host = FindHost(name);
  if (host == nullptr) return out;
  for (const InventoryGroup* g : GroupsWithAncestors(*this, *host)) {
    out.push_back(g->name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Value Inventory::GroupsVar() const {
  Value out = Value::object();
  for (const std::string& name : group_order_) {
    Value hosts = Value::array();
    for (std::string& h : HostsOfGroup(name)) hosts.push_back(std::move(h));
    out[name] = std::move(hosts);
  }
  return out;
}

Value Inventory::ToAnsibleList() const {
  Value out = Value::object();
  std::set<std::string_view> seen;
  // Depth first from "all", as ansible-inventory walks the tree; a group
  // is listed once, when first reached.
  auto emit = [&](auto&& self, std::string_view name) -> void {
    const InventoryGroup* g = FindGroup(name);
    Value entry = Value::object();
    if (name != "all" && !g->hosts.empty()) entry["hosts"] = g->hosts;
    if (!g->children.empty()) entry["children"] = g->children;
    if (!entry.empty()) out[std::string(name)] = std::move(entry);
    for (const std::string& c : g->children) {
      if (seen.insert(c).second) self(self, c);
    }
  };
  emit(emit, "all");
  Value hostvars = Value::object();
  for (const InventoryHost& h : hosts_) {
    Value v = VarsForHost(h.name);
    if (!v.empty()) hostvars[h.name] = std::move(v);
  }
  out["_meta"]["hostvars"] = std::move(hostvars);
  return out;
}

InventoryHost ImplicitLocalhost() {
  InventoryHost h;
  h.name = "localhost";
  h.vars["ansible_connection"] = "local";
  return h;
}

}  // namespace tend::automate
