#include <cerrno>
#include <cstdint>
#include <string>

#include "base/env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "metrics/collectors_net.h"
#include "metrics/net_test_util.h"

namespace tend {
namespace {

using nettest::FamilyNames;
using nettest::FaultInjectingEnv;
using nettest::OptionsFor;
using nettest::Value;
using ::testing::HasSubstr;
using ::testing::Optional;

constexpr char kEdge[] = "tests/data/hosts/edge-conntrack/";
constexpr char kCount[] = "/proc/sys/net/netfilter/nf_conntrack_count";
constexpr char kStat[] = "/proc/net/stat/nf_conntrack";

Status Collect(Env* env, MetricSet* out) {
  return NewConntrackCollector(OptionsFor(env))->Collect(out);
}

TEST(ConntrackTest, LoadedSumsCpus) {
  RootedEnv env(std::string(kEdge) + "loaded");
  auto c = NewConntrackCollector(OptionsFor(&env));
  EXPECT_EQ(c->name(), "conntrack");
  MetricSet set;
  Status s = c->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_THAT(Value(set, "node_nf_conntrack_entries"), Optional(173.0));
  EXPECT_THAT(Value(set, "node_nf_conntrack_entries_limit"),
              Optional(262144.0));
  // Sums of the two CPU lines, by hand: found 0x1f+0x21, invalid
  // 0x102+0xfe, insert_failed 1+0, drop 2+3, early_drop 0+5,
  // search_restart 0x10+0xffffffff. Columns not exposed (clashres 3,
  // chainlength 4+2, icmp_error 0xa) must not leak into any sum.
  EXPECT_THAT(Value(set, "node_nf_conntrack_stat_found"), Optional(64.0));
  EXPECT_THAT(Value(set, "node_nf_conntrack_stat_invalid"), Optional(512.0));
  EXPECT_THAT(Value(set, "node_nf_conntrack_stat_ignore"), Optional(0.0));
  EXPECT_THAT(Value(set, "node_nf_conntrack_stat_insert"), Optional(0.0));
  EXPECT_THAT(Value(set, "node_nf_conntrack_stat_insert_failed"),
              Optional(1.0));
  EXPECT_THAT(Value(set, "node_nf_conntrack_stat_drop"), Optional(5.0));
  EXPECT_THAT(Value(set, "node_nf_conntrack_stat_early_drop"), Optional(5.0));
  EXPECT_THAT(Value(set, "node_nf_conntrack_stat_search_restart"),
              Optional(4294967311.0));
  EXPECT_EQ(FamilyNames(set, "node_nf_conntrack_").size(), 10u);
  // node_exporter 1.5 types every one of them as a gauge.
  for (const MetricFamily& f : set.families()) {
    EXPECT_EQ(f.type, MetricType::kGauge) << f.name;
    EXPECT_EQ(f.samples.size(), 1u) << f.name;
    EXPECT_TRUE(f.samples[0].labels.empty()) << f.name;
  }
  EXPECT_EQ(set.Find("node_nf_conntrack_entries")->help,
            "Number of currently allocated flow entries for connection "
            "tracking.");
  EXPECT_EQ(set.Find("node_nf_conntrack_stat_early_drop")->help,
            "Number of dropped conntrack entries to make room for new ones, "
            "if maximum table size was reached.");
}

TEST(ConntrackTest, OldHeaderSameColumns) {
  RootedEnv env(std::string(kEdge) + "old-kernel");
  MetricSet set;
  ASSERT_TRUE(Collect(&env, &set).ok());
  EXPECT_THAT(Value(set, "node_nf_conntrack_entries"), Optional(12.0));
  EXPECT_THAT(Value(set, "node_nf_conntrack_stat_found"), Optional(2048.0));
  EXPECT_THAT(Value(set, "node_nf_conntrack_stat_ignore"), Optional(2560.0));
  EXPECT_THAT(Value(set, "node_nf_conntrack_stat_insert"), Optional(64.0));
  EXPECT_THAT(Value(set, "node_nf_conntrack_stat_search_restart"),
              Optional(1.0));
}

// Kernel trees captured without the module loaded: nothing, and no error
// (a host without conntrack must not log a failure every cycle).
TEST(ConntrackTest, ModuleNotLoadedIsSilent) {
  for (const std::string& tree : nettest::KernelTrees()) {
    RootedEnv env(tree);
    MetricSet set;
    EXPECT_TRUE(Collect(&env, &set).ok()) << tree;
    EXPECT_EQ(set.SampleCount(), 0u) << tree;
  }
}

TEST(ConntrackTest, NoStatFileKeepsEntries) {
  RootedEnv env(std::string(kEdge) + "no-stat");
  MetricSet set;
  ASSERT_TRUE(Collect(&env, &set).ok());
  EXPECT_THAT(Value(set, "node_nf_conntrack_entries"), Optional(7.0));
  EXPECT_THAT(Value(set, "node_nf_conntrack_entries_limit"), Optional(1024.0));
  EXPECT_EQ(FamilyNames(set, "node_nf_conntrack_stat_").size(), 0u);
}

// One bad CPU line: no stat sample at all (a sum over fewer CPUs would look
// like counters going backwards), the error names file and line.
TEST(ConntrackTest, BadStatLineDropsAllStats) {
  RootedEnv env(std::string(kEdge) + "garbage");
  MetricSet set;
  Status s = Collect(&env, &set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("/proc/net/stat/nf_conntrack:3: expected "
                                     "17 hexadecimal fields"));
  EXPECT_THAT(Value(set, "node_nf_conntrack_entries"), Optional(5.0));
  EXPECT_EQ(FamilyNames(set, "node_nf_conntrack_stat_").size(), 0u);
}

TEST(ConntrackTest, UnreadableFilesAreErrors) {
  RootedEnv base(std::string(kEdge) + "loaded");
  FaultInjectingEnv env(&base);
  env.FailReads(kStat, ErrnoError(kStat, EACCES));
  MetricSet set;
  EXPECT_EQ(Collect(&env, &set).code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(Value(set, "node_nf_conntrack_entries_limit"),
              Optional(262144.0));
  env.FailReads(kCount, ErrnoError(kCount, EIO));
  MetricSet set2;
  Status s = Collect(&env, &set2);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_THAT(s.message(), HasSubstr(kCount));
  EXPECT_EQ(set2.SampleCount(), 0u);
}

TEST(ConntrackTest, MalformedCount) {
  nettest::MemEnv env;
  env.SetFile(kCount, "lots\n");
  MetricSet set;
  Status s = Collect(&env, &set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(),
              HasSubstr(std::string(kCount) + ":1: not an unsigned integer"));
  env.SetFile(kCount, "12");  // Cut short: no newline.
  EXPECT_EQ(Collect(&env, &set).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(set.SampleCount(), 0u);
}

TEST(ConntrackTest, RealHostMatchesItsFiles) {
  CollectorOptions options;
  MetricSet set;
  Status s = NewConntrackCollector(options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::string max;
  if (!Env::Default()
           ->ReadFile("/proc/sys/net/netfilter/nf_conntrack_max", &max)
           .ok()) {
    EXPECT_EQ(set.SampleCount(), 0u);
    return;
  }
  EXPECT_THAT(Value(set, "node_nf_conntrack_entries_limit"),
              Optional(static_cast<double>(std::stoull(max))));
}

}  // namespace
}  // namespace tend
