#include <gtest/gtest.h>

#include <string>

#include "metrics/collectors_system.h"
#include "metrics/collectors_system_testing.h"

namespace tend {
namespace {

using system_testing::CheckExpectedValues;
using system_testing::CheckFamily;
using system_testing::CollectWithUnreadable;
using system_testing::EdgeTree;
using system_testing::ExpectedValue;
using system_testing::KernelTrees;
using system_testing::kHostsDir;
using system_testing::TreeOptions;
using system_testing::TreeTestName;
using system_testing::ValueOf;

// Read by hand from each tree's proc/stat.
const std::vector<ExpectedValue>& Expected() {
  static const auto* rows = new std::vector<ExpectedValue>{
      {"linux-6.18-x86_64", "node_boot_time_seconds", {}, 1795628009},
      {"linux-6.18-x86_64", "node_context_switches_total", {}, 296948},
      {"linux-6.18-x86_64", "node_forks_total", {}, 3479},
      {"linux-6.18-x86_64", "node_intr_total", {}, 136083},
      {"linux-6.18-x86_64", "node_procs_running", {}, 1},
      {"linux-6.18-x86_64", "node_procs_blocked", {}, 0},
      {"linux-6.1-x86_64", "node_boot_time_seconds", {}, 1795629030},
      {"linux-6.1-x86_64", "node_context_switches_total", {}, 2174},
      {"linux-6.1-x86_64", "node_forks_total", {}, 200},
      {"linux-6.1-x86_64", "node_intr_total", {}, 3526},
      {"linux-6.1-x86_64", "node_procs_running", {}, 1},
      {"linux-6.1-x86_64", "node_procs_blocked", {}, 0},
  };
  return *rows;
}

void CheckAllFamilies(const MetricSet& set) {
  CheckFamily(set, "node_boot_time_seconds", MetricType::kGauge,
              "Node boot time, in unixtime.");
  CheckFamily(set, "node_context_switches_total", MetricType::kCounter,
              "Total number of context switches.");
  CheckFamily(set, "node_forks_total", MetricType::kCounter,
              "Total number of forks.");
  CheckFamily(set, "node_intr_total", MetricType::kCounter,
              "Total number of interrupts serviced.");
  CheckFamily(set, "node_procs_running", MetricType::kGauge,
              "Number of processes in runnable state.");
  CheckFamily(set, "node_procs_blocked", MetricType::kGauge,
              "Number of processes blocked waiting for I/O to complete.");
}

class StatOnKernelTree : public ::testing::TestWithParam<std::string> {};

TEST_P(StatOnKernelTree, EmitsAllSix) {
  TreeOptions t(std::string(kHostsDir) + GetParam());
  auto c = NewStatCollector(t.options);
  EXPECT_EQ(c->name(), "stat");
  MetricSet set;
  Status s = c->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  CheckAllFamilies(set);
  EXPECT_EQ(set.families().size(), 6u);
  EXPECT_EQ(set.SampleCount(), 6u);
  EXPECT_GT(ValueOf(set, "node_boot_time_seconds"), 1e9);
  CheckExpectedValues(set, GetParam(), Expected());
}

INSTANTIATE_TEST_SUITE_P(Kernels, StatOnKernelTree,
                         ::testing::ValuesIn(KernelTrees()), TreeTestName);

TEST(StatCollectorTest, OldKernel) {
  TreeOptions t(EdgeTree("old-kernel"));
  MetricSet set;
  Status s = NewStatCollector(t.options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  CheckAllFamilies(set);
  EXPECT_EQ(ValueOf(set, "node_intr_total"), 3213371);
  EXPECT_EQ(ValueOf(set, "node_procs_blocked"), 1);
}

TEST(StatCollectorTest, MaxCounters) {
  TreeOptions t(EdgeTree("max-counters"));
  MetricSet set;
  Status s = NewStatCollector(t.options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const double max = 18446744073709551615.0;
  EXPECT_EQ(ValueOf(set, "node_intr_total"), max);
  EXPECT_EQ(ValueOf(set, "node_context_switches_total"), max);
  EXPECT_EQ(ValueOf(set, "node_forks_total"), max);
  EXPECT_EQ(ValueOf(set, "node_boot_time_seconds"), 1700000000);
}

TEST(StatCollectorTest, GarbageLinesSkippedAndReported) {
  TreeOptions t(EdgeTree("garbage"));
  MetricSet set;
  Status s = NewStatCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "/proc/stat:9: bad number: \"ctxt banana\" (and 1 more problems)");
  EXPECT_EQ(set.Find("node_context_switches_total"), nullptr);
  EXPECT_EQ(ValueOf(set, "node_intr_total"), 12345);
  EXPECT_EQ(ValueOf(set, "node_boot_time_seconds"), 1700000000);
  EXPECT_EQ(ValueOf(set, "node_forks_total"), 4242);
  EXPECT_EQ(ValueOf(set, "node_procs_running"), 3);
  // The bare "procs_blocked" is skipped, the valid one after it kept.
  EXPECT_EQ(ValueOf(set, "node_procs_blocked"), 2);
  EXPECT_EQ(set.SampleCount(), 5u);
}

TEST(StatCollectorTest, EmptyFile) {
  TreeOptions t(EdgeTree("empty"));
  MetricSet set;
  Status s = NewStatCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "/proc/stat: file is empty");
  EXPECT_EQ(set.SampleCount(), 0u);
}

TEST(StatCollectorTest, TruncatedFile) {
  TreeOptions t(EdgeTree("truncated"));
  MetricSet set;
  Status s = NewStatCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("/proc/stat:3: incomplete last line"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(set.SampleCount(), 0u);
}

TEST(StatCollectorTest, MissingLinesReported) {
  // 2.4 kernels print no procs_running/procs_blocked lines: the values that
  // are there are emitted, the missing ones named rather than faked as 0.
  TreeOptions t(EdgeTree("linux-2.4"));
  MetricSet set;
  Status s = NewStatCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "/proc/stat: no \"procs_running\" line (and 1 more problems)");
  EXPECT_EQ(ValueOf(set, "node_intr_total"), 1462898);
  EXPECT_EQ(ValueOf(set, "node_context_switches_total"), 115315);
  EXPECT_EQ(ValueOf(set, "node_boot_time_seconds"), 769041601);
  EXPECT_EQ(ValueOf(set, "node_forks_total"), 86031);
  EXPECT_EQ(set.SampleCount(), 4u);
}

TEST(StatCollectorTest, MissingFile) {
  TreeOptions t(EdgeTree("does-not-exist"));
  MetricSet set;
  Status s = NewStatCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("/proc/stat"), std::string::npos);
}

TEST(StatCollectorTest, UnreadableFile) {
  MetricSet set;
  EXPECT_EQ(CollectWithUnreadable(NewStatCollector, "/proc/stat", &set).code(),
            StatusCode::kPermissionDenied);
}

TEST(StatCollectorTest, RealHost) {
  CollectorOptions options;
  MetricSet set;
  Status s = NewStatCollector(options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  CheckAllFamilies(set);
  EXPECT_GT(ValueOf(set, "node_boot_time_seconds"), 1e9);
  EXPECT_GT(ValueOf(set, "node_context_switches_total"), 0);
  EXPECT_GT(ValueOf(set, "node_forks_total"), 0);
  // This test's own thread is running.
  EXPECT_GE(ValueOf(set, "node_procs_running"), 1);
}

}  // namespace
}  // namespace tend
