// The alert state machine against Prometheus's rules/alerting.go semantics.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "alert/engine/engine_test_util.h"
#include "alert/engine/rule_manager.h"
#include "base/clock.h"

namespace tend::alert {
namespace {

using namespace testing;  // NOLINT

class StateMachineTest : public ::testing::Test {
 protected:
  void LoadRules(std::vector<Rule> rules, int64_t limit = 0) {
    RuleManagerOptions o;
    o.clock = &clock_;
    manager_ = std::make_unique<RuleManager>(o, w_.ctx);
    RuleFile f = OneGroup(std::move(rules));
    f.groups[0].limit = limit;
    ASSERT_TRUE(manager_->Load({std::move(f)}).ok());
  }
  // Sets load{host="a"} and evaluates at kT0 + step minutes.
  EvalOutput Step(int step, double load) {
    const int64_t t = kT0 + step * kMin;
    w_.Set("load", {{"host", "a"}}, t, load);
    return manager_->EvaluateAll(t);
  }
  std::vector<std::string> Outcomes(const EvalOutput& out) {
    std::vector<std::string> o;
    for (const auto& e : out.events) o.push_back(e.outcome);
    return o;
  }
  AlertState RuleState() { return manager_->Snapshot()[0].rules[0].state; }

  World w_;
  FakeClock clock_;
  std::unique_ptr<RuleManager> manager_;
};

TEST_F(StateMachineTest, PendingThenFiringAfterForThenResolved) {
  LoadRules({AlertRule("HighLoad", "load > 5", 2 * kMin)});
  EvalOutput o = Step(0, 10);
  EXPECT_EQ(Outcomes(o), std::vector<std::string>{"pending"});
  EXPECT_TRUE(o.alerts.empty());  // Pending alerts are not handed on.
  EXPECT_EQ(RuleState(), AlertState::kPending);

  o = Step(1, 10);
  EXPECT_TRUE(o.events.empty());
  EXPECT_TRUE(o.alerts.empty());

  o = Step(2, 10);
  EXPECT_EQ(Outcomes(o), std::vector<std::string>{"firing"});
  ASSERT_EQ(o.alerts.size(), 1u);
  const Alert& a = o.alerts[0];
  EXPECT_EQ(GetLabel(a.labels, "alertname"), "HighLoad");
  EXPECT_EQ(GetLabel(a.labels, "host"), "a");
  EXPECT_EQ(GetLabel(a.labels, "__name__"), "");
  EXPECT_EQ(a.starts_at_ms, kT0 + 2 * kMin);
  EXPECT_TRUE(a.firing());
  EXPECT_EQ(a.value, 10);
  // A link to the rule's query at this agent's API (no external_url set).
  EXPECT_EQ(a.generator, "/api/v1/query?query=load+%3E+5");
  EXPECT_EQ(o.events[0].subject, "HighLoad");
  EXPECT_EQ(o.events[0].kind, "alert");

  // Still firing: handed on again (resend delay 0), no new event.
  o = Step(3, 12);
  EXPECT_TRUE(o.events.empty());
  ASSERT_EQ(o.alerts.size(), 1u);
  EXPECT_EQ(o.alerts[0].value, 12);
  EXPECT_EQ(o.alerts[0].starts_at_ms, kT0 + 2 * kMin);

  o = Step(4, 1);
  EXPECT_EQ(Outcomes(o), std::vector<std::string>{"resolved"});
  ASSERT_EQ(o.alerts.size(), 1u);
  EXPECT_EQ(o.alerts[0].ends_at_ms, kT0 + 4 * kMin);
  EXPECT_EQ(o.alerts[0].starts_at_ms, kT0 + 2 * kMin);
  EXPECT_EQ(RuleState(), AlertState::kInactive);
  // Resolved alerts are not in the API's active alerts.
  EXPECT_TRUE(manager_->Snapshot()[0].rules[0].alerts.empty());
}

TEST_F(StateMachineTest, ForZeroFiresAtOnce) {
  LoadRules({AlertRule("HighLoad", "load > 5")});
  EvalOutput o = Step(0, 10);
  EXPECT_EQ(Outcomes(o), std::vector<std::string>{"firing"});
  ASSERT_EQ(o.alerts.size(), 1u);
  EXPECT_EQ(o.alerts[0].starts_at_ms, kT0);
}

TEST_F(StateMachineTest, ResolvedKeptForRetentionThenDropped) {
  LoadRules({AlertRule("HighLoad", "load > 5")});
  Step(0, 10);
  EvalOutput o = Step(1, 0);
  ASSERT_EQ(o.alerts.size(), 1u);
  // Handed on as resolved for 15 minutes after ResolvedAt.
  for (int s = 2; s <= 16; ++s) {
    o = Step(s, 0);
    ASSERT_EQ(o.alerts.size(), 1u) << "step " << s;
    EXPECT_EQ(o.alerts[0].ends_at_ms, kT0 + kMin);
    EXPECT_TRUE(o.events.empty());
  }
  o = Step(17, 0);  // 16 minutes after resolving: dropped.
  EXPECT_TRUE(o.alerts.empty());
  EXPECT_TRUE(o.events.empty());
}

TEST_F(StateMachineTest, RefireAfterResolveIsANewAlert) {
  LoadRules({AlertRule("HighLoad", "load > 5", kMin)});
  Step(0, 10);
  Step(1, 10);  // Fires.
  Step(2, 0);   // Resolves.
  EvalOutput o = Step(3, 10);
  EXPECT_EQ(Outcomes(o), std::vector<std::string>{"pending"});
  // The resolved one was replaced: nothing to hand on now.
  EXPECT_TRUE(o.alerts.empty());
  auto snap = manager_->Snapshot();
  ASSERT_EQ(snap[0].rules[0].alerts.size(), 1u);
  EXPECT_EQ(snap[0].rules[0].alerts[0].active_at_ms, kT0 + 3 * kMin);
  o = Step(4, 10);
  EXPECT_EQ(Outcomes(o), std::vector<std::string>{"firing"});
  ASSERT_EQ(o.alerts.size(), 1u);
  EXPECT_EQ(o.alerts[0].starts_at_ms, kT0 + 4 * kMin);
}

TEST_F(StateMachineTest, PendingThatDisappearsIsDroppedSilently) {
  LoadRules({AlertRule("HighLoad", "load > 5", 5 * kMin)});
  Step(0, 10);
  EvalOutput o = Step(1, 0);
  EXPECT_TRUE(o.events.empty());
  EXPECT_TRUE(o.alerts.empty());
  EXPECT_TRUE(manager_->Snapshot()[0].rules[0].alerts.empty());
  // Flapping back restarts the `for` timer.
  Step(2, 10);
  o = Step(6, 10);
  EXPECT_TRUE(o.alerts.empty());
  auto snap = manager_->Snapshot();
  ASSERT_EQ(snap[0].rules[0].alerts.size(), 1u);
  EXPECT_EQ(snap[0].rules[0].alerts[0].active_at_ms, kT0 + 2 * kMin);
  o = Step(7, 10);  // Five minutes after it came back.
  ASSERT_EQ(o.alerts.size(), 1u);
  EXPECT_EQ(o.alerts[0].starts_at_ms, kT0 + 7 * kMin);
}

TEST_F(StateMachineTest, FlappingFiringAlertResolvesAndRestartsPending) {
  LoadRules({AlertRule("HighLoad", "load > 5", 2 * kMin)});
  std::vector<std::string> all;
  const double values[] = {10, 10, 10, 0, 10, 0, 10, 10, 10};
  for (int s = 0; s < 9; ++s) {
    for (auto& x : Outcomes(Step(s, values[s]))) {
      all.push_back(std::to_string(s) + ":" + x);
    }
  }
  EXPECT_EQ(all,
            (std::vector<std::string>{"0:pending", "2:firing", "3:resolved",
                                      "4:pending", "6:pending", "8:firing"}));
}

TEST_F(StateMachineTest, KeepFiringForHoldsFiringAfterConditionStops) {
  LoadRules({AlertRule("HighLoad", "load > 5", 0, 3 * kMin)});
  EXPECT_EQ(Outcomes(Step(0, 10)), std::vector<std::string>{"firing"});
  for (int s = 1; s <= 3; ++s) {
    EvalOutput o = Step(s, 0);
    EXPECT_TRUE(o.events.empty()) << "step " << s;
    ASSERT_EQ(o.alerts.size(), 1u);
    EXPECT_TRUE(o.alerts[0].firing()) << "step " << s;
  }
  auto snap = manager_->Snapshot();
  ASSERT_EQ(snap[0].rules[0].alerts.size(), 1u);
  EXPECT_EQ(snap[0].rules[0].alerts[0].keep_firing_since_ms, kT0 + kMin);
  EvalOutput o = Step(4, 0);  // 3 minutes after it stopped.
  EXPECT_EQ(Outcomes(o), std::vector<std::string>{"resolved"});
  ASSERT_EQ(o.alerts.size(), 1u);
  EXPECT_EQ(o.alerts[0].ends_at_ms, kT0 + 4 * kMin);
}

TEST_F(StateMachineTest, KeepFiringResetsWhenConditionReturns) {
  LoadRules({AlertRule("HighLoad", "load > 5", 0, 2 * kMin)});
  Step(0, 10);
  Step(1, 0);   // keep_firing_since = 1.
  Step(2, 10);  // Back: since reset.
  Step(3, 0);   // since = 3.
  EvalOutput o = Step(4, 0);
  EXPECT_TRUE(o.events.empty());
  EXPECT_TRUE(o.alerts[0].firing());
  o = Step(5, 0);
  EXPECT_EQ(Outcomes(o), std::vector<std::string>{"resolved"});
}

TEST_F(StateMachineTest, ErrorsAreHealthAndLeaveStateUnchanged) {
  // Once a second host appears, the rule's `host` label makes two alerts
  // with one label set: Prometheus's evaluation error.
  Rule bad = AlertRule("HighLoad", "load > 5");
  bad.labels = Plain({{"host", "same"}});
  LoadRules({bad});
  EXPECT_EQ(Outcomes(Step(0, 10)), std::vector<std::string>{"firing"});
  auto snap = manager_->Snapshot();
  EXPECT_EQ(snap[0].rules[0].health, RuleHealth::kGood);
  EXPECT_EQ(snap[0].rules[0].last_error, "");
  w_.Set("load", {{"host", "b"}}, kT0 + kMin, 10);
  EvalOutput o = Step(1, 10);
  EXPECT_EQ(o.rule_failures, 1u);
  EXPECT_TRUE(o.alerts.empty());
  EXPECT_TRUE(o.events.empty());
  snap = manager_->Snapshot();
  EXPECT_EQ(snap[0].rules[0].health, RuleHealth::kBad);
  EXPECT_NE(snap[0].rules[0].last_error.find("same labelset"),
            std::string::npos);
  EXPECT_EQ(snap[0].rules[0].last_eval_ms, kT0 + kMin);
  ASSERT_EQ(snap[0].rules[0].alerts.size(), 1u);
  EXPECT_EQ(snap[0].rules[0].alerts[0].state, AlertState::kFiring);

  MetricSet m;
  manager_->CollectMetrics(&m);
  const MetricFamily* f = m.Find("tend_rule_evaluation_failures_total");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->samples[0].value, 1);
}

TEST_F(StateMachineTest, LogRuleWithoutLogStoreIsAnError) {
  Rule r = AlertRule("Timeouts", "");
  r.language = QueryLanguage::kLogQL;
  r.expr = R"(count_over_time({app="nginx"} |= "timeout" [5m]) > 10)";
  r.promql = nullptr;
  LoadRules({r});
  EvalOutput o = Step(0, 1);
  EXPECT_EQ(o.rule_failures, 1u);
  auto snap = manager_->Snapshot();
  EXPECT_EQ(snap[0].rules[0].health, RuleHealth::kBad);
  EXPECT_NE(snap[0].rules[0].last_error.find("log"), std::string::npos);
}

TEST_F(StateMachineTest, LimitExceededDropsAlerts) {
  LoadRules({AlertRule("HighLoad", "load > 5")}, /*limit=*/1);
  w_.Set("load", {{"host", "b"}}, kT0, 10);
  EvalOutput o = Step(0, 10);
  EXPECT_EQ(o.rule_failures, 1u);
  auto snap = manager_->Snapshot();
  EXPECT_EQ(snap[0].rules[0].last_error, "exceeded limit of 1 with 2 alerts");
  EXPECT_TRUE(snap[0].rules[0].alerts.empty());
}

TEST_F(StateMachineTest, WritesAlertsSeriesAndStaleMarkers) {
  LoadRules({AlertRule("HighLoad", "load > 5", kMin)});
  Step(0, 10);
  auto alerts = w_.sink.At("ALERTS", kT0);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(GetLabel(alerts[0].labels, "alertstate"), "pending");
  EXPECT_EQ(GetLabel(alerts[0].labels, "alertname"), "HighLoad");
  EXPECT_EQ(alerts[0].v, 1);
  auto for_state = w_.sink.At("ALERTS_FOR_STATE", kT0);
  ASSERT_EQ(for_state.size(), 1u);
  EXPECT_EQ(for_state[0].v, kT0 / 1000);
  EXPECT_EQ(GetLabel(for_state[0].labels, "alertstate"), "");

  Step(1, 10);  // Fires: the pending series goes stale.
  alerts = w_.sink.At("ALERTS", kT0 + kMin);
  ASSERT_EQ(alerts.size(), 2u);
  int firing = 0, stale = 0;
  for (const auto& s : alerts) {
    if (GetLabel(s.labels, "alertstate") == "firing" && s.v == 1) ++firing;
    if (GetLabel(s.labels, "alertstate") == "pending" && IsStaleNaN(s.v)) {
      ++stale;
    }
  }
  EXPECT_EQ(firing, 1);
  EXPECT_EQ(stale, 1);
}

TEST_F(StateMachineTest, ScalarResultIsOneAlertWithoutLabels) {
  LoadRules({AlertRule("Always", "1 + 1")});
  EvalOutput o = Step(0, 0);
  ASSERT_EQ(o.alerts.size(), 1u);
  EXPECT_EQ(o.alerts[0].labels, (Labels{{"alertname", "Always"}}));
  EXPECT_EQ(o.alerts[0].value, 2);
}

TEST_F(StateMachineTest, EvaluateDueFollowsTheInterval) {
  LoadRules({AlertRule("HighLoad", "load > 5")});
  std::vector<int64_t> evaluated;
  for (int64_t now = kT0; now < kT0 + 5 * kMin; now += 10'000) {
    w_.Set("load", {{"host", "a"}}, now, 10);
    EvalOutput o = manager_->EvaluateDue(now);
    if (o.groups_evaluated > 0) {
      evaluated.push_back(manager_->Snapshot()[0].last_eval_ms);
    }
  }
  ASSERT_GE(evaluated.size(), 4u);
  ASSERT_LE(evaluated.size(), 5u);
  for (size_t i = 1; i < evaluated.size(); ++i) {
    EXPECT_EQ(evaluated[i] - evaluated[i - 1], kMin);
  }
  // Slots are aligned to the interval plus a fixed per-group offset.
  EXPECT_EQ(manager_->NextDueMs(), evaluated.back() + kMin);
}

}  // namespace
}  // namespace tend::alert
