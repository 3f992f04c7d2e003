#include "automate/modules/args.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "config/suggest.h"

namespace tend::automate {
namespace {

Status Invalid(std::string msg) {
  return Status(StatusCode::kInvalidArgument, std::move(msg));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(tolower(c));
  return out;
}

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += sep;
    out += v[i];
  }
  return out;
}

// Text of a scalar as Ansible's str conversion gives it.
std::optional<std::string> ScalarString(const Value& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
  if (v.is_number_integer()) return v.dump();
  if (v.is_number_float()) {
    std::string s = v.dump();
    if (s.find_first_of(".eE") == std::string::npos) s += ".0";
    return s;
  }
  return std::nullopt;
}

const char* TypeName(ParamType t) {
  switch (t) {
    case ParamType::kStr:
      return "a string";
    case ParamType::kBool:
      return "a boolean";
    case ParamType::kInt:
      return "an integer";
    case ParamType::kFloat:
      return "a number";
    case ParamType::kPath:
      return "a path";
    case ParamType::kList:
      return "a list";
    case ParamType::kDict:
      return "a mapping";
    case ParamType::kRaw:
      return "a value";
  }
  return "a value";
}

std::string Shown(const Value& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return "'" + s + "'";
}

Result<Value> Convert(const ModuleSpec& spec, const ParamSpec& p,
                      const Value& v) {
  auto bad = [&]() {
    return Invalid("parameter '" + p.name + "' of module '" + spec.name +
                   "' must be " + TypeName(p.type) + "; got " + Shown(v));
  };
  switch (p.type) {
    case ParamType::kRaw:
      return v;
    case ParamType::kStr:
    case ParamType::kPath: {
      std::optional<std::string> s = ScalarString(v);
      if (!s) return bad();
      return Value(*s);
    }
    case ParamType::kBool: {
      std::optional<bool> b = AnsibleBool(v);
      if (!b) return bad();
      return Value(*b);
    }
    case ParamType::kInt: {
      if (v.is_number_integer()) return v;
      if (v.is_number_float()) {
        double d = v.get<double>();
        if (d == std::floor(d) && std::fabs(d) < 9e18) {
          return Value(static_cast<int64_t>(d));
        }
        return bad();
      }
      if (v.is_string()) {
        const std::string& s = v.get_ref<const std::string&>();
        errno = 0;
        char* end = nullptr;
        long long n = std::strtoll(s.c_str(), &end, 10);
        if (!s.empty() && end == s.c_str() + s.size() && errno == 0) {
          return Value(static_cast<int64_t>(n));
        }
      }
      return bad();
    }
    case ParamType::kFloat: {
      if (v.is_number()) return Value(v.get<double>());
      if (v.is_string()) {
        const std::string& s = v.get_ref<const std::string&>();
        char* end = nullptr;
        double d = std::strtod(s.c_str(), &end);
        if (!s.empty() && end == s.c_str() + s.size()) return Value(d);
      }
      return bad();
    }
    case ParamType::kList: {
      if (v.is_array()) return v;
      if (v.is_string()) {
        // Ansible splits a string on commas (and strips each part).
        Value out = Value::array();
        const std::string& s = v.get_ref<const std::string&>();
        if (s.empty()) return out;
        size_t start = 0;
        while (true) {
          size_t comma = s.find(',', start);
          std::string part =
              s.substr(start, comma == std::string::npos ? std::string::npos
                                                         : comma - start);
          size_t b = part.find_first_not_of(" \t");
          size_t e = part.find_last_not_of(" \t");
          out.push_back(b == std::string::npos ? ""
                                               : part.substr(b, e - b + 1));
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
        return out;
      }
      if (v.is_number() || v.is_boolean()) {
        return Value::array({*ScalarString(v)});
      }
      return bad();
    }
    case ParamType::kDict: {
      if (v.is_object()) return v;
      if (v.is_string()) {
        // "k=v k2=v2" is accepted for dicts, as Ansible does.
        auto kv = ParseKeyValueArgs(v.get<std::string>(), false, nullptr);
        if (kv.ok() && !kv->contains("_raw_params")) return *kv;
      }
      return bad();
    }
  }
  return bad();
}

const ParamSpec* FindParam(const ModuleSpec& spec, std::string_view name) {
  for (const ParamSpec& p : spec.params) {
    if (p.name == name) return &p;
    for (const std::string& a : p.aliases) {
      if (a == name) return &p;
    }
  }
  return nullptr;
}

// Splits on unquoted whitespace, keeping quotes and {{ }} / {% %} / {# #}
// blocks intact (Ansible's split_args).
Result<std::vector<std::string>> SplitArgs(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  char quote = 0;
  int depth = 0;  // inside template braces
  bool have = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (depth == 0 && quote == 0 && (c == ' ' || c == '\t' || c == '\n')) {
      if (have) out.push_back(std::move(cur));
      cur.clear();
      have = false;
      continue;
    }
    have = true;
    if (i + 1 < text.size() && c == '{' &&
        (text[i + 1] == '{' || text[i + 1] == '%' || text[i + 1] == '#')) {
      ++depth;
      cur += c;
      cur += text[++i];
      continue;
    }
    if (depth > 0 && i + 1 < text.size() &&
        (c == '}' || c == '%' || c == '#') && text[i + 1] == '}') {
      --depth;
      cur += c;
      cur += text[++i];
      continue;
    }
    if (depth == 0) {
      if (quote == 0 && (c == '"' || c == '\'') &&
          (i == 0 || text[i - 1] != '\\')) {
        quote = c;
      } else if (quote != 0 && c == quote && text[i - 1] != '\\') {
        quote = 0;
      }
    }
    cur += c;
  }
  if (quote != 0) {
    return Invalid("unbalanced quotes in arguments: " +
                   Shown(Value(std::string(text))));
  }
  if (depth != 0) {
    return Invalid("unbalanced template braces in arguments: " +
                   Shown(Value(std::string(text))));
  }
  if (have) out.push_back(std::move(cur));
  return out;
}

// Removes one level of matching surrounding quotes and the backslash
// escapes of the quote character.
std::string Unquote(std::string_view s) {
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') &&
      s.back() == s.front()) {
    char q = s.front();
    std::string out;
    for (size_t i = 1; i + 1 < s.size(); ++i) {
      if (s[i] == '\\' && i + 2 < s.size() && s[i + 1] == q) continue;
      out += s[i];
    }
    return out;
  }
  return std::string(s);
}

void AppendUtf8Cp(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Ansible decodes Python escapes in k=v values (\n, \t, \\, \", \xHH,
// \uHHHH, octal); anything else stays as written.
std::string DecodeEscapes(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out.push_back(s[i]);
      continue;
    }
    char c = s[i + 1];
    const char* simple = "\\'\"abfnrtv";
    const char* mapped = "\\'\"\a\b\f\n\r\t\v";
    if (const char* p = strchr(simple, c); p != nullptr && c != '\0') {
      out.push_back(mapped[p - simple]);
      ++i;
      continue;
    }
    int digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
    if (digits > 0 && i + 1 + static_cast<size_t>(digits) < s.size() + 0 &&
        i + 2 + static_cast<size_t>(digits) <= s.size()) {
      uint32_t cp = 0;
      bool ok = true;
      for (int k = 0; k < digits; ++k) {
        char h = s[i + 2 + static_cast<size_t>(k)];
        if (!isxdigit(static_cast<unsigned char>(h))) {
          ok = false;
          break;
        }
        cp = cp * 16 +
             static_cast<uint32_t>(isdigit(static_cast<unsigned char>(h))
                                       ? h - '0'
                                       : (tolower(h) - 'a' + 10));
      }
      if (ok && cp <= 0x10FFFF) {
        AppendUtf8Cp(cp, &out);
        i += 1 + static_cast<size_t>(digits);
        continue;
      }
    }
    if (c >= '0' && c <= '7') {
      uint32_t cp = 0;
      size_t j = i + 1;
      while (j < s.size() && j < i + 4 && s[j] >= '0' && s[j] <= '7') {
        cp = cp * 8 + static_cast<uint32_t>(s[j] - '0');
        ++j;
      }
      AppendUtf8Cp(cp, &out);
      i = j - 1;
      continue;
    }
    out.push_back(s[i]);
  }
  return out;
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

}  // namespace

std::optional<bool> AnsibleBool(const Value& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer()) {
    int64_t n = v.get<int64_t>();
    if (n == 1) return true;
    if (n == 0) return false;
    return std::nullopt;
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (d == 1.0) return true;
    if (d == 0.0) return false;
    return std::nullopt;
  }
  if (!v.is_string()) return std::nullopt;
  std::string s = Lower(v.get<std::string>());
  if (s == "yes" || s == "on" || s == "1" || s == "true" || s == "y" ||
      s == "t" || s == "1.0") {
    return true;
  }
  if (s == "no" || s == "off" || s == "0" || s == "false" || s == "n" ||
      s == "f" || s == "0.0") {
    return false;
  }
  return std::nullopt;
}

Result<Value> ParseKeyValueArgs(std::string_view text, bool free_form,
                                const ModuleSpec* spec) {
  ASSIGN_OR_RETURN(std::vector<std::string> words, SplitArgs(text));
  Value out = Value::object();
  std::vector<std::string> raw;
  for (const std::string& w : words) {
    size_t eq = w.find('=');
    bool is_kv = eq != std::string::npos && eq > 0 &&
                 IsIdentifier(std::string_view(w).substr(0, eq)) &&
                 w.compare(0, 2, "{{") != 0;
    if (is_kv && free_form && spec != nullptr &&
        FindParam(*spec, w.substr(0, eq)) == nullptr) {
      is_kv = false;  // "echo a=b": part of the command
    }
    if (is_kv) {
      out[w.substr(0, eq)] =
          DecodeEscapes(Unquote(std::string_view(w).substr(eq + 1)));
    } else if (free_form) {
      raw.push_back(w);
    } else {
      return Invalid("arguments must be key=value pairs; got " +
                     Shown(Value(w)));
    }
  }
  if (!raw.empty()) out["_raw_params"] = Join(raw, " ");
  return out;
}

Result<Value> ValidateArgs(const ModuleSpec& spec, const Value& args) {
  Value in;
  if (args.is_string()) {
    ASSIGN_OR_RETURN(
        in, ParseKeyValueArgs(args.get<std::string>(), spec.free_form, &spec));
  } else if (args.is_null()) {
    in = Value::object();
  } else if (args.is_object()) {
    in = args;
  } else {
    return Invalid("the arguments of module '" + spec.name +
                   "' must be a mapping or a key=value string; got " +
                   Shown(args));
  }
  Value out = Value::object();
  std::vector<std::string> names;
  for (const ParamSpec& p : spec.params) names.push_back(p.name);
  for (auto it = in.begin(); it != in.end(); ++it) {
    const std::string& key = it.key();
    if (key == "_raw_params" && spec.free_form) {
      std::optional<std::string> text = ScalarString(it.value());
      if (!it.value().is_null() && !text) {
        return Invalid("the free-form arguments of module '" + spec.name +
                       "' must be text; got " + Shown(it.value()));
      }
      out[key] = it.value().is_null() ? Value() : Value(*text);
      continue;
    }
    const ParamSpec* p = FindParam(spec, key);
    if (p == nullptr) {
      std::vector<std::string> sorted = names;
      std::sort(sorted.begin(), sorted.end());
      std::string hint = SuggestClosest(key, sorted);
      return Invalid("unsupported parameter '" + key + "' for module '" +
                     spec.name + "'" +
                     (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                     "; supported: " + Join(sorted, ", "));
    }
    if (out.contains(p->name)) {
      return Invalid("parameter '" + p->name + "' of module '" + spec.name +
                     "' is given twice (as '" + key + "' and an alias)");
    }
    if (it.value().is_null()) {
      out[p->name] = nullptr;
      continue;
    }
    ASSIGN_OR_RETURN(Value v, Convert(spec, *p, it.value()));
    if (!p->choices.empty()) {
      std::optional<std::string> s = ScalarString(v);
      if (!s || std::find(p->choices.begin(), p->choices.end(), *s) ==
                    p->choices.end()) {
        return Invalid("parameter '" + p->name + "' of module '" + spec.name +
                       "' must be one of " + Join(p->choices, ", ") + "; got " +
                       Shown(v));
      }
    }
    out[p->name] = std::move(v);
  }
  for (const ParamSpec& p : spec.params) {
    bool given = out.contains(p.name) && !out[p.name].is_null();
    if (!given && !p.default_value.is_null()) {
      out[p.name] = p.default_value;
      given = true;
    }
    if (p.required && !given) {
      return Invalid("missing required parameter '" + p.name + "' of module '" +
                     spec.name + "'");
    }
  }
  // Given by the task (under its name or an alias), not by a default.
  auto present = [&](const std::string& n) {
    for (auto it = in.begin(); it != in.end(); ++it) {
      const ParamSpec* p = FindParam(spec, it.key());
      if (p != nullptr && p->name == n && !it.value().is_null()) return true;
    }
    return false;
  };
  for (const auto& group : spec.mutually_exclusive) {
    std::vector<std::string> given;
    for (const std::string& n : group) {
      if (present(n)) given.push_back(n);
    }
    if (given.size() > 1) {
      return Invalid("parameters are mutually exclusive in module '" +
                     spec.name + "': " + Join(given, ", "));
    }
  }
  for (const auto& group : spec.required_one_of) {
    if (std::none_of(group.begin(), group.end(), present)) {
      return Invalid("module '" + spec.name +
                     "' needs one of: " + Join(group, ", "));
    }
  }
  return out;
}

std::string ArgStr(const Value& args, std::string_view name,
                   std::string_view fallback) {
  auto it = args.find(name);
  if (it == args.end() || it->is_null()) return std::string(fallback);
  if (it->is_string()) return it->get<std::string>();
  return ScalarString(*it).value_or(it->dump());
}

bool ArgBool(const Value& args, std::string_view name, bool fallback) {
  auto it = args.find(name);
  if (it == args.end() || it->is_null()) return fallback;
  return AnsibleBool(*it).value_or(fallback);
}

int64_t ArgInt(const Value& args, std::string_view name, int64_t fallback) {
  auto it = args.find(name);
  if (it == args.end() || !it->is_number()) return fallback;
  return it->get<int64_t>();
}

bool ArgHas(const Value& args, std::string_view name) {
  auto it = args.find(name);
  return it != args.end() && !it->is_null();
}

}  // namespace tend::automate
