#include "automate/jinja/py_value.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "automate/jinja/jinja.h"

namespace tend::automate::jinja {

std::string_view PyTypeName(const Value& v) {
  switch (v.type()) {
    case Value::value_t::null:
      return "NoneType";
    case Value::value_t::boolean:
      return "bool";
    case Value::value_t::number_integer:
    case Value::value_t::number_unsigned:
      return "int";
    case Value::value_t::number_float:
      return "float";
    case Value::value_t::string:
      return "str";
    case Value::value_t::array:
      return "list";
    case Value::value_t::object:
      return "dict";
    default:
      return "bytes";
  }
}

void AppendPyStringRepr(std::string_view s, std::string* out) {
  const bool has_single = s.find('\'') != std::string_view::npos;
  const bool has_double = s.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  out->push_back(quote);
  for (unsigned char c : s) {
    switch (c) {
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
      default:
        if (c == quote) {
          out->push_back('\\');
          out->push_back(static_cast<char>(c));
        } else if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          *out += buf;
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back(quote);
}

namespace {

void AppendInt(const Value& v, std::string* out) {
  char buf[32];
  auto res = v.is_number_unsigned()
                 ? std::to_chars(buf, buf + sizeof(buf), v.get<uint64_t>())
                 : std::to_chars(buf, buf + sizeof(buf), v.get<int64_t>());
  out->append(buf, res.ptr);
}

void AppendScalarOrContainer(const Value& v, std::string* out, bool repr) {
  switch (v.type()) {
    case Value::value_t::null:
      *out += "None";
      return;
    case Value::value_t::boolean:
      *out += v.get<bool>() ? "True" : "False";
      return;
    case Value::value_t::number_integer:
    case Value::value_t::number_unsigned:
      AppendInt(v, out);
      return;
    case Value::value_t::number_float:
      *out += PyFloatRepr(v.get<double>());
      return;
    case Value::value_t::string:
      if (repr) {
        AppendPyStringRepr(v.get_ref<const std::string&>(), out);
      } else {
        *out += v.get_ref<const std::string&>();
      }
      return;
    case Value::value_t::array: {
      out->push_back('[');
      bool first = true;
      for (const Value& item : v) {
        if (!first) *out += ", ";
        first = false;
        AppendScalarOrContainer(item, out, true);
      }
      out->push_back(']');
      return;
    }
    case Value::value_t::object: {
      out->push_back('{');
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) *out += ", ";
        first = false;
        AppendPyStringRepr(it.key(), out);
        *out += ": ";
        AppendScalarOrContainer(it.value(), out, true);
      }
      out->push_back('}');
      return;
    }
    default:
      *out += "b''";
  }
}

}  // namespace

void AppendPyStr(const Value& v, std::string* out) {
  AppendScalarOrContainer(v, out, false);
}

void AppendPyRepr(const Value& v, std::string* out) {
  AppendScalarOrContainer(v, out, true);
}

std::string PyStr(const Value& v) {
  std::string out;
  AppendPyStr(v, &out);
  return out;
}

std::string PyRepr(const Value& v) {
  std::string out;
  AppendPyRepr(v, &out);
  return out;
}

bool Truthy(const Value& v) {
  switch (v.type()) {
    case Value::value_t::null:
      return false;
    case Value::value_t::boolean:
      return v.get<bool>();
    case Value::value_t::number_integer:
      return v.get<int64_t>() != 0;
    case Value::value_t::number_unsigned:
      return v.get<uint64_t>() != 0;
    case Value::value_t::number_float:
      return v.get<double>() != 0.0;
    case Value::value_t::string:
      return !v.get_ref<const std::string&>().empty();
    case Value::value_t::array:
    case Value::value_t::object:
      return !v.empty();
    default:
      return false;
  }
}

bool IsInt(const Value& v) { return v.is_number_integer() || v.is_boolean(); }

bool IsNumber(const Value& v) { return v.is_number() || v.is_boolean(); }

int64_t AsInt(const Value& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
  if (v.is_number_unsigned()) return static_cast<int64_t>(v.get<uint64_t>());
  if (v.is_number_float()) return static_cast<int64_t>(v.get<double>());
  return v.get<int64_t>();
}

double AsDouble(const Value& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  if (v.is_number_unsigned()) return static_cast<double>(v.get<uint64_t>());
  if (v.is_number_integer()) return static_cast<double>(v.get<int64_t>());
  return v.get<double>();
}

bool PyEquals(const Value& a, const Value& b) {
  if (IsNumber(a) && IsNumber(b)) {
    if (IsInt(a) && IsInt(b)) {
      if (a.is_number_unsigned() || b.is_number_unsigned()) {
        if (a.is_number_unsigned() && b.is_number_unsigned()) {
          return a.get<uint64_t>() == b.get<uint64_t>();
        }
        const Value& u = a.is_number_unsigned() ? a : b;
        const Value& s = a.is_number_unsigned() ? b : a;
        const int64_t sv = AsInt(s);
        return sv >= 0 && static_cast<uint64_t>(sv) == u.get<uint64_t>();
      }
      return AsInt(a) == AsInt(b);
    }
    return AsDouble(a) == AsDouble(b);
  }
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Value::value_t::null:
      return true;
    case Value::value_t::string:
      return a.get_ref<const std::string&>() == b.get_ref<const std::string&>();
    case Value::value_t::array: {
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (!PyEquals(a[i], b[i])) return false;
      }
      return true;
    }
    case Value::value_t::object: {
      if (a.size() != b.size()) return false;
      for (auto it = a.begin(); it != a.end(); ++it) {
        auto other = b.find(it.key());
        if (other == b.end() || !PyEquals(it.value(), *other)) return false;
      }
      return true;
    }
    default:
      return a == b;
  }
}

Result<bool> PyLess(const Value& a, const Value& b, std::string_view op) {
  if (IsNumber(a) && IsNumber(b)) {
    if (IsInt(a) && IsInt(b) && !a.is_number_unsigned() &&
        !b.is_number_unsigned()) {
      return AsInt(a) < AsInt(b);
    }
    return AsDouble(a) < AsDouble(b);
  }
  if (a.is_string() && b.is_string()) {
    return a.get_ref<const std::string&>() < b.get_ref<const std::string&>();
  }
  if (a.is_array() && b.is_array()) {
    const size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
      if (PyEquals(a[i], b[i])) continue;
      return PyLess(a[i], b[i], op);
    }
    return a.size() < b.size();
  }
  return InvalidArgumentError("'" + std::string(op) +
                              "' not supported between instances of '" +
                              std::string(PyTypeName(a)) + "' and '" +
                              std::string(PyTypeName(b)) + "'");
}

size_t CodePointCount(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace tend::automate::jinja
