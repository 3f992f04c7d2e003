// ToYaml: Values as PyYAML's block-style dump writes them (see
// yaml_value.h for where it differs).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "automate/py_float.h"
#include "automate/yaml_value.h"
#include "config/yaml_text.h"

namespace tend::automate {
namespace {

bool IsScalar(const Value& v) { return !v.is_array() && !v.is_object(); }

bool IsLeafCollection(const Value& v) {
  if (v.empty()) return false;
  for (const auto& item : v) {
    if (!IsScalar(item)) return false;
  }
  return true;
}

// Whether `s` written plain would read back as the same string.
bool PlainSafe(std::string_view s, bool flow) {
  if (s.empty()) return false;
  if (s.front() == ' ' || s.back() == ' ') return false;
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(s.front()) !=
      std::string_view::npos) {
    // "-x" and "?x" and ":x" are plain-safe in block context only when
    // followed by a non-space; PyYAML quotes them anyway except '-'.
    if (!(s.front() == '-' && s.size() > 1 && s[1] != ' ')) return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return false;
    if (c == ':' && (i + 1 == s.size() || s[i + 1] == ' ')) return false;
    if (c == '#' && i > 0 && s[i - 1] == ' ') return false;
    if (flow && std::string_view(",[]{}").find(static_cast<char>(c)) !=
                    std::string_view::npos) {
      return false;
    }
  }
  // Would it resolve to something other than a string?
  auto doc = ParseYaml(std::string(s), "", 1 << 20);
  if (!doc.ok()) return false;
  const Value& back = (*doc)->value();
  return back.is_string() && back.get<std::string>() == s;
}

// Plain when that reads back as the same string; otherwise quoted as the
// configuration emitter quotes (single quotes, or double quotes with
// escapes when there are control characters).
std::string QuoteString(std::string_view s, bool flow) {
  if (PlainSafe(s, flow)) return std::string(s);
  return YamlQuote(s);
}

// PyYAML's float representation: Python's repr, lower-cased, with ".0"
// put before an exponent that has no point (1e+16 -> 1.0e+16), and YAML's
// .inf/.nan.
std::string FloatText(double d) {
  if (std::isnan(d)) return ".nan";
  if (std::isinf(d)) return d > 0 ? ".inf" : "-.inf";
  std::string s = PyFloatRepr(d);
  if (s.find('.') == std::string::npos) {
    if (size_t e = s.find('e'); e != std::string::npos) s.insert(e, ".0");
  }
  return s;
}

std::string ScalarText(const Value& v, bool flow) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return v.dump();
  if (v.is_number_float()) return FloatText(v.get<double>());
  if (v.is_string()) return QuoteString(v.get_ref<const std::string&>(), flow);
  return v.dump();
}

std::string KeyText(const std::string& k, bool flow) {
  return QuoteString(k, flow);
}

std::vector<std::pair<const std::string*, const Value*>> Entries(const Value& v,
                                                                 bool sort) {
  std::vector<std::pair<const std::string*, const Value*>> out;
  for (auto it = v.begin(); it != v.end(); ++it) {
    out.emplace_back(&it.key(), &it.value());
  }
  if (sort) {
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return *a.first < *b.first; });
  }
  return out;
}

std::string Flow(const Value& v, bool sort) {
  if (IsScalar(v)) return ScalarText(v, true);
  std::string out;
  if (v.is_array()) {
    out = "[";
    bool first = true;
    for (const auto& item : v) {
      if (!first) out += ", ";
      first = false;
      out += Flow(item, sort);
    }
    return out + "]";
  }
  out = "{";
  bool first = true;
  for (const auto& [k, val] : Entries(v, sort)) {
    if (!first) out += ", ";
    first = false;
    out += KeyText(*k, true) + ": " + Flow(*val, sort);
  }
  return out + "}";
}

class Emitter {
 public:
  Emitter(int indent, bool flow_leaves, bool sort)
      : indent_(indent < 1 ? 2 : indent),
        flow_leaves_(flow_leaves),
        sort_(sort) {}

  // Writes collection `v` whose first line continues the current line
  // (after "- " padding) at column `col`.
  void Block(const Value& v, int col, bool continues_line) {
    bool first = true;
    if (v.is_array()) {
      for (const auto& item : v) {
        if (!(first && continues_line)) out_ += std::string(col, ' ');
        first = false;
        out_ += '-';
        Item(item, col);
      }
      return;
    }
    for (const auto& [k, vp] : Entries(v, sort_)) {
      if (!(first && continues_line)) out_ += std::string(col, ' ');
      first = false;
      out_ += KeyText(*k, false) + ":";
      const Value& val = *vp;
      if (Inline(val)) {
        out_ += " " + InlineText(val) + "\n";
      } else if (val.is_array()) {
        out_ += "\n";
        Block(val, col, false);
      } else {
        out_ += "\n";
        Block(val, col + indent_, false);
      }
    }
  }

  std::string Take() { return std::move(out_); }

 private:
  bool Inline(const Value& v) const {
    return IsScalar(v) || v.empty() || (flow_leaves_ && IsLeafCollection(v));
  }
  std::string InlineText(const Value& v) const {
    return IsScalar(v) ? ScalarText(v, false) : Flow(v, sort_);
  }

  // A sequence item after its '-'.
  void Item(const Value& item, int col) {
    if (Inline(item)) {
      out_ += " " + InlineText(item) + "\n";
      return;
    }
    out_ += std::string(indent_ - 1, ' ');
    Block(item, col + indent_, true);
  }

  int indent_;
  bool flow_leaves_;
  bool sort_;
  std::string out_;
};

}  // namespace

std::string ToYaml(const Value& v, int indent, bool flow_leaves,
                   bool sort_keys) {
  if (IsScalar(v)) return ScalarText(v, false) + "\n...\n";
  if (v.empty() || (flow_leaves && IsLeafCollection(v))) {
    return Flow(v, sort_keys) + "\n";
  }
  Emitter e(indent, flow_leaves, sort_keys);
  e.Block(v, 0, false);
  return e.Take();
}

}  // namespace tend::automate
