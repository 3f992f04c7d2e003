// Ansible inventories: the INI and YAML formats, groups with children and
// vars, host_vars/ and group_vars/ beside the inventory (and beside the
// playbook), and host patterns (--limit, a play's `hosts:`).
//
// Variable precedence for one host, lowest first, as Ansible 2.14's default
// (VARIABLE_PRECEDENCE; checked with ansible-inventory --host):
//   group `all`'s inventory-file vars
//   the host's other groups' inventory-file vars, sorted by (depth,
//     ansible_group_priority, name): parents before children
//   group_vars/all, one layer per LoadVarsDirs call (inventory dir first,
//     then the playbook dir)
//   group_vars/<group> of the host's other groups, same sort, per layer
//   the host's inventory vars, then host_vars/<host> per layer
// So group_vars/all beats any group's vars written in the inventory file,
// as in Ansible. Merging replaces whole top-level keys (hash_behaviour
// replace).
// An inventory given as a directory loads every file in it, in name order
// and recursively (INI or YAML, detected by content; Ansible's default
// ignore list is skipped: names starting with '.', host_vars, group_vars,
// vars_plugins, and endings .pyc .pyo .swp .bak ~ .rpm .md .txt .rst .orig
// .ini .cfg .retry), merged, with its own group_vars/ and host_vars/.
#ifndef TEND_AUTOMATE_INVENTORY_INVENTORY_H_
#define TEND_AUTOMATE_INVENTORY_INVENTORY_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "automate/value.h"
#include "base/status.h"

namespace tend::automate {

struct InventoryHost {
  std::string name;                 // inventory_hostname
  Value vars = Value::object();     // inventory-file vars
  std::vector<std::string> groups;  // direct groups, in order of appearance
  // host_vars/<name> merged, one mapping per LoadVarsDirs layer (absent or
  // shorter when no file was found).
  std::vector<Value> dir_vars;
  std::string source;  // the inventory file it was first seen in ("" if none)
};

struct InventoryGroup {
  std::string name;
  Value vars = Value::object();       // inventory-file vars
  std::vector<std::string> children;  // child group names, in order added
  std::vector<std::string> parents;   // parent group names, in order added
  std::vector<std::string> hosts;     // direct member hosts
  int priority = 1;                   // ansible_group_priority
  int depth = 0;  // longest path from a root ("all" is 0), as Ansible's
  // group_vars/<name> merged, one mapping per LoadVarsDirs layer.
  std::vector<Value> dir_vars;
};

class Inventory {
 public:
  // Holds "all" and "ungrouped" (a child of "all").
  Inventory();

  // Every host in the order it first appeared (Ansible's order).
  const std::vector<InventoryHost>& hosts() const { return hosts_; }
  const InventoryHost* FindHost(std::string_view name) const;
  const InventoryGroup* FindGroup(std::string_view name) const;
  // All groups; always holds "all" and "ungrouped".
  const std::map<std::string, InventoryGroup, std::less<>>& groups() const {
    return groups_;
  }

  // Group names in the order they were first created (Ansible's order for
  // `groups`, the --list output and pattern matching).
  const std::vector<std::string>& group_order() const { return group_order_; }

  // The host's variables merged in the precedence above (a mapping). The
  // implicit localhost (localhost, 127.0.0.1 or ::1 when not listed) gets
  // the `all` layers and ansible_connection=local; any other unknown host
  // an empty mapping.
  Value VarsForHost(std::string_view host) const;
  // Ansible's group_names: every group the host is in, directly or through
  // children, except "all", sorted by name. Empty for an unknown host.
  std::vector<std::string> GroupNamesOf(std::string_view host) const;
  // The `groups` magic variable: every group (in creation order, empty ones
  // included) -> its hosts, as HostsOfGroup lists them.
  Value GroupsVar() const;
  // The hosts of a group and its descendants: the group's own, then its
  // children's level by level (breadth first, children in the order they
  // were added), each host once. Empty for an unknown group.
  std::vector<std::string> HostsOfGroup(std::string_view group) const;
  // What `ansible-inventory --list` prints (without --export): groups with
  // their hosts and children (empty ones left out), and
  // _meta.hostvars.<host> = VarsForHost for hosts with any vars. Keys in
  // creation order (ansible-inventory sorts them when printing).
  Value ToAnsibleList() const;

  // Hosts matching an Ansible host pattern, in inventory order:
  //   all, *, a group, a host, globs (web*), ~regex, unions with ':' or
  //   ',', intersections '&group', exclusions '!group', ranges in a
  //   group's position (webservers[0], webservers[1:3]).
  // A pattern matching nothing is not an error (an empty list); a
  // malformed one (bad regex, bad range) is.
  Result<std::vector<std::string>> Match(std::string_view pattern) const;

  // Building (used by the parsers, and by tests): hosts and groups are
  // created on first mention.
  // References stay valid until the next AddHost / AddGroup.
  InventoryHost& AddHost(std::string_view name);
  InventoryGroup& AddGroup(std::string_view name);
  void AddHostToGroup(std::string_view host, std::string_view group);
  // A cycle in children is an error at the point it would be added
  // (Ansible's message); adding an existing edge is a no-op.
  Status AddChild(std::string_view parent, std::string_view child);
  // Sets a group variable from an inventory file: ansible_group_priority
  // sets `priority` (it must be an integer, or a string holding one)
  // instead of a variable, as in Ansible.
  Status SetGroupVar(std::string_view group, std::string_view key, Value value);
  // Finishes building: every group but "all" with no parent becomes a child
  // of "all"; hosts in no group other than "all" go to "ungrouped", hosts
  // in another group leave it; depths are recomputed. Idempotent; call it
  // after each source is parsed.
  void Finish();

  // Host names the parsers may produce per file (range expansions counted,
  // repeats too), so `h[0:999999999]` is an error rather than an
  // exhausted machine. Default 1,000,000.
  size_t max_hosts() const { return max_hosts_; }
  void set_max_hosts(size_t n) { max_hosts_ = n; }

  // Starts a new group_vars/host_vars layer (LoadVarsDirs) and returns its
  // index.
  size_t AddVarsLayer() { return vars_layers_++; }
  size_t vars_layers() const { return vars_layers_; }
  InventoryHost* MutableHost(std::string_view name);
  InventoryGroup* MutableGroup(std::string_view name);
  // The implicit localhost VarsForHost uses when the inventory does not
  // list it (LoadVarsDirs fills its dir_vars from host_vars/localhost).
  InventoryHost& implicit_localhost() { return implicit_localhost_; }

 private:
  std::vector<InventoryHost> hosts_;
  std::map<std::string, size_t, std::less<>> host_index_;
  std::map<std::string, InventoryGroup, std::less<>> groups_;
  std::vector<std::string> group_order_;
  size_t vars_layers_ = 0;
  size_t max_hosts_ = 1000000;
  InventoryHost implicit_localhost_;
};

// True for the names Ansible treats as the local machine (localhost,
// 127.0.0.1, ::1).
bool IsLocalhostName(std::string_view name);

// Loads an inventory from `source`: an INI or YAML file, a directory of
// them, or a comma-separated host list ("web1,web2," or "localhost,") as
// `-i` accepts. Loads group_vars/ and host_vars/ beside it. Errors carry
// file:line:column (INI: file:line). Never throws.
Result<std::unique_ptr<Inventory>> LoadInventory(const std::string& source);

// Parsers of one file's text into *inv (merged with what it holds).
Status ParseIniInventory(std::string_view text, std::string_view file,
                         Inventory* inv);
Status ParseYamlInventory(std::string_view text, std::string_view file,
                          Inventory* inv);

// Loads group_vars/ and host_vars/ under `dir` (files NAME, NAME.yml,
// NAME.yaml, NAME.json, or a directory NAME/ of such files, merged in name
// order) into the inventory's groups and hosts. Missing dirs are fine.
Status LoadVarsDirs(const std::string& dir, Inventory* inv);

// The implicit localhost (Ansible's: ansible_connection=local, in no group
// but "all"), used when a play targets localhost and the inventory does
// not list it.
InventoryHost ImplicitLocalhost();

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_INVENTORY_INVENTORY_H_
