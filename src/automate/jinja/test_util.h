// Helpers for the engine's tests: render a template against JSON vars.
#ifndef TEND_AUTOMATE_JINJA_TEST_UTIL_H_
#define TEND_AUTOMATE_JINJA_TEST_UTIL_H_

#include <string>
#include <string_view>

#include "automate/jinja/jinja.h"

namespace tend::automate::jinja {

// Renders `text` (compiled at t.yml:1:1) with `vars_json`; the error
// message on failure.
inline Result<std::string> RenderWith(std::string_view text,
                                      std::string_view vars_json = "{}") {
  const Value vars = Value::parse(vars_json);
  ValueScope scope(&vars);
  ASSIGN_OR_RETURN(auto t, Compile(text, SourcePos{"t.yml", 1, 1}));
  return Render(*t, scope);
}

// The rendering, or "ERROR: message".
inline std::string R(std::string_view text, std::string_view vars_json = "{}") {
  auto r = RenderWith(text, vars_json);
  return r.ok() ? *r : "ERROR: " + r.status().message();
}

}  // namespace tend::automate::jinja

#endif  // TEND_AUTOMATE_JINJA_TEST_UTIL_H_
