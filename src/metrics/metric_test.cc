#include "metrics/metric.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace tend {
namespace {

std::vector<std::string> Names(const MetricSet& set) {
  std::vector<std::string> out;
  for (const MetricFamily& f : set.families()) out.push_back(f.name);
  return out;
}

TEST(MetricSetTest, GroupsSamplesByFamily) {
  MetricSet set;
  set.Gauge("b", "B help", 1, {{"x", "1"}});
  set.Counter("a_total", "A help", 2);
  set.Gauge("b", "ignored", 3, {{"x", "2"}});
  ASSERT_EQ(set.families().size(), 2u);
  const MetricFamily* b = set.Find("b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->help, "B help");
  EXPECT_EQ(b->samples.size(), 2u);
  EXPECT_EQ(set.SampleCount(), 3u);
  set.SortByName();
  EXPECT_EQ(set.families()[0].name, "a_total");
  EXPECT_EQ(set.Find("b")->samples[1].value, 3);
}

TEST(MetricSetTest, FirstTypeAndHelpWin) {
  MetricSet set;
  set.Counter("x", "first", 1);
  set.Gauge("x", "second", 2);
  const MetricFamily* x = set.Find("x");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->type, MetricType::kCounter);
  EXPECT_EQ(x->help, "first");
  EXPECT_EQ(x->samples.size(), 2u);
}

TEST(MetricSetTest, FindOnEmptyAndMissing) {
  MetricSet set;
  EXPECT_EQ(set.Find("x"), nullptr);
  EXPECT_EQ(set.Find(""), nullptr);
  set.Gauge("x", "h", 1);
  EXPECT_EQ(set.Find("y"), nullptr);
  EXPECT_EQ(set.Find("x "), nullptr);
  EXPECT_NE(set.Find("x"), nullptr);
}

TEST(MetricSetTest, ManyFamiliesStayFindableThroughGrowth) {
  MetricSet set;
  constexpr int kCount = 1000;
  for (int i = 0; i < kCount; ++i) {
    set.Gauge("family_" + std::to_string(i), "h", i);
  }
  // Second pass: every name is found, not created again.
  for (int i = 0; i < kCount; ++i) {
    set.Gauge("family_" + std::to_string(i), "h", -i);
  }
  ASSERT_EQ(set.families().size(), static_cast<size_t>(kCount));
  EXPECT_EQ(set.SampleCount(), 2u * kCount);
  for (int i = 0; i < kCount; ++i) {
    const MetricFamily* f = set.Find("family_" + std::to_string(i));
    ASSERT_NE(f, nullptr) << i;
    ASSERT_EQ(f->samples.size(), 2u);
    EXPECT_EQ(f->samples[0].value, i);
    EXPECT_EQ(f->samples[1].value, -i);
  }
  // Creation order is kept until sorting.
  EXPECT_EQ(set.families()[10].name, "family_10");
}

TEST(MetricSetTest, SortMatchesStringOrder) {
  // Names sharing long prefixes (past the 16 bytes the sort keys on),
  // prefixes of each other, and bytes above 0x7f (compared unsigned, as
  // std::string does).
  std::vector<std::string> names = {
      "node_netstat_Tcp_RetransSegs",
      "node_netstat_Tcp_ActiveOpens",
      "node_netstat_TcpExt_SyncookiesSent",
      "node_netstat_Tcp_",
      "node_netstat_Tcp",
      "node_netstat_Tc",
      "node_net",
      "node_ne",
      "a",
      "ab",
      "\xff",
      "z\x80",
      "z",
      "node_netstat_Tcp_ActiveOpens2",
      "node_netstat_Tcp_ActiveOpenr",
  };
  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    std::shuffle(names.begin(), names.end(), rng);
    MetricSet set;
    for (size_t i = 0; i < names.size(); ++i) {
      set.Gauge(names[i], "h", static_cast<double>(i));
    }
    set.SortByName();
    std::vector<std::string> want = names;
    std::sort(want.begin(), want.end());
    ASSERT_EQ(Names(set), want);
    // Find still maps each name to its own samples.
    for (size_t i = 0; i < names.size(); ++i) {
      const MetricFamily* f = set.Find(names[i]);
      ASSERT_NE(f, nullptr);
      EXPECT_EQ(f->name, names[i]);
      ASSERT_EQ(f->samples.size(), 1u);
      EXPECT_EQ(f->samples[0].value, static_cast<double>(i));
    }
  }
}

TEST(MetricSetTest, SortRandomNamesAndKeepAdding) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> len(0, 40);
  std::uniform_int_distribution<int> ch(0, 3);
  const char kAlphabet[] = "ab_\xc3";
  std::vector<std::string> names;
  MetricSet set;
  for (int i = 0; i < 500; ++i) {
    std::string n = "node_";
    for (int k = len(rng); k > 0; --k) n.push_back(kAlphabet[ch(rng)]);
    if (set.Find(n) == nullptr) names.push_back(n);
    set.Untyped(n, "", 1);
  }
  set.SortByName();
  std::vector<std::string> want = names;
  std::sort(want.begin(), want.end());
  EXPECT_EQ(Names(set), want);
  // Sorting twice is a no-op; adding after a sort appends and indexes.
  set.SortByName();
  EXPECT_EQ(Names(set), want);
  set.Gauge("0_first_after_sort", "h", 1);
  EXPECT_EQ(set.families().back().name, "0_first_after_sort");
  ASSERT_NE(set.Find("0_first_after_sort"), nullptr);
  for (const std::string& n : names) ASSERT_NE(set.Find(n), nullptr) << n;
  set.SortByName();
  EXPECT_EQ(set.families().front().name, "0_first_after_sort");
}

TEST(MetricSetTest, MergeCombinesSameNames) {
  MetricSet a, b;
  a.Gauge("g", "h", 1);
  b.Gauge("g", "h", 2);
  b.Counter("c_total", "h", 5);
  a.Merge(std::move(b));
  EXPECT_EQ(a.Find("g")->samples.size(), 2u);
  EXPECT_EQ(a.Find("g")->samples[1].value, 2);
  EXPECT_EQ(a.Find("c_total")->type, MetricType::kCounter);
  EXPECT_TRUE(b.families().empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(b.Find("g"), nullptr);    // NOLINT(bugprone-use-after-move)
  // The emptied set is usable again.
  b.Gauge("again", "h", 1);  // NOLINT(bugprone-use-after-move)
  EXPECT_NE(b.Find("again"), nullptr);
  EXPECT_EQ(Names(a), (std::vector<std::string>{"g", "c_total"}));
}

TEST(MetricSetTest, MergeIntoEmptyAndManyFamilies) {
  MetricSet a, b, c;
  for (int i = 0; i < 100; ++i) b.Gauge("b" + std::to_string(i), "h", i);
  for (int i = 50; i < 150; ++i) c.Gauge("b" + std::to_string(i), "h", -i);
  a.Merge(std::move(b));
  a.Merge(std::move(c));
  EXPECT_EQ(a.families().size(), 150u);
  EXPECT_EQ(a.SampleCount(), 200u);
  EXPECT_EQ(a.Find("b49")->samples.size(), 1u);
  ASSERT_EQ(a.Find("b50")->samples.size(), 2u);
  EXPECT_EQ(a.Find("b50")->samples[1].value, -50);
  EXPECT_EQ(a.Find("b149")->samples[0].value, -149);
  a.Merge(std::move(a));  // Merging a set into itself changes nothing.
  EXPECT_EQ(a.SampleCount(), 200u);  // NOLINT(bugprone-use-after-move)
}

TEST(MetricSetTest, MergeCopyLeavesSourceAlone) {
  MetricSet a, src;
  a.Gauge("g", "h", 1, {{"k", "a"}});
  src.Gauge("g", "other help", 2, {{"k", "src"}});
  src.Counter("c_total", "h", 5);
  a.MergeCopy(src);
  a.MergeCopy(src);
  ASSERT_EQ(a.Find("g")->samples.size(), 3u);
  EXPECT_EQ(a.Find("g")->help, "h");
  EXPECT_EQ(a.Find("g")->samples[2].labels, (Labels{{"k", "src"}}));
  EXPECT_EQ(a.Find("c_total")->samples.size(), 2u);
  EXPECT_EQ(src.SampleCount(), 2u);
  EXPECT_EQ(src.Find("g")->samples[0].value, 2);
  src.MergeCopy(src);
  EXPECT_EQ(src.SampleCount(), 4u);
}

TEST(MetricSetTest, ReserveKeepsContents) {
  MetricSet set;
  set.Gauge("x", "h", 1);
  set.Reserve(500);
  MetricFamily* x = set.Family("x", MetricType::kGauge, "h");
  ASSERT_NE(x, nullptr);
  // With room reserved, creating families does not move existing ones.
  for (int i = 0; i < 400; ++i) set.Gauge("y" + std::to_string(i), "h", i);
  EXPECT_EQ(x, set.Family("x", MetricType::kGauge, "h"));
  EXPECT_EQ(set.families().size(), 401u);
}

TEST(MetricSetTest, MovedSetKeepsIndex) {
  MetricSet a;
  for (int i = 0; i < 40; ++i) a.Gauge("m" + std::to_string(i), "h", i);
  MetricSet b = std::move(a);
  ASSERT_NE(b.Find("m39"), nullptr);
  EXPECT_EQ(b.Find("m39")->samples[0].value, 39);
  a = MetricSet();  // NOLINT(bugprone-use-after-move)
  a.Gauge("n", "h", 1);
  EXPECT_NE(a.Find("n"), nullptr);
  EXPECT_EQ(a.Find("m1"), nullptr);
}

}  // namespace
}  // namespace tend
