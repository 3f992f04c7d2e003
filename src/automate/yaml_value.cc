#include "automate/yaml_value.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>

#include "base/file_util.h"
#include "config/config_error.h"
#include "config/yaml_document.h"

namespace tend::automate {
namespace {

// Nesting beyond this is refused: no playbook needs it, and a hostile file
// must not exhaust the stack.
constexpr int kMaxDepth = 200;

bool IsOneOf(std::string_view s, std::initializer_list<std::string_view> l) {
  for (std::string_view x : l) {
    if (s == x) return true;
  }
  return false;
}

// Digits of `s` in `base` with '_' separators allowed (not first); false
// on anything else or on overflow.
bool ParseDigits(std::string_view s, int base, int64_t* out) {
  if (s.empty() || s[0] == '_') return false;
  uint64_t v = 0;
  bool any = false;
  for (char c : s) {
    if (c == '_') continue;
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return false;
    }
    if (d >= base) return false;
    if (v > (std::numeric_limits<uint64_t>::max() - d) / base) return false;
    v = v * base + d;
    any = true;
  }
  if (!any || v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return false;
  }
  *out = static_cast<int64_t>(v);
  return true;
}

// PyYAML's int resolver (YAML 1.1).
bool ResolveInt(std::string_view s, int64_t* out) {
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  int64_t v = 0;
  bool ok;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
    ok = s[1] == 'b' && ParseDigits(s.substr(2), 2, &v);
  } else if (s.size() > 2 && s[0] == '0' && s[1] == 'x') {
    ok = ParseDigits(s.substr(2), 16, &v);
  } else if (s.size() > 1 && s[0] == '0') {
    ok = ParseDigits(s.substr(1), 8, &v);
  } else if (s.find(':') != std::string_view::npos) {
    // Sexagesimal: [1-9][0-9_]*(:[0-5]?[0-9])+
    if (s[0] < '1' || s[0] > '9') return false;
    size_t colon = s.find(':');
    ok = ParseDigits(s.substr(0, colon), 10, &v);
    while (ok && colon != std::string_view::npos) {
      size_t next = s.find(':', colon + 1);
      std::string_view part = s.substr(colon + 1, next == std::string_view::npos
                                                      ? std::string_view::npos
                                                      : next - colon - 1);
      int64_t p = 0;
      ok = !part.empty() && part.size() <= 2 &&
           part.find('_') == std::string_view::npos &&
           ParseDigits(part, 10, &p) && p < 60 &&
           (part.size() == 1 || part[0] <= '5');
      if (ok) v = v * 60 + p;
      colon = next;
    }
  } else {
    ok = s[0] != '0' && ParseDigits(s, 10, &v);
    if (s == "0") {
      v = 0;
      ok = true;
    }
  }
  if (!ok) return false;
  *out = neg ? -v : v;
  return true;
}

// PyYAML's float resolver: a dot is required, an exponent needs a sign.
bool ResolveFloat(std::string_view s, double* out) {
  std::string_view body = s;
  bool neg = false;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  if (IsOneOf(body, {".inf", ".Inf", ".INF"})) {
    *out = neg ? -HUGE_VAL : HUGE_VAL;
    return true;
  }
  if (IsOneOf(s, {".nan", ".NaN", ".NAN"})) {
    *out = std::nan("");
    return true;
  }
  // [0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)? or \.[0-9_]+([eE][-+][0-9]+)?
  size_t i = 0;
  std::string digits;
  while (i < body.size() && (isdigit(static_cast<unsigned char>(body[i])) ||
                             (i > 0 && body[i] == '_'))) {
    if (body[i] != '_') digits += body[i];
    ++i;
  }
  const bool int_part = i > 0;
  if (i >= body.size() || body[i] != '.') return false;
  digits += body[i++];
  size_t frac_start = i;
  while (i < body.size() &&
         (isdigit(static_cast<unsigned char>(body[i])) || body[i] == '_')) {
    if (body[i] != '_') digits += body[i];
    ++i;
  }
  if (!int_part && i == frac_start) return false;
  if (i < body.size()) {
    if (body[i] != 'e' && body[i] != 'E') return false;
    if (i + 2 >= body.size() + 0 || (body[i + 1] != '-' && body[i + 1] != '+'))
      return false;
    digits += 'e';
    digits += body[i + 1];
    i += 2;
    size_t exp_start = i;
    while (i < body.size() && isdigit(static_cast<unsigned char>(body[i]))) {
      digits += body[i++];
    }
    if (i == exp_start || i != body.size()) return false;
  }
  *out = std::strtod(digits.c_str(), nullptr);
  if (neg) *out = -*out;
  return true;
}

// Resolves a plain scalar's text as PyYAML would.
Value ResolvePlain(const std::string& s) {
  if (IsOneOf(s, {"", "~", "null", "Null", "NULL"})) return nullptr;
  if (IsOneOf(
          s, {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})) {
    return true;
  }
  if (IsOneOf(s, {"no", "No", "NO", "false", "False", "FALSE", "off", "Off",
                  "OFF"})) {
    return false;
  }
  int64_t i;
  if (ResolveInt(s, &i)) return i;
  double d;
  if (ResolveFloat(s, &d)) return d;
  return s;
}

SourcePos PosOf(const YAML::Mark& m, const std::string& file) {
  return SourcePos{file, LineOf(m), ColumnOf(m)};
}

class Converter {
 public:
  Converter(const std::string& file, std::string_view text)
      : file_(file), text_(text) {}

  // Converts `n` into *out and its position tree into *node. Pointers in
  // *node are set later by Link (the Value tree must stop moving first).
  Status Convert(const YAML::Node& n, Value* out, YamlDoc::Node* node,
                 int depth) {
    node->pos = PosOf(n.Mark(), file_);
    if (depth > kMaxDepth) {
      return Error(node->pos, "nested more than " + std::to_string(kMaxDepth) +
                                  " levels deep");
    }
    const std::string& tag = n.Tag();
    switch (n.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        if (tag == "tag:yaml.org,2002:str" || tag == "!unsafe") {
          *out = "";
          node->unsafe = tag == "!unsafe";
        } else {
          *out = nullptr;
        }
        return Status::Ok();
      case YAML::NodeType::Scalar:
        return Scalar(n, tag, out, node);
      case YAML::NodeType::Sequence: {
        *out = Value::array();
        for (const YAML::Node& item : n) {
          Value v;
          YamlDoc::Node child;
          RETURN_IF_ERROR(Convert(item, &v, &child, depth + 1));
          out->push_back(std::move(v));
          node->items.push_back(std::move(child));
        }
        return Status::Ok();
      }
      case YAML::NodeType::Map:
        return Map(n, out, node, depth);
    }
    return Status::Ok();
  }

 private:
  Status Error(const SourcePos& pos, const std::string& msg) {
    return Status(StatusCode::kInvalidArgument, pos.ToString() + ": " + msg);
  }

  Status Scalar(const YAML::Node& n, const std::string& tag, Value* out,
                YamlDoc::Node* node) {
    const std::string& text = n.Scalar();
    // A quoted scalar's mark is its opening quote; its text (what
    // templates inside it count columns from) starts one further.
    const YAML::Mark m = n.Mark();
    if (m.pos >= 0 && static_cast<size_t>(m.pos) < text_.size() &&
        (text_[m.pos] == '"' || text_[m.pos] == '\'')) {
      ++node->pos.column;
    }
    if (tag == "?") {
      *out = ResolvePlain(text);
    } else if (tag == "!" || tag == "tag:yaml.org,2002:str") {
      *out = text;
    } else if (tag == "!unsafe") {
      *out = text;
      node->unsafe = true;
    } else if (tag == "tag:yaml.org,2002:int") {
      int64_t i;
      if (!ResolveInt(text, &i)) return Error(node->pos, "not an integer");
      *out = i;
    } else if (tag == "tag:yaml.org,2002:float") {
      double d;
      int64_t i;
      if (ResolveFloat(text, &d)) {
        *out = d;
      } else if (ResolveInt(text, &i)) {
        *out = static_cast<double>(i);
      } else {
        return Error(node->pos, "not a float");
      }
    } else if (tag == "tag:yaml.org,2002:bool") {
      Value v = ResolvePlain(text);
      if (!v.is_boolean()) return Error(node->pos, "not a boolean");
      *out = v;
    } else if (tag == "tag:yaml.org,2002:null") {
      *out = nullptr;
    } else if (tag == "!vault") {
      return Error(node->pos,
                   "vault-encrypted values (!vault) are not supported");
    } else {
      return Error(node->pos, "unsupported YAML tag '" + tag + "'");
    }
    return Status::Ok();
  }

  // Adds `key` -> `v` unless present; a duplicate explicit key is an error
  // while keys merged through '<<' yield to explicit ones.
  Status Put(const std::string& key, Value v, YamlDoc::Node child,
             const SourcePos& key_pos, bool merged, Value* out,
             YamlDoc::Node* node) {
    size_t i = 0;
    for (auto it = out->begin(); it != out->end(); ++it, ++i) {
      if (it.key() != key) continue;
      if (merged) return Status::Ok();
      if (!merged_[node].contains(key)) {
        return Error(key_pos, "duplicate key '" + key + "' (first at line " +
                                  std::to_string(node->entries[i].first.line) +
                                  ")");
      }
      it.value() = std::move(v);
      node->entries[i] = {key_pos, std::move(child)};
      merged_[node].erase(key);
      return Status::Ok();
    }
    (*out)[key] = std::move(v);
    node->entries.push_back({key_pos, std::move(child)});
    if (merged) merged_[node].insert(key);
    return Status::Ok();
  }

  Status MergeFrom(const Value& src, const YamlDoc::Node& src_node,
                   const SourcePos& pos, Value* out, YamlDoc::Node* node) {
    if (!src.is_object()) {
      return Error(pos, "a merge key '<<' needs a mapping or a list of them");
    }
    size_t i = 0;
    for (auto it = src.begin(); it != src.end(); ++it, ++i) {
      RETURN_IF_ERROR(Put(it.key(), it.value(), src_node.entries[i].second,
                          src_node.entries[i].first, true, out, node));
    }
    return Status::Ok();
  }

  Status Map(const YAML::Node& n, Value* out, YamlDoc::Node* node, int depth) {
    *out = Value::object();
    for (auto it = n.begin(); it != n.end(); ++it) {
      const YAML::Node k = it->first;
      const YAML::Node val = it->second;
      SourcePos key_pos = PosOf(k.Mark(), file_);
      Value v;
      YamlDoc::Node child;
      RETURN_IF_ERROR(Convert(val, &v, &child, depth + 1));
      if (k.IsScalar() && k.Tag() == "?" && k.Scalar() == "<<") {
        if (v.is_array()) {
          for (size_t i = 0; i < v.size(); ++i) {
            RETURN_IF_ERROR(
                MergeFrom(v[i], child.items[i], child.items[i].pos, out, node));
          }
        } else {
          RETURN_IF_ERROR(MergeFrom(v, child, child.pos, out, node));
        }
        continue;
      }
      std::string key;
      if (k.IsScalar()) {
        key = k.Scalar();
      } else if (k.IsNull()) {
        key = "null";
      } else {
        return Error(key_pos, "a mapping key must be a scalar");
      }
      RETURN_IF_ERROR(
          Put(key, std::move(v), std::move(child), key_pos, false, out, node));
    }
    merged_.erase(node);
    return Status::Ok();
  }

  const std::string& file_;
  std::string_view text_;
  // Keys of a mapping under construction that came from '<<' (explicit
  // keys may override them once).
  std::map<const YamlDoc::Node*, std::set<std::string>> merged_;
};

void Link(const Value& v, YamlDoc::Node* node) {
  node->value = &v;
  if (v.is_array()) {
    for (size_t i = 0; i < node->items.size() && i < v.size(); ++i) {
      Link(v[i], &node->items[i]);
    }
  } else if (v.is_object()) {
    size_t i = 0;
    for (auto it = v.begin(); it != v.end() && i < node->entries.size();
         ++it, ++i) {
      Link(it.value(), &node->entries[i].second);
    }
  }
}

}  // namespace

const YamlDoc::Node* YamlDoc::Node::Find(std::string_view key) const {
  if (value == nullptr || !value->is_object()) return nullptr;
  size_t i = 0;
  for (auto it = value->begin(); it != value->end(); ++it, ++i) {
    if (it.key() == key && i < entries.size()) return &entries[i].second;
  }
  return nullptr;
}

const SourcePos* YamlDoc::Node::KeyPos(std::string_view key) const {
  if (value == nullptr || !value->is_object()) return nullptr;
  size_t i = 0;
  for (auto it = value->begin(); it != value->end(); ++it, ++i) {
    if (it.key() == key && i < entries.size()) return &entries[i].first;
  }
  return nullptr;
}

Result<std::unique_ptr<YamlDoc>> ParseYaml(std::string_view text,
                                           std::string_view file,
                                           size_t max_bytes) {
  ConfigErrors errors{std::string(file)};
  std::optional<YAML::Node> root =
      ParseYamlDocument(text, max_bytes, &errors, "a file");
  if (!errors.empty()) {
    const ConfigError& e = errors.errors().front();
    return Status(StatusCode::kInvalidArgument,
                  SourcePos{std::string(file), e.line, e.column}.ToString() +
                      ": " + e.message);
  }
  auto doc = std::make_unique<YamlDoc>();
  doc->file_ = std::string(file);
  doc->value_ = std::make_unique<Value>();
  Converter conv(doc->file_, text);
  try {
    RETURN_IF_ERROR(conv.Convert(*root, doc->value_.get(), &doc->root_, 0));
  } catch (const YAML::Exception& e) {
    return Status(StatusCode::kInvalidArgument,
                  PosOf(e.mark, doc->file_).ToString() + ": " + e.msg);
  }
  Link(*doc->value_, &doc->root_);
  return doc;
}

Result<std::unique_ptr<YamlDoc>> LoadYamlFile(const std::string& path) {
  constexpr size_t kMax = 64 << 20;
  std::string text;
  RETURN_IF_ERROR(ReadFileLimited(path, kMax, "YAML file", &text));
  return ParseYaml(text, path, kMax);
}

}  // namespace tend::automate
