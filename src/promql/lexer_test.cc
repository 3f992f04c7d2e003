#include "promql/lexer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace tend::promql {
namespace {

using T = TokenType;

std::vector<T> Types(std::string_view in) {
  std::vector<T> out;
  for (const Token& t : Lex(in)) out.push_back(t.type);
  return out;
}

TEST(LexerTest, Numbers) {
  for (const char* n : {"1", "4.23", ".3", "5.", "0x123", "1e3", "1E-3", "NaN",
                        "nAN", "iNf", "Inf"}) {
    auto toks = Lex(n);
    ASSERT_EQ(toks.size(), 2u) << n;
    EXPECT_EQ(toks[0].type, T::kNumber) << n;
    EXPECT_EQ(toks[0].text, n);
    EXPECT_EQ(toks[1].type, T::kEof);
  }
  EXPECT_EQ(Types("+Inf"), (std::vector<T>{T::kAdd, T::kNumber, T::kEof}));
  EXPECT_EQ(Types("NaN123"), (std::vector<T>{T::kIdentifier, T::kEof}));
  EXPECT_EQ(Types("Infoo"), (std::vector<T>{T::kIdentifier, T::kEof}));
  EXPECT_EQ(Types("NaN 123"),
            (std::vector<T>{T::kNumber, T::kNumber, T::kEof}));
}

TEST(LexerTest, ParseNumber) {
  EXPECT_EQ(*ParseNumber("0x1f"), 31);
  EXPECT_EQ(*ParseNumber("017"), 15);
  EXPECT_EQ(*ParseNumber("09"), 9);
  EXPECT_EQ(*ParseNumber(".5"), 0.5);
  EXPECT_EQ(*ParseNumber("5."), 5);
  EXPECT_EQ(*ParseNumber("1e-400"), 0);
  EXPECT_TRUE(std::isinf(*ParseNumber("Inf")));
  EXPECT_TRUE(std::isnan(*ParseNumber("nan")));
  EXPECT_FALSE(ParseNumber("1e400").ok());
  EXPECT_FALSE(ParseNumber("0x").ok());
  EXPECT_FALSE(ParseNumber("0x1.8").ok());
  EXPECT_FALSE(ParseNumber("1e").ok());
  EXPECT_FALSE(ParseNumber("").ok());
}

TEST(LexerTest, Durations) {
  for (const char* d : {"5s", "5m", "1h30m", "1y", "1w", "1d", "10ms"}) {
    auto toks = Lex(d);
    ASSERT_EQ(toks.size(), 2u) << d;
    EXPECT_EQ(toks[0].type, T::kDuration) << d;
    EXPECT_EQ(toks[0].text, d);
  }
  EXPECT_EQ(
      Types("foo[5m:1m]"),
      (std::vector<T>{T::kIdentifier, T::kLeftBracket, T::kDuration, T::kColon,
                      T::kDuration, T::kRightBracket, T::kEof}));
  EXPECT_EQ(Types("[5]").back(), T::kError);
  EXPECT_EQ(Lex("[5]").back().error, "missing unit character in duration");
  EXPECT_EQ(Lex("5mm").back().error, "bad number or duration syntax: \"5mm\"");
}

TEST(LexerTest, KeywordsAndIdentifiers) {
  EXPECT_EQ(Types("sum SUM by without offset bool on ignoring group_left "
                  "group_right and OR unless atan2 start end"),
            (std::vector<T>{T::kSum, T::kSum, T::kBy, T::kWithout, T::kOffset,
                            T::kBool, T::kOn, T::kIgnoring, T::kGroupLeft,
                            T::kGroupRight, T::kLand, T::kLor, T::kLunless,
                            T::kAtan2, T::kStart, T::kEnd, T::kEof}));
  EXPECT_EQ(Types("foo:bar :x foo_1"),
            (std::vector<T>{T::kMetricIdentifier, T::kMetricIdentifier,
                            T::kIdentifier, T::kEof}));
  // Inside braces keywords are identifiers.
  EXPECT_EQ(Types("{sum=\"a\", by!~'b', offset=~`c`, on!=\"d\"}"),
            (std::vector<T>{T::kLeftBrace, T::kIdentifier, T::kEql, T::kString,
                            T::kComma, T::kIdentifier, T::kNeqRegex, T::kString,
                            T::kComma, T::kIdentifier, T::kEqlRegex, T::kString,
                            T::kComma, T::kIdentifier, T::kNeq, T::kString,
                            T::kRightBrace, T::kEof}));
}

TEST(LexerTest, Operators) {
  EXPECT_EQ(Types("+ - * / % ^ == != > < >= <= @ ( ) , ="),
            (std::vector<T>{T::kAdd, T::kSub, T::kMul, T::kDiv, T::kMod,
                            T::kPow, T::kEqlc, T::kNeq, T::kGtr, T::kLss,
                            T::kGte, T::kLte, T::kAt, T::kLeftParen,
                            T::kRightParen, T::kComma, T::kEql, T::kEof}));
}

TEST(LexerTest, CommentsAndPositions) {
  auto toks = Lex("foo # comment\n  + bar");
  ASSERT_EQ(toks.size(), 4u);
  EXPECT_EQ(toks[1].type, T::kAdd);
  EXPECT_EQ(toks[1].pos, 16);
  EXPECT_EQ(toks[2].pos, 18);
  EXPECT_EQ(toks[3].pos, 21);
}

TEST(LexerTest, Strings) {
  EXPECT_EQ(*UnquoteString("\"a\\tb\\\"c\""), "a\tb\"c");
  EXPECT_EQ(*UnquoteString("'it\\'s'"), "it's");
  EXPECT_EQ(*UnquoteString("`raw\\n`"), "raw\\n");
  EXPECT_EQ(*UnquoteString("\"\\x41\\102\\u00e9\\U0001F600\""),
            "AB\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(*UnquoteString("\"\\xff\""), "\xff");
  EXPECT_EQ(Lex("\"\\q\"").back().error, "unknown escape sequence U+0071 'q'");
  EXPECT_EQ(Lex("\"abc").back().error, "unterminated quoted string");
  EXPECT_EQ(Lex("`abc").back().error, "unterminated raw string");
  EXPECT_EQ(Lex("\"\\u12\"").back().error,
            "illegal character U+0022 '\"' in escape sequence");
  EXPECT_EQ(Lex("\"\\x1").back().error, "escape sequence not terminated");
  EXPECT_EQ(Lex("'\xc3'").back().error, "invalid UTF-8 rune");
  // Multi-line raw strings are fine.
  auto toks = Lex("`a\nb`");
  EXPECT_EQ(toks[0].type, T::kString);
}

TEST(LexerTest, Errors) {
  EXPECT_EQ(Lex("(").back().error, "unclosed left parenthesis");
  EXPECT_EQ(Lex(")").back().error, "unexpected right parenthesis ')'");
  EXPECT_EQ(Lex(")").back().pos, 1);
  EXPECT_EQ(Lex("x[5m").back().error, "unclosed left bracket");
  EXPECT_EQ(Lex("[5m[").back().error, "unexpected left bracket '['");
  EXPECT_EQ(Lex("]").back().error, "unexpected right bracket ']'");
  EXPECT_EQ(Lex("{").back().error, "unexpected end of input inside braces");
  EXPECT_EQ(Lex("{a!b}").back().error,
            "unexpected character after '!' inside braces: 'b'");
  EXPECT_EQ(Lex("$").back().error, "unexpected character: '$'");
  EXPECT_EQ(Lex("[5m:1m:]").back().error, "unexpected colon ':'");
  EXPECT_EQ(Lex("=~").back().error, "unexpected character after '=': '~'");
}

TEST(LexerTest, DescribeToken) {
  auto d = [](std::string_view in) { return DescribeToken(Lex(in)[0]); };
  EXPECT_EQ(d("+"), "<op:+>");
  EXPECT_EQ(d("and"), "<op:and>");
  EXPECT_EQ(d("sum"), "<aggr:sum>");
  EXPECT_EQ(d("by"), "<by>");
  EXPECT_EQ(d("foo"), "identifier \"foo\"");
  EXPECT_EQ(d("a:b"), "metric identifier \"a:b\"");
  EXPECT_EQ(d("1"), "number \"1\"");
  EXPECT_EQ(d("5m"), "duration \"5m\"");
  EXPECT_EQ(d("\"a\""), "string \"\\\"a\\\"\"");
  EXPECT_EQ(d(","), "\",\"");
  EXPECT_EQ(d(""), "end of input");
}

}  // namespace
}  // namespace tend::promql
