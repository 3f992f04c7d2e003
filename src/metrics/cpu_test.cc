#include <gtest/gtest.h>

#include <set>
#include <string>

#include "metrics/collectors_system.h"
#include "metrics/collectors_system_testing.h"

namespace tend {
namespace {

using system_testing::CheckExpectedValues;
using system_testing::CheckFamily;
using system_testing::EdgeTree;
using system_testing::ExpectedValue;
using system_testing::FaultInjectingEnv;
using system_testing::FindSample;
using system_testing::KernelTrees;
using system_testing::kHostsDir;
using system_testing::TreeOptions;
using system_testing::TreeTestName;
using system_testing::ValueOf;

constexpr char kSeconds[] = "node_cpu_seconds_total";
constexpr char kGuest[] = "node_cpu_guest_seconds_total";
constexpr char kSecondsHelp[] = "Seconds the CPUs spent in each mode.";
constexpr char kGuestHelp[] =
    "Seconds the CPUs spent in guests (VMs) for each mode.";

Labels CpuMode(const std::string& cpu, const std::string& mode) {
  return {{"cpu", cpu}, {"mode", mode}};
}

// Read by hand from each tree's proc/stat: ticks / 100.
const std::vector<ExpectedValue>& Expected() {
  static const auto* rows = new std::vector<ExpectedValue>{
      // cpu0 1180 0 713 56975 7 0 7 1 0 0
      // cpu1 2231 0 1094 55305 253 0 29 5 0 0
      {"linux-6.18-x86_64", kSeconds, CpuMode("1", "user"), 22.31},
      {"linux-6.18-x86_64", kSeconds, CpuMode("0", "system"), 7.13},
      {"linux-6.18-x86_64", kSeconds, CpuMode("0", "idle"), 569.75},
      {"linux-6.18-x86_64", kSeconds, CpuMode("1", "iowait"), 2.53},
      {"linux-6.18-x86_64", kSeconds, CpuMode("1", "softirq"), 0.29},
      {"linux-6.18-x86_64", kSeconds, CpuMode("1", "steal"), 0.05},
      {"linux-6.18-x86_64", kGuest, CpuMode("0", "user"), 0},
      // cpu0 4 0 115 298 0 0 0 0 0 0
      // cpu1 6 0 92 305 0 0 0 0 0 0
      {"linux-6.1-x86_64", kSeconds, CpuMode("0", "user"), 0.04},
      {"linux-6.1-x86_64", kSeconds, CpuMode("1", "user"), 0.06},
      {"linux-6.1-x86_64", kSeconds, CpuMode("0", "system"), 1.15},
      {"linux-6.1-x86_64", kSeconds, CpuMode("1", "idle"), 3.05},
      {"linux-6.1-x86_64", kGuest, CpuMode("1", "nice"), 0},
  };
  return *rows;
}

class CpuOnKernelTree : public ::testing::TestWithParam<std::string> {};

TEST_P(CpuOnKernelTree, EmitsEveryModeOfEveryCpu) {
  TreeOptions t(std::string(kHostsDir) + GetParam());
  auto c = NewCpuCollector(t.options);
  EXPECT_EQ(c->name(), "cpu");
  MetricSet set;
  Status s = c->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();

  size_t n = CheckFamily(set, kSeconds, MetricType::kCounter, kSecondsHelp,
                         {"cpu", "mode"});
  size_t g = CheckFamily(set, kGuest, MetricType::kCounter, kGuestHelp,
                         {"cpu", "mode"});
  std::set<std::string> cpus;
  for (const Sample& sample : set.Find(kSeconds)->samples) {
    cpus.insert(sample.labels[0].value);
    EXPECT_GE(sample.value, 0);
  }
  ASSERT_FALSE(cpus.empty());
  // Modern kernels print all ten columns for every CPU.
  EXPECT_EQ(n, 8 * cpus.size());
  EXPECT_EQ(g, 2 * cpus.size());
  for (const std::string& cpu : cpus) {
    for (const char* mode : {"user", "nice", "system", "idle", "iowait", "irq",
                             "softirq", "steal"}) {
      EXPECT_NE(FindSample(set, kSeconds, CpuMode(cpu, mode)), nullptr)
          << cpu << " " << mode;
    }
  }
  CheckExpectedValues(set, GetParam(), Expected());
}

INSTANTIATE_TEST_SUITE_P(Kernels, CpuOnKernelTree,
                         ::testing::ValuesIn(KernelTrees()), TreeTestName);

TEST(CpuCollectorTest, OldKernelShortLinesAndOfflineCpu) {
  TreeOptions t(EdgeTree("old-kernel"));
  MetricSet set;
  Status s = NewCpuCollector(t.options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  // 7 columns: user..softirq, no steal and no guest family at all.
  EXPECT_EQ(set.Find(kSeconds)->samples.size(), 14u);
  EXPECT_EQ(set.Find(kGuest), nullptr);
  EXPECT_DOUBLE_EQ(ValueOf(set, kSeconds, CpuMode("0", "user")), 24.12);
  EXPECT_DOUBLE_EQ(ValueOf(set, kSeconds, CpuMode("2", "user")), 22.93);
  EXPECT_DOUBLE_EQ(ValueOf(set, kSeconds, CpuMode("2", "softirq")), 4.38);
  EXPECT_EQ(FindSample(set, kSeconds, CpuMode("1", "user")), nullptr);
  EXPECT_EQ(FindSample(set, kSeconds, CpuMode("0", "steal")), nullptr);
}

TEST(CpuCollectorTest, FourColumnLinesOfLinux24) {
  TreeOptions t(EdgeTree("linux-2.4"));
  MetricSet set;
  Status s = NewCpuCollector(t.options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(set.Find(kSeconds)->samples.size(), 8u);
  EXPECT_DOUBLE_EQ(ValueOf(set, kSeconds, CpuMode("1", "system")), 3.95);
  EXPECT_DOUBLE_EQ(ValueOf(set, kSeconds, CpuMode("1", "idle")), 617.28);
  EXPECT_EQ(FindSample(set, kSeconds, CpuMode("0", "iowait")), nullptr);
}

TEST(CpuCollectorTest, MaxCountersAndGuestWithoutGuestNice) {
  TreeOptions t(EdgeTree("max-counters"));
  MetricSet set;
  Status s = NewCpuCollector(t.options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const double max = 18446744073709551615.0 / 100;
  EXPECT_DOUBLE_EQ(ValueOf(set, kSeconds, CpuMode("0", "user")), max);
  EXPECT_DOUBLE_EQ(ValueOf(set, kSeconds, CpuMode("0", "steal")), 0.07);
  EXPECT_DOUBLE_EQ(ValueOf(set, kSeconds, CpuMode("1", "idle")), max);
  EXPECT_DOUBLE_EQ(ValueOf(set, kGuest, CpuMode("0", "user")), max);
  EXPECT_DOUBLE_EQ(ValueOf(set, kGuest, CpuMode("1", "user")), 0);
  // 9 columns: guest_nice is not printed, so not emitted.
  EXPECT_EQ(set.Find(kGuest)->samples.size(), 2u);
}

TEST(CpuCollectorTest, GarbageLinesSkippedAndReported) {
  TreeOptions t(EdgeTree("garbage"));
  MetricSet set;
  Status s = NewCpuCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("/proc/stat:3:"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("cpu1 fifty"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("and 3 more"), std::string::npos) << s.message();
  // cpu0 and cpu3 (12 columns: the extra two ignored) are kept.
  EXPECT_EQ(set.Find(kSeconds)->samples.size(), 16u);
  EXPECT_DOUBLE_EQ(ValueOf(set, kSeconds, CpuMode("0", "idle")), 5);
  EXPECT_DOUBLE_EQ(ValueOf(set, kSeconds, CpuMode("3", "user")), 1.5);
  EXPECT_EQ(set.Find(kGuest)->samples.size(), 4u);
}

TEST(CpuCollectorTest, EmptyFile) {
  TreeOptions t(EdgeTree("empty"));
  MetricSet set;
  Status s = NewCpuCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "/proc/stat: file is empty");
  EXPECT_EQ(set.SampleCount(), 0u);
}

TEST(CpuCollectorTest, TruncatedFileKeepsCompleteLines) {
  TreeOptions t(EdgeTree("truncated"));
  MetricSet set;
  Status s = NewCpuCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("/proc/stat:3: incomplete last line"),
            std::string::npos)
      << s.message();
  EXPECT_DOUBLE_EQ(ValueOf(set, kSeconds, CpuMode("0", "user")), 11.8);
  // The cut "cpu1 2231 0 10" must not become cpu1 system=0.10.
  EXPECT_EQ(FindSample(set, kSeconds, CpuMode("1", "user")), nullptr);
}

TEST(CpuCollectorTest, MissingFile) {
  TreeOptions t(EdgeTree("does-not-exist"));
  MetricSet set;
  Status s = NewCpuCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("/proc/stat"), std::string::npos);
}

TEST(CpuCollectorTest, UnreadableFile) {
  RootedEnv base(std::string(kHostsDir) + "linux-6.18-x86_64");
  FaultInjectingEnv env(&base);
  env.FailReadFile("/proc/stat", PermissionDeniedError("/proc/stat: denied"));
  CollectorOptions options;
  options.env = &env;
  MetricSet set;
  Status s = NewCpuCollector(options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("/proc/stat"), std::string::npos);
  EXPECT_EQ(set.SampleCount(), 0u);
}

TEST(CpuCollectorTest, ProcPathIsHonoured) {
  // A proc path other than /proc (like --path.procfs=/host/proc in a
  // container): every read must go through it.
  TreeOptions t(std::string(kHostsDir) + "edge-system");
  t.options.paths.proc = "/old-kernel/proc";
  MetricSet set;
  ASSERT_TRUE(NewCpuCollector(t.options)->Collect(&set).ok());
  EXPECT_DOUBLE_EQ(ValueOf(set, kSeconds, CpuMode("2", "user")), 22.93);
}

TEST(CpuCollectorTest, RepeatedCyclesGiveSameResult) {
  TreeOptions t(std::string(kHostsDir) + "linux-6.18-x86_64");
  auto c = NewCpuCollector(t.options);
  MetricSet a;
  MetricSet b;
  ASSERT_TRUE(c->Collect(&a).ok());
  ASSERT_TRUE(c->Collect(&b).ok());
  EXPECT_EQ(a.SampleCount(), b.SampleCount());
  EXPECT_DOUBLE_EQ(ValueOf(b, kSeconds, CpuMode("1", "user")), 22.31);
}

TEST(CpuCollectorTest, RealHost) {
  CollectorOptions options;  // Env::Default(), /proc.
  auto c = NewCpuCollector(options);
  MetricSet set;
  Status s = c->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const MetricFamily* f = set.Find(kSeconds);
  ASSERT_NE(f, nullptr);
  std::set<std::string> cpus;
  for (const Sample& sample : f->samples) {
    cpus.insert(sample.labels[0].value);
    EXPECT_GE(sample.value, 0);
  }
  EXPECT_GE(cpus.size(), 1u);
  EXPECT_GT(ValueOf(set, kSeconds, CpuMode(*cpus.begin(), "idle")) +
                ValueOf(set, kSeconds, CpuMode(*cpus.begin(), "user")),
            0);
}

}  // namespace
}  // namespace tend
