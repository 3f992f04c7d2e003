#include "automate/run/py_json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace tend::automate {
namespace {

void Escape(const std::string& s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\b':
        *out += "\\b";
        break;
      case '\f':
        *out += "\\f";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          *out += buf;
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

// Python's float repr: the shortest text that reads back, with ".0" on
// whole numbers and exponents past 1e16.
std::string Float(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[40];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  std::string s = buf;
  size_t e = s.find('e');
  if (e != std::string::npos) {
    // %g gives 1e+16; Python gives 1e+16 too, and 1e-05 as 1e-05.
    return s;
  }
  if (s.find('.') == std::string::npos) s += ".0";
  return s;
}

void Dump(const Value& v, int indent, bool sort, int depth, std::string* out) {
  auto newline = [&](int d) {
    out->push_back('\n');
    out->append(static_cast<size_t>(indent * d), ' ');
  };
  switch (v.type()) {
    case Value::value_t::null:
      *out += "null";
      return;
    case Value::value_t::boolean:
      *out += v.get<bool>() ? "true" : "false";
      return;
    case Value::value_t::number_integer:
    case Value::value_t::number_unsigned:
      *out += v.dump();
      return;
    case Value::value_t::number_float:
      *out += Float(v.get<double>());
      return;
    case Value::value_t::string:
      Escape(v.get_ref<const std::string&>(), out);
      return;
    case Value::value_t::array: {
      if (v.empty()) {
        *out += "[]";
        return;
      }
      out->push_back('[');
      bool first = true;
      for (const Value& x : v) {
        if (!first) out->push_back(',');
        if (indent >= 0) {
          newline(depth + 1);
        } else if (!first) {
          out->push_back(' ');
        }
        first = false;
        Dump(x, indent, sort, depth + 1, out);
      }
      if (indent >= 0) newline(depth);
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
      if (sort) {
        std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
          return *a.first < *b.first;
        });
      }
      out->push_back('{');
      bool first = true;
      for (const auto& [k, x] : items) {
        if (!first) out->push_back(',');
        if (indent >= 0) {
          newline(depth + 1);
        } else if (!first) {
          out->push_back(' ');
        }
        first = false;
        Escape(*k, out);
        *out += ": ";
        Dump(*x, indent, sort, depth + 1, out);
      }
      if (indent >= 0) newline(depth);
      out->push_back('}');
      return;
    }
    default:
      *out += "null";
  }
}

}  // namespace

std::string PyJsonDumps(const Value& v, int indent, bool sort_keys) {
  std::string out;
  Dump(v, indent, sort_keys, 0, &out);
  return out;
}

}  // namespace tend::automate
