#include "metrics/metric.h"

#include <gtest/gtest.h>

namespace tend {
namespace {

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

TEST(MetricSetTest, MergeCombinesSameNames) {
  MetricSet a, b;
  a.Gauge("g", "h", 1);
  b.Gauge("g", "h", 2);
  b.Counter("c_total", "h", 5);
  a.Merge(std::move(b));
  EXPECT_EQ(a.Find("g")->samples.size(), 2u);
  EXPECT_EQ(a.Find("c_total")->type, MetricType::kCounter);
  EXPECT_TRUE(b.families().empty());  // NOLINT(bugprone-use-after-move)
}

}  // namespace
}  // namespace tend
