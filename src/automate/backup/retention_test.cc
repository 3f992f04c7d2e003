#include "automate/backup/retention.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "automate/backup/backup_test_util.h"

namespace tend::automate::backup {
namespace {

constexpr int64_t kDay = 86400;

std::set<int64_t> Expected(const std::vector<int64_t>& times,
                           const Retention& r) {
  return testing::ExpectedKept(times, r.daily, r.weekly, r.monthly);
}

// 60 simulated days from Wednesday 2024-01-17 (crossing the leap day),
// one archive at 02:00 each day, a second at 14:00 every fifth day, and a
// three-day outage.
std::vector<int64_t> SixtyDays() {
  const int64_t start = 1705456800;  // 2024-01-17T02:00:00Z
  std::vector<int64_t> times;
  for (int d = 0; d < 60; ++d) {
    if (d >= 30 && d < 33) continue;  // host down
    times.push_back(start + d * kDay);
    if (d % 5 == 0) times.push_back(start + d * kDay + 12 * 3600);
  }
  return times;
}

TEST(RetentionTest, SixtyDaysKeepsTheExpectedSet) {
  std::vector<int64_t> times = SixtyDays();
  for (Retention r :
       {Retention{7, 4, 3}, Retention{3, 0, 0}, Retention{0, 6, 0},
        Retention{0, 0, 12}, Retention{10, 10, 10}, Retention{1, 1, 1}}) {
    std::vector<bool> keep = SelectKept(times, r);
    std::set<int64_t> got;
    for (size_t i = 0; i < times.size(); ++i) {
      if (keep[i]) got.insert(times[i]);
    }
    EXPECT_EQ(got, Expected(times, r))
        << "daily=" << r.daily << " weekly=" << r.weekly
        << " monthly=" << r.monthly;
  }
}

TEST(RetentionTest, ConcreteCounts) {
  std::vector<int64_t> times = SixtyDays();
  // 7 daily + the newest of 4 ISO weeks (the current week's is today's)
  // + the newest of 3 months (March's is today's).
  std::vector<bool> keep = SelectKept(times, {7, 4, 3});
  size_t n = std::count(keep.begin(), keep.end(), true);
  // Last day 2024-03-16 (Sat). Dailies: Mar 10..16. Weeks: Mar 11-17
  // (Mar 16, daily), Mar 4-10 (Mar 10, daily), Feb 26-Mar 3 (Mar 3), Feb
  // 19-25 (Feb 25). Months: Mar (daily), Feb (Feb 29), Jan (Jan 31).
  EXPECT_EQ(n, 7u + 2u + 2u);
  // Shuffled input gives the same answer, parallel to the input.
  std::vector<int64_t> rev(times.rbegin(), times.rend());
  std::vector<bool> keep_rev = SelectKept(rev, {7, 4, 3});
  for (size_t i = 0; i < times.size(); ++i) {
    EXPECT_EQ(keep[i], keep_rev[times.size() - 1 - i]);
  }
}

TEST(RetentionTest, ZeroKeepsNothing) {
  std::vector<bool> keep = SelectKept({1, 2, 3}, {});
  EXPECT_EQ(std::count(keep.begin(), keep.end(), true), 0);
}

TEST(RetentionTest, ParseErrors) {
  auto ok = ParseRetention(Value::parse(R"({"daily": 7, "monthly": "6"})"));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->daily, 7);
  EXPECT_EQ(ok->weekly, 0);
  EXPECT_EQ(ok->monthly, 6);

  auto typo = ParseRetention(Value::parse(R"({"dialy": 7})"));
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find("did you mean 'daily'"),
            std::string::npos)
      << typo.status().message();
  auto neg = ParseRetention(Value::parse(R"({"weekly": -1})"));
  ASSERT_FALSE(neg.ok());
  EXPECT_NE(neg.status().message().find("retention.weekly"), std::string::npos);
  EXPECT_FALSE(ParseRetention(Value::parse(R"({"weekly": "x"})")).ok());
  EXPECT_FALSE(ParseRetention(Value::parse(R"([7])")).ok());
}

}  // namespace
}  // namespace tend::automate::backup
