// The filter and test tables, and helpers filters use to bind arguments.
//
// A filter or test gets its input and evaluated arguments and returns a
// value or a plain error message (kInvalidArgument, no position): the
// evaluator adds the position of the call and the expression.
#ifndef TEND_AUTOMATE_JINJA_BUILTINS_H_
#define TEND_AUTOMATE_JINJA_BUILTINS_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "automate/jinja/val.h"
#include "base/status.h"

namespace tend::automate::jinja {

class Evaluator;

struct FilterDef {
  std::string_view name;
  Result<Val> (*fn)(Evaluator& ev, Val input, CallArgs& args);
  // default/mandatory see Undefined; other filters never get it.
  bool accepts_undefined = false;
};

struct TestDef {
  std::string_view name;
  Result<bool> (*fn)(Evaluator& ev, const Val& input, CallArgs& args);
  bool accepts_undefined = false;
};

// nullptr when unknown. Names may carry the "ansible.builtin." prefix.
const FilterDef* FindFilter(std::string_view name);
const TestDef* FindTest(std::string_view name);
const std::vector<std::string>& FilterNames();
const std::vector<std::string>& TestNames();

// The filter tables, defined in filters_*.cc.
const std::vector<FilterDef>& StringFilters();
const std::vector<FilterDef>& ListFilters();
const std::vector<FilterDef>& DataFilters();
const std::vector<TestDef>& AllTests();

// Binds positional then keyword arguments to `params` in order:
// out[i] is the argument for params[i] or nullptr. Errors: too many
// positional arguments, an unknown or repeated keyword, an Undefined
// argument.
Status BindArgs(std::string_view what, const CallArgs& args,
                std::initializer_list<std::string_view> params,
                const Val** out);

// Typed readers of an optional bound argument.
Result<int64_t> ArgInt(std::string_view what, std::string_view param,
                       const Val* v, int64_t fallback);
Result<bool> ArgBool(const Val* v, bool fallback);
Result<std::string> ArgStr(std::string_view what, std::string_view param,
                           const Val* v, std::string_view fallback);

// kInvalidArgument "<what> expects <expected>, got <type> <repr>".
Status TypeError(std::string_view what, std::string_view expected,
                 const Value& got);

}  // namespace tend::automate::jinja

#endif  // TEND_AUTOMATE_JINJA_BUILTINS_H_
