#include "automate/jinja/py_value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace tend::automate::jinja {
namespace {

TEST(PyValueTest, FloatRepr) {
  EXPECT_EQ(PyFloatRepr(1.0), "1.0");
  EXPECT_EQ(PyFloatRepr(0.1), "0.1");
  EXPECT_EQ(PyFloatRepr(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(PyFloatRepr(1e16), "1e+16");
  EXPECT_EQ(PyFloatRepr(1e15), "1000000000000000.0");
  EXPECT_EQ(PyFloatRepr(1e-5), "1e-05");
  EXPECT_EQ(PyFloatRepr(0.0001), "0.0001");
  EXPECT_EQ(PyFloatRepr(-2.5), "-2.5");
  EXPECT_EQ(PyFloatRepr(-0.0), "-0.0");
  EXPECT_EQ(PyFloatRepr(1.5e300), "1.5e+300");
  EXPECT_EQ(PyFloatRepr(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(PyFloatRepr(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(PyFloatRepr(std::nan("")), "nan");
}

TEST(PyValueTest, StrAndRepr) {
  EXPECT_EQ(PyStr(Value::parse(R"([1, "a", null, true, 1.5])")),
            "[1, 'a', None, True, 1.5]");
  EXPECT_EQ(PyStr(Value::parse(R"({"a": 1, "b": {"c": []}})")),
            "{'a': 1, 'b': {'c': []}}");
  EXPECT_EQ(PyStr(Value("plain")), "plain");
  EXPECT_EQ(PyRepr(Value("plain")), "'plain'");
  EXPECT_EQ(PyRepr(Value("it's")), "\"it's\"");
  EXPECT_EQ(PyRepr(Value("both ' and \"")), "'both \\' and \"'");
  EXPECT_EQ(PyRepr(Value("a\nb\\")), "'a\\nb\\\\'");
  EXPECT_EQ(PyRepr(Value(std::string("\x01", 1))), "'\\x01'");
  EXPECT_EQ(PyStr(Value(false)), "False");
  EXPECT_EQ(PyStr(Value(nullptr)), "None");
  EXPECT_EQ(PyStr(Value(uint64_t{18446744073709551615u})),
            "18446744073709551615");
}

TEST(PyValueTest, Truthiness) {
  EXPECT_FALSE(Truthy(Value(nullptr)));
  EXPECT_FALSE(Truthy(Value(0)));
  EXPECT_FALSE(Truthy(Value(0.0)));
  EXPECT_FALSE(Truthy(Value("")));
  EXPECT_FALSE(Truthy(Value::array()));
  EXPECT_FALSE(Truthy(Value::object()));
  EXPECT_TRUE(Truthy(Value("false")));  // a non-empty string
  EXPECT_TRUE(Truthy(Value(-1)));
  EXPECT_TRUE(Truthy(Value::array({0})));
}

TEST(PyValueTest, EqualityAcrossNumericTypes) {
  EXPECT_TRUE(PyEquals(Value(1), Value(1.0)));
  EXPECT_TRUE(PyEquals(Value(true), Value(1)));
  EXPECT_FALSE(PyEquals(Value("1"), Value(1)));
  EXPECT_TRUE(PyEquals(Value::parse(R"({"a": 1, "b": 2})"),
                       Value::parse(R"({"b": 2.0, "a": 1})")));
  EXPECT_FALSE(PyEquals(Value::parse("[1, 2]"), Value::parse("[2, 1]")));
  EXPECT_TRUE(PyEquals(Value(uint64_t{5}), Value(5)));
  EXPECT_FALSE(PyEquals(Value(uint64_t{18446744073709551615u}), Value(-1)));
}

TEST(PyValueTest, Ordering) {
  EXPECT_TRUE(*PyLess(Value(1), Value(1.5)));
  EXPECT_TRUE(*PyLess(Value("B"), Value("a")));  // code-point order
  EXPECT_TRUE(*PyLess(Value::parse("[1, 2]"), Value::parse("[1, 3]")));
  EXPECT_TRUE(*PyLess(Value::parse("[1]"), Value::parse("[1, 0]")));
  auto r = PyLess(Value("a"), Value(1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "'<' not supported between instances of 'str' and 'int'");
}

TEST(PyValueTest, TypeNamesAndCodePoints) {
  EXPECT_EQ(PyTypeName(Value(nullptr)), "NoneType");
  EXPECT_EQ(PyTypeName(Value(1)), "int");
  EXPECT_EQ(PyTypeName(Value(1.0)), "float");
  EXPECT_EQ(PyTypeName(Value::object()), "dict");
  EXPECT_EQ(CodePointCount("h\xc3\xa9llo"), 5u);
}

}  // namespace
}  // namespace tend::automate::jinja
