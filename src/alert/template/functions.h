// The functions a template can call (internal): Go's text/template
// builtins and Prometheus's template functions, in one table.
#ifndef TEND_ALERT_TEMPLATE_FUNCTIONS_H_
#define TEND_ALERT_TEMPLATE_FUNCTIONS_H_

#include <string_view>
#include <vector>

#include "alert/template/template.h"
#include "alert/template/value.h"
#include "base/status.h"

namespace tend::tmpl {

// What a function may read besides its arguments.
struct CallContext {
  const TemplateData* data = nullptr;
};

// Returns the result, or an error message (without position) for Execute
// to wrap, e.g. "can't convert string to float".
using FunctionImpl = Result<Value> (*)(const CallContext& ctx,
                                       std::vector<Value>& args);

struct Function {
  const char* name;
  int min_args;
  int max_args;  // -1: any number.
  FunctionImpl impl;
  // `and` / `or`: arguments are evaluated lazily by the executor, which
  // never calls impl.
  bool short_circuit = false;
};

// The function called `name`, or null. `query` and the other names that
// need a query engine are absent (the parser names them in its error).
const Function* LookupFunction(std::string_view name);

// Prometheus's conversion of a function argument to float: numbers as
// they are, strings parsed as Go's strconv.ParseFloat does; anything else
// is an error "can't convert <type> to float".
Result<double> ConvertToFloat(const Value& v);

}  // namespace tend::tmpl

#endif  // TEND_ALERT_TEMPLATE_FUNCTIONS_H_
