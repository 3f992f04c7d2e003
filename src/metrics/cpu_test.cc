#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "base/log.h"
#include "metrics/collectors_system.h"
#include "metrics/collectors_system_testing.h"

namespace tend {
namespace {

using system_testing::CheckExpectedValues;
using system_testing::CheckFamily;
using system_testing::CollectWithUnreadable;
using system_testing::EdgeTree;
using system_testing::ExpectedValue;
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
  MetricSet set;
  EXPECT_EQ(CollectWithUnreadable(NewCpuCollector, "/proc/stat", &set).code(),
            StatusCode::kPermissionDenied);
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

// Serves /proc/stat from a string the test changes between cycles.
class StatTextEnv : public Env {
 public:
  void Set(std::string text) {
    text_ = std::move(text);
    fail_ = false;
  }
  void Fail() { fail_ = true; }

  Status ReadFile(const std::string& path, std::string* out) override {
    if (path != "/proc/stat" || fail_) {
      return NotFoundError(path + ": No such file or directory");
    }
    *out = text_;
    return Status::Ok();
  }
  Status ListDir(const std::string& path, std::vector<std::string>*) override {
    return NotFoundError(path);
  }
  Result<uint64_t> CountDirEntries(const std::string& path) override {
    return NotFoundError(path);
  }
  Result<std::string> ReadLink(const std::string& path) override {
    return NotFoundError(path);
  }
  Result<FsStats> StatFs(const std::string& path) override {
    return NotFoundError(path);
  }
  Result<FileTimes> Stat(const std::string& path) override {
    return NotFoundError(path);
  }

 private:
  std::string text_;
  bool fail_ = false;
};

// A cpuN line: user nice system idle iowait irq softirq steal guest
// guest_nice, in ticks.
std::string CpuLine(int cpu, uint64_t user, uint64_t idle, uint64_t iowait,
                    uint64_t guest = 0) {
  return "cpu" + std::to_string(cpu) + " " + std::to_string(user) + " 0 100 " +
         std::to_string(idle) + " " + std::to_string(iowait) + " 0 0 0 " +
         std::to_string(guest) + " 0\n";
}

// Runs the collector over a sequence of /proc/stat contents.
class CpuSequenceTest : public ::testing::Test {
 protected:
  CpuSequenceTest() {
    options_.env = &env_;
    collector_ = NewCpuCollector(options_);
  }

  // Collects `stat_lines` (cpuN lines) as one read; the set is kept in
  // set_.
  Status Read(const std::string& stat_lines) {
    env_.Set("cpu  0 0 0 0 0 0 0 0 0 0\n" + stat_lines + "intr 1 0\n");
    set_ = MetricSet();
    return collector_->Collect(&set_);
  }
  double Seconds(const std::string& cpu, const std::string& mode) const {
    return ValueOf(set_, kSeconds, CpuMode(cpu, mode));
  }

  StatTextEnv env_;
  CollectorOptions options_;
  std::unique_ptr<Collector> collector_;
  MetricSet set_;
};

TEST_F(CpuSequenceTest, IowaitThatGoesDownKeepsThePreviousValue) {
  std::vector<std::string> log;
  const LogLevel level = GetLogLevel();
  SetLogLevel(LogLevel::kDebug);
  SetLogSinkForTesting([&](std::string_view l) { log.emplace_back(l); });

  ASSERT_TRUE(
      Read(CpuLine(0, 1000, 50000, 500) + CpuLine(1, 7, 60000, 40)).ok());
  EXPECT_DOUBLE_EQ(Seconds("0", "iowait"), 5.00);
  EXPECT_TRUE(log.empty());

  // The kernel reports less iowait for cpu0: 5.00 is exposed again.
  ASSERT_TRUE(
      Read(CpuLine(0, 1010, 50100, 480) + CpuLine(1, 8, 60100, 41)).ok());
  EXPECT_DOUBLE_EQ(Seconds("0", "iowait"), 5.00);
  EXPECT_DOUBLE_EQ(Seconds("0", "user"), 10.10);
  EXPECT_DOUBLE_EQ(Seconds("0", "idle"), 501.00);
  EXPECT_DOUBLE_EQ(Seconds("1", "iowait"), 0.41);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].find("CPU counter jumped backwards"), std::string::npos)
      << log[0];
  EXPECT_NE(log[0].find("cpu=0"), std::string::npos) << log[0];
  EXPECT_NE(log[0].find("mode=iowait"), std::string::npos) << log[0];

  // Still below what was exposed: still 5.00.
  ASSERT_TRUE(
      Read(CpuLine(0, 1020, 50200, 495) + CpuLine(1, 9, 60200, 42)).ok());
  EXPECT_DOUBLE_EQ(Seconds("0", "iowait"), 5.00);

  // Rising past it again: the kernel's value.
  ASSERT_TRUE(
      Read(CpuLine(0, 1030, 50300, 520) + CpuLine(1, 10, 60300, 43)).ok());
  EXPECT_DOUBLE_EQ(Seconds("0", "iowait"), 5.20);
  EXPECT_DOUBLE_EQ(Seconds("1", "user"), 0.10);
  EXPECT_EQ(log.size(), 2u);

  SetLogSinkForTesting(nullptr);
  SetLogLevel(level);
}

TEST_F(CpuSequenceTest, SmallIdleDropAndGuestDropAreHeld) {
  ASSERT_TRUE(Read(CpuLine(0, 1000, 50000, 500, 300)).ok());
  // Idle falls by 2.99 s (below the 3 s hotplug threshold), guest by 1.
  ASSERT_TRUE(Read(CpuLine(0, 1001, 49701, 501, 299)).ok());
  EXPECT_DOUBLE_EQ(Seconds("0", "idle"), 500.00);
  EXPECT_DOUBLE_EQ(Seconds("0", "user"), 10.01);
  EXPECT_DOUBLE_EQ(ValueOf(set_, kGuest, CpuMode("0", "user")), 3.00);
}

TEST_F(CpuSequenceTest, CpuThatDisappearsAndReturnsStartsAgain) {
  ASSERT_TRUE(
      Read(CpuLine(0, 1000, 50000, 500) + CpuLine(1, 2000, 90000, 900)).ok());
  EXPECT_DOUBLE_EQ(Seconds("1", "user"), 20.00);

  // cpu1 goes offline: absent from the read and from the output.
  ASSERT_TRUE(Read(CpuLine(0, 1010, 50100, 501)).ok());
  EXPECT_EQ(FindSample(set_, kSeconds, CpuMode("1", "user")), nullptr);
  EXPECT_EQ(set_.Find(kSeconds)->samples.size(), 8u);

  // It returns with counters far below the old ones (the kernel restarted
  // them): they are exposed as they are, not held at the old values.
  ASSERT_TRUE(Read(CpuLine(0, 1020, 50200, 502) + CpuLine(1, 10, 100, 1)).ok());
  EXPECT_DOUBLE_EQ(Seconds("1", "user"), 0.10);
  EXPECT_DOUBLE_EQ(Seconds("1", "idle"), 1.00);
  EXPECT_DOUBLE_EQ(Seconds("1", "iowait"), 0.01);

  // And from there on they are held against the new values.
  ASSERT_TRUE(Read(CpuLine(0, 1030, 50300, 503) + CpuLine(1, 12, 150, 0)).ok());
  EXPECT_DOUBLE_EQ(Seconds("1", "user"), 0.12);
  EXPECT_DOUBLE_EQ(Seconds("1", "iowait"), 0.01);
}

TEST_F(CpuSequenceTest, IdleJumpingBackThreeSecondsResetsTheCpu) {
  // cpu1 went offline and came back between two reads: never seen absent,
  // but its idle time fell by 3 s or more.
  ASSERT_TRUE(
      Read(CpuLine(0, 1000, 50000, 500) + CpuLine(1, 2000, 90000, 900)).ok());
  ASSERT_TRUE(
      Read(CpuLine(0, 1010, 50100, 501) + CpuLine(1, 5, 89700, 2)).ok());
  EXPECT_DOUBLE_EQ(Seconds("1", "user"), 0.05);
  EXPECT_DOUBLE_EQ(Seconds("1", "idle"), 897.00);
  EXPECT_DOUBLE_EQ(Seconds("1", "iowait"), 0.02);
  ASSERT_TRUE(
      Read(CpuLine(0, 1020, 50200, 502) + CpuLine(1, 6, 89800, 3)).ok());
  EXPECT_DOUBLE_EQ(Seconds("1", "user"), 0.06);
  EXPECT_DOUBLE_EQ(Seconds("0", "user"), 10.20);
}

TEST_F(CpuSequenceTest, FailedOrPartialReadsKeepWhatWasExposed) {
  ASSERT_TRUE(
      Read(CpuLine(0, 1000, 50000, 500) + CpuLine(1, 2000, 90000, 900)).ok());
  env_.Fail();
  set_ = MetricSet();
  EXPECT_EQ(collector_->Collect(&set_).code(), StatusCode::kNotFound);
  EXPECT_EQ(set_.SampleCount(), 0u);

  // cpu1's line is malformed: it is not taken as offline.
  EXPECT_EQ(Read(CpuLine(0, 1010, 50100, 499) + "cpu1 x y z\n").code(),
            StatusCode::kInvalidArgument);
  EXPECT_DOUBLE_EQ(Seconds("0", "iowait"), 5.00);
  EXPECT_EQ(FindSample(set_, kSeconds, CpuMode("1", "user")), nullptr);

  ASSERT_TRUE(
      Read(CpuLine(0, 1020, 50200, 498) + CpuLine(1, 2010, 90100, 899)).ok());
  EXPECT_DOUBLE_EQ(Seconds("0", "iowait"), 5.00);
  EXPECT_DOUBLE_EQ(Seconds("1", "iowait"), 9.00);
  EXPECT_DOUBLE_EQ(Seconds("1", "user"), 20.10);
}

TEST_F(CpuSequenceTest, MaximalCountersAreNotMistakenForHotplug) {
  const uint64_t max = ~uint64_t{0};
  ASSERT_TRUE(Read(CpuLine(0, max, max, max)).ok());
  ASSERT_TRUE(Read(CpuLine(0, max, max, max - 1)).ok());
  EXPECT_DOUBLE_EQ(Seconds("0", "iowait"), static_cast<double>(max) / 100);
  EXPECT_DOUBLE_EQ(Seconds("0", "idle"), static_cast<double>(max) / 100);
}

}  // namespace
}  // namespace tend
