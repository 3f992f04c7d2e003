// Evaluates a compiled template against a Scope: statements into text,
// expressions into values, with Python's semantics, Ansible's Undefined
// rules and limits against hostile input.
//
// One Evaluator serves one rendering on one thread; it caches the Scope's
// answers for the rendering so each variable is looked up (and, for
// variables that are templates themselves, rendered) once.
#ifndef TEND_AUTOMATE_JINJA_EVAL_H_
#define TEND_AUTOMATE_JINJA_EVAL_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "automate/jinja/ast.h"
#include "automate/jinja/builtins.h"
#include "automate/jinja/jinja.h"
#include "automate/jinja/template.h"
#include "automate/jinja/val.h"
#include "base/status.h"

namespace tend::automate::jinja {

// Limits for one rendering; exceeding one is a positioned error.
inline constexpr size_t kMaxOutputBytes = 64u << 20;
inline constexpr uint64_t kMaxIterations = 1'000'000;
inline constexpr size_t kMaxRangeItems = 1'000'000;

class Evaluator {
 public:
  Evaluator(const Template& t, Scope& scope);

  // Renders the template's statements (Python str() of each output; None
  // prints as "", as Ansible's templar does).
  Status RenderBody(std::string* out);
  // Evaluates the single expression of an expression-mode template or of
  // a template that is exactly one {{ expr }}.
  Result<Value> EvalSingle();

  // --- for filters, tests and functions -------------------------------
  // Counts `n` units of work against the iteration limit.
  Status Charge(uint64_t n);
  Result<Val> ApplyFilter(const FilterDef& f, Val input, CallArgs& args);
  Result<bool> ApplyTest(const TestDef& t, const Val& input, CallArgs& args);

 private:
  struct Local {
    std::string_view name;
    Value value;
    const Value* ref = nullptr;  // borrowed instead of value (loop items)
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>()(s);
    }
  };
  struct Eq {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const {
      return a == b;
    }
  };

  Status Exec(const std::vector<Stmt>& body, std::string* out);
  Status ExecFor(const Stmt& s, std::string* out);
  Status Assign(const std::vector<std::string>& targets, Value v,
                uint32_t offset);
  Status AppendOutput(const Val& v, uint32_t offset, std::string* out);

  Result<Val> Eval(const Expr& e);
  Result<Val> EvalName(const Expr& e);
  Result<Val> EvalAttr(const Expr& e);
  Result<Val> EvalItem(const Expr& e);
  Result<Val> EvalSlice(const Expr& e);
  Result<Val> EvalBinary(const Expr& e);
  Result<Val> EvalCompare(const Expr& e);
  Result<Val> EvalFilter(const Expr& e);
  Result<Val> EvalTest(const Expr& e);
  Result<Val> EvalCall(const Expr& e);
  Result<Val> EvalFunction(const Expr& e, CallArgs& args);
  Result<Val> EvalLookup(const Expr& e, CallArgs& args);
  Status EvalArgs(const Expr& e, size_t first, CallArgs* args,
                  bool allow_undefined);
  Result<bool> Truth(const Val& v);

  // A value to work with: Undefined becomes its error.
  Status Defined(const Val& v);
  Status Err(uint32_t offset, std::string_view message);
  Status Wrap(uint32_t offset, const Status& s);
  Val Ident(const Expr& e, std::string_view name) const;

  const Template& t_;
  Scope& scope_;
  uint32_t base_ = 0;  // offset of the lexed text within t_.text
  uint32_t tag_begin_ = 0;
  uint32_t tag_end_ = 0;
  uint64_t iterations_ = 0;
  std::deque<Local> locals_;
  size_t frame_start_ = 0;  // locals from here on belong to the innermost
                            // for-loop iteration
  std::unordered_map<std::string, std::optional<Value>, Hash, Eq> cache_;
  Value omit_;
};

// Methods on values (str.split, dict.get ...), in methods.cc. *found is
// false when the type has no such method.
Result<Val> CallMethod(Evaluator& ev, const Val& self, std::string_view name,
                       CallArgs& args, bool* found);

// Python operators on values (operators.cc): + - * / // % ** and `in`.
Result<Value> BinaryOp(BinOp op, const Value& a, const Value& b);
Result<bool> Contains(const Value& container, const Value& item);

// Items for iteration (a list's items, a dict's keys, a string's
// characters); error when the value is not iterable.
Result<Value> IterItems(const Value& v);

}  // namespace tend::automate::jinja

#endif  // TEND_AUTOMATE_JINJA_EVAL_H_
