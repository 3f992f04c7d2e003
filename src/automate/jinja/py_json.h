// JSON text as Python's json.dumps writes it: what Ansible prints in its
// output and what its to_json / to_nice_json filters give. ", " and ": "
// separators on one line, "," and ": " with an indent; floats as Python's
// repr (NaN, Infinity); keys in their order or sorted; non-ASCII text
// escaped as \uXXXX when ensure_ascii, kept as UTF-8 otherwise.
#ifndef TEND_AUTOMATE_JINJA_PY_JSON_H_
#define TEND_AUTOMATE_JINJA_PY_JSON_H_

#include <string>

#include "automate/value.h"

namespace tend::automate::jinja {

// indent < 0: one line; otherwise one item per line, indented that much.
std::string PyJsonDumps(const Value& v, int indent = -1, bool sort_keys = false,
                        bool ensure_ascii = false);

}  // namespace tend::automate::jinja

#endif  // TEND_AUTOMATE_JINJA_PY_JSON_H_
