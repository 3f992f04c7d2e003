// String filters: default, mandatory, case, int/float/bool/string
// conversions, replace, trim, split, quoting, paths, indent, format.
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

#include "automate/jinja/builtins.h"
#include "automate/jinja/eval.h"
#include "automate/jinja/py_value.h"
#include "automate/jinja/string_util.h"

namespace tend::automate::jinja {
namespace {

using R = Result<Val>;

std::string Str(const Val& v) { return PyStr(v.v()); }

R Default(Evaluator&, Val in, CallArgs& args) {
  const Val* a[2];
  // The fallback may itself be Undefined only if it is not used.
  if (args.pos.size() > 2) {
    return InvalidArgumentError("default takes at most 2 arguments");
  }
  for (size_t i = 0; i < 2; ++i)
    a[i] = i < args.pos.size() ? &args.pos[i] : nullptr;
  for (const auto& [k, v] : args.kw) {
    if (k == "default_value" || k == "value") {
      a[0] = &v;
    } else if (k == "boolean") {
      a[1] = &v;
    } else {
      return InvalidArgumentError(
          "default got an unexpected keyword "
          "argument '" +
          std::string(k) + "'");
    }
  }
  bool use_fallback = in.undefined();
  if (!use_fallback && a[1] != nullptr && !a[1]->undefined() &&
      Truthy(a[1]->v())) {
    use_fallback = !Truthy(in.v());
  }
  if (!use_fallback) return in;
  if (a[0] == nullptr) return Val(Value(""));
  return *a[0];
}

R Mandatory(Evaluator&, Val in, CallArgs& args) {
  const Val* a[1];
  RETURN_IF_ERROR(BindArgs("mandatory", args, {"msg"}, a));
  if (!in.undefined()) return in;
  if (a[0] != nullptr && !a[0]->v().is_null()) {
    return InvalidArgumentError(Str(*a[0]));
  }
  return InvalidArgumentError("Mandatory variable not defined: " +
                              in.undefined_message());
}

R Lower(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("lower", args, {}, nullptr));
  return Val(Value(AsciiLower(Str(in))));
}

R Upper(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("upper", args, {}, nullptr));
  return Val(Value(AsciiUpper(Str(in))));
}

R Capitalize(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("capitalize", args, {}, nullptr));
  std::string s = AsciiLower(Str(in));
  if (!s.empty())
    s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return Val(Value(std::move(s)));
}

R Title(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("title", args, {}, nullptr));
  // Jinja: words start after whitespace, '-', and opening brackets.
  std::string s = Str(in);
  bool start = true;
  for (char& c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (std::isspace(u) || c == '-' || c == '(' || c == '{' || c == '[' ||
        c == '<') {
      start = true;
      continue;
    }
    c = static_cast<char>(start ? std::toupper(u) : std::tolower(u));
    start = false;
  }
  return Val(Value(std::move(s)));
}

R String(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("string", args, {}, nullptr));
  if (in.v().is_string()) return in;
  return Val(Value(Str(in)));
}

R Replace(Evaluator&, Val in, CallArgs& args) {
  const Val* a[3];
  RETURN_IF_ERROR(BindArgs("replace", args, {"old", "new", "count"}, a));
  if (a[0] == nullptr || a[1] == nullptr) {
    return InvalidArgumentError("replace needs the old and new strings");
  }
  ASSIGN_OR_RETURN(int64_t count, ArgInt("replace", "count", a[2], -1));
  return Val(Value(PyReplace(Str(in), Str(*a[0]), Str(*a[1]), count)));
}

R Trim(Evaluator&, Val in, CallArgs& args) {
  const Val* a[1];
  RETURN_IF_ERROR(BindArgs("trim", args, {"chars"}, a));
  const std::string chars = a[0] == nullptr || a[0]->v().is_null()
                                ? std::string(kPyWhitespace)
                                : Str(*a[0]);
  return Val(Value(PyStrip(Str(in), chars, true, true)));
}

R Int(Evaluator&, Val in, CallArgs& args) {
  const Val* a[2];
  RETURN_IF_ERROR(BindArgs("int", args, {"default", "base"}, a));
  ASSIGN_OR_RETURN(int64_t base, ArgInt("int", "base", a[1], 10));
  Value fallback = a[0] != nullptr ? a[0]->v() : Value(0);
  const Value& v = in.v();
  if (IsInt(v)) return Val(Value(AsInt(v)));
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!std::isfinite(d) || std::fabs(d) >= 9.2e18) return Val(fallback);
    return Val(Value(static_cast<int64_t>(d)));
  }
  if (v.is_string()) {
    if (auto i = ParsePyInt(v.get<std::string>(), static_cast<int>(base))) {
      return Val(Value(*i));
    }
    if (auto d = ParsePyFloat(v.get<std::string>())) {
      if (std::isfinite(*d) && std::fabs(*d) < 9.2e18) {
        return Val(Value(static_cast<int64_t>(*d)));
      }
    }
  }
  return Val(fallback);
}

R Float(Evaluator&, Val in, CallArgs& args) {
  const Val* a[1];
  RETURN_IF_ERROR(BindArgs("float", args, {"default"}, a));
  const Value& v = in.v();
  if (IsNumber(v)) return Val(Value(AsDouble(v)));
  if (v.is_string()) {
    if (auto d = ParsePyFloat(v.get<std::string>())) return Val(Value(*d));
  }
  return Val(a[0] != nullptr ? a[0]->v() : Value(0.0));
}

R Bool(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("bool", args, {}, nullptr));
  // Ansible's to_bool: None and booleans pass through; 'yes', 'on', '1',
  // 'true' (any case) and 1 are true; anything else is false.
  const Value& v = in.v();
  if (v.is_null() || v.is_boolean()) return in;
  if (v.is_string()) {
    const std::string s = AsciiLower(v.get<std::string>());
    return Val(Value(s == "yes" || s == "on" || s == "1" || s == "true"));
  }
  return Val(Value(IsNumber(v) && AsDouble(v) == 1.0));
}

R Split(Evaluator&, Val in, CallArgs& args) {
  const Val* a[2];
  RETURN_IF_ERROR(BindArgs("split", args, {"separator", "maxsplit"}, a));
  if (!in.v().is_string()) return TypeError("split", "a string", in.v());
  ASSIGN_OR_RETURN(int64_t max, ArgInt("split", "maxsplit", a[1], -1));
  if (a[0] == nullptr || a[0]->v().is_null()) {
    return Val(PySplitWhitespace(in.v().get<std::string>(), max, false));
  }
  const std::string sep = Str(*a[0]);
  if (sep.empty()) return InvalidArgumentError("empty separator");
  return Val(PySplit(in.v().get<std::string>(), sep, max, false));
}

R Quote(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("quote", args, {}, nullptr));
  return Val(Value(ShellQuote(in.v().is_null() ? "" : Str(in))));
}

R Basename(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("basename", args, {}, nullptr));
  const std::string s = Str(in);
  const size_t slash = s.rfind('/');
  return Val(Value(slash == std::string::npos ? s : s.substr(slash + 1)));
}

R Dirname(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("dirname", args, {}, nullptr));
  // posixpath.dirname: up to the last slash, trailing slashes removed
  // unless the head is all slashes.
  const std::string s = Str(in);
  const size_t slash = s.rfind('/');
  if (slash == std::string::npos) return Val(Value(""));
  std::string head = s.substr(0, slash + 1);
  if (head.find_first_not_of('/') != std::string::npos) {
    while (!head.empty() && head.back() == '/') head.pop_back();
  }
  return Val(Value(std::move(head)));
}

R Expanduser(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("expanduser", args, {}, nullptr));
  std::string s = Str(in);
  if (s == "~" || s.rfind("~/", 0) == 0) {
    const char* home = std::getenv("HOME");
    if (home != nullptr) s = std::string(home) + s.substr(1);
  }
  return Val(Value(std::move(s)));
}

R Splitext(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("splitext", args, {}, nullptr));
  const std::string s = Str(in);
  const size_t slash = s.rfind('/');
  const size_t base = slash == std::string::npos ? 0 : slash + 1;
  size_t dot = s.rfind('.');
  // A leading dot of the file name does not start an extension.
  size_t first_non_dot = s.find_first_not_of('.', base);
  Value out = Value::array();
  if (dot == std::string::npos || dot < base ||
      first_non_dot == std::string::npos || dot < first_non_dot) {
    out.push_back(s);
    out.push_back("");
  } else {
    out.push_back(s.substr(0, dot));
    out.push_back(s.substr(dot));
  }
  return Val(std::move(out));
}

R PathJoin(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("path_join", args, {}, nullptr));
  if (!in.v().is_array()) {
    if (in.v().is_string()) return in;
    return TypeError("path_join", "a list of strings", in.v());
  }
  std::string out;
  for (const Value& part : in.v()) {
    const std::string p = PyStr(part);
    if (!p.empty() && p[0] == '/') {
      out = p;
    } else if (out.empty() || out.back() == '/') {
      out += p;
    } else {
      out += "/" + p;
    }
  }
  return Val(Value(std::move(out)));
}

R Indent(Evaluator&, Val in, CallArgs& args) {
  const Val* a[3];
  RETURN_IF_ERROR(BindArgs("indent", args, {"width", "first", "blank"}, a));
  std::string pad;
  if (a[0] != nullptr && a[0]->v().is_string()) {
    pad = a[0]->v().get<std::string>();
  } else {
    ASSIGN_OR_RETURN(int64_t width, ArgInt("indent", "width", a[0], 4));
    if (width < 0 || width > 4096) {
      return InvalidArgumentError("indent width out of range");
    }
    pad.assign(static_cast<size_t>(width), ' ');
  }
  ASSIGN_OR_RETURN(bool first, ArgBool(a[1], false));
  ASSIGN_OR_RETURN(bool blank, ArgBool(a[2], false));
  const std::string s = Str(in);
  std::string out;
  size_t start = 0;
  bool first_line = true;
  while (start <= s.size()) {
    size_t nl = s.find('\n', start);
    const bool last = nl == std::string::npos;
    std::string_view line(s.data() + start, (last ? s.size() : nl) - start);
    const bool indent = first_line ? first : (blank || !line.empty());
    if (indent && !(first_line && last && line.empty() && !first)) out += pad;
    out.append(line);
    if (last) break;
    out.push_back('\n');
    start = nl + 1;
    first_line = false;
    if (out.size() > kMaxOutputBytes) {
      return InvalidArgumentError("result larger than 64 MiB");
    }
  }
  return Val(Value(std::move(out)));
}

R Wordcount(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("wordcount", args, {}, nullptr));
  // Jinja counts \w+ runs.
  const std::string s = Str(in);
  int64_t n = 0;
  bool in_word = false;
  for (unsigned char c : s) {
    const bool w = std::isalnum(c) || c == '_' || c >= 0x80;
    if (w && !in_word) ++n;
    in_word = w;
  }
  return Val(Value(n));
}

R Format(Evaluator&, Val in, CallArgs& args) {
  if (!args.kw.empty()) {
    return InvalidArgumentError("format takes positional arguments only");
  }
  std::vector<Value> values;
  for (const Val& v : args.pos) values.push_back(v.v());
  ASSIGN_OR_RETURN(std::string out, PyPercentFormat(Str(in), values));
  return Val(Value(std::move(out)));
}

R Ternary(Evaluator&, Val in, CallArgs& args) {
  const Val* a[3];
  RETURN_IF_ERROR(
      BindArgs("ternary", args, {"true_val", "false_val", "none_val"}, a));
  if (a[0] == nullptr || a[1] == nullptr) {
    return InvalidArgumentError("ternary needs the true and false values");
  }
  if (in.v().is_null() && a[2] != nullptr) return *a[2];
  return Truthy(in.v()) ? *a[0] : *a[1];
}

R TypeDebug(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("type_debug", args, {}, nullptr));
  return Val(Value(std::string(PyTypeName(in.v()))));
}

R Comment(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("comment", args, {}, nullptr));
  // Ansible's default "plain" style: "#\n# text\n#".
  std::string out = "#\n";
  const std::string s = Str(in);
  size_t start = 0;
  while (true) {
    const size_t nl = s.find('\n', start);
    std::string line = s.substr(
        start, nl == std::string::npos ? std::string::npos : nl - start);
    out += line.empty() ? "#\n" : "# " + line + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  out += "#";
  return Val(Value(std::move(out)));
}

}  // namespace

const std::vector<FilterDef>& StringFilters() {
  static const std::vector<FilterDef>* table = new std::vector<FilterDef>{
      {"default", Default, true},
      {"d", Default, true},
      {"mandatory", Mandatory, true},
      {"lower", Lower},
      {"upper", Upper},
      {"capitalize", Capitalize},
      {"title", Title},
      {"string", String},
      {"replace", Replace},
      {"trim", Trim},
      {"int", Int},
      {"float", Float},
      {"bool", Bool},
      {"split", Split},
      {"quote", Quote},
      {"basename", Basename},
      {"dirname", Dirname},
      {"expanduser", Expanduser},
      {"splitext", Splitext},
      {"path_join", PathJoin},
      {"indent", Indent},
      {"wordcount", Wordcount},
      {"format", Format},
      {"ternary", Ternary},
      {"type_debug", TypeDebug},
      {"comment", Comment},
  };
  return *table;
}

}  // namespace tend::automate::jinja
