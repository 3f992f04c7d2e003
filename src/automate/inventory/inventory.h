// Ansible inventories: the INI and YAML formats, groups with children and
// vars, host_vars/ and group_vars/ beside the inventory (and beside the
// playbook), and host patterns (--limit, a play's `hosts:`).
//
// Variable precedence for one host, lowest first, as Ansible's:
//   group `all` vars (inventory file, then group_vars/all)
//   other groups' vars, parents before children, siblings in name order
//     (or by ansible_group_priority when set), inventory file before
//     group_vars/<group>
//   the host's inventory vars, then host_vars/<host>
// An inventory given as a directory loads every file in it (INI or YAML,
// detected by content; names ending .retry, .pyc, ~ or starting with . are
// skipped), merged, with its own group_vars/ and host_vars/.
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
  Value vars = Value::object();     // inventory vars (file + host_vars/)
  std::vector<std::string> groups;  // direct groups, in order of appearance
};

struct InventoryGroup {
  std::string name;
  Value vars = Value::object();     // inventory file + group_vars/
  std::vector<std::string> children;  // child group names
  std::vector<std::string> hosts;     // direct member hosts
  int priority = 1;                   // ansible_group_priority
};

class Inventory {
 public:
  // Every host in the order it first appeared (Ansible's order).
  const std::vector<InventoryHost>& hosts() const { return hosts_; }
  const InventoryHost* FindHost(std::string_view name) const;
  const InventoryGroup* FindGroup(std::string_view name) const;
  // All groups; always holds "all" and "ungrouped".
  const std::map<std::string, InventoryGroup, std::less<>>& groups() const {
    return groups_;
  }

  // The host's variables merged in the precedence above (a mapping).
  Value VarsForHost(std::string_view host) const;
  // Every group the host is in, directly or through children, "all"
  // included (what group_names holds is this minus "all" and
  // "ungrouped"-when-not-ungrouped ... exactly Ansible's group_names).
  std::vector<std::string> GroupNamesOf(std::string_view host) const;
  // The `groups` magic variable: group name -> host names.
  Value GroupsVar() const;

  // Hosts matching an Ansible host pattern, in inventory order:
  //   all, *, a group, a host, globs (web*), ~regex, unions with ':' or
  //   ',', intersections '&group', exclusions '!group', ranges in a
  //   group's position (webservers[0], webservers[1:3]).
  // A pattern matching nothing is not an error (an empty list); a
  // malformed one (bad regex, bad range) is.
  Result<std::vector<std::string>> Match(std::string_view pattern) const;

  // Building (used by the parsers, and by tests): hosts and groups are
  // created on first mention.
  InventoryHost& AddHost(std::string_view name);
  InventoryGroup& AddGroup(std::string_view name);
  void AddHostToGroup(std::string_view host, std::string_view group);
  // A cycle in children is an error at the point it would be added.
  Status AddChild(std::string_view parent, std::string_view child);
  // Finishes building: hosts in no group other than "all" go to
  // "ungrouped"; every group not a child of another becomes a child of
  // "all".
  void Finish();

 private:
  std::vector<InventoryHost> hosts_;
  std::map<std::string, size_t, std::less<>> host_index_;
  std::map<std::string, InventoryGroup, std::less<>> groups_;
};

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
