// Alert state across a simulated restart, with a real state database, and
// across configuration reloads.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "alert/engine/engine_test_util.h"
#include "alert/engine/rule_manager.h"
#include "alert/engine/state_codec.h"
#include "base/clock.h"
#include "state/state_db.h"

namespace tend::alert {
namespace {

using namespace testing;  // NOLINT

class PersistTest : public ::testing::Test {
 protected:
  // A fresh "process": opens the database and a manager at `now_ms`.
  void Start(int64_t now_ms, std::vector<Rule> rules) {
    manager_.reset();
    db_.reset();
    clock_ = std::make_unique<FakeClock>(now_ms * kNanosPerMilli);
    auto db = state::StateDb::Open(dir_.path() + "/state.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    RuleManagerOptions o;
    o.clock = clock_.get();
    o.db = db_.get();
    manager_ = std::make_unique<RuleManager>(o, w_.ctx);
    Status st = manager_->Load({OneGroup(std::move(rules))});
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  EvalOutput Eval(int64_t t, double load) {
    w_.Set("load", {{"host", "a"}}, t, load);
    return manager_->EvaluateAll(t);
  }
  size_t SavedKeys() {
    auto l = db_->List("alert_state");
    return l.ok() ? l->size() : 999;
  }

  TempDir dir_;
  World w_;
  std::unique_ptr<FakeClock> clock_;
  std::unique_ptr<state::StateDb> db_;
  std::unique_ptr<RuleManager> manager_;
};

TEST_F(PersistTest, FiringStaysFiringWithOriginalStartAndNoNewEvent) {
  Start(kT0, {AlertRule("HighLoad", "load > 5", kMin)});
  Eval(kT0, 10);
  EvalOutput o = Eval(kT0 + kMin, 10);
  ASSERT_EQ(o.events.size(), 1u);
  EXPECT_EQ(o.events[0].outcome, "firing");
  EXPECT_EQ(SavedKeys(), 1u);

  // Restart three minutes later.
  Start(kT0 + 4 * kMin, {AlertRule("HighLoad", "load > 5", kMin)});
  auto snap = manager_->Snapshot();
  ASSERT_EQ(snap[0].rules[0].alerts.size(), 1u);
  EXPECT_EQ(snap[0].rules[0].alerts[0].state, AlertState::kFiring);
  EXPECT_EQ(snap[0].rules[0].alerts[0].active_at_ms, kT0);
  o = Eval(kT0 + 4 * kMin, 10);
  EXPECT_TRUE(o.events.empty());
  ASSERT_EQ(o.alerts.size(), 1u);
  EXPECT_EQ(o.alerts[0].starts_at_ms, kT0 + kMin);
  EXPECT_TRUE(o.alerts[0].firing());

  // It resolves normally afterwards.
  o = Eval(kT0 + 5 * kMin, 0);
  ASSERT_EQ(o.events.size(), 1u);
  EXPECT_EQ(o.events[0].outcome, "resolved");
}

TEST_F(PersistTest, ResolvedIsStillHandedOnAfterRestart) {
  Start(kT0, {AlertRule("HighLoad", "load > 5")});
  Eval(kT0, 10);
  Eval(kT0 + kMin, 0);  // Resolved.
  Start(kT0 + 2 * kMin, {AlertRule("HighLoad", "load > 5")});
  EvalOutput o = Eval(kT0 + 2 * kMin, 0);
  EXPECT_TRUE(o.events.empty());
  ASSERT_EQ(o.alerts.size(), 1u);
  EXPECT_EQ(o.alerts[0].ends_at_ms, kT0 + kMin);
}

TEST_F(PersistTest, PendingKeepsActiveAtShiftedByDowntime) {
  // for: 1h, pending 10 minutes, down 2 minutes: Prometheus's
  // restore-for-state keeps ActiveAt but does not count the downtime.
  Start(kT0, {AlertRule("Slow", "load > 5", 60 * kMin)});
  Eval(kT0, 10);
  Eval(kT0 + 10 * kMin, 10);
  Start(kT0 + 12 * kMin, {AlertRule("Slow", "load > 5", 60 * kMin)});
  auto snap = manager_->Snapshot();
  ASSERT_EQ(snap[0].rules[0].alerts.size(), 1u);
  EXPECT_EQ(snap[0].rules[0].alerts[0].state, AlertState::kPending);
  EXPECT_EQ(snap[0].rules[0].alerts[0].active_at_ms, kT0 + 2 * kMin);
  EvalOutput o = Eval(kT0 + 12 * kMin, 10);
  EXPECT_TRUE(o.events.empty());  // Not a new pending alert.
  o = Eval(kT0 + 62 * kMin, 10);
  ASSERT_EQ(o.events.size(), 1u);
  EXPECT_EQ(o.events[0].outcome, "firing");
}

TEST_F(PersistTest, PendingNearFiringWaitsTheGracePeriod) {
  // for: 30m; pending 25m when stopped: 5m left < 10m grace, so it fires
  // 10 minutes after the restart.
  Start(kT0, {AlertRule("Slow", "load > 5", 30 * kMin)});
  Eval(kT0, 10);
  Eval(kT0 + 25 * kMin, 10);
  Start(kT0 + 26 * kMin, {AlertRule("Slow", "load > 5", 30 * kMin)});
  auto snap = manager_->Snapshot();
  ASSERT_EQ(snap[0].rules[0].alerts.size(), 1u);
  EXPECT_EQ(snap[0].rules[0].alerts[0].active_at_ms,
            kT0 + 26 * kMin + 10 * kMin - 30 * kMin);
  EXPECT_TRUE(Eval(kT0 + 35 * kMin, 10).events.empty());
  EvalOutput o = Eval(kT0 + 36 * kMin, 10);
  ASSERT_EQ(o.events.size(), 1u);
  EXPECT_EQ(o.events[0].outcome, "firing");
}

TEST_F(PersistTest, PendingAfterLongOutageStartsOver) {
  Start(kT0, {AlertRule("Slow", "load > 5", 30 * kMin)});
  Eval(kT0, 10);
  Start(kT0 + 2 * 60 * kMin, {AlertRule("Slow", "load > 5", 30 * kMin)});
  EXPECT_TRUE(manager_->Snapshot()[0].rules[0].alerts.empty());
}

TEST_F(PersistTest, RemovedRulesAreDroppedOnRestore) {
  Start(kT0, {AlertRule("HighLoad", "load > 5")});
  Eval(kT0, 10);
  ASSERT_EQ(SavedKeys(), 1u);
  Start(kT0 + kMin, {AlertRule("OtherName", "load > 5")});
  EXPECT_TRUE(manager_->Snapshot()[0].rules[0].alerts.empty());
  EXPECT_EQ(SavedKeys(), 0u);  // Nothing left to keep.
}

TEST_F(PersistTest, StateIsWrittenOnlyWhenItChanges) {
  Start(kT0, {AlertRule("HighLoad", "load > 5")});
  Eval(kT0, 10);
  auto first = db_->Get("alert_state", GroupKey("rules.yml", "g"));
  ASSERT_TRUE(first.ok());
  Eval(kT0 + kMin, 11);  // Same state, new value: not rewritten.
  auto second = db_->Get("alert_state", GroupKey("rules.yml", "g"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
  Eval(kT0 + 2 * kMin, 0);  // Resolved: rewritten.
  auto third = db_->Get("alert_state", GroupKey("rules.yml", "g"));
  ASSERT_TRUE(third.ok());
  EXPECT_NE(*first, *third);
  auto decoded = DecodeGroupState(*third);
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->rules.size(), 1u);
  ASSERT_EQ(decoded->rules[0].alerts.size(), 1u);
  EXPECT_EQ(decoded->rules[0].alerts[0].state, AlertState::kInactive);
  EXPECT_EQ(decoded->rules[0].alerts[0].resolved_at_ms, kT0 + 2 * kMin);
}

TEST_F(PersistTest, ReloadKeepsStateOfUnchangedRules) {
  Start(kT0, {AlertRule("A", "load > 5"), AlertRule("B", "load > 6")});
  Eval(kT0, 10);
  // Reload: A unchanged, B's expression changed.
  ASSERT_TRUE(manager_
                  ->Load({OneGroup({AlertRule("A", "load > 5"),
                                    AlertRule("B", "load > 7")})})
                  .ok());
  auto snap = manager_->Snapshot();
  ASSERT_EQ(snap[0].rules.size(), 2u);
  EXPECT_EQ(snap[0].rules[0].alerts.size(), 1u);
  EXPECT_EQ(snap[0].rules[0].health, RuleHealth::kGood);
  EXPECT_TRUE(snap[0].rules[1].alerts.empty());
  EXPECT_EQ(snap[0].rules[1].health, RuleHealth::kUnknown);
  EvalOutput o = Eval(kT0 + kMin, 10);
  // A: no new event; B: fires anew.
  ASSERT_EQ(o.events.size(), 1u);
  EXPECT_EQ(o.events[0].subject, "B");
}

TEST(StateCodecTest, RejectsDamagedRecords) {
  EXPECT_FALSE(DecodeGroupState("").ok());
  EXPECT_FALSE(DecodeGroupState("{").ok());
  EXPECT_FALSE(DecodeGroupState(R"({"v":2,"rules":[]})").ok());
  EXPECT_FALSE(DecodeGroupState(R"({"v":1,"rules":[{"name":1}]})").ok());
  EXPECT_FALSE(
      DecodeGroupState(R"({"v":1,"rules":[{"name":"a","expr":"b","alerts":[)"
                       R"({"labels":{"x":1},"state":"firing"}]}]})")
          .ok());
  EXPECT_FALSE(
      DecodeGroupState(R"({"v":1,"rules":[{"name":"a","expr":"b","alerts":[)"
                       R"({"labels":{},"state":"burning"}]}]})")
          .ok());
  auto ok = DecodeGroupState(
      R"({"v":1,"saved_at":5,"rules":[{"name":"a","expr":"b","alerts":[)"
      R"({"labels":{"b":"2","a":"1"},"state":"firing","value":"NaN",)"
      R"("active_at":3}]}]})");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->saved_at_ms, 5);
  EXPECT_EQ(ok->rules[0].alerts[0].labels, (Labels{{"a", "1"}, {"b", "2"}}));
  EXPECT_TRUE(std::isnan(ok->rules[0].alerts[0].value));
  EXPECT_EQ(ok->rules[0].alerts[0].active_at_ms, 3);
}

}  // namespace
}  // namespace tend::alert
