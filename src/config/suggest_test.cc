#include "config/suggest.h"

#include <gtest/gtest.h>

namespace tend {
namespace {

TEST(EditDistanceTest, CountsEachKindOfEditOnce) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("interval", "interval"), 0u);
  EXPECT_EQ(EditDistance("intervall", "interval"), 1u);  // Deletion.
  EXPECT_EQ(EditDistance("intrval", "interval"), 1u);    // Insertion.
  EXPECT_EQ(EditDistance("intervel", "interval"), 1u);   // Substitution.
  EXPECT_EQ(EditDistance("itnerval", "interval"), 1u);   // Transposition.
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("ca", "abc"), 3u);  // Optimal string alignment.
}

TEST(SuggestClosestTest, SuggestsOnlyPlausibleTypos) {
  const std::vector<std::string> keys = {"interval", "listen"};
  EXPECT_EQ(SuggestClosest("intervall", keys), "interval");
  EXPECT_EQ(SuggestClosest("Interval", keys), "interval");
  EXPECT_EQ(SuggestClosest("lsiten", keys), "listen");
  EXPECT_EQ(SuggestClosest("intrvl", keys), "interval");  // Distance 2.
  EXPECT_EQ(SuggestClosest("speed", keys), "");
  EXPECT_EQ(SuggestClosest("", keys), "");
  EXPECT_EQ(SuggestClosest("x", {"y"}), "y");   // Threshold is at least 1.
  EXPECT_EQ(SuggestClosest("ab", {"xy"}), "");  // 2 > 1.
  EXPECT_EQ(SuggestClosest(std::string(100, 'a'), {std::string(100, 'a')}), "");
}

TEST(SuggestClosestTest, PrefersTheClosestThenTheFirst) {
  EXPECT_EQ(SuggestClosest("cpus", {"cpu", "cpus_x"}), "cpu");
  EXPECT_EQ(SuggestClosest("stet", {"stat", "stew"}), "stat");
  EXPECT_EQ(SuggestClosest("stet", {"stew", "stat"}), "stew");
}

}  // namespace
}  // namespace tend
