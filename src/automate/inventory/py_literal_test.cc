// Expected values are what python3.11's ast.literal_eval returns for the
// same text (checked with `python3 -c 'import ast;
// print(ast.literal_eval(...))'`).
#include "automate/inventory/py_literal.h"

#include <gtest/gtest.h>

namespace tend::automate {
namespace {

struct Case {
  const char* text;
  const char* json;  // nullptr: literal_eval raises
};

class PyLiteralTest : public ::testing::TestWithParam<Case> {};

TEST_P(PyLiteralTest, Evaluates) {
  const Case& c = GetParam();
  std::optional<Value> v = ParsePythonLiteral(c.text);
  if (c.json == nullptr) {
    EXPECT_FALSE(v.has_value()) << c.text << " -> " << v->dump();
  } else {
    ASSERT_TRUE(v.has_value()) << c.text;
    EXPECT_EQ(v->dump(), Value::parse(c.json).dump()) << c.text;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Literals, PyLiteralTest,
    ::testing::Values(
        Case{"5", "5"}, Case{"-5", "-5"}, Case{"+5", "5"}, Case{"- 5", "-5"},
        Case{"0x1F", "31"}, Case{"0o17", "15"}, Case{"0b11", "3"},
        Case{"1_000", "1000"}, Case{"0x_1", "1"}, Case{"00", "0"},
        Case{"007", nullptr}, Case{"010", nullptr}, Case{"0_1", nullptr},
        Case{"1__0", nullptr}, Case{"1_", nullptr}, Case{"1e", nullptr},
        Case{"1.5", "1.5"}, Case{"1e3", "1000.0"}, Case{"1.", "1.0"},
        Case{"-.5", "-0.5"}, Case{"1_0.5", "10.5"}, Case{"1.5e-3", "0.0015"},
        Case{"1j", nullptr}, Case{"1+2j", nullptr}, Case{"1+2", nullptr},
        Case{"True", "true"}, Case{"False", "false"}, Case{"None", "null"},
        Case{"true", nullptr}, Case{"yes", nullptr}, Case{"-True", nullptr},
        Case{"--1", nullptr}, Case{"-(1)", "-1"}, Case{"(1)", "1"},
        Case{"\"a b\"", "\"a b\""}, Case{"'x'", "\"x\""},
        Case{"\"a\" 'b'", "\"ab\""}, Case{"u\"x\"", "\"x\""},
        Case{"r\"\\d\"", "\"\\\\d\""}, Case{"b\"x\"", "\"x\""},
        Case{"\"a\" b\"x\"", nullptr}, Case{"f\"x\"", nullptr},
        Case{"\"\\x41\\u00e9\\t\"", "\"A\\u00e9\\t\""},
        Case{"\"\\z\"", "\"\\\\z\""}, Case{"\"\\101\"", "\"A\""},
        Case{"\"\"\"a'b\"\"\"", "\"a'b\""}, Case{"\"unterminated", nullptr},
        Case{"\"\\N{DASH}\"", nullptr}, Case{"[1,2]", "[1,2]"},
        Case{"[1,]", "[1]"}, Case{"[]", "[]"}, Case{"[,]", nullptr},
        Case{"(1,2)", "[1,2]"}, Case{"()", "[]"}, Case{"1,", "[1]"},
        Case{"1, 2", "[1,2]"}, Case{"(,)", nullptr},
        Case{"{'a': 1, 2: [True, None]}", "{\"a\":1,\"2\":[true,null]}"},
        Case{"{\"a\":1,}", "{\"a\":1}"}, Case{"{}", "{}"},
        Case{"{1:1, 1:2}", "{\"1\":2}"}, Case{"{1, 2}", "[1,2]"},
        Case{"{[1]: 2}", nullptr}, Case{"{**{}}", nullptr},
        Case{"[1,[2,{\"a\":(3,)}]]", "[1,[2,{\"a\":[3]}]]"}, Case{"1 # c", "1"},
        Case{"b # comment", nullptr}, Case{"# only", nullptr},
        Case{"", nullptr}, Case{" ", nullptr}, Case{"\t1", "1"},
        Case{"1 ", "1"}, Case{"a b c", nullptr}, Case{"hello", nullptr},
        Case{"1 2", nullptr}, Case{"Ellipsis", nullptr}, Case{"...", nullptr},
        Case{"9223372036854775807", "9223372036854775807"},
        Case{"-9223372036854775808", "-9223372036854775808"},
        Case{"18446744073709551615", "18446744073709551615"},
        Case{"99999999999999999999999", nullptr}));

TEST(PyLiteralTest, DeepNestingIsRefusedNotCrashed) {
  std::string deep(5000, '[');
  deep += std::string(5000, ']');
  EXPECT_FALSE(ParsePythonLiteral(deep).has_value());
}

TEST(PyLiteralTest, IniValueKeepsTextThatIsNoLiteral) {
  EXPECT_EQ(IniValue("a b c"), Value("a b c"));
  EXPECT_EQ(IniValue("010"), Value("010"));
  EXPECT_EQ(IniValue("x # not a comment"), Value("x # not a comment"));
  EXPECT_EQ(IniValue("\"5\""), Value("5"));
  EXPECT_EQ(IniValue("5"), Value(5));
  EXPECT_EQ(IniValue(""), Value(""));
}

TEST(PyLiteralTest, BytesMustBeUtf8) {
  EXPECT_FALSE(ParsePythonLiteral("b\"\\xff\"").has_value());
  EXPECT_EQ(ParsePythonLiteral("b\"\\xc3\\xa9\"")->get<std::string>(),
            "\xc3\xa9");
}

}  // namespace
}  // namespace tend::automate
