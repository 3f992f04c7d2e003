#include <gtest/gtest.h>

#include <algorithm>
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

// Read by hand from each tree's proc/meminfo (kB * 1024).
const std::vector<ExpectedValue>& Expected() {
  static const auto* rows = new std::vector<ExpectedValue>{
      {"linux-6.18-x86_64",
       "node_memory_MemTotal_bytes",
       {},
       24684084.0 * 1024},
      {"linux-6.18-x86_64",
       "node_memory_MemAvailable_bytes",
       {},
       24339384.0 * 1024},
      {"linux-6.18-x86_64", "node_memory_Active_anon_bytes", {}, 1504.0 * 1024},
      {"linux-6.18-x86_64",
       "node_memory_Inactive_file_bytes",
       {},
       169820.0 * 1024},
      {"linux-6.18-x86_64",
       "node_memory_VmallocTotal_bytes",
       {},
       34359738367.0 * 1024},
      {"linux-6.18-x86_64", "node_memory_HugePages_Total", {}, 0},
      {"linux-6.18-x86_64", "node_memory_Hugepagesize_bytes", {}, 2097152},
      {"linux-6.1-x86_64", "node_memory_MemTotal_bytes", {}, 468156.0 * 1024},
      {"linux-6.1-x86_64", "node_memory_MemFree_bytes", {}, 425208.0 * 1024},
      {"linux-6.1-x86_64", "node_memory_Active_anon_bytes", {}, 4876.0 * 1024},
      {"linux-6.1-x86_64", "node_memory_HugePages_Total", {}, 0},
  };
  return *rows;
}

class MeminfoOnKernelTree : public ::testing::TestWithParam<std::string> {};

TEST_P(MeminfoOnKernelTree, OneGaugePerLine) {
  const std::string root = std::string(kHostsDir) + GetParam();
  TreeOptions t(root);
  auto c = NewMeminfoCollector(t.options);
  EXPECT_EQ(c->name(), "meminfo");
  MetricSet set;
  Status s = c->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();

  std::string text;
  ASSERT_TRUE(t.env->ReadFile("/proc/meminfo", &text).ok());
  EXPECT_EQ(set.families().size(),
            static_cast<size_t>(std::count(text.begin(), text.end(), '\n')));
  for (const MetricFamily& f : set.families()) {
    EXPECT_EQ(f.type, MetricType::kGauge) << f.name;
    ASSERT_EQ(f.samples.size(), 1u) << f.name;
    EXPECT_TRUE(f.samples[0].labels.empty()) << f.name;
    EXPECT_EQ(f.name.find_first_of("():"), std::string::npos) << f.name;
    EXPECT_EQ(f.help, "Memory information field " +
                          f.name.substr(sizeof("node_memory_") - 1) + ".");
  }
  CheckFamily(set, "node_memory_Active_file_bytes", MetricType::kGauge,
              "Memory information field Active_file_bytes.");
  EXPECT_GT(ValueOf(set, "node_memory_MemTotal_bytes"), 0);
  EXPECT_LE(ValueOf(set, "node_memory_MemFree_bytes"),
            ValueOf(set, "node_memory_MemTotal_bytes"));
  CheckExpectedValues(set, GetParam(), Expected());
}

INSTANTIATE_TEST_SUITE_P(Kernels, MeminfoOnKernelTree,
                         ::testing::ValuesIn(KernelTrees()), TreeTestName);

TEST(MeminfoCollectorTest, OldKernel) {
  TreeOptions t(EdgeTree("old-kernel"));
  MetricSet set;
  Status s = NewMeminfoCollector(t.options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(set.families().size(), 26u);
  EXPECT_EQ(ValueOf(set, "node_memory_HighTotal_bytes"), 1179584.0 * 1024);
  EXPECT_EQ(ValueOf(set, "node_memory_HugePages_Free"), 0);
  EXPECT_EQ(set.Find("node_memory_MemAvailable_bytes"), nullptr);
}

TEST(MeminfoCollectorTest, MaxCountersDoNotWrap) {
  TreeOptions t(EdgeTree("max-counters"));
  MetricSet set;
  Status s = NewMeminfoCollector(t.options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ValueOf(set, "node_memory_MemTotal_bytes"),
            18446744073709551615.0 * 1024);
  EXPECT_EQ(ValueOf(set, "node_memory_HugePages_Total"),
            18446744073709551615.0);
  EXPECT_EQ(ValueOf(set, "node_memory_MemFree_bytes"), 0);
}

TEST(MeminfoCollectorTest, GarbageLinesSkippedAndReported) {
  TreeOptions t(EdgeTree("garbage"));
  MetricSet set;
  Status s = NewMeminfoCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "/proc/meminfo:2: expected \"Name: number\" or \"Name: number "
            "kB\": \"MemFree:          abc kB\" (and 7 more problems)");
  EXPECT_EQ(ValueOf(set, "node_memory_MemTotal_bytes"), 1000.0 * 1024);
  EXPECT_EQ(ValueOf(set, "node_memory_Active_anon_bytes"), 300.0 * 1024);
  EXPECT_EQ(ValueOf(set, "node_memory_HugePages_Total"), 5);
  EXPECT_EQ(set.SampleCount(), 3u);
}

TEST(MeminfoCollectorTest, EmptyFile) {
  TreeOptions t(EdgeTree("empty"));
  MetricSet set;
  Status s = NewMeminfoCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "/proc/meminfo: file is empty");
  EXPECT_EQ(set.SampleCount(), 0u);
}

TEST(MeminfoCollectorTest, TruncatedFile) {
  TreeOptions t(EdgeTree("truncated"));
  MetricSet set;
  Status s = NewMeminfoCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "/proc/meminfo:3: incomplete last line (no newline; file cut "
            "short?): \"MemAvailable:   2433\"");
  EXPECT_EQ(ValueOf(set, "node_memory_MemFree_bytes"), 24201500.0 * 1024);
  // "2433" was cut from "24339384": it must not be emitted.
  EXPECT_EQ(set.Find("node_memory_MemAvailable_bytes"), nullptr);
  EXPECT_EQ(set.SampleCount(), 2u);
}

TEST(MeminfoCollectorTest, MissingAndUnreadable) {
  MetricSet missing;
  Status s = CollectFromMissingTree(NewMeminfoCollector, &missing);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("/proc/meminfo"), std::string::npos);
  MetricSet set;
  EXPECT_EQ(
      CollectWithUnreadable(NewMeminfoCollector, "/proc/meminfo", &set).code(),
      StatusCode::kPermissionDenied);
}

TEST(MeminfoCollectorTest, RealHost) {
  CollectorOptions options;
  MetricSet set;
  Status s = NewMeminfoCollector(options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  double total = ValueOf(set, "node_memory_MemTotal_bytes");
  EXPECT_GT(total, 16.0 * 1024 * 1024);
  EXPECT_LE(ValueOf(set, "node_memory_MemFree_bytes"), total);
  EXPECT_GE(ValueOf(set, "node_memory_Cached_bytes"), 0);
}

}  // namespace
}  // namespace tend
