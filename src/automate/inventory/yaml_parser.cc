// The YAML inventory format as Ansible 2.14's yaml plugin reads it: top
// keys are groups; a group holds `hosts` (host pattern -> vars or empty),
// `vars` and `children` (group name -> group), each of which may also be
// a single string. Unlike Ansible, which warns and skips, an unknown key in
// a group or a group that is not a mapping is an error here: a misspelt
// `host:` would otherwise silently drop hosts.
#include <string>

#include "automate/inventory/host_pattern.h"
#include "automate/inventory/inventory.h"
#include "automate/yaml_value.h"
#include "config/suggest.h"

namespace tend::automate {

namespace {

std::string TypeName(const Value& v) {
  switch (v.type()) {
    case Value::value_t::null:
      return "null";
    case Value::value_t::object:
      return "a mapping";
    case Value::value_t::array:
      return "a list";
    case Value::value_t::string:
      return "a string";
    case Value::value_t::boolean:
      return "a boolean";
    case Value::value_t::number_float:
      return "a float";
    default:
      return "an integer";
  }
}

Status At(const SourcePos& pos, std::string_view msg) {
  return InvalidArgumentError(pos.ToString() + ": " + std::string(msg));
}

class YamlInventoryParser {
 public:
  YamlInventoryParser(std::string_view file, Inventory* inv)
      : file_(file), inv_(inv) {}

  Status Parse(const YamlDoc& doc) {
    const YamlDoc::Node& root = doc.root();
    const Value& v = doc.value();
    if (v.is_null()) return Status::Ok();  // an empty file: no hosts
    if (!v.is_object()) {
      return At(root.pos,
                "a YAML inventory is a mapping of group names to groups, "
                "got " +
                    TypeName(v));
    }
    if (v.contains("plugin")) {
      return At(*root.KeyPos("plugin"),
                "inventory plugin configuration files are not supported; "
                "write the hosts and groups out (INI or YAML inventory)");
    }
    size_t i = 0;
    for (auto it = v.begin(); it != v.end(); ++it, ++i) {
      const auto& [key_pos, node] = root.entries[i];
      RETURN_IF_ERROR(Group(it.key(), key_pos, node, 0));
    }
    return Status::Ok();
  }

 private:
  Status Group(const std::string& name, const SourcePos& key_pos,
               const YamlDoc::Node& node, int depth) {
    const Value& data = *node.value;
    if (!data.is_null() && !data.is_object()) {
      return At(node.pos, "group '" + name +
                              "' must be a mapping (hosts, vars, children) "
                              "or empty, got " +
                              TypeName(data));
    }
    if (name.empty()) return At(key_pos, "empty group name");
    inv_->AddGroup(name);
    if (data.is_null()) return Status::Ok();
    size_t i = 0;
    for (auto it = data.begin(); it != data.end(); ++it, ++i) {
      const std::string& key = it.key();
      const auto& [kpos, child] = node.entries[i];
      const Value& section = it.value();
      if (key != "hosts" && key != "vars" && key != "children") {
        std::string hint = SuggestClosest(key, {"hosts", "vars", "children"});
        return At(kpos,
                  "unexpected key '" + key + "' in group '" + name +
                      "': a group holds only hosts, vars and children" +
                      (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      }
      if (section.is_null()) continue;
      if (section.is_string()) {
        // A single name stands for {name: null}, as in Ansible.
        const std::string& single = section.get_ref<const std::string&>();
        RETURN_IF_ERROR(
            Entry(name, key, single, child.pos, nullptr, child.pos, depth));
        continue;
      }
      if (!section.is_object()) {
        return At(child.pos, "'" + key + "' of group '" + name +
                                 "' must be a mapping, got " +
                                 TypeName(section));
      }
      size_t j = 0;
      for (auto e = section.begin(); e != section.end(); ++e, ++j) {
        const auto& [epos, enode] = child.entries[j];
        RETURN_IF_ERROR(
            Entry(name, key, e.key(), epos, &enode, enode.pos, depth));
      }
    }
    return Status::Ok();
  }

  // One entry of a group's hosts/vars/children section; `node` is null for
  // the single-string form (an empty value).
  Status Entry(const std::string& group, const std::string& section,
               const std::string& key, const SourcePos& key_pos,
               const YamlDoc::Node* node, const SourcePos& value_pos,
               int depth) {
    static const Value kNull;
    const Value& value = node != nullptr ? *node->value : kNull;
    if (section == "vars") {
      Status s = inv_->SetGroupVar(group, key, value);
      return s.ok() ? s : At(value_pos, s.message());
    }
    if (section == "children") {
      if (depth > 100) return At(key_pos, "groups nested more than 100 deep");
      YamlDoc::Node empty;
      empty.value = &kNull;
      empty.pos = key_pos;
      RETURN_IF_ERROR(
          Group(key, key_pos, node != nullptr ? *node : empty, depth + 1));
      Status s = inv_->AddChild(group, key);
      return s.ok() ? s : At(key_pos, s.message());
    }
    // hosts
    if (!value.is_null() && !value.is_object()) {
      return At(value_pos, "host '" + key + "' in group '" + group +
                               "' must have a mapping of variables or "
                               "nothing, got " +
                               TypeName(value));
    }
    if (budget_ == 0) {
      return At(key_pos, "more than " + std::to_string(inv_->max_hosts()) +
                             " host names in one file");
    }
    Result<ExpandedHosts> hosts = ExpandHostPattern(key, budget_);
    if (!hosts.ok()) return At(key_pos, hosts.status().message());
    budget_ -= hosts->names.size();
    for (const std::string& h : hosts->names) {
      if (h.empty()) return At(key_pos, "empty host name");
      bool is_new = inv_->FindHost(h) == nullptr;
      inv_->AddHostToGroup(h, group);
      InventoryHost& host = *inv_->MutableHost(h);
      if (is_new) {
        host.source = std::string(file_);
        if (hosts->port && *hosts->port != 0)
          host.vars["ansible_port"] = *hosts->port;
      }
      if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it) {
          host.vars[it.key()] = it.value();
        }
      }
    }
    return Status::Ok();
  }

  std::string_view file_;
  Inventory* inv_;
  size_t budget_ = inv_->max_hosts();  // host names this file may still produce
};

}  // namespace

Status ParseYamlInventory(std::string_view text, std::string_view file,
                          Inventory* inv) {
  ASSIGN_OR_RETURN(std::unique_ptr<YamlDoc> doc, ParseYaml(text, file));
  YamlInventoryParser parser(file, inv);
  return parser.Parse(*doc);
}

}  // namespace tend::automate
