#include "automate/jinja/builtins.h"

#include <algorithm>
#include <unordered_map>

#include "automate/jinja/py_value.h"

namespace tend::automate::jinja {
namespace {

constexpr std::string_view kBuiltinPrefix = "ansible.builtin.";

template <typename Def>
struct Table {
  std::unordered_map<std::string_view, const Def*> by_name;
  std::vector<std::string> names;
};

const Table<FilterDef>& Filters() {
  static const Table<FilterDef>* table = [] {
    auto* t = new Table<FilterDef>();
    for (const auto* list :
         {&StringFilters(), &ListFilters(), &DataFilters()}) {
      for (const FilterDef& f : *list) {
        t->by_name[f.name] = &f;
        t->names.emplace_back(f.name);
      }
    }
    std::sort(t->names.begin(), t->names.end());
    return t;
  }();
  return *table;
}

const Table<TestDef>& Tests() {
  static const Table<TestDef>* table = [] {
    auto* t = new Table<TestDef>();
    for (const TestDef& d : AllTests()) {
      t->by_name[d.name] = &d;
      t->names.emplace_back(d.name);
    }
    std::sort(t->names.begin(), t->names.end());
    return t;
  }();
  return *table;
}

std::string_view StripPrefix(std::string_view name) {
  if (name.substr(0, kBuiltinPrefix.size()) == kBuiltinPrefix) {
    name.remove_prefix(kBuiltinPrefix.size());
  }
  return name;
}

}  // namespace

const FilterDef* FindFilter(std::string_view name) {
  const auto& t = Filters();
  auto it = t.by_name.find(StripPrefix(name));
  return it == t.by_name.end() ? nullptr : it->second;
}

const TestDef* FindTest(std::string_view name) {
  const auto& t = Tests();
  auto it = t.by_name.find(StripPrefix(name));
  return it == t.by_name.end() ? nullptr : it->second;
}

const std::vector<std::string>& FilterNames() { return Filters().names; }
const std::vector<std::string>& TestNames() { return Tests().names; }

Status BindArgs(std::string_view what, const CallArgs& args,
                std::initializer_list<std::string_view> params,
                const Val** out) {
  const size_t n = params.size();
  for (size_t i = 0; i < n; ++i) out[i] = nullptr;
  if (args.pos.size() > n) {
    return InvalidArgumentError(std::string(what) + " takes at most " +
                                std::to_string(n) + " argument" +
                                (n == 1 ? "" : "s") + ", got " +
                                std::to_string(args.pos.size()));
  }
  for (size_t i = 0; i < args.pos.size(); ++i) out[i] = &args.pos[i];
  for (const auto& [name, v] : args.kw) {
    size_t i = 0;
    for (auto p : params) {
      if (p == name) break;
      ++i;
    }
    if (i == n) {
      std::string known;
      for (auto p : params)
        known += (known.empty() ? "" : ", ") + std::string(p);
      return InvalidArgumentError(
          std::string(what) + " got an unexpected keyword argument '" +
          std::string(name) + "'" +
          (known.empty() ? "" : " (it takes: " + known + ")"));
    }
    if (out[i] != nullptr) {
      return InvalidArgumentError(std::string(what) +
                                  " got multiple values for argument '" +
                                  std::string(name) + "'");
    }
    out[i] = &v;
  }
  for (size_t i = 0; i < n; ++i) {
    if (out[i] != nullptr && out[i]->undefined()) {
      return InvalidArgumentError(out[i]->undefined_message());
    }
  }
  return Status::Ok();
}

Status TypeError(std::string_view what, std::string_view expected,
                 const Value& got) {
  std::string repr = PyRepr(got);
  if (repr.size() > 80) repr = repr.substr(0, 77) + "...";
  return InvalidArgumentError(std::string(what) + " expects " +
                              std::string(expected) + ", got " +
                              std::string(PyTypeName(got)) + " " + repr);
}

Result<int64_t> ArgInt(std::string_view what, std::string_view param,
                       const Val* v, int64_t fallback) {
  if (v == nullptr || v->v().is_null()) return fallback;
  if (IsInt(v->v())) return AsInt(v->v());
  if (v->v().is_number_float()) return AsInt(v->v());
  return TypeError(std::string(what) + " argument '" + std::string(param) + "'",
                   "an integer", v->v());
}

Result<bool> ArgBool(const Val* v, bool fallback) {
  if (v == nullptr || v->v().is_null()) return fallback;
  return Truthy(v->v());
}

Result<std::string> ArgStr(std::string_view what, std::string_view param,
                           const Val* v, std::string_view fallback) {
  if (v == nullptr) return std::string(fallback);
  if (v->v().is_string()) return v->v().get<std::string>();
  if (v->v().is_array() || v->v().is_object()) {
    return TypeError(
        std::string(what) + " argument '" + std::string(param) + "'",
        "a string", v->v());
  }
  return PyStr(v->v());
}

}  // namespace tend::automate::jinja
