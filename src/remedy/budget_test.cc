#include "remedy/budget.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "base/clock.h"
#include "state/state_db.h"

namespace tend::remedy {
namespace {

constexpr int64_t kMin = 60'000;

TEST(BudgetTest, ThreeRunsInFiveMinutesThenEscalateOnceThenSkip) {
  FakeClock clock;
  auto now = [&] { return clock.NowUnixNanos() / 1'000'000; };
  Budget b({3, 5 * kMin, 0});
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(b.Check(now()), BudgetVerdict::kAllow) << i;
    b.RecordRun(now());
    clock.Advance(30 * kNanosPerSecond);
  }
  EXPECT_EQ(b.Check(now()), BudgetVerdict::kEscalate);
  EXPECT_TRUE(b.escalated());
  EXPECT_EQ(b.Check(now()), BudgetVerdict::kExhausted);
  // The first run was at t=0; it leaves the window at t=5m.
  EXPECT_EQ(b.ClearsAtMs(now()), now() - 90'000 + 5 * kMin);
  clock.Advance((5 * kMin - 90'000 - 1) * kNanosPerMilli);
  EXPECT_EQ(b.Check(now()), BudgetVerdict::kExhausted);
  clock.Advance(kNanosPerMilli);  // Exactly 5m after the first run.
  EXPECT_EQ(b.Check(now()), BudgetVerdict::kAllow);
  EXPECT_FALSE(b.escalated());
  EXPECT_EQ(b.RunsInWindow(now()), 2);
}

TEST(BudgetTest, CooldownBetweenRuns) {
  Budget b({0, kMin, 10'000});
  EXPECT_EQ(b.Check(1000), BudgetVerdict::kAllow);
  b.RecordRun(1000);
  EXPECT_EQ(b.Check(5000), BudgetVerdict::kCooldown);
  EXPECT_EQ(b.Check(10'999), BudgetVerdict::kCooldown);
  EXPECT_EQ(b.Check(11'000), BudgetVerdict::kAllow);
  // max_runs 0 is unlimited.
  for (int i = 0; i < 100; ++i) b.RecordRun(20'000 + i * 10'000);
  EXPECT_EQ(b.Check(2'000'000), BudgetVerdict::kAllow);
}

TEST(BudgetTest, ResetForgetsRunsAndEscalation) {
  Budget b({1, kMin, 0});
  b.RecordRun(0);
  EXPECT_EQ(b.Check(1), BudgetVerdict::kEscalate);
  b.Reset();
  EXPECT_EQ(b.Check(2), BudgetVerdict::kAllow);
}

TEST(BudgetTest, SerializeRoundTripAndBadRecords) {
  Budget b({2, kMin, 0});
  b.RecordRun(100);
  b.RecordRun(200);
  EXPECT_EQ(b.Check(300), BudgetVerdict::kEscalate);
  Budget c({2, kMin, 0});
  ASSERT_TRUE(c.Parse(b.Serialize()).ok());
  EXPECT_TRUE(c.escalated());
  EXPECT_EQ(c.Check(400), BudgetVerdict::kExhausted);
  EXPECT_EQ(c.Parse("not json").code(), StatusCode::kDataLoss);
  EXPECT_EQ(c.Parse("{\"runs\":[\"x\"]}").code(), StatusCode::kDataLoss);
  EXPECT_EQ(c.Parse("[]").code(), StatusCode::kDataLoss);
}

TEST(BudgetTest, PersistedAcrossASimulatedRestart) {
  char t[] = "/tmp/tend_budget_XXXXXX";
  std::string dir = mkdtemp(t);
  FakeClock clock;
  const int64_t now = clock.NowUnixNanos() / 1'000'000;
  {
    auto db = state::StateDb::Open(dir + "/state.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    Budget b({2, 5 * kMin, 0});
    ASSERT_TRUE(LoadBudget(db->get(), "remedy/r", &b).ok());
    b.RecordRun(now);
    b.RecordRun(now + 1000);
    ASSERT_TRUE(SaveBudget(db->get(), "remedy/r", b).ok());
  }
  auto db = state::StateDb::Open(dir + "/state.db");
  ASSERT_TRUE(db.ok());
  Budget b({2, 5 * kMin, 0});
  ASSERT_TRUE(LoadBudget(db->get(), "remedy/r", &b).ok());
  EXPECT_EQ(b.RunsInWindow(now + 2000), 2);
  EXPECT_EQ(b.Check(now + 2000), BudgetVerdict::kEscalate);
  Budget fresh({2, 5 * kMin, 0});
  ASSERT_TRUE(LoadBudget(db->get(), "remedy/other", &fresh).ok());
  EXPECT_EQ(fresh.Check(now), BudgetVerdict::kAllow);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tend::remedy
