// YAML text into Values, with Ansible's (PyYAML's, YAML 1.1) scalar rules
// and every node's position kept for error messages.
//
// Plain scalars resolve as PyYAML's YAML 1.1 resolver does: null (~, null,
// Null, NULL, empty), booleans (yes/no/true/false/on/off in their three
// casings; y/n stay strings), integers (decimal with _ separators, 017
// octal, 0x1f hex, 0b101 binary, 1:30 sexagesimal; 0o17 stays a string),
// floats (a dot is required: 1.5, 1.0e+3, .inf, .nan; 1e3 stays a string).
// Quoted scalars and anything tagged !!str are strings; !unsafe strings
// are strings marked so templates are not expanded in them. Dates stay
// strings. Anchors, aliases and merge keys (<<) are resolved. A key given
// twice in one mapping is an error (PyYAML keeps the last silently).
#ifndef TEND_AUTOMATE_YAML_VALUE_H_
#define TEND_AUTOMATE_YAML_VALUE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "automate/value.h"
#include "base/status.h"

namespace tend::automate {

// A parsed YAML document that remembers where each of its nodes was.
// `value` is the whole document as a Value; positions are kept per node in
// the order a depth-first walk visits them, so a loader walking `value`
// with a PosCursor can name the line and column of what it is looking at.
class YamlDoc {
 public:
  // A node of the document: its Value (a view into the owning doc), its
  // position, and its children with theirs (mapping entries in order:
  // key position and value node). Stable for the doc's lifetime.
  struct Entry;
  struct Node {
    const Value* value = nullptr;
    SourcePos pos;
    bool unsafe = false;         // tagged !unsafe: never templated
    std::vector<Node> items;     // a sequence
    std::vector<Entry> entries;  // a mapping, in order
    // The entry whose key is `key`, or nullptr.
    const Node* Find(std::string_view key) const;
    const SourcePos* KeyPos(std::string_view key) const;
  };
  // A mapping entry: the key's position and the value's node. Named like
  // std::pair's members (a pair holding the still incomplete Node does not
  // compile with every standard library).
  struct Entry {
    SourcePos first;
    Node second;
  };

  const Value& value() const { return *value_; }
  const Node& root() const { return root_; }
  const std::string& file() const { return file_; }

 private:
  friend Result<std::unique_ptr<YamlDoc>> ParseYaml(std::string_view,
                                                    std::string_view, size_t);
  std::string file_;
  std::unique_ptr<Value> value_;
  Node root_;
};

// Parses one YAML document. `file` names the source in positions and
// errors ("play.yml:3:5: mapping values are not allowed here"). Text over
// `max_bytes` is refused. Empty text is a null document. A stream of more
// than one document is an error. Never throws.
Result<std::unique_ptr<YamlDoc>> ParseYaml(std::string_view text,
                                           std::string_view file,
                                           size_t max_bytes = 64 << 20);

// Reads and parses a file (ParseYaml with the path as `file`).
Result<std::unique_ptr<YamlDoc>> LoadYamlFile(const std::string& path);

// A Value as YAML text the way PyYAML's dump (Ansible's to_yaml and
// to_nice_yaml) writes it: keys in their order, sequences in a mapping at
// the key's column, strings single-quoted when plain text would read back
// as something else. `flow_leaves` writes collections holding only scalars
// in flow style ({a: 1}, [1, 2]), as to_yaml does. `sort_keys` orders
// mapping keys by name as PyYAML does by default. Differences: long
// strings are not folded at 80 columns, and multi-line strings are written
// double-quoted with \n escapes.
std::string ToYaml(const Value& v, int indent = 4, bool flow_leaves = false,
                   bool sort_keys = true);

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_YAML_VALUE_H_
