// Range and instant functions against values computed by hand from
// Prometheus's definitions.
#include <cmath>

#include "promql/eval_functions.h"
#include "promql/eval_instant_fn.h"
#include "promql/eval_test_util.h"

namespace tend::promql {
namespace {

class FunctionsTest : public ::testing::Test {
 protected:
  double Q(std::string_view q, int64_t t_ms) {
    return One(engine_, st_, q, t_ms);
  }
  Engine engine_;
  MemStorage st_;
};

TEST_F(FunctionsTest, RateExtrapolatesToTheWindowEdges) {
  // Samples 20, 30, 40 at 20s..40s in the window [15s, 45s]: 5s to each
  // edge (< 1.1 * 10s), so the 20s of data extrapolate to 30s: 30/30s.
  Load(&st_, 10000, "x 0 10 20 30 40");
  EXPECT_DOUBLE_EQ(Q("rate(x[30s])", 45000), 1.0);
  EXPECT_DOUBLE_EQ(Q("increase(x[30s])", 45000), 30.0);
}

TEST_F(FunctionsTest, CounterExtrapolationStopsAtZero) {
  // 5, 15, 25 at 0..20s, window [-30s, 30s]: 30s before the first sample
  // is beyond 1.1 intervals, and the counter would reach zero 5s before it
  // (20s * 5/20), so the start extends 5s; the end (10s < 11s) extends
  // fully: 20 * (20+5+10)/20 = 35.
  Load(&st_, 10000, "c 5 15 25");
  EXPECT_DOUBLE_EQ(Q("increase(c[1m])", 30000), 35.0);
  EXPECT_DOUBLE_EQ(Q("rate(c[1m])", 30000), 35.0 / 60);
}

TEST_F(FunctionsTest, DeltaExtrapolatesByHalfAnIntervalWhenFar) {
  // Gauge 30, 20, 10; start gap 30s >= 11s adds 5s (half the average
  // interval), end gap 10s adds 10s: -20 * 35/20.
  Load(&st_, 10000, "g 30 20 10");
  EXPECT_DOUBLE_EQ(Q("delta(g[1m])", 30000), -35.0);
}

TEST_F(FunctionsTest, IncreaseCorrectsCounterResets) {
  // 10 20 5 15: the drop to 5 is a reset, adding the 20 seen before it.
  Load(&st_, 10000, "c 10 20 5 15");
  EXPECT_DOUBLE_EQ(Q("increase(c[30s])", 30000), 25.0);
  EXPECT_DOUBLE_EQ(Q("resets(c[30s])", 30000), 1.0);
  EXPECT_DOUBLE_EQ(Q("changes(c[30s])", 30000), 3.0);
  EXPECT_DOUBLE_EQ(Q("irate(c[30s])", 30000), 1.0);
  EXPECT_DOUBLE_EQ(Q("irate(c[30s])", 20000), 0.5);  // 5 after a reset.
  EXPECT_DOUBLE_EQ(Q("idelta(c[30s])", 20000), -15.0);
}

TEST_F(FunctionsTest, RateNeedsTwoSamples) {
  Load(&st_, 10000, "c 1");
  Result<QueryResult> r = engine_.Instant(st_, "rate(c[1m])", 10000);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->vector.empty());
}

TEST_F(FunctionsTest, DerivAndPredictLinearAreLeastSquares) {
  // (0s,0) (10s,10) (20s,30): slope 300/200 = 1.5; relative to t=20s the
  // intercept is 40/3 + 1.5*10 = 28.33.., so 10s ahead: 43.33...
  Load(&st_, 10000, "x 0 10 30");
  EXPECT_DOUBLE_EQ(Q("deriv(x[30s])", 20000), 1.5);
  EXPECT_NEAR(Q("predict_linear(x[30s], 10)", 20000), 40.0 / 3 + 30, 1e-9);
}

TEST_F(FunctionsTest, HoltWintersSmoothsLevelAndTrend) {
  // sf = tf = 0.5 over 1, 3, 7: level 1, trend 2; then 1.5 + 0.5*(1+2) = 3;
  // trend 0.5*(3-1) + 0.5*2 = 2; 3.5 + 0.5*(3+2) = 6.
  Load(&st_, 10000, "x 1 3 7");
  EXPECT_DOUBLE_EQ(Q("holt_winters(x[30s], 0.5, 0.5)", 20000), 6.0);
  Result<QueryResult> bad =
      engine_.Instant(st_, "holt_winters(x[30s], 1, 0.5)", 20000);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(bad.status().message().find("smoothing factor"), std::string::npos);
}

TEST_F(FunctionsTest, OverTimeAggregates) {
  Load(&st_, 10000, "x 4 NaN 1 stale 7");
  // The stale marker is dropped from range vectors; NaN is kept.
  EXPECT_DOUBLE_EQ(Q("count_over_time(x[40s])", 40000), 4.0);
  EXPECT_DOUBLE_EQ(Q("min_over_time(x[40s])", 40000), 1.0);
  EXPECT_DOUBLE_EQ(Q("max_over_time(x[40s])", 40000), 7.0);
  EXPECT_TRUE(std::isnan(Q("sum_over_time(x[40s])", 40000)));
  EXPECT_DOUBLE_EQ(Q("last_over_time(x[40s])", 40000), 7.0);
  // [4, NaN, 1] sorts NaN first, [NaN, 1, 4]: the middle rank is 1.
  EXPECT_DOUBLE_EQ(Q("quantile_over_time(0.5, x[40s] offset 20s)", 40000), 1.0);
}

TEST_F(FunctionsTest, StddevOverTime) {
  Load(&st_, 10000, "x 0 8 8 2 3");
  EXPECT_NEAR(Q("stdvar_over_time(x[1m])", 40000), 10.56, 1e-12);
  EXPECT_NEAR(Q("stddev_over_time(x[1m])", 40000), std::sqrt(10.56), 1e-12);
}

TEST_F(FunctionsTest, HistogramQuantileInterpolatesInsideTheBucket) {
  Load(&st_, 10000, R"(h{le="1"} 10)");
  Load(&st_, 10000, R"(h{le="2"} 20)");
  Load(&st_, 10000, R"(h{le="+Inf"} 20)");
  EXPECT_DOUBLE_EQ(Q("histogram_quantile(0.75, h)", 0), 1.5);
  EXPECT_DOUBLE_EQ(Q("histogram_quantile(0.25, h)", 0), 0.5);
  EXPECT_DOUBLE_EQ(Q("histogram_quantile(1, h)", 0), 2.0);
  EXPECT_EQ(Q("histogram_quantile(1.5, h)", 0),
            std::numeric_limits<double>::infinity());
  Result<QueryResult> r = engine_.Instant(st_, "histogram_quantile(0.5, h)", 0);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->vector.size(), 1u);
  EXPECT_TRUE(r->vector[0].labels.empty());  // __name__ and le dropped.
}

TEST(BucketQuantileTest, EdgeCases) {
  using B = std::vector<std::pair<double, double>>;
  const double inf = std::numeric_limits<double>::infinity();
  B no_inf = {{1, 5}, {2, 10}};
  EXPECT_TRUE(std::isnan(BucketQuantile(0.5, &no_inf)));
  // Non-monotonic counts are raised to the running maximum: 10, 10, 20.
  B dip = {{2, 8}, {inf, 20}, {1, 10}};
  EXPECT_DOUBLE_EQ(BucketQuantile(0.5, &dip), 1.0);
  // A rank in the +Inf bucket reports the highest finite bound.
  B top = {{1, 5}, {inf, 10}};
  EXPECT_DOUBLE_EQ(BucketQuantile(0.9, &top), 1.0);
  // Equal bounds are merged (le="1" and le="1.0").
  B dup = {{1, 2}, {1, 3}, {inf, 10}};
  EXPECT_DOUBLE_EQ(BucketQuantile(0.5, &dup), 1.0);
  B negative = {{-1, 5}, {inf, 10}};
  EXPECT_DOUBLE_EQ(BucketQuantile(0.1, &negative), -1.0);
  B empty = {{1, 0}, {inf, 0}};
  EXPECT_TRUE(std::isnan(BucketQuantile(0.5, &empty)));
  EXPECT_TRUE(std::isnan(BucketQuantile(NAN, &top)));
}

TEST_F(FunctionsTest, LabelReplaceExpandsGroups) {
  Load(&st_, 10000, R"(m{src="a-b"} 1)");
  Result<QueryResult> r = engine_.Instant(
      st_,
      R"q(label_replace(m, "dst", "${2}$1x$$", "src", "(.*)-(?P<second>.*)"))q",
      0);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->vector.size(), 1u);
  // As Go's regexp: "$1x" names group "1x" (none, so empty), "$$" is "$".
  EXPECT_EQ(GetLabel(r->vector[0].labels, "dst"), "b$");
  r = engine_.Instant(
      st_,
      R"q(label_replace(m, "dst", "<$second>", "src", "(.*)-(?P<second>.*)"))q",
      0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(GetLabel(r->vector[0].labels, "dst"), "<b>");
  EXPECT_EQ(GetLabel(r->vector[0].labels, "__name__"), "m");
  // Invalid regex and label names fail even without input series.
  EXPECT_FALSE(
      engine_.Instant(st_, R"q(label_replace(nope, "d", "", "s", "("))q", 0)
          .ok());
  EXPECT_FALSE(
      engine_.Instant(st_, R"(label_replace(nope, "1d", "", "s", ".*"))", 0)
          .ok());
}

TEST_F(FunctionsTest, DateFunctions) {
  // 2006-01-02T22:04:05Z was a Monday.
  EXPECT_EQ(Q("year(vector(1136239445))", 0), 2006);
  EXPECT_EQ(Q("month(vector(1136239445))", 0), 1);
  EXPECT_EQ(Q("day_of_month(vector(1136239445))", 0), 2);
  EXPECT_EQ(Q("day_of_week(vector(1136239445))", 0), 1);
  EXPECT_EQ(Q("hour(vector(1136239445))", 0), 22);
  EXPECT_EQ(Q("minute(vector(1136239445))", 0), 4);
  EXPECT_EQ(Q("days_in_month(vector(1454284800))", 0), 29);  // Feb 2016.
  EXPECT_EQ(Q("day_of_year(vector(1483191420))", 0), 366);   // 2016-12-31.
  EXPECT_EQ(Q("year(vector(-1))", 0), 1969);
  EXPECT_EQ(Q("day_of_week()", 0), 4);  // 1970-01-01 was a Thursday.
}

TEST(FormatFloatTest, MatchesGoFixedShortest) {
  EXPECT_EQ(FormatFloatF(6), "6");
  EXPECT_EQ(FormatFloatF(0.1), "0.1");
  EXPECT_EQ(FormatFloatF(-2.5), "-2.5");
  EXPECT_EQ(FormatFloatF(1e21), "1000000000000000000000");
  EXPECT_EQ(FormatFloatF(5.184705528587072e21), "5184705528587072000000");
  EXPECT_EQ(FormatFloatF(1e-7), "0.0000001");
  EXPECT_EQ(FormatFloatF(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatFloatF(NAN), "NaN");
}

}  // namespace
}  // namespace tend::promql
