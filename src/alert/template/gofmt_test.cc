// Expected strings are Go's documented fmt/strconv output, worked out by
// hand from the fmt package's rules (not from this implementation).
#include "alert/template/gofmt.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace tend::tmpl {
namespace {

TEST(GoFormatFloat, ShortestForm) {
  EXPECT_EQ(GoFormatFloat(0.1, 'g', -1), "0.1");
  EXPECT_EQ(GoFormatFloat(1e6, 'g', -1), "1e+06");
  EXPECT_EQ(GoFormatFloat(123456.789, 'g', -1), "123456.789");
  EXPECT_EQ(GoFormatFloat(100000, 'g', -1), "100000");
  EXPECT_EQ(GoFormatFloat(1234567, 'g', -1), "1.234567e+06");
  EXPECT_EQ(GoFormatFloat(0.0001, 'g', -1), "0.0001");
  EXPECT_EQ(GoFormatFloat(0.00001, 'g', -1), "1e-05");
  EXPECT_EQ(GoFormatFloat(-2.5, 'g', -1), "-2.5");
  EXPECT_EQ(GoFormatFloat(0, 'g', -1), "0");
  EXPECT_EQ(GoFormatFloat(5, 'g', -1), "5");
  EXPECT_EQ(GoFormatFloat(1e21, 'g', -1), "1e+21");
  EXPECT_EQ(GoFormatFloat(0.30000000000000004, 'g', -1), "0.30000000000000004");
  EXPECT_EQ(GoFormatFloat(std::nan(""), 'g', -1), "NaN");
  EXPECT_EQ(GoFormatFloat(INFINITY, 'g', -1), "+Inf");
  EXPECT_EQ(GoFormatFloat(-INFINITY, 'g', -1), "-Inf");
}

TEST(GoFormatFloat, Precision) {
  EXPECT_EQ(Go4g(1.5), "1.5");
  EXPECT_EQ(Go4g(1234.5678), "1235");
  EXPECT_EQ(Go4g(12345.678), "1.235e+04");
  EXPECT_EQ(Go4g(0.000012345), "1.234e-05");
  EXPECT_EQ(Go4g(100), "100");
  EXPECT_EQ(GoFormatFloat(3.14159, 'f', 2), "3.14");
  EXPECT_EQ(GoFormatFloat(1234.5, 'e', 6), "1.234500e+03");
}

TEST(GoQuote, Escapes) {
  EXPECT_EQ(GoQuote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
  EXPECT_EQ(GoQuote(std::string("\x01", 1)), "\"\\x01\"");
  EXPECT_EQ(GoQuote("h\xc3\xa9"), "\"h\xc3\xa9\"");
  EXPECT_EQ(GoQuote("\xff"), "\"\\xff\"");
}

struct SprintfCase {
  const char* format;
  std::vector<Value> args;
  const char* want;
};

TEST(GoSprintf, Verbs) {
  const SprintfCase cases[] = {
      {"%d", {Value::Int(42)}, "42"},
      {"%5d|", {Value::Int(42)}, "   42|"},
      {"%-5d|", {Value::Int(42)}, "42   |"},
      {"%05d", {Value::Int(-42)}, "-0042"},
      {"%+d", {Value::Int(5)}, "+5"},
      {"%x", {Value::Int(255)}, "ff"},
      {"%X", {Value::Int(255)}, "FF"},
      {"%#x", {Value::Int(255)}, "0xff"},
      {"%o", {Value::Int(8)}, "10"},
      {"%b", {Value::Int(5)}, "101"},
      {"%c", {Value::Int('A')}, "A"},
      {"%q", {Value::Int('x')}, "'x'"},
      {"%U", {Value::Int(0x1F600)}, "U+1F600"},
      {"%.3d", {Value::Int(7)}, "007"},
      {"%f", {Value::Float(3.14159)}, "3.141590"},
      {"%.2f", {Value::Float(3.14159)}, "3.14"},
      {"%8.3f|", {Value::Float(3.14159)}, "   3.142|"},
      {"%-8.1f|", {Value::Float(3.14159)}, "3.1     |"},
      {"%08.2f", {Value::Float(-3.14159)}, "-0003.14"},
      {"%+.1f", {Value::Float(2)}, "+2.0"},
      {"%e", {Value::Float(1234.5)}, "1.234500e+03"},
      {"%.2e", {Value::Float(1234.5)}, "1.23e+03"},
      {"%g", {Value::Float(1e6)}, "1e+06"},
      {"%g", {Value::Float(0.5)}, "0.5"},
      {"%.3g", {Value::Float(1234.5)}, "1.23e+03"},
      {"%v", {Value::Float(1.5)}, "1.5"},
      {"%f", {Value::Float(INFINITY)}, "+Inf"},
      {"%5.1f|", {Value::Float(std::nan(""))}, "  NaN|"},
      {"%s", {Value::String("x")}, "x"},
      {"%10s|", {Value::String("abc")}, "       abc|"},
      {"%-10s|", {Value::String("abc")}, "abc       |"},
      {"%.2s", {Value::String("abcdef")}, "ab"},
      {"%q", {Value::String("a\"b")}, "\"a\\\"b\""},
      {"%x", {Value::String("hi")}, "6869"},
      {"% x", {Value::String("hi")}, "68 69"},
      {"%v", {Value::String("s")}, "s"},
      {"%t", {Value::Bool(true)}, "true"},
      {"%v", {Value::Bool(false)}, "false"},
      {"%v", {Value::Nil()}, "<nil>"},
      {"%%", {}, "%"},
      {"100%%", {}, "100%"},
      // Mismatches, spelled as Go spells them.
      {"%d", {Value::Float(1.5)}, "%!d(float64=1.5)"},
      {"%s", {Value::Int(3)}, "%!s(int=3)"},
      {"%f", {Value::Int(3)}, "%!f(int=3)"},
      {"%d", {Value::String("x")}, "%!d(string=x)"},
      {"%s", {Value::Nil()}, "%!s(<nil>)"},
      {"%s", {}, "%!s(MISSING)"},
      {"%s %d", {Value::String("a")}, "a %!d(MISSING)"},
      {"x", {Value::Int(1)}, "x%!(EXTRA int=1)"},
      {"%s", {Value::String("a"), Value::Float(2.5)}, "a%!(EXTRA float64=2.5)"},
      {"%", {}, "%!(NOVERB)"},
      {"%z", {Value::String("x")}, "%!z(string=x)"},
      {"%*d", {Value::Int(4), Value::Int(7)}, "   7"},
      {"%.*f", {Value::Int(1), Value::Float(2.25)}, "2.2"},
      {"%d %s", {Value::Int(1), Value::String("b")}, "1 b"},
  };
  for (const SprintfCase& c : cases) {
    EXPECT_EQ(GoSprintf(c.format, c.args), c.want) << c.format;
  }
}

TEST(GoSprintf, Composite) {
  auto m = std::make_shared<ValueMap>();
  (*m)["b"] = Value::String("2");
  (*m)["a"] = Value::String("1");
  EXPECT_EQ(GoSprintf("%v", {Value::Map(m, true)}), "map[a:1 b:2]");
  auto l = std::make_shared<ValueList>(ValueList{Value::Int(1), Value::Int(2)});
  EXPECT_EQ(GoSprintf("%v", {Value::List(l)}), "[1 2]");
  EXPECT_EQ(GoSprintf("%03d", {Value::List(l)}), "[001 002]");
}

TEST(GoSprint, Spacing) {
  EXPECT_EQ(GoSprint({Value::Int(1), Value::Int(2)}), "1 2");
  EXPECT_EQ(GoSprint({Value::String("a"), Value::String("b")}), "ab");
  EXPECT_EQ(GoSprint({Value::String("a"), Value::Int(1)}), "a1");
  EXPECT_EQ(GoSprint({Value::Float(1.5), Value::Bool(true)}), "1.5 true");
  EXPECT_EQ(GoSprintln({Value::String("a"), Value::String("b")}), "a b\n");
  EXPECT_EQ(GoSprintln({}), "\n");
}

}  // namespace
}  // namespace tend::tmpl
