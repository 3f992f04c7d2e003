#include "agent/collection.h"

#include <gtest/gtest.h>

namespace tend {
namespace {

class FakeCollector : public Collector {
 public:
  FakeCollector(std::string name, Status result, int* calls)
      : name_(std::move(name)), result_(std::move(result)), calls_(calls) {}
  std::string_view name() const override { return name_; }
  Status Collect(MetricSet* out) override {
    ++*calls_;
    out->Gauge("fake_" + name_, "help", *calls_);
    return result_;
  }

 private:
  std::string name_;
  Status result_;
  int* calls_;
};

double Find(const MetricSet& m, std::string_view name, std::string_view coll) {
  const MetricFamily* f = m.Find(name);
  if (f == nullptr) return -1;
  for (const Sample& s : f->samples) {
    for (const Label& l : s.labels) {
      if (l.name == "collector" && l.value == coll) return s.value;
    }
    if (coll.empty()) return s.value;
  }
  return -1;
}

TEST(CollectionTest, CountsErrorsAndKeepsPartialData) {
  FakeClock clock;
  int ok_calls = 0, bad_calls = 0;
  std::vector<std::unique_ptr<Collector>> cs;
  cs.push_back(
      std::make_unique<FakeCollector>("good", Status::Ok(), &ok_calls));
  cs.push_back(std::make_unique<FakeCollector>("bad", NotFoundError("/proc/x"),
                                               &bad_calls));
  Collection c(std::move(cs), &clock);
  MetricSet m = c.RunCycle();
  m = c.RunCycle();
  EXPECT_EQ(Find(m, "fake_good", ""), 2);
  EXPECT_EQ(Find(m, "fake_bad", ""), 2);  // Partial data kept.
  EXPECT_EQ(Find(m, "tend_collector_errors_total", "bad"), 2);
  EXPECT_EQ(Find(m, "tend_collector_errors_total", "good"), 0);
  EXPECT_EQ(Find(m, "tend_collector_success", "bad"), 0);
  EXPECT_EQ(Find(m, "tend_collector_success", "good"), 1);
  EXPECT_EQ(Find(m, "tend_collection_cycles_total", ""), 2);
  EXPECT_GT(Find(m, "tend_process_resident_memory_bytes", ""), 0);
  std::vector<CollectorHealth> h = c.Health();
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[1].last_error, "NotFound: /proc/x");
  EXPECT_EQ(c.cycles(), 2u);
  c.CountDroppedCycle();
  EXPECT_EQ(c.dropped_cycles(), 1u);
}

TEST(CollectionTest, RealConfigBuildsEnabledCollectorsOnly) {
  TendConfig config;
  config.collectors.processes.enabled = false;
  config.collectors.cpu.enabled = false;
  Collection c(config, Env::Default(), Clock::Real());
  std::vector<CollectorHealth> h = c.Health();
  for (const CollectorHealth& x : h) {
    EXPECT_NE(x.name, "cpu");
    EXPECT_NE(x.name, "processes");
  }
  EXPECT_GE(h.size(), 10u);
  MetricSet m = c.RunCycle();
  EXPECT_EQ(m.Find("node_cpu_seconds_total"), nullptr);
  EXPECT_NE(m.Find("node_memory_MemTotal_bytes"), nullptr);
  EXPECT_NE(m.Find("node_load1"), nullptr);
}

TEST(CollectionTest, IntervalReexposesLastRun) {
  TendConfig config;
  for (CollectorToggle* t : std::initializer_list<CollectorToggle*>{
           &config.collectors.cpu, &config.collectors.stat,
           &config.collectors.vmstat, &config.collectors.entropy,
           &config.collectors.filefd, &config.collectors.uname,
           &config.collectors.time, &config.collectors.pressure,
           static_cast<CollectorToggle*>(&config.collectors.diskstats),
           static_cast<CollectorToggle*>(&config.collectors.netdev),
           &config.collectors.netstat, &config.collectors.sockstat,
           static_cast<CollectorToggle*>(&config.collectors.netclass),
           &config.collectors.conntrack, &config.collectors.timex,
           static_cast<CollectorToggle*>(&config.collectors.filesystem),
           static_cast<CollectorToggle*>(&config.collectors.processes),
           &config.collectors.meminfo}) {
    t->enabled = false;
  }
  config.collectors.loadavg.interval_ms = 10000;
  FakeClock clock;
  Collection c(config, Env::Default(), &clock);
  ASSERT_EQ(c.Health().size(), 1u);
  MetricSet m1 = c.RunCycle();
  clock.Advance(1 * kNanosPerSecond);
  MetricSet m2 = c.RunCycle();
  EXPECT_EQ(c.Health()[0].runs, 1u);          // Not due yet...
  EXPECT_NE(m2.Find("node_load1"), nullptr);  // ...but still exposed.
  clock.Advance(10 * kNanosPerSecond);
  c.RunCycle().SampleCount();
  EXPECT_EQ(c.Health()[0].runs, 2u);
}

}  // namespace
}  // namespace tend
