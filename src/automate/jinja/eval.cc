#include "automate/jinja/eval.h"

#include <utility>

#include "automate/jinja/parser.h"
#include "automate/jinja/py_value.h"
#include "base/utf8.h"

namespace tend::automate::jinja {

Evaluator::Evaluator(const Template& t, Scope& scope)
    : t_(t), scope_(scope), omit_(std::string(kOmitPlaceholder)) {
  if (t.expression_mode) {
    base_ = t.expr_base;
    tag_begin_ = 0;
    tag_end_ = static_cast<uint32_t>(t.text.size());
  }
}

Status Evaluator::Err(uint32_t offset, std::string_view message) {
  std::string_view snippet;
  if (tag_end_ > tag_begin_ && tag_end_ <= t_.text.size()) {
    snippet =
        std::string_view(t_.text).substr(tag_begin_, tag_end_ - tag_begin_);
  }
  return PositionedError(t_.pos, t_.text, offset + base_, message, snippet);
}

Status Evaluator::Wrap(uint32_t offset, const Status& s) {
  if (s.ok()) return s;
  return Err(offset, s.message());
}

Status Evaluator::Defined(const Val& v) {
  if (!v.undefined()) return Status::Ok();
  return Err(v.undefined_offset(), v.undefined_message());
}

Status Evaluator::Charge(uint64_t n) {
  iterations_ += n;
  if (iterations_ > kMaxIterations) {
    return InvalidArgumentError("more than " + std::to_string(kMaxIterations) +
                                " loop iterations in one rendering");
  }
  return Status::Ok();
}

Result<bool> Evaluator::Truth(const Val& v) {
  RETURN_IF_ERROR(Defined(v));
  return Truthy(v.v());
}

// --- statements ------------------------------------------------------------

Status Evaluator::RenderBody(std::string* out) { return Exec(t_.body, out); }

Result<Value> Evaluator::EvalSingle() {
  const Expr* e = t_.expr.get();
  if (!t_.expression_mode) {
    const Stmt& s = t_.body[0];
    tag_begin_ = s.tag_begin;
    tag_end_ = s.tag_end;
    e = s.expr.get();
  }
  ASSIGN_OR_RETURN(Val v, Eval(*e));
  RETURN_IF_ERROR(Defined(v));
  return std::move(v).Take();
}

Status Evaluator::AppendOutput(const Val& v, uint32_t offset,
                               std::string* out) {
  RETURN_IF_ERROR(Defined(v));
  if (!v.v().is_null()) AppendPyStr(v.v(), out);
  if (out->size() > kMaxOutputBytes) {
    return Err(offset, "output larger than " +
                           std::to_string(kMaxOutputBytes >> 20) + " MiB");
  }
  return Status::Ok();
}

Status Evaluator::Exec(const std::vector<Stmt>& body, std::string* out) {
  for (const Stmt& s : body) {
    tag_begin_ = s.tag_begin;
    tag_end_ = s.tag_end;
    switch (s.kind) {
      case StmtKind::kText:
        out->append(s.text);
        if (out->size() > kMaxOutputBytes) {
          return Err(s.tag_begin, "output larger than " +
                                      std::to_string(kMaxOutputBytes >> 20) +
                                      " MiB");
        }
        break;
      case StmtKind::kOutput: {
        ASSIGN_OR_RETURN(Val v, Eval(*s.expr));
        RETURN_IF_ERROR(AppendOutput(v, s.expr->offset, out));
        break;
      }
      case StmtKind::kIf: {
        bool done = false;
        for (size_t i = 0; i < s.conds.size(); ++i) {
          tag_begin_ = s.tag_begin;
          tag_end_ = s.tag_end;
          ASSIGN_OR_RETURN(Val c, Eval(*s.conds[i]));
          ASSIGN_OR_RETURN(bool yes, Truth(c));
          if (yes) {
            RETURN_IF_ERROR(Exec(s.bodies[i], out));
            done = true;
            break;
          }
        }
        if (!done) RETURN_IF_ERROR(Exec(s.else_body, out));
        break;
      }
      case StmtKind::kFor:
        RETURN_IF_ERROR(ExecFor(s, out));
        break;
      case StmtKind::kSet: {
        ASSIGN_OR_RETURN(Val v, Eval(*s.expr));
        RETURN_IF_ERROR(Defined(v));
        RETURN_IF_ERROR(Assign(s.targets, std::move(v).Take(), s.expr->offset));
        break;
      }
      case StmtKind::kSetBlock: {
        std::string text;
        RETURN_IF_ERROR(Exec(s.body, &text));
        RETURN_IF_ERROR(Assign(s.targets, Value(std::move(text)), 0));
        break;
      }
    }
  }
  return Status::Ok();
}

Status Evaluator::Assign(const std::vector<std::string>& targets, Value v,
                         uint32_t offset) {
  auto bind = [&](std::string_view name, Value value) {
    for (size_t i = frame_start_; i < locals_.size(); ++i) {
      if (locals_[i].name == name) {
        locals_[i].value = std::move(value);
        locals_[i].ref = nullptr;
        return;
      }
    }
    locals_.push_back(Local{name, std::move(value)});
  };
  for (const std::string& name : targets) {
    if (name == "loop") {
      return Err(offset, "'loop' is the loop variable and cannot be assigned");
    }
  }
  if (targets.size() == 1) {
    bind(targets[0], std::move(v));
    return Status::Ok();
  }
  if (!v.is_array() || v.size() != targets.size()) {
    return Err(
        offset,
        "cannot unpack " + std::string(PyTypeName(v)) + " into " +
            std::to_string(targets.size()) + " names" +
            (v.is_array() ? " (it has " + std::to_string(v.size()) + " items)"
                          : ""));
  }
  for (size_t i = 0; i < targets.size(); ++i) {
    bind(targets[i], std::move(v[i]));
  }
  return Status::Ok();
}

Status Evaluator::ExecFor(const Stmt& s, std::string* out) {
  ASSIGN_OR_RETURN(Val iterable, Eval(*s.expr));
  RETURN_IF_ERROR(Defined(iterable));
  Value converted;
  const Value* items = &iterable.v();
  if (!items->is_array()) {
    auto r = IterItems(*items);
    if (!r.ok()) return Err(s.expr->offset, r.status().message());
    converted = std::move(r).value();
    items = &converted;
  }
  const uint32_t saved_begin = tag_begin_;
  const uint32_t saved_end = tag_end_;
  const size_t saved_frame = frame_start_;
  const size_t outer_size = locals_.size();
  frame_start_ = outer_size;

  auto bind_item = [&](const Value& item) -> Status {
    while (locals_.size() > outer_size + 1) locals_.pop_back();
    if (s.targets.size() == 1 && s.targets[0] != "loop") {
      // Borrow: `items` outlives the loop.
      locals_.push_back(Local{s.targets[0], Value(), &item});
      return Status::Ok();
    }
    return Assign(s.targets, item, s.expr->offset);
  };
  auto restore = [&] {
    while (locals_.size() > outer_size) locals_.pop_back();
    frame_start_ = saved_frame;
    tag_begin_ = saved_begin;
    tag_end_ = saved_end;
  };

  // The loop variable sits first in the iteration's frame; targets and
  // sets follow it and are dropped at each new iteration.
  locals_.push_back(Local{"loop", Value::object()});
  std::vector<size_t> selected;
  if (s.filter) {
    for (size_t i = 0; i < items->size(); ++i) {
      if (Status st = Charge(1); !st.ok()) {
        restore();
        return Err(s.expr->offset, st.message());
      }
      if (Status st = bind_item((*items)[i]); !st.ok()) {
        restore();
        return st;
      }
      tag_begin_ = saved_begin;
      tag_end_ = saved_end;
      auto c = Eval(*s.filter);
      Result<bool> yes = c.ok() ? Truth(*c) : Result<bool>(c.status());
      if (!yes.ok()) {
        restore();
        return yes.status();
      }
      if (*yes) selected.push_back(i);
    }
  }
  const size_t n = s.filter ? selected.size() : items->size();
  // The loop object's fields, updated in place each iteration (Assign
  // refuses to rebind `loop`, so these stay valid).
  Value* f[7];
  {
    Value& loop = locals_[outer_size].value;
    static constexpr const char* kFields[] = {
        "index", "index0", "revindex", "revindex0", "first", "last", "length"};
    for (int i = 0; i < 7; ++i) loop[kFields[i]] = nullptr;
    auto it = loop.begin();
    for (int i = 0; i < 7; ++i, ++it) f[i] = &it.value();
    *f[6] = n;
  }
  for (size_t k = 0; k < n; ++k) {
    if (Status st = Charge(1); !st.ok()) {
      restore();
      return Err(s.expr->offset, st.message());
    }
    const Value& item = (*items)[s.filter ? selected[k] : k];
    if (Status st = bind_item(item); !st.ok()) {
      restore();
      return st;
    }
    *f[0] = k + 1;
    *f[1] = k;
    *f[2] = n - k;
    *f[3] = n - k - 1;
    *f[4] = k == 0;
    *f[5] = k + 1 == n;
    if (Status st = Exec(s.body, out); !st.ok()) {
      restore();
      return st;
    }
  }
  restore();
  if (n == 0) RETURN_IF_ERROR(Exec(s.else_body, out));
  return Status::Ok();
}

// --- expressions -----------------------------------------------------------

Val Evaluator::Ident(const Expr& e, std::string_view name) const {
  return Val::Undefined("'" + std::string(name) + "' is undefined", e.offset);
}

Result<Val> Evaluator::EvalName(const Expr& e) {
  for (size_t i = locals_.size(); i-- > 0;) {
    if (locals_[i].name == e.name) {
      return Val::Ref(locals_[i].ref != nullptr ? locals_[i].ref
                                                : &locals_[i].value);
    }
  }
  auto it = cache_.find(std::string_view(e.name));
  if (it == cache_.end()) {
    if (const Value* direct = scope_.Find(e.name); direct != nullptr) {
      return Val::Ref(direct);
    }
    auto r = scope_.Lookup(e.name);
    // Returned unchanged: a nested template's error carries its own
    // position.
    if (!r.ok()) return r.status();
    it = cache_.emplace(e.name, std::move(r).value()).first;
  }
  if (it->second.has_value()) return Val::Ref(&*it->second);
  if (e.name == "omit") return Val::Ref(&omit_);
  return Ident(e, e.name);
}

Result<Val> Evaluator::Eval(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kLiteral:
      return Val::Ref(&e.literal);
    case ExprKind::kName:
      return EvalName(e);
    case ExprKind::kAttr:
      return EvalAttr(e);
    case ExprKind::kItem:
      return EvalItem(e);
    case ExprKind::kSlice:
      return EvalSlice(e);
    case ExprKind::kNeg:
    case ExprKind::kPos: {
      ASSIGN_OR_RETURN(Val v, Eval(*e.kids[0]));
      RETURN_IF_ERROR(Defined(v));
      const Value& x = v.v();
      if (!IsNumber(x)) {
        return Err(e.offset,
                   "bad operand type for unary " +
                       std::string(e.kind == ExprKind::kNeg ? "-" : "+") +
                       ": '" + std::string(PyTypeName(x)) + "'");
      }
      if (e.kind == ExprKind::kPos) {
        return Val(IsInt(x) ? Value(AsInt(x)) : x);
      }
      if (x.is_number_float()) return Val(Value(-x.get<double>()));
      const int64_t i = AsInt(x);
      if (i == INT64_MIN) return Err(e.offset, "integer overflow");
      return Val(Value(-i));
    }
    case ExprKind::kNot: {
      ASSIGN_OR_RETURN(Val v, Eval(*e.kids[0]));
      ASSIGN_OR_RETURN(bool yes, Truth(v));
      return Val(Value(!yes));
    }
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      ASSIGN_OR_RETURN(Val a, Eval(*e.kids[0]));
      ASSIGN_OR_RETURN(bool yes, Truth(a));
      if (yes == (e.kind == ExprKind::kOr)) return a;
      return Eval(*e.kids[1]);
    }
    case ExprKind::kBinary:
      return EvalBinary(e);
    case ExprKind::kCompare:
      return EvalCompare(e);
    case ExprKind::kCond: {
      ASSIGN_OR_RETURN(Val c, Eval(*e.kids[0]));
      ASSIGN_OR_RETURN(bool yes, Truth(c));
      if (yes) return Eval(*e.kids[1]);
      if (e.kids[2]) return Eval(*e.kids[2]);
      return Val::Undefined(
          "the inline if-expression evaluated to false and has no else",
          e.offset);
    }
    case ExprKind::kList:
    case ExprKind::kTuple: {
      Value out = Value::array();
      for (const auto& k : e.kids) {
        ASSIGN_OR_RETURN(Val v, Eval(*k));
        RETURN_IF_ERROR(Defined(v));
        out.push_back(std::move(v).Take());
      }
      return Val(std::move(out));
    }
    case ExprKind::kDict: {
      Value out = Value::object();
      for (size_t i = 0; i + 1 < e.kids.size(); i += 2) {
        ASSIGN_OR_RETURN(Val k, Eval(*e.kids[i]));
        RETURN_IF_ERROR(Defined(k));
        ASSIGN_OR_RETURN(Val v, Eval(*e.kids[i + 1]));
        RETURN_IF_ERROR(Defined(v));
        if (k.v().is_array() || k.v().is_object()) {
          return Err(
              e.kids[i]->offset,
              "unhashable type: '" + std::string(PyTypeName(k.v())) + "'");
        }
        std::string key =
            k.v().is_string() ? k.v().get<std::string>() : PyStr(k.v());
        out[key] = std::move(v).Take();
      }
      return Val(std::move(out));
    }
    case ExprKind::kFilter:
      return EvalFilter(e);
    case ExprKind::kTest:
      return EvalTest(e);
    case ExprKind::kCall:
      return EvalCall(e);
  }
  return Err(e.offset, "unknown expression");
}

namespace {

std::string ObjectName(const Value& v) {
  if (v.is_null()) return "'None'";
  return "'" + std::string(PyTypeName(v)) + " object'";
}

// Python's index into a sequence of `n` items; nullopt when out of range.
std::optional<size_t> PyIndex(int64_t i, size_t n) {
  if (i < 0) i += static_cast<int64_t>(n);
  if (i < 0 || static_cast<uint64_t>(i) >= n) return std::nullopt;
  return static_cast<size_t>(i);
}

// Byte offsets of each code point of s, plus s.size() at the end.
std::vector<size_t> CodePointStarts(std::string_view s) {
  std::vector<size_t> starts;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  starts.push_back(s.size());
  return starts;
}

}  // namespace

Result<Val> Evaluator::EvalAttr(const Expr& e) {
  ASSIGN_OR_RETURN(Val obj, Eval(*e.kids[0]));
  if (obj.undefined()) return obj;  // Ansible keeps the first failure
  const Value& v = obj.v();
  if (v.is_object()) {
    auto it = v.find(e.name);
    if (it != v.end()) {
      return obj.borrowed() ? Val::Ref(&*it) : Val(*it);
    }
  } else if (v.is_array() && !e.name.empty() &&
             std::isdigit(static_cast<unsigned char>(e.name[0]))) {
    const int64_t i = std::stoll(e.name);
    if (auto idx = PyIndex(i, v.size())) return Val(v[*idx]);
  }
  return Val::Undefined(ObjectName(v) + " has no attribute '" + e.name + "'",
                        e.offset);
}

Result<Val> Evaluator::EvalItem(const Expr& e) {
  ASSIGN_OR_RETURN(Val obj, Eval(*e.kids[0]));
  if (obj.undefined()) return obj;
  ASSIGN_OR_RETURN(Val key, Eval(*e.kids[1]));
  RETURN_IF_ERROR(Defined(key));
  const Value& v = obj.v();
  const Value& k = key.v();
  if (v.is_object()) {
    std::string name = k.is_string() ? k.get<std::string>() : PyStr(k);
    auto it = v.find(name);
    if (it != v.end()) return obj.borrowed() ? Val::Ref(&*it) : Val(*it);
    return Val::Undefined(ObjectName(v) + " has no attribute '" + name + "'",
                          e.offset);
  }
  if (v.is_array() || v.is_string()) {
    if (!IsInt(k)) {
      if (k.is_string()) {
        return Val::Undefined(
            ObjectName(v) + " has no attribute '" + k.get<std::string>() + "'",
            e.offset);
      }
      return Err(e.kids[1]->offset,
                 std::string(PyTypeName(v)) +
                     " indices must be integers or slices, not " +
                     std::string(PyTypeName(k)));
    }
    if (v.is_array()) {
      if (auto idx = PyIndex(AsInt(k), v.size())) {
        return obj.borrowed() ? Val::Ref(&v[*idx]) : Val(v[*idx]);
      }
    } else {
      const std::string& s = v.get_ref<const std::string&>();
      auto starts = CodePointStarts(s);
      if (auto idx = PyIndex(AsInt(k), starts.size() - 1)) {
        return Val(
            Value(s.substr(starts[*idx], starts[*idx + 1] - starts[*idx])));
      }
    }
    return Val::Undefined(ObjectName(v) + " has no element " + PyStr(k),
                          e.offset);
  }
  return Val::Undefined(ObjectName(v) + " has no attribute " + PyRepr(k),
                        e.offset);
}

Result<Val> Evaluator::EvalSlice(const Expr& e) {
  ASSIGN_OR_RETURN(Val obj, Eval(*e.kids[0]));
  RETURN_IF_ERROR(Defined(obj));
  const Value& v = obj.v();
  std::optional<int64_t> parts[3];
  for (int i = 0; i < 3; ++i) {
    if (!e.kids[i + 1]) continue;
    ASSIGN_OR_RETURN(Val p, Eval(*e.kids[i + 1]));
    RETURN_IF_ERROR(Defined(p));
    if (p.v().is_null()) continue;
    if (!IsInt(p.v())) {
      return Err(e.kids[i + 1]->offset,
                 "slice indices must be integers or None");
    }
    parts[i] = AsInt(p.v());
  }
  const int64_t step = parts[2].value_or(1);
  if (step == 0) return Err(e.offset, "slice step cannot be zero");
  std::vector<size_t> starts;
  int64_t n;
  if (v.is_array()) {
    n = static_cast<int64_t>(v.size());
  } else if (v.is_string()) {
    starts = CodePointStarts(v.get_ref<const std::string&>());
    n = static_cast<int64_t>(starts.size()) - 1;
  } else {
    return Err(e.offset, ObjectName(v) + " is not subscriptable");
  }
  // Python's PySlice_AdjustIndices.
  auto adjust = [&](std::optional<int64_t> p, int64_t dflt) {
    if (!p) return dflt;
    int64_t x = *p;
    if (x < 0) {
      x += n;
      if (x < 0) x = step < 0 ? -1 : 0;
    } else if (x >= n) {
      x = step < 0 ? n - 1 : n;
    }
    return x;
  };
  const int64_t start = adjust(parts[0], step < 0 ? n - 1 : 0);
  const int64_t stop = adjust(parts[1], step < 0 ? -1 : n);
  std::vector<int64_t> idx;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
    idx.push_back(i);
  }
  if (v.is_array()) {
    Value out = Value::array();
    for (int64_t i : idx) out.push_back(v[static_cast<size_t>(i)]);
    return Val(std::move(out));
  }
  const std::string& s = v.get_ref<const std::string&>();
  std::string out;
  for (int64_t i : idx) {
    const size_t b = starts[static_cast<size_t>(i)];
    out.append(s, b, starts[static_cast<size_t>(i) + 1] - b);
  }
  return Val(Value(std::move(out)));
}

Result<Val> Evaluator::EvalBinary(const Expr& e) {
  ASSIGN_OR_RETURN(Val a, Eval(*e.kids[0]));
  RETURN_IF_ERROR(Defined(a));
  ASSIGN_OR_RETURN(Val b, Eval(*e.kids[1]));
  RETURN_IF_ERROR(Defined(b));
  if (e.bin == BinOp::kConcat) {
    std::string out;
    AppendPyStr(a.v(), &out);
    AppendPyStr(b.v(), &out);
    if (out.size() > kMaxOutputBytes) {
      return Err(e.offset, "string larger than the output limit");
    }
    return Val(Value(std::move(out)));
  }
  auto r = BinaryOp(e.bin, a.v(), b.v());
  if (!r.ok()) return Err(e.offset, r.status().message());
  return Val(std::move(r).value());
}

Result<Val> Evaluator::EvalCompare(const Expr& e) {
  ASSIGN_OR_RETURN(Val left, Eval(*e.kids[0]));
  RETURN_IF_ERROR(Defined(left));
  for (size_t i = 0; i < e.cmps.size(); ++i) {
    ASSIGN_OR_RETURN(Val right, Eval(*e.kids[i + 1]));
    RETURN_IF_ERROR(Defined(right));
    const Value& a = left.v();
    const Value& b = right.v();
    bool yes = false;
    Result<bool> r = false;
    switch (e.cmps[i]) {
      case CmpOp::kEq:
        yes = PyEquals(a, b);
        break;
      case CmpOp::kNe:
        yes = !PyEquals(a, b);
        break;
      case CmpOp::kLt:
        r = PyLess(a, b, "<");
        break;
      case CmpOp::kLe:
        r = PyLess(b, a, "<=");
        if (r.ok()) r = !*r;
        break;
      case CmpOp::kGt:
        r = PyLess(b, a, ">");
        break;
      case CmpOp::kGe:
        r = PyLess(a, b, ">=");
        if (r.ok()) r = !*r;
        break;
      case CmpOp::kIn:
      case CmpOp::kNotIn:
        r = Contains(b, a);
        if (r.ok() && e.cmps[i] == CmpOp::kNotIn) r = !*r;
        break;
    }
    if (!r.ok()) return Err(e.kids[i + 1]->offset, r.status().message());
    if (e.cmps[i] != CmpOp::kEq && e.cmps[i] != CmpOp::kNe) yes = *r;
    // NaN: Python's <= is not "not >"; close enough for templates.
    if (!yes) return Val(Value(false));
    left = std::move(right);
  }
  return Val(Value(true));
}

Status Evaluator::EvalArgs(const Expr& e, size_t first, CallArgs* args,
                           bool allow_undefined) {
  for (size_t i = first; i < e.kids.size(); ++i) {
    ASSIGN_OR_RETURN(Val v, Eval(*e.kids[i]));
    if (!allow_undefined) RETURN_IF_ERROR(Defined(v));
    args->pos.push_back(std::move(v));
  }
  for (size_t i = 0; i < e.kwargs.size(); ++i) {
    ASSIGN_OR_RETURN(Val v, Eval(*e.kwargs[i]));
    if (!allow_undefined) RETURN_IF_ERROR(Defined(v));
    args->kw.emplace_back(e.kwnames[i], std::move(v));
  }
  return Status::Ok();
}

Result<Val> Evaluator::ApplyFilter(const FilterDef& f, Val input,
                                   CallArgs& args) {
  return f.fn(*this, std::move(input), args);
}

Result<bool> Evaluator::ApplyTest(const TestDef& t, const Val& input,
                                  CallArgs& args) {
  return t.fn(*this, input, args);
}

Result<Val> Evaluator::EvalFilter(const Expr& e) {
  ASSIGN_OR_RETURN(Val input, Eval(*e.kids[0]));
  if (!e.filter->accepts_undefined) RETURN_IF_ERROR(Defined(input));
  CallArgs args;
  RETURN_IF_ERROR(EvalArgs(e, 1, &args, e.filter->accepts_undefined));
  auto r = e.filter->fn(*this, std::move(input), args);
  if (!r.ok()) {
    return Err(e.offset, "filter '" + e.name + "': " + r.status().message());
  }
  return r;
}

Result<Val> Evaluator::EvalTest(const Expr& e) {
  ASSIGN_OR_RETURN(Val input, Eval(*e.kids[0]));
  if (!e.test->accepts_undefined) RETURN_IF_ERROR(Defined(input));
  CallArgs args;
  RETURN_IF_ERROR(EvalArgs(e, 1, &args, false));
  auto r = e.test->fn(*this, input, args);
  if (!r.ok()) {
    return Err(e.offset, "test '" + e.name + "': " + r.status().message());
  }
  return Val(Value(*r != e.negate));
}

Result<Val> Evaluator::EvalCall(const Expr& e) {
  const Expr& callee = *e.kids[0];
  CallArgs args;
  if (callee.kind == ExprKind::kName) {
    RETURN_IF_ERROR(EvalArgs(e, 1, &args, false));
    return EvalFunction(e, args);
  }
  ASSIGN_OR_RETURN(Val self, Eval(*callee.kids[0]));
  RETURN_IF_ERROR(Defined(self));
  RETURN_IF_ERROR(EvalArgs(e, 1, &args, false));
  bool found = false;
  auto r = CallMethod(*this, self, callee.name, args, &found);
  if (!found) {
    return Err(callee.offset,
               ObjectName(self.v()) + " has no method '" + callee.name + "'");
  }
  if (!r.ok()) {
    return Err(callee.offset, callee.name + "(): " + r.status().message());
  }
  return r;
}

Result<Val> Evaluator::EvalFunction(const Expr& e, CallArgs& args) {
  const std::string& name = e.name;
  if (name == "range") {
    if (!args.kw.empty() || args.pos.empty() || args.pos.size() > 3) {
      return Err(e.offset, "range() takes 1 to 3 integer arguments");
    }
    int64_t p[3] = {0, 0, 1};
    for (size_t i = 0; i < args.pos.size(); ++i) {
      if (!IsInt(args.pos[i].v())) {
        return Err(e.offset, "range() arguments must be integers, got " +
                                 std::string(PyTypeName(args.pos[i].v())));
      }
    }
    if (args.pos.size() == 1) {
      p[1] = AsInt(args.pos[0].v());
    } else {
      p[0] = AsInt(args.pos[0].v());
      p[1] = AsInt(args.pos[1].v());
      if (args.pos.size() == 3) p[2] = AsInt(args.pos[2].v());
    }
    if (p[2] == 0) return Err(e.offset, "range() step must not be zero");
    Value out = Value::array();
    for (int64_t i = p[0]; p[2] > 0 ? i < p[1] : i > p[1]; i += p[2]) {
      if (out.size() >= kMaxRangeItems) {
        return Err(e.offset, "range() of more than " +
                                 std::to_string(kMaxRangeItems) + " items");
      }
      out.push_back(i);
    }
    return Val(std::move(out));
  }
  if (name == "lookup" || name == "query" || name == "q") {
    return EvalLookup(e, args);
  }
  if (name == "dict") {
    Value out = Value::object();
    if (args.pos.size() > 1) {
      return Err(e.offset, "dict() takes at most one positional argument");
    }
    if (args.pos.size() == 1) {
      const Value& src = args.pos[0].v();
      if (src.is_object()) {
        out = src;
      } else if (src.is_array()) {
        for (const Value& pair : src) {
          if (!pair.is_array() || pair.size() != 2) {
            return Err(e.offset, "dict() needs a list of [key, value] pairs");
          }
          out[pair[0].is_string() ? pair[0].get<std::string>()
                                  : PyStr(pair[0])] = pair[1];
        }
      } else {
        return Err(e.offset, "dict() needs a mapping or a list of pairs");
      }
    }
    for (auto& [k, v] : args.kw) out[std::string(k)] = std::move(v).Take();
    return Val(std::move(out));
  }
  return Val::Undefined("'" + name + "' is undefined", e.offset);
}

Result<Val> Evaluator::EvalLookup(const Expr& e, CallArgs& args) {
  if (args.pos.empty() || !args.pos[0].v().is_string()) {
    return Err(e.offset, e.name + "() needs the plugin name first");
  }
  const std::string plugin = args.pos[0].v().get<std::string>();
  std::vector<Value> rest;
  for (size_t i = 1; i < args.pos.size(); ++i) {
    rest.push_back(std::move(args.pos[i]).Take());
  }
  bool wantlist = e.name != "lookup";
  Value kwargs = Value::object();
  for (auto& [k, v] : args.kw) {
    if (k == "wantlist") {
      wantlist = Truthy(v.v());
      continue;
    }
    kwargs[std::string(k)] = std::move(v).Take();
  }
  auto r = scope_.CallLookup(plugin, rest, kwargs);
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kNotFound &&
        r.status().message().empty()) {
      return Err(e.offset, "lookup plugin '" + plugin + "' is not supported");
    }
    if (r.status().code() == StatusCode::kNotFound &&
        r.status().message().find("lookup plugin") == 0) {
      return Err(e.offset, r.status().message());
    }
    return Err(e.offset, "lookup('" + plugin + "'): " + r.status().message());
  }
  Value v = std::move(r).value();
  if (!v.is_array()) {
    Value list = Value::array();
    list.push_back(std::move(v));
    v = std::move(list);
  }
  if (wantlist) return Val(std::move(v));
  // Ansible's lookup(): strings joined with ",", a single item alone.
  bool all_strings = true;
  for (const Value& x : v) all_strings = all_strings && x.is_string();
  if (all_strings) {
    std::string joined;
    for (size_t i = 0; i < v.size(); ++i) {
      if (i > 0) joined += ",";
      joined += v[i].get_ref<const std::string&>();
    }
    return Val(Value(std::move(joined)));
  }
  if (v.size() == 1) return Val(std::move(v[0]));
  return Val(std::move(v));
}

}  // namespace tend::automate::jinja
