#include <gtest/gtest.h>

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
using system_testing::KernelTrees;
using system_testing::kHostsDir;
using system_testing::TreeOptions;
using system_testing::TreeTestName;
using system_testing::ValueOf;

constexpr char kCpuWaiting[] = "node_pressure_cpu_waiting_seconds_total";
constexpr char kIoWaiting[] = "node_pressure_io_waiting_seconds_total";
constexpr char kIoStalled[] = "node_pressure_io_stalled_seconds_total";
constexpr char kMemWaiting[] = "node_pressure_memory_waiting_seconds_total";
constexpr char kMemStalled[] = "node_pressure_memory_stalled_seconds_total";

// Read by hand from each tree's proc/pressure/* (total= microseconds / 1e6).
const std::vector<ExpectedValue>& Expected() {
  static const auto* rows = new std::vector<ExpectedValue>{
      {"linux-6.18-x86_64", kCpuWaiting, {}, 5.487019},
      {"linux-6.18-x86_64", kIoWaiting, {}, 2.521405},
      {"linux-6.18-x86_64", kIoStalled, {}, 2.351278},
      {"linux-6.18-x86_64", kMemWaiting, {}, 0},
      {"linux-6.18-x86_64", kMemStalled, {}, 0},
      {"linux-6.1-x86_64", kCpuWaiting, {}, 0.434643},
      {"linux-6.1-x86_64", kIoWaiting, {}, 0.00442},
      {"linux-6.1-x86_64", kIoStalled, {}, 0.003935},
      {"linux-6.1-x86_64", kMemWaiting, {}, 0},
      {"linux-6.1-x86_64", kMemStalled, {}, 0},
  };
  return *rows;
}

void CheckAllFamilies(const MetricSet& set) {
  CheckFamily(set, kCpuWaiting, MetricType::kCounter,
              "Total time in seconds that processes have waited for CPU time");
  CheckFamily(
      set, kIoWaiting, MetricType::kCounter,
      "Total time in seconds that processes have waited due to IO congestion");
  CheckFamily(set, kIoStalled, MetricType::kCounter,
              "Total time in seconds no process could make progress due to "
              "IO congestion");
  CheckFamily(set, kMemWaiting, MetricType::kCounter,
              "Total time in seconds that processes have waited for memory");
  CheckFamily(set, kMemStalled, MetricType::kCounter,
              "Total time in seconds no process could make progress due to "
              "memory congestion");
}

class PressureOnKernelTree : public ::testing::TestWithParam<std::string> {};

// A tree captured without PSI (Debian boots with psi=0 unless told) is fine
// too: then there must be no samples at all.
TEST_P(PressureOnKernelTree, EmitsFiveTotalsOrNothing) {
  TreeOptions t(std::string(kHostsDir) + GetParam());
  auto c = NewPressureCollector(t.options);
  EXPECT_EQ(c->name(), "pressure");
  MetricSet set;
  Status s = c->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::string unused;
  if (t.env->ReadFile("/proc/pressure/cpu", &unused).ok()) {
    CheckAllFamilies(set);
    EXPECT_EQ(set.SampleCount(), 5u);
  } else {
    EXPECT_EQ(set.SampleCount(), 0u);
  }
  CheckExpectedValues(set, GetParam(), Expected());
}

INSTANTIATE_TEST_SUITE_P(Kernels, PressureOnKernelTree,
                         ::testing::ValuesIn(KernelTrees()), TreeTestName);

TEST(PressureCollectorTest, NoPsiIsNotAnError) {
  TreeOptions t(EdgeTree("old-kernel"));
  MetricSet set;
  Status s = NewPressureCollector(t.options)->Collect(&set);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(set.SampleCount(), 0u);
  // Likewise when /proc itself is not there.
  TreeOptions none(EdgeTree("does-not-exist"));
  s = NewPressureCollector(none.options)->Collect(&set);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(set.SampleCount(), 0u);
}

TEST(PressureCollectorTest, MaxCounters) {
  TreeOptions t(EdgeTree("max-counters"));
  MetricSet set;
  Status s = NewPressureCollector(t.options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  CheckAllFamilies(set);
  // cpu's "full" line (5.13+) is not exported, as in node_exporter 1.5.
  EXPECT_EQ(set.SampleCount(), 5u);
  EXPECT_DOUBLE_EQ(ValueOf(set, kCpuWaiting), 18446744073709551615.0 / 1e6);
  EXPECT_DOUBLE_EQ(ValueOf(set, kMemStalled), 18446744073709551615.0 / 1e6);
}

TEST(PressureCollectorTest, GarbageLinesSkippedAndReported) {
  TreeOptions t(EdgeTree("garbage"));
  MetricSet set;
  Status s = NewPressureCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  // The first file's problem is returned; the others' are still parsed.
  EXPECT_EQ(s.message(),
            "/proc/pressure/cpu:1: no valid total=: \"some avg10=0.00 "
            "avg60=0.00 avg300=0.00 total=abc\"");
  EXPECT_EQ(set.Find(kCpuWaiting), nullptr);
  EXPECT_DOUBLE_EQ(ValueOf(set, kIoWaiting), 1.5);
  EXPECT_DOUBLE_EQ(ValueOf(set, kIoStalled), 2.5);
  EXPECT_DOUBLE_EQ(ValueOf(set, kMemWaiting), 3);
  EXPECT_DOUBLE_EQ(ValueOf(set, kMemStalled), 4);
}

TEST(PressureCollectorTest, EmptyFiles) {
  TreeOptions t(EdgeTree("empty"));
  MetricSet set;
  Status s = NewPressureCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "/proc/pressure/cpu: file is empty");
  EXPECT_EQ(set.SampleCount(), 0u);
}

TEST(PressureCollectorTest, TruncatedFiles) {
  TreeOptions t(EdgeTree("truncated"));
  MetricSet set;
  Status s = NewPressureCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("/proc/pressure/io:2: incomplete last line"),
            std::string::npos)
      << s.message();
  EXPECT_DOUBLE_EQ(ValueOf(set, kCpuWaiting), 5.487019);
  EXPECT_DOUBLE_EQ(ValueOf(set, kIoWaiting), 2.521405);
  EXPECT_EQ(set.Find(kIoStalled), nullptr);
  // memory's only line was cut inside its total.
  EXPECT_EQ(set.Find(kMemWaiting), nullptr);
  EXPECT_EQ(set.SampleCount(), 2u);
}

TEST(PressureCollectorTest, UnreadableFileIsAnErrorOthersStillRead) {
  RootedEnv base(std::string(kHostsDir) + "linux-6.18-x86_64");
  FaultInjectingEnv env(&base);
  env.FailReadFile("/proc/pressure/io",
                   PermissionDeniedError("/proc/pressure/io: denied"));
  CollectorOptions options;
  options.env = &env;
  MetricSet set;
  Status s = NewPressureCollector(options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("/proc/pressure/io"), std::string::npos);
  EXPECT_DOUBLE_EQ(ValueOf(set, kCpuWaiting), 5.487019);
  EXPECT_DOUBLE_EQ(ValueOf(set, kMemWaiting), 0);
  EXPECT_EQ(set.Find(kIoWaiting), nullptr);
}

TEST(PressureCollectorTest, RealHost) {
  CollectorOptions options;
  MetricSet set;
  Status s = NewPressureCollector(options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::string unused;
  if (Env::Default()->ReadFile("/proc/pressure/cpu", &unused).ok()) {
    CheckAllFamilies(set);
    EXPECT_GE(ValueOf(set, kCpuWaiting), 0);
  } else {
    EXPECT_EQ(set.SampleCount(), 0u);
  }
}

}  // namespace
}  // namespace tend
