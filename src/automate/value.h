// The value model of playbooks: variables, facts, module arguments and
// results, and what templates evaluate to.
//
// A Value is a JSON-like tree that keeps the order of mapping keys as they
// were written (Ansible's dicts keep insertion order, and its output and
// to_json/to_yaml follow it). Integers, floats, booleans, null, strings,
// lists and mappings are distinct, as in Python; YAML scalars are resolved
// into them by yaml_value.h with the YAML 1.1 rules Ansible's loader uses.
#ifndef TEND_AUTOMATE_VALUE_H_
#define TEND_AUTOMATE_VALUE_H_

#include <nlohmann/json.hpp>
#include <string>

namespace tend::automate {

using Value = nlohmann::ordered_json;

// Where a piece of a playbook, inventory or template came from. line and
// column are 1-based; 0 when unknown (a value made at run time).
struct SourcePos {
  std::string file;
  int line = 0;
  int column = 0;

  bool known() const { return line > 0; }
  // "file:line:column", "file" when the line is unknown, "" when both are.
  std::string ToString() const;
};

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_VALUE_H_
