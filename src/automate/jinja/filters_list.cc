// Filters over lists and dicts: length, first/last, min/max/sum, unique,
// sort, join, map/select/reject(/attr), flatten, zip, set operations,
// dict2items/items2dict, combine, extract, numbers (abs, round).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "automate/jinja/builtins.h"
#include "automate/jinja/eval.h"
#include "automate/jinja/py_value.h"
#include "automate/jinja/string_util.h"

namespace tend::automate::jinja {
namespace {

using R = Result<Val>;

// The items of an iterable input (a list as is; dict keys; characters).
Result<Value> Items(std::string_view what, const Value& v) {
  auto r = IterItems(v);
  if (!r.ok())
    return InvalidArgumentError(std::string(what) + ": " +
                                r.status().message());
  return r;
}

// Jinja's attribute getter: "a.b.0" walks dict keys and list indexes.
// Undefined when a step is missing.
Val GetAttrPath(const Value& item, std::string_view path) {
  const Value* cur = &item;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string part(path.substr(start, dot == std::string_view::npos
                                            ? std::string_view::npos
                                            : dot - start));
    const Value* next = nullptr;
    if (cur->is_object()) {
      auto it = cur->find(part);
      if (it != cur->end()) next = &*it;
    } else if (cur->is_array() && !part.empty() &&
               part.find_first_not_of("0123456789") == std::string::npos &&
               part.size() < 10) {
      const size_t i = std::stoul(part);
      if (i < cur->size()) next = &(*cur)[i];
    }
    if (next == nullptr) {
      return Val::Undefined("'" + std::string(PyTypeName(*cur)) +
                                " object' has no attribute '" + part + "'",
                            0);
    }
    cur = next;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return Val(*cur);
}

Value CaseKey(const Value& v, bool case_sensitive) {
  if (!case_sensitive && v.is_string()) return AsciiLower(v.get<std::string>());
  return v;
}

R Length(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("length", args, {}, nullptr));
  const Value& v = in.v();
  if (v.is_string()) {
    return Val(Value(
        static_cast<int64_t>(CodePointCount(v.get_ref<const std::string&>()))));
  }
  if (v.is_array() || v.is_object()) {
    return Val(Value(static_cast<int64_t>(v.size())));
  }
  return InvalidArgumentError("object of type '" + std::string(PyTypeName(v)) +
                              "' has no len()");
}

R FirstLast(Val in, CallArgs& args, bool first) {
  RETURN_IF_ERROR(BindArgs(first ? "first" : "last", args, {}, nullptr));
  ASSIGN_OR_RETURN(Value items, Items(first ? "first" : "last", in.v()));
  if (items.empty()) {
    return Val::Undefined(first ? "No first item, sequence was empty."
                                : "No last item, sequence was empty.",
                          0);
  }
  return Val(first ? items.front() : items.back());
}
R First(Evaluator&, Val in, CallArgs& args) {
  return FirstLast(std::move(in), args, true);
}
R Last(Evaluator&, Val in, CallArgs& args) {
  return FirstLast(std::move(in), args, false);
}

R MinMax(Val in, CallArgs& args, bool want_max) {
  const char* name = want_max ? "max" : "min";
  const Val* a[2];
  RETURN_IF_ERROR(BindArgs(name, args, {"case_sensitive", "attribute"}, a));
  ASSIGN_OR_RETURN(bool cs, ArgBool(a[0], false));
  ASSIGN_OR_RETURN(std::string attr, ArgStr(name, "attribute", a[1], ""));
  ASSIGN_OR_RETURN(Value items, Items(name, in.v()));
  if (items.empty()) {
    return Val::Undefined("No aggregated item, sequence was empty.", 0);
  }
  const Value* best = nullptr;
  Value best_key;
  for (const Value& item : items) {
    Value key;
    if (!attr.empty()) {
      Val k = GetAttrPath(item, attr);
      if (k.undefined()) return InvalidArgumentError(k.undefined_message());
      key = CaseKey(k.v(), cs);
    } else {
      key = CaseKey(item, cs);
    }
    if (best != nullptr) {
      ASSIGN_OR_RETURN(
          bool less, want_max ? PyLess(best_key, key) : PyLess(key, best_key));
      if (!less) continue;
    }
    best = &item;
    best_key = std::move(key);
  }
  return Val(*best);
}
R Min(Evaluator&, Val in, CallArgs& args) {
  return MinMax(std::move(in), args, false);
}
R Max(Evaluator&, Val in, CallArgs& args) {
  return MinMax(std::move(in), args, true);
}

R Sum(Evaluator&, Val in, CallArgs& args) {
  const Val* a[2];
  RETURN_IF_ERROR(BindArgs("sum", args, {"attribute", "start"}, a));
  ASSIGN_OR_RETURN(std::string attr, ArgStr("sum", "attribute", a[0], ""));
  Value total = a[1] != nullptr ? a[1]->v() : Value(0);
  ASSIGN_OR_RETURN(Value items, Items("sum", in.v()));
  for (const Value& item : items) {
    Value x = item;
    if (!attr.empty()) {
      Val k = GetAttrPath(item, attr);
      if (k.undefined()) return InvalidArgumentError(k.undefined_message());
      x = k.v();
    }
    ASSIGN_OR_RETURN(total, BinaryOp(BinOp::kAdd, total, x));
  }
  return Val(std::move(total));
}

Result<Value> UniqueOf(const Value& items, bool cs, std::string_view attr) {
  Value out = Value::array();
  std::vector<Value> seen;
  for (const Value& item : items) {
    Value key = item;
    if (!attr.empty()) {
      Val k = GetAttrPath(item, attr);
      if (k.undefined()) return InvalidArgumentError(k.undefined_message());
      key = k.v();
    }
    key = CaseKey(key, cs);
    bool dup = false;
    for (const Value& s : seen) {
      if (PyEquals(s, key)) {
        dup = true;
        break;
      }
    }
    if (dup) continue;
    seen.push_back(std::move(key));
    out.push_back(item);
  }
  return out;
}

R Unique(Evaluator& ev, Val in, CallArgs& args) {
  const Val* a[2];
  RETURN_IF_ERROR(BindArgs("unique", args, {"case_sensitive", "attribute"}, a));
  ASSIGN_OR_RETURN(bool cs, ArgBool(a[0], false));
  ASSIGN_OR_RETURN(std::string attr, ArgStr("unique", "attribute", a[1], ""));
  ASSIGN_OR_RETURN(Value items, Items("unique", in.v()));
  // Quadratic: bound the work.
  RETURN_IF_ERROR(ev.Charge(items.size() * items.size() / 1000));
  ASSIGN_OR_RETURN(Value out, UniqueOf(items, cs, attr));
  return Val(std::move(out));
}

R Sort(Evaluator&, Val in, CallArgs& args) {
  const Val* a[3];
  RETURN_IF_ERROR(
      BindArgs("sort", args, {"reverse", "case_sensitive", "attribute"}, a));
  ASSIGN_OR_RETURN(bool reverse, ArgBool(a[0], false));
  ASSIGN_OR_RETURN(bool cs, ArgBool(a[1], false));
  ASSIGN_OR_RETURN(std::string attrs, ArgStr("sort", "attribute", a[2], ""));
  ASSIGN_OR_RETURN(Value items, Items("sort", in.v()));
  std::vector<std::string> attr_list;
  if (!attrs.empty()) {
    Value parts = PySplit(attrs, ",", -1, false);
    for (const Value& p : parts) {
      attr_list.push_back(
          PyStrip(p.get<std::string>(), kPyWhitespace, true, true));
    }
  }
  std::vector<std::pair<Value, size_t>> keyed;
  for (size_t i = 0; i < items.size(); ++i) {
    Value key;
    if (attr_list.empty()) {
      key = CaseKey(items[i], cs);
    } else {
      key = Value::array();
      for (const auto& attr : attr_list) {
        Val k = GetAttrPath(items[i], attr);
        if (k.undefined()) return InvalidArgumentError(k.undefined_message());
        key.push_back(CaseKey(k.v(), cs));
      }
      if (attr_list.size() == 1) key = Value(key[0]);
    }
    keyed.emplace_back(std::move(key), i);
  }
  Status err;
  std::stable_sort(
      keyed.begin(), keyed.end(), [&](const auto& x, const auto& y) {
        if (!err.ok()) return false;
        auto r = reverse ? PyLess(y.first, x.first) : PyLess(x.first, y.first);
        if (!r.ok()) {
          err = r.status();
          return false;
        }
        return *r;
      });
  RETURN_IF_ERROR(err);
  Value out = Value::array();
  for (auto& [key, i] : keyed) out.push_back(std::move(items[i]));
  return Val(std::move(out));
}

R Reverse(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("reverse", args, {}, nullptr));
  if (in.v().is_string()) {
    ASSIGN_OR_RETURN(Value chars, Items("reverse", in.v()));
    std::string out;
    for (size_t i = chars.size(); i-- > 0;) out += chars[i].get<std::string>();
    return Val(Value(std::move(out)));
  }
  ASSIGN_OR_RETURN(Value items, Items("reverse", in.v()));
  std::reverse(items.begin(), items.end());
  return Val(std::move(items));
}

R List(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("list", args, {}, nullptr));
  ASSIGN_OR_RETURN(Value items, Items("list", in.v()));
  return Val(std::move(items));
}

R Join(Evaluator&, Val in, CallArgs& args) {
  const Val* a[2];
  RETURN_IF_ERROR(BindArgs("join", args, {"d", "attribute"}, a));
  ASSIGN_OR_RETURN(std::string sep, ArgStr("join", "d", a[0], ""));
  ASSIGN_OR_RETURN(std::string attr, ArgStr("join", "attribute", a[1], ""));
  ASSIGN_OR_RETURN(Value items, Items("join", in.v()));
  std::string out;
  bool first = true;
  for (const Value& item : items) {
    if (!first) out += sep;
    first = false;
    if (!attr.empty()) {
      Val k = GetAttrPath(item, attr);
      if (k.undefined()) return InvalidArgumentError(k.undefined_message());
      AppendPyStr(k.v(), &out);
    } else {
      AppendPyStr(item, &out);
    }
    if (out.size() > kMaxOutputBytes) {
      return InvalidArgumentError("result larger than 64 MiB");
    }
  }
  return Val(Value(std::move(out)));
}

// map/select/reject share "name, *args" where name is a filter or test.
CallArgs Rest(CallArgs& args, size_t from) {
  CallArgs rest;
  for (size_t i = from; i < args.pos.size(); ++i)
    rest.pos.push_back(args.pos[i]);
  rest.kw = args.kw;
  return rest;
}

R Map(Evaluator& ev, Val in, CallArgs& args) {
  ASSIGN_OR_RETURN(Value items, Items("map", in.v()));
  RETURN_IF_ERROR(ev.Charge(items.size()));
  Value out = Value::array();
  if (args.pos.empty()) {
    const Val* a[2];
    RETURN_IF_ERROR(BindArgs("map", args, {"attribute", "default"}, a));
    if (a[0] == nullptr) {
      return InvalidArgumentError("map needs a filter name or attribute=");
    }
    const std::string attr = PyStr(a[0]->v());
    for (const Value& item : items) {
      Val k = GetAttrPath(item, attr);
      if (k.undefined()) {
        if (a[1] == nullptr) return InvalidArgumentError(k.undefined_message());
        out.push_back(a[1]->v());
      } else {
        out.push_back(std::move(k).Take());
      }
    }
    return Val(std::move(out));
  }
  if (!args.pos[0].v().is_string()) {
    return TypeError("map", "a filter name", args.pos[0].v());
  }
  const std::string name = args.pos[0].v().get<std::string>();
  const FilterDef* f = FindFilter(name);
  if (f == nullptr) {
    return InvalidArgumentError("no filter named '" + name + "'");
  }
  CallArgs rest = Rest(args, 1);
  for (const Value& item : items) {
    ASSIGN_OR_RETURN(Val r, ev.ApplyFilter(*f, Val::Ref(&item), rest));
    if (r.undefined()) return InvalidArgumentError(r.undefined_message());
    out.push_back(std::move(r).Take());
  }
  return Val(std::move(out));
}

// select/reject (attr=false) and selectattr/rejectattr (attr=true).
R SelectImpl(Evaluator& ev, Val in, CallArgs& args, bool keep, bool by_attr,
             std::string_view name) {
  if (!args.kw.empty()) {
    return InvalidArgumentError(std::string(name) +
                                " takes positional arguments only");
  }
  ASSIGN_OR_RETURN(Value items, Items(name, in.v()));
  RETURN_IF_ERROR(ev.Charge(items.size()));
  size_t next = 0;
  std::string attr;
  if (by_attr) {
    if (args.pos.empty()) {
      return InvalidArgumentError(std::string(name) + " needs an attribute");
    }
    attr = PyStr(args.pos[0].v());
    next = 1;
  }
  const TestDef* test = nullptr;
  if (next < args.pos.size()) {
    if (!args.pos[next].v().is_string()) {
      return TypeError(name, "a test name", args.pos[next].v());
    }
    const std::string t = args.pos[next].v().get<std::string>();
    test = FindTest(t);
    if (test == nullptr)
      return InvalidArgumentError("no test named '" + t + "'");
    ++next;
  }
  CallArgs rest = Rest(args, next);
  rest.kw.clear();
  Value out = Value::array();
  for (const Value& item : items) {
    Val subject = Val::Ref(&item);
    if (by_attr) subject = GetAttrPath(item, attr);
    bool yes;
    if (test != nullptr) {
      if (subject.undefined() && !test->accepts_undefined) {
        return InvalidArgumentError(subject.undefined_message());
      }
      ASSIGN_OR_RETURN(yes, ev.ApplyTest(*test, subject, rest));
    } else {
      if (subject.undefined()) {
        return InvalidArgumentError(subject.undefined_message());
      }
      yes = Truthy(subject.v());
    }
    if (yes == keep) out.push_back(item);
  }
  return Val(std::move(out));
}
R Select(Evaluator& ev, Val in, CallArgs& a) {
  return SelectImpl(ev, std::move(in), a, true, false, "select");
}
R Reject(Evaluator& ev, Val in, CallArgs& a) {
  return SelectImpl(ev, std::move(in), a, false, false, "reject");
}
R SelectAttr(Evaluator& ev, Val in, CallArgs& a) {
  return SelectImpl(ev, std::move(in), a, true, true, "selectattr");
}
R RejectAttr(Evaluator& ev, Val in, CallArgs& a) {
  return SelectImpl(ev, std::move(in), a, false, true, "rejectattr");
}

void FlattenInto(const Value& list, int64_t levels, bool skip_nulls,
                 Value* out) {
  for (const Value& e : list) {
    if (skip_nulls &&
        (e.is_null() || (e.is_string() && (e == "None" || e == "null")))) {
      continue;
    }
    if (e.is_array() && levels != 0) {
      FlattenInto(e, levels < 0 ? -1 : levels - 1, skip_nulls, out);
    } else {
      out->push_back(e);
    }
  }
}

R Flatten(Evaluator&, Val in, CallArgs& args) {
  const Val* a[2];
  RETURN_IF_ERROR(BindArgs("flatten", args, {"levels", "skip_nulls"}, a));
  ASSIGN_OR_RETURN(int64_t levels, ArgInt("flatten", "levels", a[0], -1));
  ASSIGN_OR_RETURN(bool skip, ArgBool(a[1], true));
  if (!in.v().is_array()) return TypeError("flatten", "a list", in.v());
  Value out = Value::array();
  FlattenInto(in.v(), levels, skip, &out);
  return Val(std::move(out));
}

R ZipImpl(Val in, CallArgs& args, bool longest) {
  Value fill = nullptr;
  for (const auto& [k, v] : args.kw) {
    if (longest && k == "fillvalue") {
      fill = v.v();
    } else {
      return InvalidArgumentError("unexpected keyword argument '" +
                                  std::string(k) + "'");
    }
  }
  std::vector<Value> lists;
  ASSIGN_OR_RETURN(Value first, Items("zip", in.v()));
  lists.push_back(std::move(first));
  for (const Val& a : args.pos) {
    ASSIGN_OR_RETURN(Value l, Items("zip", a.v()));
    lists.push_back(std::move(l));
  }
  size_t n = longest ? 0 : SIZE_MAX;
  for (const Value& l : lists) {
    n = longest ? std::max(n, l.size()) : std::min(n, l.size());
  }
  Value out = Value::array();
  for (size_t i = 0; i < n; ++i) {
    Value tuple = Value::array();
    for (const Value& l : lists) tuple.push_back(i < l.size() ? l[i] : fill);
    out.push_back(std::move(tuple));
  }
  return Val(std::move(out));
}
R Zip(Evaluator&, Val in, CallArgs& a) {
  return ZipImpl(std::move(in), a, false);
}
R ZipLongest(Evaluator&, Val in, CallArgs& a) {
  return ZipImpl(std::move(in), a, true);
}

enum class SetOp { kUnion, kIntersect, kDifference, kSymmetric };

R SetImpl(Evaluator& ev, Val in, CallArgs& args, SetOp op, const char* name) {
  const Val* a[1];
  RETURN_IF_ERROR(BindArgs(name, args, {"other"}, a));
  if (a[0] == nullptr)
    return InvalidArgumentError(std::string(name) + " needs a second list");
  ASSIGN_OR_RETURN(Value x, Items(name, in.v()));
  ASSIGN_OR_RETURN(Value y, Items(name, a[0]->v()));
  RETURN_IF_ERROR(ev.Charge((x.size() + 1) * (y.size() + 1) / 1000));
  auto in_list = [](const Value& list, const Value& v) {
    for (const Value& e : list) {
      if (PyEquals(e, v)) return true;
    }
    return false;
  };
  Value out = Value::array();
  switch (op) {
    case SetOp::kUnion:
      out = x;
      for (const Value& e : y) out.push_back(e);
      break;
    case SetOp::kIntersect:
      for (const Value& e : x) {
        if (in_list(y, e)) out.push_back(e);
      }
      break;
    case SetOp::kDifference:
      for (const Value& e : x) {
        if (!in_list(y, e)) out.push_back(e);
      }
      break;
    case SetOp::kSymmetric:
      for (const Value& e : x) {
        if (!in_list(y, e)) out.push_back(e);
      }
      for (const Value& e : y) {
        if (!in_list(x, e)) out.push_back(e);
      }
      break;
  }
  ASSIGN_OR_RETURN(Value uniq, UniqueOf(out, true, ""));
  return Val(std::move(uniq));
}
R Union(Evaluator& ev, Val in, CallArgs& a) {
  return SetImpl(ev, std::move(in), a, SetOp::kUnion, "union");
}
R Intersect(Evaluator& ev, Val in, CallArgs& a) {
  return SetImpl(ev, std::move(in), a, SetOp::kIntersect, "intersect");
}
R Difference(Evaluator& ev, Val in, CallArgs& a) {
  return SetImpl(ev, std::move(in), a, SetOp::kDifference, "difference");
}
R SymmetricDifference(Evaluator& ev, Val in, CallArgs& a) {
  return SetImpl(ev, std::move(in), a, SetOp::kSymmetric,
                 "symmetric_difference");
}

R Dict2Items(Evaluator&, Val in, CallArgs& args) {
  const Val* a[2];
  RETURN_IF_ERROR(BindArgs("dict2items", args, {"key_name", "value_name"}, a));
  ASSIGN_OR_RETURN(std::string kn,
                   ArgStr("dict2items", "key_name", a[0], "key"));
  ASSIGN_OR_RETURN(std::string vn,
                   ArgStr("dict2items", "value_name", a[1], "value"));
  if (!in.v().is_object()) {
    return TypeError("dict2items", "a dictionary", in.v());
  }
  Value out = Value::array();
  for (auto it = in.v().begin(); it != in.v().end(); ++it) {
    Value item = Value::object();
    item[kn] = it.key();
    item[vn] = it.value();
    out.push_back(std::move(item));
  }
  return Val(std::move(out));
}

R Items2Dict(Evaluator&, Val in, CallArgs& args) {
  const Val* a[2];
  RETURN_IF_ERROR(BindArgs("items2dict", args, {"key_name", "value_name"}, a));
  ASSIGN_OR_RETURN(std::string kn,
                   ArgStr("items2dict", "key_name", a[0], "key"));
  ASSIGN_OR_RETURN(std::string vn,
                   ArgStr("items2dict", "value_name", a[1], "value"));
  if (!in.v().is_array()) return TypeError("items2dict", "a list", in.v());
  Value out = Value::object();
  for (const Value& item : in.v()) {
    if (!item.is_object() || !item.contains(kn) || !item.contains(vn)) {
      return InvalidArgumentError(
          "items2dict: each item must be a mapping "
          "with the keys '" +
          kn + "' and '" + vn + "', got " + PyRepr(item));
    }
    const Value& k = item[kn];
    out[k.is_string() ? k.get<std::string>() : PyStr(k)] = item[vn];
  }
  return Val(std::move(out));
}

enum class ListMerge { kReplace, kKeep, kAppend, kPrepend };

void Merge(Value* into, const Value& from, bool recursive, ListMerge lm) {
  for (auto it = from.begin(); it != from.end(); ++it) {
    auto cur = into->find(it.key());
    if (cur != into->end()) {
      if (recursive && cur->is_object() && it.value().is_object()) {
        Merge(&*cur, it.value(), recursive, lm);
        continue;
      }
      if (cur->is_array() && it.value().is_array() &&
          lm != ListMerge::kReplace) {
        if (lm == ListMerge::kKeep) continue;
        Value merged = lm == ListMerge::kAppend ? *cur : it.value();
        for (const Value& e : lm == ListMerge::kAppend ? it.value() : *cur) {
          merged.push_back(e);
        }
        *cur = std::move(merged);
        continue;
      }
      *cur = it.value();
    } else {
      (*into)[it.key()] = it.value();
    }
  }
}

R Combine(Evaluator&, Val in, CallArgs& args) {
  bool recursive = false;
  ListMerge lm = ListMerge::kReplace;
  for (const auto& [k, v] : args.kw) {
    if (k == "recursive") {
      recursive = Truthy(v.v());
    } else if (k == "list_merge") {
      const std::string m = PyStr(v.v());
      if (m == "replace") {
        lm = ListMerge::kReplace;
      } else if (m == "keep") {
        lm = ListMerge::kKeep;
      } else if (m == "append") {
        lm = ListMerge::kAppend;
      } else if (m == "prepend") {
        lm = ListMerge::kPrepend;
      } else {
        return InvalidArgumentError("list_merge '" + m +
                                    "' is not supported (replace, keep, "
                                    "append, prepend)");
      }
    } else {
      return InvalidArgumentError("unexpected keyword argument '" +
                                  std::string(k) + "'");
    }
  }
  std::vector<const Value*> terms;
  auto add = [&](const Value& v) -> Status {
    if (v.is_object()) {
      terms.push_back(&v);
    } else if (v.is_array()) {
      for (const Value& e : v) {
        if (!e.is_object()) return TypeError("combine", "dictionaries", e);
        terms.push_back(&e);
      }
    } else {
      return TypeError("combine", "dictionaries", v);
    }
    return Status::Ok();
  };
  RETURN_IF_ERROR(add(in.v()));
  for (const Val& a : args.pos) RETURN_IF_ERROR(add(a.v()));
  Value out = Value::object();
  for (const Value* t : terms) Merge(&out, *t, recursive, lm);
  return Val(std::move(out));
}

R Extract(Evaluator&, Val in, CallArgs& args) {
  const Val* a[2];
  RETURN_IF_ERROR(BindArgs("extract", args, {"container", "morekeys"}, a));
  if (a[0] == nullptr) return InvalidArgumentError("extract needs a container");
  auto step = [](const Value& c, const Value& key) -> Val {
    if (c.is_object()) {
      const std::string k =
          key.is_string() ? key.get<std::string>() : PyStr(key);
      auto it = c.find(k);
      if (it != c.end()) return Val(*it);
    } else if (c.is_array() && IsInt(key)) {
      int64_t i = AsInt(key);
      if (i < 0) i += static_cast<int64_t>(c.size());
      if (i >= 0 && static_cast<size_t>(i) < c.size()) return Val(c[i]);
    }
    return Val::Undefined("'" + std::string(PyTypeName(c)) +
                              " object' has no attribute " + PyRepr(key),
                          0);
  };
  Val cur = step(a[0]->v(), in.v());
  if (a[1] != nullptr && !cur.undefined()) {
    Value keys = a[1]->v().is_array() ? a[1]->v() : Value::array({a[1]->v()});
    for (const Value& k : keys) {
      cur = step(cur.v(), k);
      if (cur.undefined()) break;
    }
  }
  if (cur.undefined()) return InvalidArgumentError(cur.undefined_message());
  return cur;
}

R Abs(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("abs", args, {}, nullptr));
  const Value& v = in.v();
  if (v.is_number_float()) return Val(Value(std::fabs(v.get<double>())));
  if (IsInt(v)) {
    const int64_t i = AsInt(v);
    if (i == INT64_MIN) return InvalidArgumentError("integer overflow");
    return Val(Value(i < 0 ? -i : i));
  }
  return InvalidArgumentError("bad operand type for abs(): '" +
                              std::string(PyTypeName(v)) + "'");
}

R Round(Evaluator&, Val in, CallArgs& args) {
  const Val* a[2];
  RETURN_IF_ERROR(BindArgs("round", args, {"precision", "method"}, a));
  ASSIGN_OR_RETURN(int64_t precision, ArgInt("round", "precision", a[0], 0));
  ASSIGN_OR_RETURN(std::string method,
                   ArgStr("round", "method", a[1], "common"));
  const Value& v = in.v();
  if (!IsNumber(v)) return TypeError("round", "a number", v);
  if (precision < -300 || precision > 300) {
    return InvalidArgumentError("precision out of range");
  }
  if (method == "common") {
    if (IsInt(v) && precision >= 0) return Val(Value(AsInt(v)));
    const double d = AsDouble(v);
    if (!std::isfinite(d)) return Val(Value(d));
    if (precision >= 0) {
      // printf rounds the exact binary value half-to-even, as Python does.
      char buf[512];
      std::snprintf(buf, sizeof(buf), "%.*f", static_cast<int>(precision), d);
      return Val(Value(std::strtod(buf, nullptr)));
    }
    const double scale = std::pow(10.0, static_cast<double>(-precision));
    return Val(Value(std::nearbyint(d / scale) * scale));
  }
  const double scale = std::pow(10.0, static_cast<double>(precision));
  if (method == "ceil")
    return Val(Value(std::ceil(AsDouble(v) * scale) / scale));
  if (method == "floor") {
    return Val(Value(std::floor(AsDouble(v) * scale) / scale));
  }
  return InvalidArgumentError("method must be common, ceil or floor");
}

}  // namespace

const std::vector<FilterDef>& ListFilters() {
  static const std::vector<FilterDef>* table = new std::vector<FilterDef>{
      {"length", Length},
      {"count", Length},
      {"first", First},
      {"last", Last},
      {"min", Min},
      {"max", Max},
      {"sum", Sum},
      {"unique", Unique},
      {"sort", Sort},
      {"reverse", Reverse},
      {"list", List},
      {"join", Join},
      {"map", Map},
      {"select", Select},
      {"reject", Reject},
      {"selectattr", SelectAttr},
      {"rejectattr", RejectAttr},
      {"flatten", Flatten},
      {"zip", Zip},
      {"zip_longest", ZipLongest},
      {"union", Union},
      {"intersect", Intersect},
      {"difference", Difference},
      {"symmetric_difference", SymmetricDifference},
      {"dict2items", Dict2Items},
      {"items2dict", Items2Dict},
      {"combine", Combine},
      {"extract", Extract},
      {"abs", Abs},
      {"round", Round},
  };
  return *table;
}

}  // namespace tend::automate::jinja
