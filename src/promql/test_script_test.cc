#include "promql/test_script.h"

#include <gtest/gtest.h>

#include <cmath>

#include "model/point.h"

namespace tend::promql {
namespace {

TEST(SeriesDescTest, ExpandsValueNotation) {
  Result<SeriesDesc> d =
      ParseSeriesDesc(R"(m{b="x\"y", a='q'} 1+2x2 _ stale _x2 -1-1x1 Inf 3x1)");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->labels, (Labels{{"__name__", "m"}, {"a", "q"}, {"b", "x\"y"}}));
  ASSERT_EQ(d->values.size(), 12u);
  EXPECT_EQ(*d->values[0], 1);
  EXPECT_EQ(*d->values[2], 5);
  EXPECT_FALSE(d->values[3].has_value());
  EXPECT_TRUE(IsStaleNaN(*d->values[4]));
  EXPECT_FALSE(d->values[5].has_value());
  EXPECT_FALSE(d->values[6].has_value());
  EXPECT_EQ(*d->values[7], -1);
  EXPECT_EQ(*d->values[8], -2);
  EXPECT_TRUE(std::isinf(*d->values[9]));
  EXPECT_EQ(*d->values[10], 3);
  EXPECT_EQ(*d->values[11], 3);
  d = ParseSeriesDesc(R"({} 1e3 2.4e+08 .5 NaN)");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->labels.empty());
  EXPECT_EQ(*d->values[0], 1000);
  EXPECT_EQ(*d->values[1], 2.4e8);
  EXPECT_EQ(*d->values[2], 0.5);
  EXPECT_TRUE(std::isnan(*d->values[3]));
  EXPECT_FALSE(ParseSeriesDesc("m{a=b} 1").ok());
  EXPECT_FALSE(ParseSeriesDesc("m 1+x").ok());
  EXPECT_FALSE(ParseSeriesDesc("m{a=\"b\" 1").ok());
}

constexpr char kScript[] = R"(# comment
load 5m
  m{a="1"} 0+10x10
  m{a="2"} 1 2 3

eval instant at 10m m{a="1"}
  m{a="1"} 20

eval instant at 10m m{a="1"}
  m{a="1"} 21

eval_ordered instant at 10m sort_desc(m)
  m{a="1"} 20
  m{a="2"} 3

eval_ordered instant at 10m sort(m)
  m{a="1"} 20
  m{a="2"} 3

eval_fail instant at 10m label_replace(m, "x", "", "a", "(")

eval_fail instant at 10m m

eval instant at 10m scalar(m{a="2"})
  3

clear

eval instant at 10m m
)";

TEST(TestScriptTest, ChecksValuesOrderFailuresAndScalars) {
  Engine engine;
  Result<ScriptResult> r = RunTestScript(kScript, "dir/x.test", engine);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->total(), 8);
  EXPECT_EQ(r->passed, 5);
  ASSERT_EQ(r->failures.size(), 3u);
  EXPECT_EQ(r->failures[0],
            "x.test:9: m{a=\"1\"}: expected 21 for m{a=\"1\"} but got 20");
  EXPECT_NE(r->failures[1].find("x.test:16: sort(m): expected metric"),
            std::string::npos);
  EXPECT_EQ(r->failures[2],
            "x.test:22: m: expected an error but the query succeeded");
}

TEST(TestScriptTest, KnownFailuresAreCountedAndUnexpectedPassesReported) {
  Result<KnownFailures> known = ParseKnownFailures(
      "# header\nx.test:9 wrong on purpose\nx.test:6 passes anyway\n",
      "known.txt");
  ASSERT_TRUE(known.ok()) << known.status().ToString();
  Engine engine;
  ScriptOptions opts;
  opts.known = &*known;
  Result<ScriptResult> r = RunTestScript(kScript, "x.test", engine, opts);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->known_failed, 1);
  EXPECT_EQ(r->failures.size(), 2u);
  ASSERT_EQ(r->unexpected_passes.size(), 1u);
  EXPECT_EQ(r->unexpected_passes[0], "x.test:6");
}

TEST(TestScriptTest, KnownFailureListNeedsReasons) {
  Result<KnownFailures> k = ParseKnownFailures("a.test:3\n", "list.txt");
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.status().message().find("list.txt:1"), std::string::npos);
  EXPECT_FALSE(ParseKnownFailures("a.test reason\n", "list.txt").ok());
}

TEST(TestScriptTest, MalformedScriptsNameTheLine) {
  Engine engine;
  Result<ScriptResult> r =
      RunTestScript("load 5m\n  m{a=\"1\" 1\n", "bad.test", engine);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("bad.test:2:"), std::string::npos);
  r = RunTestScript("\nfrobnicate 1\n", "bad.test", engine);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bad.test:2: invalid command"),
            std::string::npos);
  r = RunTestScript("eval instant at 5x m\n", "bad.test", engine);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bad.test:1:"), std::string::npos);
  r = RunTestScript("load 0s\n m 1\n", "bad.test", engine);
  EXPECT_FALSE(r.ok());
}

TEST(TestScriptTest, RangeModeAndAtVariantsRun) {
  // time() makes @ variants meaningless, so only the plain and range runs
  // apply; a query whose range run differs from its instant run fails.
  Engine engine;
  Result<ScriptResult> r = RunTestScript(
      "load 1m\n m 0+1x10\n\neval instant at 5m m @ 120\n {__name__=\"m\"} "
      "2\n\neval instant at 3m time()\n 180\n",
      "ok.test", engine);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->passed, 2) << (r->failures.empty() ? "" : r->failures[0]);
}

TEST(TestScriptTest, InstantRangeVectorResultsCompareSequences) {
  Engine engine;
  Result<ScriptResult> r = RunTestScript(
      "load 1m\n m 1 2 3\n\neval instant at 2m m[1m]\n m 2 3\n\n"
      "eval instant at 2m m[1m]\n m 2 4\n",
      "mat.test", engine, ScriptOptions{nullptr, false, false});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->passed, 1);
  EXPECT_EQ(r->failed, 1);
}

}  // namespace
}  // namespace tend::promql
