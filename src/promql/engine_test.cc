// Selectors, staleness, offsets, @, subqueries, vector matching, result
// shapes and the engine's limits.
#include <cmath>

#include "promql/eval_test_util.h"
#include "promql/functions_table.h"

namespace tend::promql {
namespace {

class EngineTest : public ::testing::Test {
 protected:
  double Q(std::string_view q, int64_t t_ms) {
    return One(engine_, st_, q, t_ms);
  }
  size_t Count(std::string_view q, int64_t t_ms) {
    Result<QueryResult> r = engine_.Instant(st_, q, t_ms);
    EXPECT_TRUE(r.ok()) << q << ": " << r.status().ToString();
    return r.ok() ? r->vector.size() : 0;
  }
  Engine engine_;
  MemStorage st_;
};

TEST_F(EngineTest, StaleMarkerEndsTheLookback) {
  Load(&st_, 10000, "m 1 stale 3");
  EXPECT_DOUBLE_EQ(Q("m", 5000), 1.0);
  EXPECT_EQ(Count("m", 10000), 0u);  // The newest sample is the marker.
  EXPECT_EQ(Count("m", 19999), 0u);
  EXPECT_DOUBLE_EQ(Q("m", 20000), 3.0);
}

TEST_F(EngineTest, LookbackIsFiveMinutesInclusive) {
  Load(&st_, 10000, "m 7");
  EXPECT_DOUBLE_EQ(Q("m", 300000), 7.0);
  EXPECT_EQ(Count("m", 300001), 0u);
  EXPECT_EQ(Count("m", -1), 0u);
}

TEST_F(EngineTest, RangeSelectorIsClosedAtBothEnds) {
  Load(&st_, 10000, "m 1 2 3 4");
  EXPECT_DOUBLE_EQ(Q("count_over_time(m[20s])", 30000), 3.0);  // 10s..30s.
  EXPECT_DOUBLE_EQ(Q("sum_over_time(m[20s] offset 10s)", 30000), 6.0);
}

TEST_F(EngineTest, AtModifierPinsTheSelectorTime) {
  Load(&st_, 10000, "m 0+1x100");
  EXPECT_DOUBLE_EQ(Q("m @ 100", 0), 10.0);
  EXPECT_DOUBLE_EQ(Q("m @ 100 offset 20s", 990000), 8.0);
  EXPECT_DOUBLE_EQ(Q("sum_over_time(m[30s] @ 50)", 0), 3 + 4 + 5 + 2);
  Result<QueryResult> r =
      engine_.Range(st_, "m @ start() + m @ end()", 200000, 400000, 100000);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->matrix.size(), 1u);
  ASSERT_EQ(r->matrix[0].points.size(), 3u);
  for (const Point& p : r->matrix[0].points) EXPECT_DOUBLE_EQ(p.v, 60.0);
}

TEST_F(EngineTest, SubqueryStepsAreAlignedToMultiplesOfTheStep) {
  // time() is evaluated at the grid points inside [t-35s, t]: 10s..40s.
  EXPECT_DOUBLE_EQ(Q("sum_over_time(vector(time())[35s:10s])", 45000), 100.0);
  // With an offset the window is [7s, 42s]: still 10s..40s.
  EXPECT_DOUBLE_EQ(Q("sum_over_time(vector(time())[35s:10s] offset 3s)", 45000),
                   100.0);
  // Negative times align the same way: [-30s, -5s] holds -30, -20, -10.
  EXPECT_DOUBLE_EQ(Q("sum_over_time(vector(time())[25s:10s])", -5000), -60.0);
  // The default step is EngineOptions::default_subquery_step_ms (1m).
  EXPECT_DOUBLE_EQ(Q("count_over_time(vector(1)[5m:])", 3600000), 6.0);
  // A subquery with @ is evaluated around the pinned time.
  EXPECT_DOUBLE_EQ(Q("sum_over_time(vector(time())[20s:10s] @ 100)", 0),
                   80 + 90 + 100);
}

TEST_F(EngineTest, VectorMatching) {
  Load(&st_, 10000, R"(a{x="1",y="1"} 2)");
  Load(&st_, 10000, R"(a{x="1",y="2"} 3)");
  Load(&st_, 10000, R"(b{x="1",z="k"} 10)");
  auto err = [&](std::string_view q) {
    Result<QueryResult> r = engine_.Instant(st_, q, 0);
    EXPECT_FALSE(r.ok()) << q;
    EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
    return r.status().message();
  };
  EXPECT_EQ(err("b * on(x) a"),
            "found duplicate series for the match group {x=\"1\"} on the right "
            "hand-side of the operation: [{__name__=\"a\", x=\"1\", y=\"2\"}, "
            "{__name__=\"a\", x=\"1\", y=\"1\"}];many-to-many matching not "
            "allowed: matching labels must be unique on one side");
  EXPECT_EQ(err("a * on(x) b"),
            "multiple matches for labels: many-to-one matching must be "
            "explicit (group_left/group_right)");
  EXPECT_EQ(err("a * on(x) group_left(y) (b * 1)"),
            "multiple matches for matching labels; grouping labels must "
            "ensure unique results");
  Result<QueryResult> r = engine_.Instant(st_, "a * on(x) group_left(z) b", 0);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->vector.size(), 2u);
  EXPECT_EQ(r->vector[0].labels, L({{"x", "1"}, {"y", "1"}, {"z", "k"}}));
  EXPECT_DOUBLE_EQ(r->vector[0].v, 20.0);
  // One-to-one matching with on() keeps only the matching labels.
  r = engine_.Instant(st_, "a{y=\"1\"} - on(x) b", 0);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->vector.size(), 1u);
  EXPECT_EQ(r->vector[0].labels, L({{"x", "1"}}));
  // Comparisons keep the name unless `bool`; group_right swaps sides.
  r = engine_.Instant(st_, "b > on(x) group_right a", 0);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->vector.size(), 2u);
  EXPECT_EQ(GetLabel(r->vector[0].labels, "__name__"), "a");
  EXPECT_DOUBLE_EQ(r->vector[0].v, 10.0);  // The left-hand value.
  EXPECT_DOUBLE_EQ(Q("count(a == bool on(x) group_left b)", 0), 2.0);
}

TEST_F(EngineTest, SetOperators) {
  Load(&st_, 10000, R"(a{x="1"} 1)");
  Load(&st_, 10000, R"(a{x="2"} 2)");
  Load(&st_, 10000, R"(b{x="2"} 20)");
  Load(&st_, 10000, R"(b{x="3"} 30)");
  EXPECT_DOUBLE_EQ(Q("a and b", 0), 2.0);
  EXPECT_DOUBLE_EQ(Q("a unless b", 0), 1.0);
  EXPECT_DOUBLE_EQ(Q("sum(a or b)", 0), 1 + 2 + 30);
  EXPECT_EQ(Count("a and on() b", 0), 2u);
}

TEST_F(EngineTest, NameDroppingAndDuplicateLabelsets) {
  Load(&st_, 10000, R"(m1{a="1"} 1)");
  Load(&st_, 10000, R"(m2{a="1"} 2)");
  Result<QueryResult> r = engine_.Instant(st_, "-{__name__=~\"m.\"}", 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "vector cannot contain metrics with the same labelset");
  EXPECT_FALSE(
      engine_.Instant(st_, "count_over_time({__name__=~\"m.\"}[1m])", 0).ok());
  // Filters and last_over_time keep the name, so they do not collide.
  EXPECT_EQ(Count("{__name__=~\"m.\"} > 0", 0), 2u);
  EXPECT_EQ(Count("last_over_time({__name__=~\"m.\"}[1m])", 0), 2u);
}

TEST_F(EngineTest, AggregationsFollowPrometheus) {
  Load(&st_, 10000, R"(v{g="a",i="1"} 1)");
  Load(&st_, 10000, R"(v{g="a",i="2"} NaN)");
  Load(&st_, 10000, R"(v{g="a",i="3"} 3)");
  Load(&st_, 10000, R"(v{g="b",i="1"} 10)");
  EXPECT_DOUBLE_EQ(Q("max(v{g=\"a\"})", 0), 3.0);  // NaN is skipped.
  EXPECT_DOUBLE_EQ(Q("min(v{g=\"a\"})", 0), 1.0);
  EXPECT_TRUE(std::isnan(Q("sum(v{g=\"a\"})", 0)));
  EXPECT_DOUBLE_EQ(Q("count(v)", 0), 4.0);
  // 1, 3, 10: squared deviations from 14/3 sum to 402/9.
  EXPECT_NEAR(Q("stdvar(v{i!=\"2\"})", 0), 402.0 / 27, 1e-12);
  EXPECT_DOUBLE_EQ(Q("quantile(0.5, v{i!=\"2\"})", 0), 3.0);
  Result<QueryResult> r = engine_.Instant(st_, "topk(2, v)", 0);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->vector.size(), 2u);  // Kept in topk's order, not sorted.
  EXPECT_DOUBLE_EQ(r->vector[0].v, 10.0);
  EXPECT_DOUBLE_EQ(r->vector[1].v, 3.0);
  r = engine_.Instant(st_, "count_values without (i) (\"val\", v)", 0);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->vector.size(), 4u);
  EXPECT_EQ(r->vector[0].labels, L({{"g", "a"}, {"val", "1"}}));
  EXPECT_FALSE(engine_.Instant(st_, "count_values(\"1x\", v)", 0).ok());
  EXPECT_FALSE(engine_.Instant(st_, "topk(NaN, v)", 0).ok());
}

TEST_F(EngineTest, InstantVectorsAreSortedUnlessTheQuerySorts) {
  Load(&st_, 10000, R"(s{k="b"} 1)");
  Load(&st_, 10000, R"(s{k="a"} 2)");
  Load(&st_, 10000, R"(s{k="c"} 0)");
  Result<QueryResult> r = engine_.Instant(st_, "sum by (k) (s)", 0);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->vector.size(), 3u);
  EXPECT_EQ(GetLabel(r->vector[0].labels, "k"), "a");
  r = engine_.Instant(st_, "sort_desc(s)", 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(GetLabel(r->vector[0].labels, "k"), "a");
  EXPECT_EQ(GetLabel(r->vector[2].labels, "k"), "c");
  // Element-wise operations keep the sorted order; aggregations do not.
  r = engine_.Instant(st_, "-abs(sort(s)) * 2", 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(GetLabel(r->vector[0].labels, "k"), "c");
  EXPECT_EQ(GetLabel(r->vector[2].labels, "k"), "a");
  r = engine_.Instant(st_, "max by (k) (sort(s))", 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(GetLabel(r->vector[0].labels, "k"), "a");
}

TEST_F(EngineTest, RangeQueriesEvaluateEveryStep) {
  Load(&st_, 60000, R"(c{j="x"} 0+60x10)");
  Load(&st_, 60000, R"(c{j="a"} 0+120x10)");
  Result<QueryResult> r =
      engine_.Range(st_, "rate(c[2m])", 120000, 600000, 60000);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->type, ValueType::kMatrix);
  ASSERT_EQ(r->matrix.size(), 2u);
  EXPECT_EQ(r->matrix[0].labels, L({{"j", "a"}}));  // Sorted by labels.
  ASSERT_EQ(r->matrix[1].points.size(), 9u);
  for (size_t i = 0; i < 9; ++i) {
    EXPECT_EQ(r->matrix[1].points[i].t,
              120000 + 60000 * static_cast<int64_t>(i));
    EXPECT_DOUBLE_EQ(r->matrix[1].points[i].v, 1.0);
  }
  // A scalar range query is one series without labels.
  r = engine_.Range(st_, "time()", 0, 120000, 60000);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->matrix.size(), 1u);
  EXPECT_TRUE(r->matrix[0].labels.empty());
  EXPECT_DOUBLE_EQ(r->matrix[0].points[2].v, 120.0);
}

TEST_F(EngineTest, ResultShapesAndArgumentErrors) {
  Load(&st_, 10000, "m 1 2 3 stale");
  Result<QueryResult> r = engine_.Instant(st_, "m[25s]", 30000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, ValueType::kMatrix);
  ASSERT_EQ(r->matrix.size(), 1u);
  EXPECT_EQ(r->matrix[0].points.size(), 2u);  // 20s and the marker dropped.
  r = engine_.Instant(st_, "\"text\"", 5000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, ValueType::kString);
  EXPECT_EQ(r->string_value, "text");
  EXPECT_EQ(engine_.Range(st_, "m[1m]", 0, 10, 1).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(engine_.Range(st_, "m", 0, 10, 0).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(engine_.Range(st_, "m", 10, 0, 1).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(engine_.Range(st_, "m", 0, 11000, 1).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(engine_.Range(st_, "m", 0, 10999, 1).ok());
  EXPECT_EQ(engine_.Instant(st_, "sum(", 0).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(EngineLimitsTest, MaxSamples) {
  MemStorage st;
  Load(&st, 1000, "m 0+1x100");
  EngineOptions o;
  o.max_samples = 50;
  Engine e(o);
  Result<QueryResult> r = e.Instant(st, "sum_over_time(m[100s])", 100000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(e.Instant(st, "sum_over_time(m[40s])", 100000).ok());
  EXPECT_EQ(e.Range(st, "m", 0, 100000, 1000).status().code(),
            StatusCode::kResourceExhausted);
}

TEST(EngineLimitsTest, HostileInputsFailCleanly) {
  MemStorage st;
  Load(&st, 1000, "m 1");
  Engine e;
  EXPECT_EQ(e.Instant(st, "m", int64_t{1} << 62).status().code(),
            StatusCode::kInvalidArgument);
  // A subquery grid longer than the sample limit is refused up front.
  EXPECT_EQ(
      e.Instant(st, "max_over_time(vector(1)[200y:1ms])", 0).status().code(),
      StatusCode::kResourceExhausted);
  // A call built by hand with too few arguments is rejected, not indexed.
  Call call;
  call.func = FindFunction("histogram_quantile");
  ASSERT_NE(call.func, nullptr);
  auto q = std::make_unique<NumberLiteral>();
  q->value = 0.5;
  call.args.push_back(std::move(q));
  EXPECT_EQ(e.InstantExpr(st, call, 0).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(EngineLimitsTest, Timeout) {
  MemStorage st;
  Load(&st, 1000, "m 0+1x100");
  EngineOptions o;
  o.timeout = std::chrono::milliseconds(0);
  Engine e(o);
  Result<QueryResult> r = e.Range(st, "m", 0, 100000, 100);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace tend::promql
