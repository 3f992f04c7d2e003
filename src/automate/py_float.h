// Python's repr() of a float, shared by the Jinja engine (str() of
// values), JSON output and the YAML emitter.
#ifndef TEND_AUTOMATE_PY_FLOAT_H_
#define TEND_AUTOMATE_PY_FLOAT_H_

#include <string>

namespace tend::automate {

// The shortest text that reads back to the same double, in Python's layout
// (1.0, 0.1, 1e+16, 1e-05, inf, -inf, nan).
std::string PyFloatRepr(double d);

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_PY_FLOAT_H_
