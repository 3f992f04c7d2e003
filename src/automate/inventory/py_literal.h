// Python literals as INI inventories' values are read: Ansible passes each
// value through ast.literal_eval and keeps the text unchanged when that
// fails.
#ifndef TEND_AUTOMATE_INVENTORY_PY_LITERAL_H_
#define TEND_AUTOMATE_INVENTORY_PY_LITERAL_H_

#include <optional>
#include <string_view>

#include "automate/value.h"

namespace tend::automate {

// Evaluates `text` as a Python literal: strings (quotes, triple quotes,
// r/u/b prefixes, escapes, adjacent strings joined), integers (decimal,
// 0x, 0o, 0b, '_' separators; no leading zeros), floats, one unary +/- on
// a number, True/False/None, lists, tuples (bare `1, 2` too) and dicts
// (non-string keys become their JSON text), sets (as lists, in written
// order), with `#` comments and whitespace. nullopt where literal_eval
// raises (the caller keeps the raw text), and also for the few literals a
// Value cannot hold faithfully (complex numbers, integers beyond 64 bits,
// nesting deeper than 100).
std::optional<Value> ParsePythonLiteral(std::string_view text);

// Ansible's INI value rule: the literal, or else the text itself.
Value IniValue(std::string_view text);

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_INVENTORY_PY_LITERAL_H_
