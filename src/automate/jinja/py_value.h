// Python's value semantics over automate::Value, where templates can see
// them: str() and repr(), truthiness, equality and ordering, type names,
// and numbers (bool is an int, int and float compare by value).
//
// Values are nlohmann ordered_json: integers (signed or unsigned), floats,
// booleans, null, strings, arrays (Python lists and tuples) and objects
// (dicts; keys are always strings).
#ifndef TEND_AUTOMATE_JINJA_PY_VALUE_H_
#define TEND_AUTOMATE_JINJA_PY_VALUE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "automate/jinja/jinja.h"  // PyStr, PyRepr, Truthy
#include "automate/py_float.h"
#include "automate/value.h"
#include "base/status.h"

namespace tend::automate::jinja {

// Python's type name: "NoneType", "bool", "int", "float", "str", "list",
// "dict".
std::string_view PyTypeName(const Value& v);

// Appends str(v) / repr(v) to *out (no intermediate strings).
void AppendPyStr(const Value& v, std::string* out);
void AppendPyRepr(const Value& v, std::string* out);
// repr() of a string alone (quotes chosen as Python does).
void AppendPyStringRepr(std::string_view s, std::string* out);
// repr() of a float: automate/py_float.h's PyFloatRepr.

// An int (or bool) value, when v is one that fits int64.
bool IsInt(const Value& v);       // integer or bool
bool IsNumber(const Value& v);    // integer, float or bool
int64_t AsInt(const Value& v);    // requires IsInt (bool -> 0/1)
double AsDouble(const Value& v);  // requires IsNumber

// Python ==: numbers by value (1 == 1.0 == True), strings, lists in
// order, dicts by key set and values; different types are unequal.
bool PyEquals(const Value& a, const Value& b);

// Python <: numbers, strings (code-point order) and lists
// (lexicographic). Other pairs are a TypeError, returned as
// kInvalidArgument "'<' not supported between instances of 'x' and 'y'"
// (with `op` as the operator shown).
Result<bool> PyLess(const Value& a, const Value& b, std::string_view op = "<");

// Number of code points in UTF-8 text (Python's len() of a str).
size_t CodePointCount(std::string_view s);

}  // namespace tend::automate::jinja

#endif  // TEND_AUTOMATE_JINJA_PY_VALUE_H_
