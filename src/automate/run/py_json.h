// JSON text as Python's json.dumps writes it (what Ansible prints and what
// its to_json/to_nice_json give): ", " and ": " separators, optional
// sorted keys and indentation, non-ASCII kept as is, floats as Python's
// repr.
#ifndef TEND_AUTOMATE_RUN_PY_JSON_H_
#define TEND_AUTOMATE_RUN_PY_JSON_H_

#include <string>

#include "automate/value.h"

namespace tend::automate {

// indent < 0: one line; otherwise one item per line indented that much.
std::string PyJsonDumps(const Value& v, int indent = -1,
                        bool sort_keys = false);

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_RUN_PY_JSON_H_
