// Record rules: renamed result series handed to the sink, Prometheus's
// errors, group limit, stale markers and chaining within a group.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "alert/engine/engine_test_util.h"
#include "alert/engine/rule_manager.h"
#include "base/clock.h"

namespace tend::alert {
namespace {

using namespace testing;  // NOLINT

class RecordRuleTest : public ::testing::Test {
 protected:
  void LoadRules(std::vector<Rule> rules, int64_t limit = 0) {
    RuleManagerOptions o;
    o.clock = &clock_;
    manager_ = std::make_unique<RuleManager>(o, w_.ctx);
    RuleFile f = OneGroup(std::move(rules));
    f.groups[0].limit = limit;
    ASSERT_TRUE(manager_->Load({std::move(f)}).ok());
  }
  RuleSnapshot Rule0() { return manager_->Snapshot()[0].rules[0]; }

  World w_;
  FakeClock clock_;
  std::unique_ptr<RuleManager> manager_;
};

TEST_F(RecordRuleTest, WritesRenamedSeriesWithRuleLabels) {
  w_.Set("up", {{"job", "node"}, {"instance", "a"}}, kT0, 1);
  w_.Set("up", {{"job", "node"}, {"instance", "b"}}, kT0, 0);
  w_.Set("up", {{"job", "api"}, {"instance", "c"}}, kT0, 1);
  Rule r = RecordRule("job:up:sum", "sum by (job) (up)");
  r.labels = Plain({{"team", "ops"}});
  LoadRules({r});
  EvalOutput o = manager_->EvaluateAll(kT0);
  EXPECT_EQ(o.rule_failures, 0u);
  EXPECT_TRUE(o.alerts.empty());
  auto got = w_.sink.At("job:up:sum", kT0);
  ASSERT_EQ(got.size(), 2u);
  std::map<std::string, double> by_job;
  for (const auto& s : got) {
    EXPECT_EQ(GetLabel(s.labels, "team"), "ops");
    EXPECT_TRUE(IsCanonical(s.labels));
    by_job[std::string(GetLabel(s.labels, "job"))] = s.v;
  }
  EXPECT_EQ(by_job["node"], 1);
  EXPECT_EQ(by_job["api"], 1);
  EXPECT_EQ(Rule0().health, RuleHealth::kGood);
}

TEST_F(RecordRuleTest, ScalarBecomesOneSeries) {
  LoadRules({RecordRule("answer", "40 + 2")});
  manager_->EvaluateAll(kT0);
  auto got = w_.sink.At("answer", kT0);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].labels, (Labels{{"__name__", "answer"}}));
  EXPECT_EQ(got[0].v, 42);
}

TEST_F(RecordRuleTest, DuplicateLabelSetsFail) {
  w_.Set("m", {{"i", "1"}}, kT0, 1);
  w_.Set("m", {{"i", "2"}}, kT0, 2);
  Rule r = RecordRule("m:copy", "m");
  r.labels = Plain({{"i", "x"}});
  LoadRules({r});
  EvalOutput o = manager_->EvaluateAll(kT0);
  EXPECT_EQ(o.rule_failures, 1u);
  EXPECT_TRUE(w_.sink.At("m:copy", kT0).empty());
  EXPECT_EQ(Rule0().health, RuleHealth::kBad);
  EXPECT_EQ(Rule0().last_error,
            "vector contains metrics with the same labelset after applying "
            "rule labels");
}

TEST_F(RecordRuleTest, GroupLimitFails) {
  w_.Set("m", {{"i", "1"}}, kT0, 1);
  w_.Set("m", {{"i", "2"}}, kT0, 2);
  LoadRules({RecordRule("m:copy", "m")}, /*limit=*/1);
  EvalOutput o = manager_->EvaluateAll(kT0);
  EXPECT_EQ(o.rule_failures, 1u);
  EXPECT_EQ(Rule0().last_error, "exceeded limit of 1 with 2 series");
  EXPECT_TRUE(w_.sink.At("m:copy", kT0).empty());
}

TEST_F(RecordRuleTest, QueryErrorIsHealth) {
  // A range vector is not a valid rule result.
  LoadRules({RecordRule("bad", "m[5m]")});
  w_.Set("m", {{"i", "1"}}, kT0, 1);
  EvalOutput o = manager_->EvaluateAll(kT0);
  EXPECT_EQ(o.rule_failures, 1u);
  EXPECT_EQ(Rule0().last_error, "rule result is not a vector or scalar");
}

TEST_F(RecordRuleTest, SeriesThatDisappearGetStaleMarkers) {
  w_.Set("m", {{"i", "1"}}, kT0, 1);
  w_.Set("m", {{"i", "2"}}, kT0, 2);
  LoadRules({RecordRule("m:pos", "m > 0")});
  manager_->EvaluateAll(kT0);
  EXPECT_EQ(w_.sink.At("m:pos", kT0).size(), 2u);
  w_.Set("m", {{"i", "1"}}, kT0 + kMin, 1);
  w_.Set("m", {{"i", "2"}}, kT0 + kMin, -1);
  manager_->EvaluateAll(kT0 + kMin);
  auto got = w_.sink.At("m:pos", kT0 + kMin);
  ASSERT_EQ(got.size(), 2u);
  for (const auto& s : got) {
    if (GetLabel(s.labels, "i") == "2") {
      EXPECT_TRUE(IsStaleNaN(s.v));
    } else {
      EXPECT_EQ(s.v, 1);
    }
  }
  // Only once.
  manager_->EvaluateAll(kT0 + 2 * kMin);
  EXPECT_EQ(w_.sink.At("m:pos", kT0 + 2 * kMin).size(), 1u);
}

TEST_F(RecordRuleTest, LaterRulesSeeEarlierRecords) {
  CaptureSink chaining(&w_.store);
  w_.ctx.sink = &chaining;
  w_.Set("m", {{"i", "1"}}, kT0, 3);
  w_.Set("m", {{"i", "2"}}, kT0, 4);
  LoadRules({RecordRule("m:sum", "sum(m)"), AlertRule("SumHigh", "m:sum > 5")});
  EvalOutput o = manager_->EvaluateAll(kT0);
  ASSERT_EQ(o.alerts.size(), 1u);
  EXPECT_EQ(o.alerts[0].value, 7);
}

TEST_F(RecordRuleTest, QueryOffsetShiftsTheQueryTime) {
  w_.Set("m", {{"i", "1"}}, kT0, 1);
  RuleManagerOptions opts;
  opts.clock = &clock_;
  manager_ = std::make_unique<RuleManager>(opts, w_.ctx);
  RuleFile f = OneGroup({RecordRule("m:copy", "m")});
  f.groups[0].query_offset_ms = 10 * kMin;
  ASSERT_TRUE(manager_->Load({std::move(f)}).ok());
  // At kT0 + 10m the query runs at kT0 and writes at that time.
  manager_->EvaluateAll(kT0 + 10 * kMin);
  auto got = w_.sink.At("m:copy", kT0);
  ASSERT_EQ(got.size(), 1u);
  // Without the offset the sample is out of the 5m lookback: no result.
  manager_->EvaluateAll(kT0 + 20 * kMin);
  EXPECT_TRUE(w_.sink.At("m:copy", kT0 + 10 * kMin).empty() ||
              IsStaleNaN(w_.sink.At("m:copy", kT0 + 10 * kMin)[0].v));
}

}  // namespace
}  // namespace tend::alert
