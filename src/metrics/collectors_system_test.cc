// Properties every system collector shares (collectors_system.h).
#include "metrics/collectors_system.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "metrics/collectors_system_testing.h"

namespace tend {
namespace {

using system_testing::kHostsDir;

using Factory =
    std::function<std::unique_ptr<Collector>(const CollectorOptions&)>;

struct Entry {
  const char* name;
  Factory make;
};

const std::vector<Entry>& All() {
  static const auto* all = new std::vector<Entry>{
      {"cpu", NewCpuCollector},           {"stat", NewStatCollector},
      {"meminfo", NewMeminfoCollector},   {"loadavg", NewLoadavgCollector},
      {"pressure", NewPressureCollector}, {"vmstat", NewVmstatCollector},
      {"entropy", NewEntropyCollector},   {"filefd", NewFilefdCollector},
      {"uname", NewUnameCollector},       {"time", NewTimeCollector},
  };
  return *all;
}

TEST(SystemCollectorsTest, NamesAreTheConfigurationKeys) {
  CollectorOptions options;
  for (const Entry& e : All()) {
    EXPECT_EQ(e.make(options)->name(), e.name);
  }
}

// With the tree one level down, only paths.proc and paths.sys lead to the
// files: a collector that reads "/proc/..." directly fails here.
TEST(SystemCollectorsTest, EveryCollectorReadsThroughHostPaths) {
  RootedEnv env(std::string(kHostsDir) + "edge-system");
  CollectorOptions options;
  options.env = &env;
  options.paths.proc = "/max-counters/proc";
  options.paths.sys = "/max-counters/sys";
  for (const Entry& e : All()) {
    MetricSet set;
    Status s = e.make(options)->Collect(&set);
    EXPECT_TRUE(s.ok()) << e.name << ": " << s.ToString();
    EXPECT_GT(set.SampleCount(), 0u) << e.name;
  }
  MetricSet set;
  ASSERT_TRUE(NewTimeCollector(options)->Collect(&set).ok());
  EXPECT_NE(set.Find("node_time_clocksource_current_info"), nullptr);
}

// Every family name starts with node_ and no two collectors emit the same
// one, so their sets can be merged.
TEST(SystemCollectorsTest, FamiliesAreDisjointAcrossCollectors) {
  RootedEnv env(std::string(kHostsDir) + "linux-6.18-x86_64");
  CollectorOptions options;
  options.env = &env;
  std::set<std::string> seen;
  for (const Entry& e : All()) {
    MetricSet set;
    ASSERT_TRUE(e.make(options)->Collect(&set).ok()) << e.name;
    for (const MetricFamily& f : set.families()) {
      EXPECT_TRUE(f.name.starts_with("node_")) << f.name;
      EXPECT_TRUE(seen.insert(f.name).second) << f.name;
    }
  }
}

}  // namespace
}  // namespace tend
