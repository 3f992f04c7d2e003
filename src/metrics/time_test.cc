#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include "base/clock.h"
#include "metrics/collectors_system.h"
#include "metrics/collectors_system_testing.h"

namespace tend {
namespace {

using system_testing::CheckFamily;
using system_testing::EdgeTree;
using system_testing::FaultInjectingEnv;
using system_testing::FindSample;
using system_testing::KernelTrees;
using system_testing::kHostsDir;
using system_testing::TreeOptions;
using system_testing::TreeTestName;
using system_testing::ValueOf;

constexpr char kSeconds[] = "node_time_seconds";
constexpr char kZone[] = "node_time_zone_offset_seconds";
constexpr char kAvailable[] = "node_time_clocksource_available_info";
constexpr char kCurrent[] = "node_time_clocksource_current_info";
constexpr char kClocksourceDir[] = "/sys/devices/system/clocksource";

// Sets TZ for one test and puts the old value back.
class ScopedTz {
 public:
  explicit ScopedTz(const char* tz) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    ::setenv("TZ", tz, 1);
    ::tzset();
  }
  ~ScopedTz() {
    if (old_) {
      ::setenv("TZ", old_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }

 private:
  std::optional<std::string> old_;
};

Labels Source(const std::string& name, const std::string& device) {
  return {{"clocksource", name}, {"device", device}};
}

class TimeOnKernelTree : public ::testing::TestWithParam<std::string> {};

TEST_P(TimeOnKernelTree, ClockZoneAndClocksources) {
  ScopedTz tz("UTC0");
  FakeClock clock(1'700'000'000'250'000'000);
  TreeOptions t(std::string(kHostsDir) + GetParam());
  t.options.clock = &clock;
  auto c = NewTimeCollector(t.options);
  EXPECT_EQ(c->name(), "time");
  MetricSet set;
  Status s = c->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  CheckFamily(set, kSeconds, MetricType::kGauge,
              "System time in seconds since epoch (1970).");
  CheckFamily(set, kZone, MetricType::kGauge,
              "System time zone offset in seconds.", {"time_zone"});
  EXPECT_DOUBLE_EQ(ValueOf(set, kSeconds), 1700000000.25);
  EXPECT_EQ(ValueOf(set, kZone, {{"time_zone", "UTC"}}), 0);
  // The captures hold no clocksource directory; a tree that does must yield
  // one current clocksource per device.
  std::vector<std::string> names;
  if (t.env->ListDir(kClocksourceDir, &names).ok()) {
    CheckFamily(set, kAvailable, MetricType::kGauge,
                "Available clocksources read from "
                "'/sys/devices/system/clocksource'.",
                {"clocksource", "device"});
    CheckFamily(set, kCurrent, MetricType::kGauge,
                "Current clocksource read from "
                "'/sys/devices/system/clocksource'.",
                {"clocksource", "device"});
  } else {
    EXPECT_EQ(set.families().size(), 2u);
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, TimeOnKernelTree,
                         ::testing::ValuesIn(KernelTrees()), TreeTestName);

TEST(TimeCollectorTest, ZoneOffsetFollowsTzAndDaylightSaving) {
  // POSIX TZ rules: no tzdata needed. "XYZ-3" is three hours east of UTC.
  FakeClock clock(1'700'000'000'000'000'000);
  TreeOptions t(EdgeTree("old-kernel"));
  t.options.clock = &clock;
  {
    ScopedTz tz("XYZ-3");
    MetricSet set;
    ASSERT_TRUE(NewTimeCollector(t.options)->Collect(&set).ok());
    EXPECT_EQ(ValueOf(set, kZone, {{"time_zone", "XYZ"}}), 3 * 3600);
  }
  ScopedTz tz("EST5EDT,M3.2.0,M11.1.0");
  FakeClock july(1'688'212'800'000'000'000);     // 2023-07-01 12:00 UTC.
  FakeClock january(1'672'574'400'000'000'000);  // 2023-01-01 12:00 UTC.
  t.options.clock = &july;
  MetricSet summer;
  ASSERT_TRUE(NewTimeCollector(t.options)->Collect(&summer).ok());
  EXPECT_EQ(ValueOf(summer, kZone, {{"time_zone", "EDT"}}), -4 * 3600);
  EXPECT_DOUBLE_EQ(ValueOf(summer, kSeconds), 1688212800);
  t.options.clock = &january;
  MetricSet winter;
  ASSERT_TRUE(NewTimeCollector(t.options)->Collect(&winter).ok());
  EXPECT_EQ(ValueOf(winter, kZone, {{"time_zone", "EST"}}), -5 * 3600);
}

TEST(TimeCollectorTest, NoClocksourceDirectoryIsNotAnError) {
  TreeOptions t(EdgeTree("old-kernel"));
  MetricSet set;
  Status s = NewTimeCollector(t.options)->Collect(&set);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(set.Find(kAvailable), nullptr);
  EXPECT_EQ(set.Find(kCurrent), nullptr);
  EXPECT_NE(set.Find(kSeconds), nullptr);
}

TEST(TimeCollectorTest, Clocksources) {
  TreeOptions t(EdgeTree("max-counters"));
  MetricSet set;
  Status s = NewTimeCollector(t.options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(CheckFamily(set, kAvailable, MetricType::kGauge,
                        "Available clocksources read from "
                        "'/sys/devices/system/clocksource'.",
                        {"clocksource", "device"}),
            1u);
  EXPECT_EQ(ValueOf(set, kAvailable, Source("arch_sys_counter", "0")), 1);
  EXPECT_EQ(ValueOf(set, kCurrent, Source("arch_sys_counter", "0")), 1);
}

TEST(TimeCollectorTest, GarbageCurrentReportedOtherEntriesIgnored) {
  TreeOptions t(EdgeTree("garbage"));
  MetricSet set;
  Status s = NewTimeCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "/sys/devices/system/clocksource/clocksource0/"
            "current_clocksource:1: expected one clocksource name: \"tsc "
            "hpet\"");
  EXPECT_EQ(set.Find(kAvailable)->samples.size(), 3u);
  EXPECT_EQ(ValueOf(set, kAvailable, Source("acpi_pm", "0")), 1);
  EXPECT_EQ(set.Find(kCurrent), nullptr);
}

TEST(TimeCollectorTest, EmptyAndTruncated) {
  {
    TreeOptions t(EdgeTree("empty"));
    MetricSet set;
    Status s = NewTimeCollector(t.options)->Collect(&set);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message(),
              "/sys/devices/system/clocksource/clocksource0/"
              "available_clocksource: file is empty");
    // The clock does not depend on any file.
    EXPECT_NE(set.Find(kSeconds), nullptr);
    EXPECT_EQ(set.Find(kAvailable), nullptr);
  }
  TreeOptions t(EdgeTree("truncated"));
  MetricSet set;
  Status s = NewTimeCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("available_clocksource: incomplete value"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(set.Find(kAvailable), nullptr);
  // current_clocksource is complete and still read.
  EXPECT_EQ(ValueOf(set, kCurrent, Source("tsc", "0")), 1);
}

TEST(TimeCollectorTest, UnreadableFileAndDirectory) {
  RootedEnv base(EdgeTree("max-counters"));
  {
    FaultInjectingEnv env(&base);
    const std::string current =
        std::string(kClocksourceDir) + "/clocksource0/current_clocksource";
    env.FailReadFile(current, PermissionDeniedError(current + ": denied"));
    CollectorOptions options;
    options.env = &env;
    MetricSet set;
    Status s = NewTimeCollector(options)->Collect(&set);
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
    EXPECT_NE(s.message().find(current), std::string::npos);
    EXPECT_EQ(ValueOf(set, kAvailable, Source("arch_sys_counter", "0")), 1);
  }
  FaultInjectingEnv env(&base);
  env.FailListDir(
      kClocksourceDir,
      PermissionDeniedError(std::string(kClocksourceDir) + ": denied"));
  CollectorOptions options;
  options.env = &env;
  MetricSet set;
  Status s = NewTimeCollector(options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(set.Find(kSeconds), nullptr);
}

TEST(TimeCollectorTest, DirectoryListedOnceFilesReadEveryCycle) {
  RootedEnv base(EdgeTree("max-counters"));
  FaultInjectingEnv env(&base);
  CollectorOptions options;
  options.env = &env;
  auto c = NewTimeCollector(options);
  MetricSet first;
  ASSERT_TRUE(c->Collect(&first).ok());
  env.FailListDir(kClocksourceDir, UnavailableError("listed again"));
  MetricSet second;
  Status second_status = c->Collect(&second);
  ASSERT_TRUE(second_status.ok()) << second_status.ToString();
  EXPECT_EQ(ValueOf(second, kCurrent, Source("arch_sys_counter", "0")), 1);
  const std::string current =
      std::string(kClocksourceDir) + "/clocksource0/current_clocksource";
  env.FailReadFile(current, UnavailableError(current + ": gone"));
  MetricSet third;
  EXPECT_EQ(c->Collect(&third).code(), StatusCode::kUnavailable);
}

TEST(TimeCollectorTest, RealHost) {
  CollectorOptions options;  // Real clock, real /sys.
  MetricSet set;
  double before = static_cast<double>(std::time(nullptr));
  Status s = NewTimeCollector(options)->Collect(&set);
  double after = static_cast<double>(std::time(nullptr));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_GE(ValueOf(set, kSeconds), before);
  EXPECT_LE(ValueOf(set, kSeconds), after + 1);
  const MetricFamily* zone = set.Find(kZone);
  ASSERT_NE(zone, nullptr);
  ASSERT_EQ(zone->samples.size(), 1u);
  EXPECT_LE(std::abs(zone->samples[0].value), 14 * 3600);
  std::vector<std::string> names;
  if (Env::Default()->ListDir(kClocksourceDir, &names).ok()) {
    const MetricFamily* current = set.Find(kCurrent);
    ASSERT_NE(current, nullptr);
    // The current clocksource is one of the available ones.
    const Sample& cur = current->samples[0];
    EXPECT_NE(FindSample(set, kAvailable, cur.labels), nullptr);
  }
}

}  // namespace
}  // namespace tend
