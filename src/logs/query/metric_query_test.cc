// Metric queries: range aggregations over windows, grouping, vector
// aggregations and binary operators, checked against loops over the input.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "logs/query/query_test_util.h"

namespace tend::logql {
namespace {

using logs::Direction;

// Synthetic access lines: line i at kT0 + i seconds for i < 600,
// status cycling 200/200/404/500, latency i % 10 ms, two hosts.
class MetricQueryTest : public ::testing::Test {
 protected:
  static int Status(int i) {
    static const int kS[] = {200, 200, 404, 500};
    return kS[i % 4];
  }
  static std::string Host(int i) { return i % 3 == 0 ? "a" : "b"; }
  std::string Line(int i) const {
    return "status=" + std::to_string(Status(i)) +
           " latency=" + std::to_string(i % 10) +
           "ms bytes=" + std::to_string(100 + i) + " msg=\"req " +
           std::to_string(i) + "\"";
  }
  void SetUp() override {
    ASSERT_TRUE(db_.ok());
    for (int i = 0; i < 600; ++i) {
      ASSERT_TRUE(db_.store()
                      .Append({{"app", "nginx"}, {"host", Host(i)}},
                              kT0 + i * kSec, Line(i))
                      .ok());
    }
    ASSERT_TRUE(db_.store().Commit().ok());
  }
  // Lines with time in (t - range, t].
  template <typename Pred>
  std::vector<int> Window(int64_t t, int64_t range, Pred pred) const {
    std::vector<int> out;
    for (int i = 0; i < 600; ++i) {
      const int64_t ti = kT0 + i * kSec;
      if (ti > t - range && ti <= t && pred(i)) out.push_back(i);
    }
    return out;
  }
  TestStore db_;
};

TEST_F(MetricQueryTest, CountOverTimeInstantWindowBoundaries) {
  // At kT0 + 100 s with [1m]: lines 41..100 (60 lines), left-open window.
  const int64_t t = kT0 + 100 * kSec;
  auto r =
      InstantQuery(db_.store(), R"(count_over_time({app="nginx"}[1m]))", t);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->type, ResultType::kVector);
  std::map<std::string, double> got;
  for (const auto& s : r->metric.vector) {
    got[std::string(GetLabel(s.labels, "host"))] = s.v;
    EXPECT_EQ(s.t, t / 1'000'000);
  }
  std::map<std::string, double> want;
  for (int i : Window(t, 60 * kSec, [](int) { return true; })) {
    want[Host(i)] += 1;
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(want["a"] + want["b"], 60);
}

TEST_F(MetricQueryTest, RangeQuerySumByStatusMatchesLoop) {
  const int64_t start = kT0 + 60 * kSec, end = kT0 + 590 * kSec;
  const int64_t step = 15 * kSec;
  auto r = RangeQuery(
      db_.store(),
      R"(sum by (status) (count_over_time({app="nginx"} | logfmt [1m])))",
      start, end, step, Direction::kBackward, 0);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->type, ResultType::kMatrix);
  std::map<std::string, std::map<int64_t, double>> want, got;
  for (int64_t t = start; t <= end; t += step) {
    for (int i : Window(t, 60 * kSec, [](int) { return true; })) {
      want[std::to_string(Status(i))][t / 1'000'000] += 1;
    }
  }
  for (const auto& s : r->metric.matrix) {
    ASSERT_EQ(s.labels.size(), 1u);
    for (const auto& p : s.points) {
      got[std::string(GetLabel(s.labels, "status"))][p.t] = p.v;
    }
  }
  EXPECT_EQ(got, want);
}

TEST_F(MetricQueryTest, RateBytesAndOffset) {
  const int64_t t = kT0 + 300 * kSec;
  auto rate = InstantQuery(
      db_.store(), R"(sum(rate({app="nginx"} |= "status=500" [2m])))", t);
  ASSERT_TRUE(rate.ok()) << rate.status().ToString();
  const auto w = Window(t, 120 * kSec, [](int i) { return Status(i) == 500; });
  ASSERT_EQ(rate->metric.vector.size(), 1u);
  EXPECT_DOUBLE_EQ(rate->metric.vector[0].v, w.size() / 120.0);
  auto bytes = InstantQuery(
      db_.store(), R"(sum(bytes_over_time({app="nginx"}[30s] offset 1m)))", t);
  ASSERT_TRUE(bytes.ok());
  double want_bytes = 0;
  for (int i : Window(t - 60 * kSec, 30 * kSec, [](int) { return true; })) {
    want_bytes += static_cast<double>(Line(i).size());
  }
  ASSERT_EQ(bytes->metric.vector.size(), 1u);
  EXPECT_DOUBLE_EQ(bytes->metric.vector[0].v, want_bytes);
}

TEST_F(MetricQueryTest, UnwrapAggregations) {
  const int64_t t = kT0 + 400 * kSec;
  const auto w = Window(t, 60 * kSec, [](int) { return true; });
  std::vector<double> lat;
  for (int i : w) lat.push_back((i % 10) / 1000.0);
  double sum = 0, mx = -1, mn = 1e9;
  for (double v : lat) {
    sum += v;
    mx = std::max(mx, v);
    mn = std::min(mn, v);
  }
  const double avg = sum / lat.size();
  double var = 0;
  for (double v : lat) var += (v - avg) * (v - avg);
  var /= lat.size();
  struct Case {
    const char* fn;
    double want;
  } cases[] = {{"sum_over_time", sum},
               {"avg_over_time", avg},
               {"max_over_time", mx},
               {"min_over_time", mn},
               {"stdvar_over_time", var},
               {"stddev_over_time", std::sqrt(var)},
               {"first_over_time", lat.front()},
               {"last_over_time", lat.back()}};
  for (const Case& c : cases) {
    const std::string q =
        std::string(c.fn) +
        R"(({app="nginx"} | logfmt | unwrap duration(latency) [1m]) by (app))";
    auto r = InstantQuery(db_.store(), q, t);
    ASSERT_TRUE(r.ok()) << q << ": " << r.status().ToString();
    ASSERT_EQ(r->metric.vector.size(), 1u) << q;
    EXPECT_EQ(r->metric.vector[0].labels, (Labels{{"app", "nginx"}})) << q;
    EXPECT_NEAR(r->metric.vector[0].v, c.want, 1e-12) << q;
  }
  // quantile_over_time: 0.5 of 0..9 ms repeated six times.
  auto q = InstantQuery(
      db_.store(),
      R"(quantile_over_time(0.5, {app="nginx"} | logfmt | unwrap bytes [1m]) by (app))",
      t);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  std::vector<double> b;
  for (int i : w) b.push_back(100 + i);
  std::sort(b.begin(), b.end());
  const double rank = 0.5 * (b.size() - 1);
  const double want =
      b[static_cast<size_t>(rank)] +
      (rank - std::floor(rank)) *
          (b[static_cast<size_t>(rank) + 1] - b[static_cast<size_t>(rank)]);
  ASSERT_EQ(q->metric.vector.size(), 1u);
  EXPECT_DOUBLE_EQ(q->metric.vector[0].v, want);
}

TEST_F(MetricQueryTest, UnwrapDropsLabelAndErrorsFailOrFilter) {
  const int64_t t = kT0 + 400 * kSec;
  // Without grouping the unwrapped label leaves the series labels.
  auto r = InstantQuery(
      db_.store(),
      R"(sum_over_time({app="nginx", host="a"} | logfmt | keep app, host, bytes | unwrap bytes [1m]))",
      t);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->metric.vector.size(), 1u);
  EXPECT_EQ(r->metric.vector[0].labels,
            (Labels{{"app", "nginx"}, {"host", "a"}}));
  // `msg` is not a number: SampleExtractionErr fails the query...
  auto bad = InstantQuery(
      db_.store(), R"(sum_over_time({app="nginx"} | logfmt | unwrap msg [1m]))",
      t);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("SampleExtractionErr"),
            std::string::npos);
  // ... unless filtered after unwrap.
  auto ok = InstantQuery(
      db_.store(),
      R"(sum_over_time({app="nginx"} | logfmt | unwrap msg | __error__="" [1m]))",
      t);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(ok->metric.vector.empty());
}

TEST_F(MetricQueryTest, VectorAggregationsTopkAndBinary) {
  const int64_t t = kT0 + 200 * kSec;
  auto top = InstantQuery(
      db_.store(),
      R"(topk(1, sum by (host) (count_over_time({app="nginx"}[1m]))))", t);
  ASSERT_TRUE(top.ok()) << top.status().ToString();
  ASSERT_EQ(top->metric.vector.size(), 1u);
  std::map<std::string, double> per_host;
  for (int i : Window(t, 60 * kSec, [](int) { return true; })) {
    per_host[Host(i)] += 1;
  }
  EXPECT_EQ(GetLabel(top->metric.vector[0].labels, "host"),
            per_host["a"] > per_host["b"] ? "a" : "b");
  auto ratio = InstantQuery(
      db_.store(),
      R"(sum(count_over_time({app="nginx"} |= "status=500" [1m])) / sum(count_over_time({app="nginx"}[1m])) * 100)",
      t);
  ASSERT_TRUE(ratio.ok()) << ratio.status().ToString();
  ASSERT_EQ(ratio->metric.vector.size(), 1u);
  const auto all = Window(t, 60 * kSec, [](int) { return true; });
  const auto err = Window(t, 60 * kSec, [](int i) { return Status(i) == 500; });
  EXPECT_DOUBLE_EQ(ratio->metric.vector[0].v, 100.0 * err.size() / all.size());
  auto cmp = InstantQuery(
      db_.store(), R"(sum by (host) (count_over_time({app="nginx"}[1m])) > 30)",
      t);
  ASSERT_TRUE(cmp.ok());
  for (const auto& s : cmp->metric.vector) EXPECT_GT(s.v, 30);
  auto cmpb = InstantQuery(
      db_.store(),
      R"(sum by (host) (count_over_time({app="nginx"}[1m])) > bool 30)", t);
  ASSERT_TRUE(cmpb.ok());
  EXPECT_EQ(cmpb->metric.vector.size(), 2u);
  auto scalar = InstantQuery(db_.store(), "1 + 2 * 3", t);
  ASSERT_TRUE(scalar.ok());
  EXPECT_EQ(scalar->type, ResultType::kScalar);
  EXPECT_EQ(scalar->metric.scalar.v, 7);
}

TEST_F(MetricQueryTest, AbsentAndEmptyAndSeriesLimit) {
  auto absent = InstantQuery(
      db_.store(), R"(absent_over_time({app="nginx", host="zz"}[1m]))",
      kT0 + 100 * kSec);
  ASSERT_TRUE(absent.ok());
  ASSERT_EQ(absent->metric.vector.size(), 1u);
  EXPECT_EQ(absent->metric.vector[0].labels,
            (Labels{{"app", "nginx"}, {"host", "zz"}}));
  auto present = InstantQuery(
      db_.store(), R"(absent_over_time({app="nginx"}[1m]))", kT0 + 100 * kSec);
  ASSERT_TRUE(present.ok());
  EXPECT_TRUE(present->metric.vector.empty());
  // Before the first line: no samples at all.
  auto empty = InstantQuery(db_.store(),
                            R"(count_over_time({app="nginx"}[1m]))", kT0 - 1);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->metric.vector.empty());
  QueryLimits lim;
  lim.max_series = 5;
  auto many = InstantQuery(
      db_.store(),
      R"(count_over_time({app="nginx"} | logfmt | drop latency, status [10m]))",
      kT0 + 599 * kSec, lim);
  ASSERT_FALSE(many.ok());
  EXPECT_EQ(many.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(many.status().message().find("max_series"), std::string::npos);
  // The limit is on the result: the same lines summed into one series pass.
  auto summed = InstantQuery(
      db_.store(),
      R"(sum(count_over_time({app="nginx"} | logfmt | drop latency, status [10m])))",
      kT0 + 599 * kSec, lim);
  ASSERT_TRUE(summed.ok()) << summed.status().ToString();
  EXPECT_EQ(summed->metric.vector.size(), 1u);
  // Memory before aggregating has its own bound.
  lim.max_intermediate_series = 5;
  auto inner = InstantQuery(
      db_.store(),
      R"(sum(count_over_time({app="nginx"} | logfmt | drop latency, status [10m])))",
      kT0 + 599 * kSec, lim);
  ASSERT_FALSE(inner.ok());
  EXPECT_NE(inner.status().message().find("max_intermediate_series"),
            std::string::npos);
}

// Grafana's Loki data source checks its connection with this query at
// time=4s; it must answer a one-element vector [2].
TEST_F(MetricQueryTest, VectorLiteralForGrafanasHealthCheck) {
  auto r = InstantQuery(db_.store(), "vector(1)+vector(1)", 4 * kSec);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->type, ResultType::kVector);
  ASSERT_EQ(r->metric.vector.size(), 1u);
  EXPECT_TRUE(r->metric.vector[0].labels.empty());
  EXPECT_EQ(r->metric.vector[0].v, 2);
  // Against a real series: vector(N) has no labels, so only a series
  // without labels would match; count_over_time's series have labels.
  auto scaled = InstantQuery(
      db_.store(), R"(sum(count_over_time({app="nginx"}[1m])) * vector(0))",
      kT0 + 30 * kSec);
  ASSERT_TRUE(scaled.ok()) << scaled.status().ToString();
}

}  // namespace
}  // namespace tend::logql
