// Jinja and Ansible tests (`x is defined`, `x is version('1.2', '>=')`).
#include <cctype>
#include <string>

#include "automate/jinja/builtins.h"
#include "automate/jinja/eval.h"
#include "automate/jinja/py_value.h"
#include "automate/jinja/string_util.h"
#include "automate/py_regex.h"

namespace tend::automate::jinja {
namespace {

using B = Result<bool>;

B Defined(Evaluator&, const Val& in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("defined", args, {}, nullptr));
  return !in.undefined();
}
B Undefined(Evaluator&, const Val& in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("undefined", args, {}, nullptr));
  return in.undefined();
}
B None(Evaluator&, const Val& in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("none", args, {}, nullptr));
  return !in.undefined() && in.v().is_null();
}

const Value& Arg(const CallArgs& args, std::string_view test) {
  static const Value* null = new Value(nullptr);
  (void)test;
  return args.pos.empty() ? *null : args.pos[0].v();
}

Status NeedOne(const CallArgs& args, std::string_view test) {
  if (args.pos.size() != 1 || !args.kw.empty()) {
    return InvalidArgumentError("the '" + std::string(test) +
                                "' test takes one argument");
  }
  return Status::Ok();
}

B In(Evaluator&, const Val& in, CallArgs& args) {
  RETURN_IF_ERROR(NeedOne(args, "in"));
  return Contains(Arg(args, "in"), in.v());
}
B ContainsT(Evaluator&, const Val& in, CallArgs& args) {
  RETURN_IF_ERROR(NeedOne(args, "contains"));
  return Contains(in.v(), Arg(args, "contains"));
}

B RegexImpl(const Val& in, CallArgs& args, const char* name,
            const char* default_type) {
  const Val* a[4];
  RETURN_IF_ERROR(BindArgs(
      name, args, {"pattern", "ignorecase", "multiline", "match_type"}, a));
  if (a[0] == nullptr) return InvalidArgumentError("a pattern is required");
  ASSIGN_OR_RETURN(bool icase, ArgBool(a[1], false));
  ASSIGN_OR_RETURN(bool multi, ArgBool(a[2], false));
  ASSIGN_OR_RETURN(std::string type,
                   ArgStr(name, "match_type", a[3], default_type));
  if (!in.v().is_string()) {
    return TypeError(name, "a string", in.v());
  }
  ASSIGN_OR_RETURN(auto re,
                   CompilePyRegex(PyStr(a[0]->v()),
                                  {.ignorecase = icase, .multiline = multi}));
  const std::string& text = in.v().get_ref<const std::string&>();
  std::vector<std::string_view> g;
  if (type == "fullmatch") {
    return RE2::FullMatch(text, *re);
  }
  if (type != "match" && type != "search") {
    return InvalidArgumentError(
        "match_type must be match, search or "
        "fullmatch");
  }
  return PyReMatch(*re, text, type == "match", &g);
}
B Match(Evaluator&, const Val& in, CallArgs& args) {
  return RegexImpl(in, args, "match", "match");
}
B Search(Evaluator&, const Val& in, CallArgs& args) {
  return RegexImpl(in, args, "search", "search");
}
B Regex(Evaluator&, const Val& in, CallArgs& args) {
  return RegexImpl(in, args, "regex", "search");
}

#define TYPE_TEST(fn, name, expr)                       \
  B fn(Evaluator&, const Val& in, CallArgs& args) {     \
    RETURN_IF_ERROR(BindArgs(name, args, {}, nullptr)); \
    const Value& v = in.v();                            \
    return (expr);                                      \
  }
TYPE_TEST(IsString, "string", v.is_string())
TYPE_TEST(IsNumberT, "number", IsNumber(v))
TYPE_TEST(IsInteger, "integer", v.is_number_integer())
TYPE_TEST(IsFloat, "float", v.is_number_float())
TYPE_TEST(IsBoolean, "boolean", v.is_boolean())
TYPE_TEST(IsMapping, "mapping", v.is_object())
TYPE_TEST(IsSequence, "sequence",
          v.is_array() || v.is_string() || v.is_object())
TYPE_TEST(IsIterable, "iterable",
          v.is_array() || v.is_string() || v.is_object())
TYPE_TEST(IsTrue, "true", v.is_boolean() && v.get<bool>())
TYPE_TEST(IsFalse, "false", v.is_boolean() && !v.get<bool>())
TYPE_TEST(Truthy_, "truthy", Truthy(v))
TYPE_TEST(Falsy, "falsy", !Truthy(v))
#undef TYPE_TEST

enum class Cmp { kEq, kNe, kLt, kLe, kGt, kGe };

B Compare(const Val& in, CallArgs& args, Cmp op, const char* name) {
  RETURN_IF_ERROR(NeedOne(args, name));
  const Value& a = in.v();
  const Value& b = Arg(args, name);
  switch (op) {
    case Cmp::kEq:
      return PyEquals(a, b);
    case Cmp::kNe:
      return !PyEquals(a, b);
    case Cmp::kLt:
      return PyLess(a, b, "<");
    case Cmp::kGt:
      return PyLess(b, a, ">");
    case Cmp::kLe: {
      ASSIGN_OR_RETURN(bool gt, PyLess(b, a, "<="));
      return !gt;
    }
    case Cmp::kGe: {
      ASSIGN_OR_RETURN(bool lt, PyLess(a, b, ">="));
      return !lt;
    }
  }
  return false;
}
B Eq(Evaluator&, const Val& in, CallArgs& a) {
  return Compare(in, a, Cmp::kEq, "eq");
}
B Ne(Evaluator&, const Val& in, CallArgs& a) {
  return Compare(in, a, Cmp::kNe, "ne");
}
B Lt(Evaluator&, const Val& in, CallArgs& a) {
  return Compare(in, a, Cmp::kLt, "lt");
}
B Le(Evaluator&, const Val& in, CallArgs& a) {
  return Compare(in, a, Cmp::kLe, "le");
}
B Gt(Evaluator&, const Val& in, CallArgs& a) {
  return Compare(in, a, Cmp::kGt, "gt");
}
B Ge(Evaluator&, const Val& in, CallArgs& a) {
  return Compare(in, a, Cmp::kGe, "ge");
}

B EvenOdd(const Val& in, CallArgs& args, bool even) {
  RETURN_IF_ERROR(BindArgs(even ? "even" : "odd", args, {}, nullptr));
  if (!IsInt(in.v()))
    return TypeError(even ? "even" : "odd", "an integer", in.v());
  const int64_t r = AsInt(in.v()) % 2;
  return even ? r == 0 : r != 0;
}
B Even(Evaluator&, const Val& in, CallArgs& a) { return EvenOdd(in, a, true); }
B Odd(Evaluator&, const Val& in, CallArgs& a) { return EvenOdd(in, a, false); }

B DivisibleBy(Evaluator&, const Val& in, CallArgs& args) {
  RETURN_IF_ERROR(NeedOne(args, "divisibleby"));
  ASSIGN_OR_RETURN(Value m, BinaryOp(BinOp::kMod, in.v(), Arg(args, "")));
  return AsDouble(m) == 0;
}

B SameAs(Evaluator&, const Val& in, CallArgs& args) {
  RETURN_IF_ERROR(NeedOne(args, "sameas"));
  const Value& a = in.v();
  const Value& b = Arg(args, "");
  if (a.type() != b.type()) return false;
  if (a.is_null() || a.is_boolean() || a.is_number_integer()) return a == b;
  return false;
}

B CaseTest(const Val& in, CallArgs& args, bool lower) {
  RETURN_IF_ERROR(BindArgs(lower ? "lower" : "upper", args, {}, nullptr));
  const std::string s = PyStr(in.v());
  bool cased = false;
  for (unsigned char c : s) {
    if (std::islower(c)) {
      if (!lower) return false;
      cased = true;
    } else if (std::isupper(c)) {
      if (lower) return false;
      cased = true;
    }
  }
  return cased;
}
B Lower(Evaluator&, const Val& in, CallArgs& a) {
  return CaseTest(in, a, true);
}
B Upper(Evaluator&, const Val& in, CallArgs& a) {
  return CaseTest(in, a, false);
}

// distutils LooseVersion: runs of digits (numbers) and of letters; dots
// and other separators dropped. A number sorts before a word.
Value LooseParts(std::string_view s) {
  Value parts = Value::array();
  size_t i = 0;
  while (i < s.size()) {
    if (std::isdigit(static_cast<unsigned char>(s[i]))) {
      size_t j = i;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])))
        ++j;
      auto n = ParsePyInt(s.substr(i, std::min<size_t>(j - i, 18)), 10);
      parts.push_back(n.value_or(0));
      i = j;
    } else if (std::isalpha(static_cast<unsigned char>(s[i]))) {
      size_t j = i;
      while (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j])))
        ++j;
      parts.push_back(std::string(s.substr(i, j - i)));
      i = j;
    } else {
      ++i;
    }
  }
  return parts;
}

int CompareLoose(const Value& a, const Value& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const Value& x = a[i];
    const Value& y = b[i];
    if (x.is_number() && y.is_number()) {
      if (x.get<int64_t>() != y.get<int64_t>()) {
        return x.get<int64_t>() < y.get<int64_t>() ? -1 : 1;
      }
    } else if (x.is_string() && y.is_string()) {
      if (x != y) return x.get<std::string>() < y.get<std::string>() ? -1 : 1;
    } else {
      return x.is_number() ? -1 : 1;
    }
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

B Version(Evaluator&, const Val& in, CallArgs& args) {
  const Val* a[4];
  RETURN_IF_ERROR(BindArgs(
      "version", args, {"version", "operator", "strict", "version_type"}, a));
  if (a[0] == nullptr) return InvalidArgumentError("a version is required");
  ASSIGN_OR_RETURN(std::string op, ArgStr("version", "operator", a[1], "eq"));
  ASSIGN_OR_RETURN(std::string type,
                   ArgStr("version", "version_type", a[3], "loose"));
  if (a[3] == nullptr || a[3]->v().is_null()) type = "loose";
  ASSIGN_OR_RETURN(bool strict, ArgBool(a[2], false));
  if (strict) type = "strict";
  if (type != "loose" && type != "strict" && type != "semver" &&
      type != "semantic") {
    return InvalidArgumentError("version_type '" + type +
                                "' is not supported (loose, strict, semver)");
  }
  const std::string lhs = PyStr(in.v());
  const std::string rhs = PyStr(a[0]->v());
  if (lhs.empty()) return InvalidArgumentError("the version is empty");
  const int c = CompareLoose(LooseParts(lhs), LooseParts(rhs));
  if (op == "==" || op == "=" || op == "eq") return c == 0;
  if (op == "!=" || op == "<>" || op == "ne") return c != 0;
  if (op == "<" || op == "lt") return c < 0;
  if (op == "<=" || op == "le") return c <= 0;
  if (op == ">" || op == "gt") return c > 0;
  if (op == ">=" || op == "ge") return c >= 0;
  return InvalidArgumentError("invalid operator '" + op + "'");
}

Result<const Value*> Registered(const Val& in, const char* name) {
  if (!in.v().is_object()) {
    return InvalidArgumentError("the '" + std::string(name) +
                                "' test expects a dictionary (a registered "
                                "result), got " +
                                std::string(PyTypeName(in.v())));
  }
  return &in.v();
}

bool Flag(const Value& r, const char* key) {
  auto it = r.find(key);
  return it != r.end() && Truthy(*it);
}

B Failed(Evaluator&, const Val& in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("failed", args, {}, nullptr));
  ASSIGN_OR_RETURN(const Value* r, Registered(in, "failed"));
  return Flag(*r, "failed");
}
B Success(Evaluator&, const Val& in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("success", args, {}, nullptr));
  ASSIGN_OR_RETURN(const Value* r, Registered(in, "success"));
  return !Flag(*r, "failed");
}
B Changed(Evaluator&, const Val& in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("changed", args, {}, nullptr));
  ASSIGN_OR_RETURN(const Value* r, Registered(in, "changed"));
  if (Flag(*r, "changed")) return true;
  auto results = r->find("results");
  if (results != r->end() && results->is_array()) {
    for (const Value& item : *results) {
      if (item.is_object() && Flag(item, "changed")) return true;
    }
  }
  return false;
}
B Skipped(Evaluator&, const Val& in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("skipped", args, {}, nullptr));
  ASSIGN_OR_RETURN(const Value* r, Registered(in, "skipped"));
  return Flag(*r, "skipped");
}

B SubsetImpl(const Val& in, CallArgs& args, bool subset) {
  RETURN_IF_ERROR(NeedOne(args, subset ? "subset" : "superset"));
  ASSIGN_OR_RETURN(Value a, IterItems(in.v()));
  ASSIGN_OR_RETURN(Value b, IterItems(Arg(args, "")));
  const Value& small = subset ? a : b;
  const Value& big = subset ? b : a;
  for (const Value& x : small) {
    ASSIGN_OR_RETURN(bool has, Contains(big, x));
    if (!has) return false;
  }
  return true;
}
B Subset(Evaluator&, const Val& in, CallArgs& a) {
  return SubsetImpl(in, a, true);
}
B Superset(Evaluator&, const Val& in, CallArgs& a) {
  return SubsetImpl(in, a, false);
}

}  // namespace

const std::vector<TestDef>& AllTests() {
  static const std::vector<TestDef>* table = new std::vector<TestDef>{
      {"defined", Defined, true},
      {"undefined", Undefined, true},
      {"none", None, true},
      {"in", In},
      {"contains", ContainsT},
      {"match", Match},
      {"search", Search},
      {"regex", Regex},
      {"string", IsString},
      {"number", IsNumberT},
      {"integer", IsInteger},
      {"float", IsFloat},
      {"boolean", IsBoolean},
      {"mapping", IsMapping},
      {"sequence", IsSequence},
      {"iterable", IsIterable},
      {"true", IsTrue},
      {"false", IsFalse},
      {"truthy", Truthy_},
      {"falsy", Falsy},
      {"eq", Eq},
      {"equalto", Eq},
      {"==", Eq},
      {"ne", Ne},
      {"!=", Ne},
      {"lt", Lt},
      {"lessthan", Lt},
      {"<", Lt},
      {"le", Le},
      {"<=", Le},
      {"gt", Gt},
      {"greaterthan", Gt},
      {">", Gt},
      {"ge", Ge},
      {">=", Ge},
      {"even", Even},
      {"odd", Odd},
      {"divisibleby", DivisibleBy},
      {"sameas", SameAs},
      {"lower", Lower},
      {"upper", Upper},
      {"version", Version},
      {"version_compare", Version},
      {"success", Success},
      {"succeeded", Success},
      {"failed", Failed},
      {"failure", Failed},
      {"changed", Changed},
      {"change", Changed},
      {"skipped", Skipped},
      {"skip", Skipped},
      {"subset", Subset},
      {"issubset", Subset},
      {"superset", Superset},
      {"issuperset", Superset},
  };
  return *table;
}

}  // namespace tend::automate::jinja
