#include "metrics/timex.h"

#include <gtest/gtest.h>
#include <sys/timex.h>

#include <cerrno>
#include <set>
#include <string>

#include "metrics/collectors_system.h"
#include "metrics/collectors_system_testing.h"

namespace tend {
namespace {

using system_testing::ValueOf;

MetricSet CollectWith(const TimexReading& t) {
  auto c = NewTimexCollectorWithReader(
      CollectorOptions{}, [t]() -> Result<TimexReading> { return t; });
  MetricSet set;
  Status s = c->Collect(&set);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return set;
}

// A chrony-disciplined clock in microsecond mode.
TimexReading MicroReading() {
  TimexReading t;
  t.state = TIME_OK;
  t.status = STA_PLL;
  t.offset = -2500;       // us
  t.freq = 10 * 65536;    // +10 ppm
  t.maxerror = 16000000;  // us
  t.esterror = 1500;      // us
  t.constant = 6;
  t.tick = 10000;          // us
  t.ppsfreq = -3 * 65536;  // -3 ppm
  t.jitter = 250;          // us
  t.shift = 4;
  t.stabil = 65536 / 2;  // 0.5 ppm
  t.jitcnt = 1;
  t.calcnt = 2;
  t.errcnt = 3;
  t.stbcnt = 4;
  t.tai = 37;
  return t;
}

TEST(TimexTest, MicrosecondMode) {
  MetricSet set = CollectWith(MicroReading());
  EXPECT_EQ(ValueOf(set, "node_timex_sync_status"), 1);
  EXPECT_DOUBLE_EQ(ValueOf(set, "node_timex_offset_seconds"), -0.0025);
  EXPECT_DOUBLE_EQ(ValueOf(set, "node_timex_frequency_adjustment_ratio"),
                   1.00001);
  EXPECT_DOUBLE_EQ(ValueOf(set, "node_timex_maxerror_seconds"), 16);
  EXPECT_DOUBLE_EQ(ValueOf(set, "node_timex_estimated_error_seconds"), 0.0015);
  EXPECT_EQ(ValueOf(set, "node_timex_status"), STA_PLL);
  EXPECT_EQ(ValueOf(set, "node_timex_loop_time_constant"), 6);
  EXPECT_DOUBLE_EQ(ValueOf(set, "node_timex_tick_seconds"), 0.01);
  // PPS frequency and stability are in ppm << 16, exposed divided by 1e6 as
  // well, as node_exporter does.
  EXPECT_DOUBLE_EQ(ValueOf(set, "node_timex_pps_frequency_hertz"), -3e-6);
  EXPECT_DOUBLE_EQ(ValueOf(set, "node_timex_pps_jitter_seconds"), 0.00025);
  EXPECT_EQ(ValueOf(set, "node_timex_pps_shift_seconds"), 4);
  EXPECT_DOUBLE_EQ(ValueOf(set, "node_timex_pps_stability_hertz"), 0.5e-6);
  EXPECT_EQ(ValueOf(set, "node_timex_pps_jitter_total"), 1);
  EXPECT_EQ(ValueOf(set, "node_timex_pps_calibration_total"), 2);
  EXPECT_EQ(ValueOf(set, "node_timex_pps_error_total"), 3);
  EXPECT_EQ(ValueOf(set, "node_timex_pps_stability_exceeded_total"), 4);
  EXPECT_EQ(ValueOf(set, "node_timex_tai_offset_seconds"), 37);
}

// STA_NANO switches offset and jitter to nanoseconds; the error bounds and
// tick stay in microseconds.
TEST(TimexTest, NanosecondMode) {
  TimexReading t = MicroReading();
  t.status = STA_PLL | STA_NANO;
  t.offset = 2500;  // ns
  t.jitter = 400;   // ns
  MetricSet set = CollectWith(t);
  EXPECT_DOUBLE_EQ(ValueOf(set, "node_timex_offset_seconds"), 2.5e-6);
  EXPECT_DOUBLE_EQ(ValueOf(set, "node_timex_pps_jitter_seconds"), 4e-7);
  EXPECT_DOUBLE_EQ(ValueOf(set, "node_timex_maxerror_seconds"), 16);
  EXPECT_DOUBLE_EQ(ValueOf(set, "node_timex_tick_seconds"), 0.01);
  EXPECT_EQ(ValueOf(set, "node_timex_status"), STA_PLL | STA_NANO);
}

// node_exporter derives sync_status from the call's return value, not from
// the status bits: only TIME_ERROR means unsynchronized.
TEST(TimexTest, SyncStatusFollowsClockState) {
  TimexReading t = MicroReading();
  for (int state : {TIME_OK, TIME_INS, TIME_DEL, TIME_OOP, TIME_WAIT}) {
    t.state = state;
    EXPECT_EQ(ValueOf(CollectWith(t), "node_timex_sync_status"), 1) << state;
  }
  t.state = TIME_ERROR;
  t.status = STA_UNSYNC;
  MetricSet set = CollectWith(t);
  EXPECT_EQ(ValueOf(set, "node_timex_sync_status"), 0);
  EXPECT_EQ(ValueOf(set, "node_timex_status"), STA_UNSYNC);
}

TEST(TimexTest, FamiliesTypesAndHelp) {
  MetricSet set = CollectWith(MicroReading());
  // node_exporter 1.5's timex families, from its /metrics.
  const std::set<std::string> counters = {
      "node_timex_pps_calibration_total", "node_timex_pps_error_total",
      "node_timex_pps_jitter_total", "node_timex_pps_stability_exceeded_total"};
  const std::set<std::string> gauges = {"node_timex_estimated_error_seconds",
                                        "node_timex_frequency_adjustment_ratio",
                                        "node_timex_loop_time_constant",
                                        "node_timex_maxerror_seconds",
                                        "node_timex_offset_seconds",
                                        "node_timex_pps_frequency_hertz",
                                        "node_timex_pps_jitter_seconds",
                                        "node_timex_pps_shift_seconds",
                                        "node_timex_pps_stability_hertz",
                                        "node_timex_status",
                                        "node_timex_sync_status",
                                        "node_timex_tai_offset_seconds",
                                        "node_timex_tick_seconds"};
  EXPECT_EQ(set.families().size(), counters.size() + gauges.size());
  for (const MetricFamily& f : set.families()) {
    EXPECT_EQ(f.type, counters.count(f.name) ? MetricType::kCounter
                                             : MetricType::kGauge)
        << f.name;
    EXPECT_EQ(counters.count(f.name) + gauges.count(f.name), 1u) << f.name;
    EXPECT_EQ(f.samples.size(), 1u) << f.name;
    EXPECT_FALSE(f.help.empty()) << f.name;
  }
  EXPECT_EQ(set.Find("node_timex_sync_status")->help,
            "Is clock synchronized to a reliable server (1 = yes, 0 = no).");
  EXPECT_EQ(set.Find("node_timex_offset_seconds")->help,
            "Time offset in between local system and reference clock.");
}

TEST(TimexTest, PermissionDeniedIsSilentOtherErrorsReported) {
  auto denied = NewTimexCollectorWithReader(
      CollectorOptions{},
      []() -> Result<TimexReading> { return ErrnoError("adjtimex", EPERM); });
  EXPECT_EQ(denied->name(), "timex");
  MetricSet set;
  EXPECT_TRUE(denied->Collect(&set).ok());
  EXPECT_EQ(set.SampleCount(), 0u);
  auto failing = NewTimexCollectorWithReader(
      CollectorOptions{},
      []() -> Result<TimexReading> { return ErrnoError("adjtimex", EFAULT); });
  Status s = failing->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_EQ(s.message().rfind("adjtimex: ", 0), 0u) << s.message();
  EXPECT_EQ(set.SampleCount(), 0u);
}

TEST(TimexTest, RealKernel) {
  Result<TimexReading> r = ReadKernelTimex();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT(r->tick, 0);
  MetricSet set;
  Status s = NewTimexCollector(CollectorOptions{})->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(set.families().size(), 17u);
  // The tick is about 1/HZ seconds (HZ from 100 to 1000), which adjtimex
  // may change by up to 10%.
  EXPECT_GE(ValueOf(set, "node_timex_tick_seconds"), 0.0009);
  EXPECT_LE(ValueOf(set, "node_timex_tick_seconds"), 0.011);
  // The kernel returns TIME_ERROR whenever STA_UNSYNC is set.
  if ((static_cast<int>(ValueOf(set, "node_timex_status")) & STA_UNSYNC) != 0) {
    EXPECT_EQ(ValueOf(set, "node_timex_sync_status"), 0);
  }
}

}  // namespace
}  // namespace tend
