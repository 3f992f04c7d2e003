#include "automate/jinja/py_json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "automate/jinja/py_value.h"
#include "base/utf8.h"

namespace tend::automate::jinja {
namespace {

void JsonString(std::string_view s, bool ensure_ascii, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    char buf[16];
    switch (c) {
      case '"':
        *out += "\\\"";
        ++i;
        continue;
      case '\\':
        *out += "\\\\";
        ++i;
        continue;
      case '\n':
        *out += "\\n";
        ++i;
        continue;
      case '\r':
        *out += "\\r";
        ++i;
        continue;
      case '\t':
        *out += "\\t";
        ++i;
        continue;
      case '\b':
        *out += "\\b";
        ++i;
        continue;
      case '\f':
        *out += "\\f";
        ++i;
        continue;
      default:
        break;
    }
    if (c < 0x20 || (ensure_ascii && c == 0x7f)) {
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      *out += buf;
      ++i;
      continue;
    }
    if (c < 0x80 || !ensure_ascii) {
      out->push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    int width = 1;
    char32_t r = DecodeRune(s, i, &width);
    i += static_cast<size_t>(width);
    if (r >= 0x10000) {
      const char32_t v = r - 0x10000;
      std::snprintf(buf, sizeof(buf), "\\u%04x\\u%04x",
                    static_cast<unsigned>(0xD800 + (v >> 10)),
                    static_cast<unsigned>(0xDC00 + (v & 0x3FF)));
    } else {
      std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(r));
    }
    *out += buf;
  }
  out->push_back('"');
}

// Python's json.dumps: separators ", " / ": " without indent, "," / ": "
// with it; floats as repr; NaN and Infinity as Python writes them.
void JsonDump(const Value& v, int indent, bool sort_keys, bool ensure_ascii,
              int level, std::string* out) {
  auto newline = [&](int lvl) {
    out->push_back('\n');
    out->append(static_cast<size_t>(indent * lvl), ' ');
  };
  switch (v.type()) {
    case Value::value_t::null:
      *out += "null";
      return;
    case Value::value_t::boolean:
      *out += v.get<bool>() ? "true" : "false";
      return;
    case Value::value_t::number_float: {
      const double d = v.get<double>();
      if (std::isnan(d)) {
        *out += "NaN";
      } else if (std::isinf(d)) {
        *out += d < 0 ? "-Infinity" : "Infinity";
      } else {
        *out += PyFloatRepr(d);
      }
      return;
    }
    case Value::value_t::number_integer:
    case Value::value_t::number_unsigned:
      AppendPyStr(v, out);
      return;
    case Value::value_t::string:
      JsonString(v.get_ref<const std::string&>(), ensure_ascii, out);
      return;
    case Value::value_t::array: {
      if (v.empty()) {
        *out += "[]";
        return;
      }
      out->push_back('[');
      bool first = true;
      for (const Value& e : v) {
        if (!first) *out += indent >= 0 ? "," : ", ";
        first = false;
        if (indent >= 0) newline(level + 1);
        JsonDump(e, indent, sort_keys, ensure_ascii, level + 1, out);
      }
      if (indent >= 0) newline(level);
      out->push_back(']');
      return;
    }
    case Value::value_t::object: {
      if (v.empty()) {
        *out += "{}";
        return;
      }
      std::vector<std::pair<const std::string*, const Value*>> items;
      for (auto it = v.begin(); it != v.end(); ++it) {
        items.emplace_back(&it.key(), &it.value());
      }
      if (sort_keys) {
        std::stable_sort(
            items.begin(), items.end(),
            [](const auto& a, const auto& b) { return *a.first < *b.first; });
      }
      out->push_back('{');
      bool first = true;
      for (const auto& [k, e] : items) {
        if (!first) *out += indent >= 0 ? "," : ", ";
        first = false;
        if (indent >= 0) newline(level + 1);
        JsonString(*k, ensure_ascii, out);
        *out += ": ";
        JsonDump(*e, indent, sort_keys, ensure_ascii, level + 1, out);
      }
      if (indent >= 0) newline(level);
      out->push_back('}');
      return;
    }
    default:
      *out += "null";
  }
}

}  // namespace

std::string PyJsonDumps(const Value& v, int indent, bool sort_keys,
                        bool ensure_ascii) {
  std::string out;
  JsonDump(v, indent, sort_keys, ensure_ascii, 0, &out);
  return out;
}

}  // namespace tend::automate::jinja
