#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "promql/functions_table.h"
#include "promql/parser.h"

namespace tend::promql {
namespace {

std::string PrintNumber(double v) {
  NumberLiteral n;
  n.value = v;
  return ExprToString(n);
}

TEST(PrinterTest, NumbersLikeGo) {
  EXPECT_EQ(PrintNumber(0), "0");
  EXPECT_EQ(PrintNumber(-0.0), "-0");
  EXPECT_EQ(PrintNumber(1), "1");
  EXPECT_EQ(PrintNumber(-2.5), "-2.5");
  EXPECT_EQ(PrintNumber(100000), "100000");
  EXPECT_EQ(PrintNumber(999999), "999999");
  EXPECT_EQ(PrintNumber(1000000), "1e+06");
  EXPECT_EQ(PrintNumber(1234567), "1.234567e+06");
  EXPECT_EQ(PrintNumber(0.0001), "0.0001");
  EXPECT_EQ(PrintNumber(0.00012), "0.00012");
  EXPECT_EQ(PrintNumber(0.00001), "1e-05");
  EXPECT_EQ(PrintNumber(0.1), "0.1");
  EXPECT_EQ(PrintNumber(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(PrintNumber(1e100), "1e+100");
  EXPECT_EQ(PrintNumber(5e-324), "5e-324");
  EXPECT_EQ(PrintNumber(std::numeric_limits<double>::max()),
            "1.7976931348623157e+308");
  EXPECT_EQ(PrintNumber(INFINITY), "+Inf");
  EXPECT_EQ(PrintNumber(-INFINITY), "-Inf");
  EXPECT_EQ(PrintNumber(NAN), "NaN");
}

TEST(PrinterTest, StringsLikeGoQuote) {
  StringLiteral s;
  s.value = "a\"b\\c\n\t\x01\x7f\xff\xc3\xa9\xe2\x80\xa8\xef\xbf\xbd";
  EXPECT_EQ(ExprToString(s),
            "\"a\\\"b\\\\c\\n\\t\\x01\\x7f\\xffé\\u2028\\ufffd\"");
  // Whatever the bytes, the printed form parses back to the same value.
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  s.value = all;
  auto e = ParseExpr(ExprToString(s));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  const auto* back = As<StringLiteral>(e->get());
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->value, all);
}

TEST(PrinterTest, MatcherValuesRoundTrip) {
  auto e = ParseExpr("foo{a=\"\\xff\\n\\\"\", b=~\"\\\\d+\"}");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  const std::string printed = ExprToString(**e);
  EXPECT_EQ(printed, "foo{a=\"\\xff\\n\\\"\",b=~\"\\\\d+\"}");
  auto again = ParseExpr(printed);
  ASSERT_TRUE(again.ok());
  const auto* vs = As<VectorSelector>(again->get());
  ASSERT_NE(vs, nullptr);
  EXPECT_EQ(vs->matchers[1].value(), "\xff\n\"");
  EXPECT_EQ(vs->matchers[2].value(), "\\d+");
}

TEST(PrinterTest, BuiltTree) {
  // A tree built by hand (as the engine's tests do) prints in canonical form.
  auto vs = std::make_unique<VectorSelector>();
  vs->name = "http_requests_total";
  vs->matchers.push_back(
      LabelMatcher::Equal("__name__", "http_requests_total"));
  vs->matchers.push_back(LabelMatcher::Equal("code", "500"));
  vs->original_offset_ms = 60000;
  auto ms = std::make_unique<MatrixSelector>();
  ms->range_ms = 300000;
  ms->vector_selector = std::move(vs);
  auto call = std::make_unique<Call>();
  call->func = FindFunction("rate");
  call->args.push_back(std::move(ms));
  AggregateExpr agg;
  agg.op = AggOp::kSum;
  agg.grouping = {"job"};
  agg.expr = std::move(call);
  EXPECT_EQ(ExprToString(agg),
            "sum by (job) (rate(http_requests_total{code=\"500\"}[5m] offset "
            "1m))");

  StepInvariantExpr si;
  auto n = std::make_unique<NumberLiteral>();
  n->value = 3;
  si.expr = std::move(n);
  EXPECT_EQ(ExprToString(si), "3");
}

TEST(PrinterTest, AtAndOffsetOrder) {
  auto e = ParseExpr("x offset 1m @ 100");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(ExprToString(**e), "x @ 100.000 offset 1m");
  e = ParseExpr("x[5m:1m] offset 1m @ -1.5");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(ExprToString(**e), "x[5m:1m] @ -1.500 offset 1m");
}

}  // namespace
}  // namespace tend::promql
