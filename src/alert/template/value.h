// The dynamically typed values an alert template computes with, and their
// printing as Go's fmt prints them (%v).
//
// Go's text/template works on reflect.Values; Prometheus's templates only
// ever see strings, float64 ($value), int (integer constants), bool, maps
// of strings ($labels), lists, nil and time.Time (toTime). Value models
// exactly those. Maps iterate in key order, as Go's range over a map does.
#ifndef TEND_ALERT_TEMPLATE_VALUE_H_
#define TEND_ALERT_TEMPLATE_VALUE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tend::tmpl {

struct Value;
using ValueMap = std::map<std::string, Value, std::less<>>;
using ValueList = std::vector<Value>;

struct Value {
  // kNil is both Go's nil interface and the "invalid" value of a missing
  // map key; a template action prints it as "<no value>", fmt as "<nil>".
  enum class Kind { kNil, kBool, kInt, kFloat, kString, kMap, kList, kTime };

  Kind kind = Kind::kNil;
  bool b = false;
  int64_t i = 0;  // kInt; kTime: milliseconds since the epoch (UTC).
  double f = 0;
  std::string s;
  std::shared_ptr<const ValueMap> map;
  // kMap: true when every element is a string (Go's map[string]string), so
  // a missing key read with `index` is "" rather than nil.
  bool string_map = false;
  std::shared_ptr<const ValueList> list;

  static Value Nil() { return Value(); }
  static Value Bool(bool v) {
    Value x;
    x.kind = Kind::kBool;
    x.b = v;
    return x;
  }
  static Value Int(int64_t v) {
    Value x;
    x.kind = Kind::kInt;
    x.i = v;
    return x;
  }
  static Value Float(double v) {
    Value x;
    x.kind = Kind::kFloat;
    x.f = v;
    return x;
  }
  static Value String(std::string v) {
    Value x;
    x.kind = Kind::kString;
    x.s = std::move(v);
    return x;
  }
  static Value Map(std::shared_ptr<const ValueMap> m, bool string_map) {
    Value x;
    x.kind = Kind::kMap;
    x.map = std::move(m);
    x.string_map = string_map;
    return x;
  }
  static Value List(std::shared_ptr<const ValueList> l) {
    Value x;
    x.kind = Kind::kList;
    x.list = std::move(l);
    return x;
  }
  static Value Time(int64_t ms) {
    Value x;
    x.kind = Kind::kTime;
    x.i = ms;
    return x;
  }
};

// Go's type name, as fmt shows it in "%!d(float64=1.5)": "float64", "int",
// "string", "bool", "map[string]string", "[]interface {}", "time.Time";
// nil has none (callers print "<nil>").
const char* GoTypeName(const Value& v);

// Go's truth: false, 0, "", nil, empty map or list are false.
bool IsTrue(const Value& v);

// fmt.Sprint of one value (%v): floats in Go's shortest 'g' form ("0.1",
// "1e+06", "+Inf", "NaN"), maps as "map[a:x b:y]", lists as "[x y]", nil as
// "<nil>", times as Go's Time.String() in UTC.
void AppendValue(const Value& v, std::string* out);
std::string ValueString(const Value& v);

// Go's Time.String() of a UTC time in milliseconds:
// "2009-11-10 23:00:00.5 +0000 UTC".
std::string GoTimeString(int64_t ms);

}  // namespace tend::tmpl

#endif  // TEND_ALERT_TEMPLATE_VALUE_H_
