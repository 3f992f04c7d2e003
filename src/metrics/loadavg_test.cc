#include <gtest/gtest.h>

#include <string>

#include "metrics/collectors_system.h"
#include "metrics/collectors_system_testing.h"

namespace tend {
namespace {

using system_testing::CheckExpectedValues;
using system_testing::CheckFamily;
using system_testing::CollectFromMissingTree;
using system_testing::CollectWithUnreadable;
using system_testing::EdgeTree;
using system_testing::ExpectedValue;
using system_testing::KernelTrees;
using system_testing::kHostsDir;
using system_testing::TreeOptions;
using system_testing::TreeTestName;
using system_testing::ValueOf;

// Read by hand from each tree's proc/loadavg.
const std::vector<ExpectedValue>& Expected() {
  static const auto* rows = new std::vector<ExpectedValue>{
      {"linux-6.18-x86_64", "node_load1", {}, 0.14},
      {"linux-6.18-x86_64", "node_load5", {}, 0.11},
      {"linux-6.18-x86_64", "node_load15", {}, 0.04},
      {"linux-6.1-x86_64", "node_load1", {}, 0},
      {"linux-6.1-x86_64", "node_load5", {}, 0},
      {"linux-6.1-x86_64", "node_load15", {}, 0},
  };
  return *rows;
}

void CheckAllFamilies(const MetricSet& set) {
  CheckFamily(set, "node_load1", MetricType::kGauge, "1m load average.");
  CheckFamily(set, "node_load5", MetricType::kGauge, "5m load average.");
  CheckFamily(set, "node_load15", MetricType::kGauge, "15m load average.");
}

class LoadavgOnKernelTree : public ::testing::TestWithParam<std::string> {};

TEST_P(LoadavgOnKernelTree, EmitsThreeAverages) {
  TreeOptions t(std::string(kHostsDir) + GetParam());
  auto c = NewLoadavgCollector(t.options);
  EXPECT_EQ(c->name(), "loadavg");
  MetricSet set;
  Status s = c->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  CheckAllFamilies(set);
  EXPECT_EQ(set.SampleCount(), 3u);
  CheckExpectedValues(set, GetParam(), Expected());
}

INSTANTIATE_TEST_SUITE_P(Kernels, LoadavgOnKernelTree,
                         ::testing::ValuesIn(KernelTrees()), TreeTestName);

TEST(LoadavgCollectorTest, OldKernelAndLargeValues) {
  {
    TreeOptions t(EdgeTree("old-kernel"));
    MetricSet set;
    ASSERT_TRUE(NewLoadavgCollector(t.options)->Collect(&set).ok());
    EXPECT_DOUBLE_EQ(ValueOf(set, "node_load5"), 0.31);
  }
  TreeOptions t(EdgeTree("max-counters"));
  MetricSet set;
  ASSERT_TRUE(NewLoadavgCollector(t.options)->Collect(&set).ok());
  EXPECT_DOUBLE_EQ(ValueOf(set, "node_load1"), 1024.99);
  EXPECT_DOUBLE_EQ(ValueOf(set, "node_load15"), 256.25);
}

TEST(LoadavgCollectorTest, BadFieldSkippedOthersKept) {
  TreeOptions t(EdgeTree("garbage"));
  MetricSet set;
  Status s = NewLoadavgCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "/proc/loadavg:1: expected three non-negative load averages: "
            "\"0.50 lots 0.25 1/100 200\"");
  EXPECT_DOUBLE_EQ(ValueOf(set, "node_load1"), 0.5);
  EXPECT_EQ(set.Find("node_load5"), nullptr);
  EXPECT_DOUBLE_EQ(ValueOf(set, "node_load15"), 0.25);
}

TEST(LoadavgCollectorTest, EmptyAndTruncated) {
  {
    TreeOptions t(EdgeTree("empty"));
    MetricSet set;
    Status s = NewLoadavgCollector(t.options)->Collect(&set);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message(), "/proc/loadavg: file is empty");
    EXPECT_EQ(set.SampleCount(), 0u);
  }
  TreeOptions t(EdgeTree("truncated"));
  MetricSet set;
  Status s = NewLoadavgCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("/proc/loadavg:1: incomplete last line"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(set.SampleCount(), 0u);
}

TEST(LoadavgCollectorTest, MissingAndUnreadable) {
  MetricSet missing;
  Status s = CollectFromMissingTree(NewLoadavgCollector, &missing);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  MetricSet set;
  EXPECT_EQ(
      CollectWithUnreadable(NewLoadavgCollector, "/proc/loadavg", &set).code(),
      StatusCode::kPermissionDenied);
}

TEST(LoadavgCollectorTest, RealHost) {
  CollectorOptions options;
  MetricSet set;
  Status s = NewLoadavgCollector(options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  CheckAllFamilies(set);
  for (const char* name : {"node_load1", "node_load5", "node_load15"}) {
    EXPECT_GE(ValueOf(set, name), 0) << name;
    EXPECT_LT(ValueOf(set, name), 1e6) << name;
  }
}

}  // namespace
}  // namespace tend
