// Python methods playbooks call on values: str.split() and friends,
// list.index/count, dict.get/keys/values/items.
#include <string>

#include "automate/jinja/builtins.h"
#include "automate/jinja/eval.h"
#include "automate/jinja/py_value.h"
#include "automate/jinja/string_util.h"

namespace tend::automate::jinja {
namespace {

using R = Result<Val>;

Status NoArgs(std::string_view name, const CallArgs& args) {
  return BindArgs(name, args, {}, nullptr);
}

R StrMethod(const std::string& s, std::string_view name, CallArgs& args,
            bool* found) {
  *found = true;
  if (name == "split" || name == "rsplit") {
    const Val* a[2];
    RETURN_IF_ERROR(BindArgs(name, args, {"sep", "maxsplit"}, a));
    ASSIGN_OR_RETURN(int64_t max, ArgInt(name, "maxsplit", a[1], -1));
    const bool right = name == "rsplit";
    if (a[0] == nullptr || a[0]->v().is_null()) {
      return Val(PySplitWhitespace(s, max, right));
    }
    const std::string sep = PyStr(a[0]->v());
    if (sep.empty()) return InvalidArgumentError("empty separator");
    return Val(PySplit(s, sep, max, right));
  }
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    const Val* a[1];
    RETURN_IF_ERROR(BindArgs(name, args, {"chars"}, a));
    const std::string chars = a[0] == nullptr || a[0]->v().is_null()
                                  ? std::string(kPyWhitespace)
                                  : PyStr(a[0]->v());
    return Val(Value(PyStrip(s, chars, name != "rstrip", name != "lstrip")));
  }
  if (name == "lower" || name == "upper") {
    RETURN_IF_ERROR(NoArgs(name, args));
    return Val(Value(name == "lower" ? AsciiLower(s) : AsciiUpper(s)));
  }
  if (name == "startswith" || name == "endswith") {
    const Val* a[1];
    RETURN_IF_ERROR(BindArgs(name, args, {"prefix"}, a));
    if (a[0] == nullptr) return InvalidArgumentError("an argument is needed");
    Value options =
        a[0]->v().is_array() ? a[0]->v() : Value::array({a[0]->v()});
    for (const Value& o : options) {
      if (!o.is_string()) return TypeError(name, "a string or list", o);
      const std::string& p = o.get_ref<const std::string&>();
      if (p.size() > s.size()) continue;
      if (name == "startswith"
              ? s.compare(0, p.size(), p) == 0
              : s.compare(s.size() - p.size(), p.size(), p) == 0) {
        return Val(Value(true));
      }
    }
    return Val(Value(false));
  }
  if (name == "replace") {
    const Val* a[3];
    RETURN_IF_ERROR(BindArgs(name, args, {"old", "new", "count"}, a));
    if (a[0] == nullptr || a[1] == nullptr) {
      return InvalidArgumentError("replace needs old and new");
    }
    ASSIGN_OR_RETURN(int64_t count, ArgInt(name, "count", a[2], -1));
    return Val(Value(PyReplace(s, PyStr(a[0]->v()), PyStr(a[1]->v()), count)));
  }
  if (name == "join") {
    const Val* a[1];
    RETURN_IF_ERROR(BindArgs(name, args, {"iterable"}, a));
    if (a[0] == nullptr) return InvalidArgumentError("an iterable is needed");
    ASSIGN_OR_RETURN(Value items, IterItems(a[0]->v()));
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].is_string()) {
        return InvalidArgumentError(
            "sequence item " + std::to_string(i) + ": expected str instance, " +
            std::string(PyTypeName(items[i])) + " found");
      }
      if (i > 0) out += s;
      out += items[i].get_ref<const std::string&>();
    }
    return Val(Value(std::move(out)));
  }
  if (name == "find" || name == "count") {
    const Val* a[1];
    RETURN_IF_ERROR(BindArgs(name, args, {"sub"}, a));
    if (a[0] == nullptr) return InvalidArgumentError("an argument is needed");
    const std::string sub = PyStr(a[0]->v());
    if (name == "find") {
      const size_t at = s.find(sub);
      return Val(Value(at == std::string::npos
                           ? int64_t{-1}
                           : static_cast<int64_t>(CodePointCount(
                                 std::string_view(s).substr(0, at)))));
    }
    if (sub.empty()) {
      return Val(Value(static_cast<int64_t>(CodePointCount(s) + 1)));
    }
    int64_t n = 0;
    for (size_t at = s.find(sub); at != std::string::npos;
         at = s.find(sub, at + sub.size())) {
      ++n;
    }
    return Val(Value(n));
  }
  if (name == "splitlines") {
    RETURN_IF_ERROR(NoArgs(name, args));
    Value out = Value::array();
    size_t start = 0;
    while (start < s.size()) {
      size_t nl = s.find_first_of("\r\n", start);
      if (nl == std::string::npos) {
        out.push_back(s.substr(start));
        break;
      }
      out.push_back(s.substr(start, nl - start));
      start = nl + (s.compare(nl, 2, "\r\n") == 0 ? 2 : 1);
    }
    return Val(std::move(out));
  }
  if (name == "capitalize") {
    RETURN_IF_ERROR(NoArgs(name, args));
    std::string out = AsciiLower(s);
    if (!out.empty()) {
      out[0] =
          static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    }
    return Val(Value(std::move(out)));
  }
  if (name == "isdigit" || name == "isalpha" || name == "isalnum" ||
      name == "isspace") {
    RETURN_IF_ERROR(NoArgs(name, args));
    if (s.empty()) return Val(Value(false));
    for (unsigned char c : s) {
      const bool ok = name == "isdigit"   ? std::isdigit(c) != 0
                      : name == "isalpha" ? std::isalpha(c) != 0
                      : name == "isalnum" ? std::isalnum(c) != 0
                                          : std::isspace(c) != 0;
      if (!ok) return Val(Value(false));
    }
    return Val(Value(true));
  }
  *found = false;
  return Val();
}

R ListMethod(const Value& list, std::string_view name, CallArgs& args,
             bool* found) {
  *found = true;
  if (name == "index" || name == "count") {
    const Val* a[1];
    RETURN_IF_ERROR(BindArgs(name, args, {"value"}, a));
    if (a[0] == nullptr) return InvalidArgumentError("an argument is needed");
    int64_t n = 0;
    for (size_t i = 0; i < list.size(); ++i) {
      if (PyEquals(list[i], a[0]->v())) {
        if (name == "index") return Val(Value(static_cast<int64_t>(i)));
        ++n;
      }
    }
    if (name == "index") {
      return InvalidArgumentError(PyRepr(a[0]->v()) + " is not in list");
    }
    return Val(Value(n));
  }
  *found = false;
  return Val();
}

R DictMethod(const Val& self, std::string_view name, CallArgs& args,
             bool* found) {
  const Value& d = self.v();
  *found = true;
  if (name == "get") {
    const Val* a[2];
    RETURN_IF_ERROR(BindArgs(name, args, {"key", "default"}, a));
    if (a[0] == nullptr) return InvalidArgumentError("a key is needed");
    const Value& k = a[0]->v();
    auto it = d.find(k.is_string() ? k.get<std::string>() : PyStr(k));
    if (it != d.end()) return self.borrowed() ? Val::Ref(&*it) : Val(*it);
    return a[1] != nullptr ? *a[1] : Val(Value(nullptr));
  }
  if (name == "keys" || name == "values" || name == "items") {
    RETURN_IF_ERROR(NoArgs(name, args));
    Value out = Value::array();
    for (auto it = d.begin(); it != d.end(); ++it) {
      if (name == "keys") {
        out.push_back(it.key());
      } else if (name == "values") {
        out.push_back(it.value());
      } else {
        out.push_back(Value::array({it.key(), it.value()}));
      }
    }
    return Val(std::move(out));
  }
  if (name == "copy") {
    RETURN_IF_ERROR(NoArgs(name, args));
    return Val(d);
  }
  *found = false;
  return Val();
}

}  // namespace

Result<Val> CallMethod(Evaluator&, const Val& self, std::string_view name,
                       CallArgs& args, bool* found) {
  const Value& v = self.v();
  if (v.is_string()) {
    return StrMethod(v.get_ref<const std::string&>(), name, args, found);
  }
  if (v.is_array()) return ListMethod(v, name, args, found);
  if (v.is_object()) return DictMethod(self, name, args, found);
  *found = false;
  return Val();
}

}  // namespace tend::automate::jinja
