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

// Read by hand from each tree's proc/vmstat.
const std::vector<ExpectedValue>& Expected() {
  static const auto* rows = new std::vector<ExpectedValue>{
      {"linux-6.18-x86_64", "node_vmstat_pgpgin", {}, 1376565},
      {"linux-6.18-x86_64", "node_vmstat_pgpgout", {}, 753944},
      {"linux-6.18-x86_64", "node_vmstat_pswpin", {}, 0},
      {"linux-6.18-x86_64", "node_vmstat_pswpout", {}, 0},
      {"linux-6.18-x86_64", "node_vmstat_pgfault", {}, 2243152},
      {"linux-6.18-x86_64", "node_vmstat_pgmajfault", {}, 1162},
      {"linux-6.18-x86_64", "node_vmstat_oom_kill", {}, 0},
      {"linux-6.1-x86_64", "node_vmstat_pgpgin", {}, 4237},
      {"linux-6.1-x86_64", "node_vmstat_pgpgout", {}, 2116},
      {"linux-6.1-x86_64", "node_vmstat_pgfault", {}, 5810},
      {"linux-6.1-x86_64", "node_vmstat_pgmajfault", {}, 0},
      {"linux-6.1-x86_64", "node_vmstat_oom_kill", {}, 0},
  };
  return *rows;
}

class VmstatOnKernelTree : public ::testing::TestWithParam<std::string> {};

// Both 6.x kernels have exactly node_exporter's seven default fields.
TEST_P(VmstatOnKernelTree, EmitsDefaultFields) {
  TreeOptions t(std::string(kHostsDir) + GetParam());
  auto c = NewVmstatCollector(t.options);
  EXPECT_EQ(c->name(), "vmstat");
  MetricSet set;
  Status s = c->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  for (const char* field : {"pgpgin", "pgpgout", "pswpin", "pswpout", "pgfault",
                            "pgmajfault", "oom_kill"}) {
    CheckFamily(set, std::string("node_vmstat_") + field, MetricType::kUntyped,
                std::string("/proc/vmstat information field ") + field + ".");
  }
  EXPECT_EQ(set.families().size(), 7u);
  EXPECT_EQ(set.SampleCount(), 7u);
  CheckExpectedValues(set, GetParam(), Expected());
}

INSTANTIATE_TEST_SUITE_P(Kernels, VmstatOnKernelTree,
                         ::testing::ValuesIn(KernelTrees()), TreeTestName);

TEST(VmstatCollectorTest, OldKernelHasNoOomKill) {
  TreeOptions t(EdgeTree("old-kernel"));
  MetricSet set;
  Status s = NewVmstatCollector(t.options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(set.families().size(), 6u);
  EXPECT_EQ(ValueOf(set, "node_vmstat_pgfault"), 98765432);
  EXPECT_EQ(ValueOf(set, "node_vmstat_pgpgout"), 9523844);
  EXPECT_EQ(set.Find("node_vmstat_oom_kill"), nullptr);
  EXPECT_EQ(set.Find("node_vmstat_pgalloc_high"), nullptr);
  EXPECT_EQ(set.Find("node_vmstat_nr_dirty"), nullptr);
}

TEST(VmstatCollectorTest, MaxCounters) {
  TreeOptions t(EdgeTree("max-counters"));
  MetricSet set;
  Status s = NewVmstatCollector(t.options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const double max = 18446744073709551615.0;
  EXPECT_EQ(ValueOf(set, "node_vmstat_pgfault"), max);
  EXPECT_EQ(ValueOf(set, "node_vmstat_oom_kill"), max);
  EXPECT_EQ(ValueOf(set, "node_vmstat_pswpout"), 0);
  EXPECT_EQ(set.families().size(), 7u);
}

TEST(VmstatCollectorTest, GarbageLinesSkippedAndReported) {
  TreeOptions t(EdgeTree("garbage"));
  MetricSet set;
  Status s = NewVmstatCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "/proc/vmstat:3: expected \"name unsigned-number\": \"pgpgout "
            "notanumber\" (and 4 more problems)");
  EXPECT_EQ(ValueOf(set, "node_vmstat_pgpgin"), 10);
  EXPECT_EQ(ValueOf(set, "node_vmstat_pswpin"), 3);
  EXPECT_EQ(ValueOf(set, "node_vmstat_pgmajfault"), 7);
  EXPECT_EQ(set.SampleCount(), 3u);
}

TEST(VmstatCollectorTest, EmptyAndTruncated) {
  {
    TreeOptions t(EdgeTree("empty"));
    MetricSet set;
    Status s = NewVmstatCollector(t.options)->Collect(&set);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message(), "/proc/vmstat: file is empty");
  }
  TreeOptions t(EdgeTree("truncated"));
  MetricSet set;
  Status s = NewVmstatCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("/proc/vmstat:3: incomplete last line"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(ValueOf(set, "node_vmstat_pgpgin"), 1376565);
  EXPECT_EQ(set.Find("node_vmstat_pgpgout"), nullptr);
}

TEST(VmstatCollectorTest, MissingAndUnreadable) {
  MetricSet missing;
  Status s = CollectFromMissingTree(NewVmstatCollector, &missing);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  MetricSet set;
  EXPECT_EQ(
      CollectWithUnreadable(NewVmstatCollector, "/proc/vmstat", &set).code(),
      StatusCode::kPermissionDenied);
}

TEST(VmstatCollectorTest, RealHost) {
  CollectorOptions options;
  MetricSet set;
  Status s = NewVmstatCollector(options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  // This process has faulted pages in.
  EXPECT_GT(ValueOf(set, "node_vmstat_pgfault"), 0);
  for (const MetricFamily& f : set.families()) {
    EXPECT_EQ(f.type, MetricType::kUntyped) << f.name;
  }
}

}  // namespace
}  // namespace tend
