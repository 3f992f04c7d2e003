#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "base/env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "metrics/collectors_net.h"
#include "metrics/net_test_util.h"
#include "metrics/parse.h"

namespace tend {
namespace {

using nettest::FamilyNames;
using nettest::FaultInjectingEnv;
using nettest::OptionsFor;
using nettest::Value;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;

const double kPageSize = static_cast<double>(::sysconf(_SC_PAGESIZE));

Status Collect(const CollectorOptions& options, MetricSet* out) {
  return NewSockstatCollector(options)->Collect(out);
}

// What node_exporter reports from a tree, worked out independently: every
// known key of every line of both files, mem also in bytes.
std::map<std::string, double> Expected(const std::string& root) {
  std::map<std::string, double> out;
  for (const char* file : {"/proc/net/sockstat", "/proc/net/sockstat6"}) {
    std::string text = nettest::ReadFixture(root + file);
    std::string_view rest = text;
    std::vector<std::string_view> f;
    while (!rest.empty()) {
      SplitFields(NextLine(&rest), &f);
      if (f.size() < 3) continue;
      std::string proto(f[0].substr(0, f[0].size() - 1));
      for (size_t i = 1; i + 1 < f.size(); i += 2) {
        std::string key(f[i]);
        double v = std::stod(std::string(f[i + 1]));
        if (proto == "sockets") {
          out["node_sockstat_sockets_used"] = v;
          continue;
        }
        out["node_sockstat_" + proto + "_" + key] = v;
        if (key == "mem") {
          out["node_sockstat_" + proto + "_mem_bytes"] = v * kPageSize;
        }
      }
    }
  }
  return out;
}

class SockstatTreeTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SockstatTreeTest, ReportsEveryKey) {
  RootedEnv env(GetParam());
  MetricSet set;
  ASSERT_TRUE(Collect(OptionsFor(&env), &set).ok());
  std::map<std::string, double> want = Expected(GetParam());
  ASSERT_FALSE(want.empty());
  std::set<std::string> names;
  for (const auto& [name, value] : want) {
    names.insert(name);
    EXPECT_THAT(Value(set, name), Optional(value)) << name;
    const MetricFamily* f = set.Find(name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(f->type, MetricType::kGauge);
  }
  EXPECT_EQ(FamilyNames(set, "node_sockstat_"), names);
}

INSTANTIATE_TEST_SUITE_P(KernelTrees, SockstatTreeTest,
                         ::testing::ValuesIn(nettest::KernelTrees()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return nettest::TreeName(info.param);
                         });

TEST(SockstatTest, Linux618Values) {
  RootedEnv env(nettest::kTree618);
  MetricSet set;
  ASSERT_TRUE(Collect(OptionsFor(&env), &set).ok());
  // sockets: used 8
  // TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 209
  EXPECT_THAT(Value(set, "node_sockstat_sockets_used"), Optional(8.0));
  EXPECT_THAT(Value(set, "node_sockstat_TCP_inuse"), Optional(1.0));
  EXPECT_THAT(Value(set, "node_sockstat_TCP_orphan"), Optional(0.0));
  EXPECT_THAT(Value(set, "node_sockstat_TCP_tw"), Optional(0.0));
  EXPECT_THAT(Value(set, "node_sockstat_TCP_alloc"), Optional(1.0));
  EXPECT_THAT(Value(set, "node_sockstat_TCP_mem"), Optional(209.0));
  EXPECT_THAT(Value(set, "node_sockstat_TCP_mem_bytes"),
              Optional(209 * kPageSize));
  EXPECT_THAT(Value(set, "node_sockstat_UDP_inuse"), Optional(0.0));
  EXPECT_THAT(Value(set, "node_sockstat_UDP_mem"), Optional(0.0));
  EXPECT_THAT(Value(set, "node_sockstat_UDP_mem_bytes"), Optional(0.0));
  EXPECT_THAT(Value(set, "node_sockstat_UDPLITE_inuse"), Optional(0.0));
  EXPECT_THAT(Value(set, "node_sockstat_RAW_inuse"), Optional(0.0));
  EXPECT_THAT(Value(set, "node_sockstat_FRAG_inuse"), Optional(0.0));
  EXPECT_THAT(Value(set, "node_sockstat_FRAG_memory"), Optional(0.0));
  EXPECT_EQ(Value(set, "node_sockstat_FRAG_memory_bytes"), std::nullopt);
  EXPECT_THAT(Value(set, "node_sockstat_TCP6_inuse"), Optional(0.0));
  EXPECT_THAT(Value(set, "node_sockstat_UDP6_inuse"), Optional(0.0));
  EXPECT_THAT(Value(set, "node_sockstat_UDPLITE6_inuse"), Optional(0.0));
  EXPECT_THAT(Value(set, "node_sockstat_RAW6_inuse"), Optional(0.0));
  EXPECT_THAT(Value(set, "node_sockstat_FRAG6_inuse"), Optional(0.0));
  EXPECT_THAT(Value(set, "node_sockstat_FRAG6_memory"), Optional(0.0));
  // The 20 families node_exporter 1.5 printed on this machine.
  EXPECT_EQ(FamilyNames(set, "node_sockstat_").size(), 20u);
  const MetricFamily* f = set.Find("node_sockstat_TCP_mem_bytes");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->help, "Number of TCP sockets in state mem_bytes.");
  f = set.Find("node_sockstat_sockets_used");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->help, "Number of IPv4 sockets in use.");
  EXPECT_EQ(f->type, MetricType::kGauge);
}

TEST(SockstatTest, NoSockstat6AndHugeValues) {
  RootedEnv env(nettest::kEdgeMixed);
  MetricSet set;
  Status s = Collect(OptionsFor(&env), &set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_THAT(Value(set, "node_sockstat_sockets_used"),
              Optional(18446744073709551615.0));
  EXPECT_THAT(Value(set, "node_sockstat_TCP_mem"), Optional(4294967296.0));
  EXPECT_THAT(Value(set, "node_sockstat_TCP_mem_bytes"),
              Optional(4294967296.0 * kPageSize));
  EXPECT_THAT(Value(set, "node_sockstat_UDP_mem_bytes"),
              Optional(3 * kPageSize));
  // Unknown keys (MPTCP's "newkey") are ignored, known ones reported.
  EXPECT_THAT(Value(set, "node_sockstat_MPTCP_inuse"), Optional(4.0));
  EXPECT_EQ(Value(set, "node_sockstat_MPTCP_newkey"), std::nullopt);
  EXPECT_THAT(FamilyNames(set, "node_sockstat_TCP6"), IsEmpty());
}

TEST(SockstatTest, GarbageIsSkippedAndReported) {
  RootedEnv env(nettest::kEdgeGarbage);
  MetricSet set;
  Status s = Collect(OptionsFor(&env), &set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("/proc/net/sockstat:2: "
                                     "expected \"PROTO: key value"));
  // Lines 3, 4, 6 (RAW again) and the cut line 7.
  EXPECT_THAT(s.message(), HasSubstr("(and 4 more problems)"));
  EXPECT_THAT(Value(set, "node_sockstat_sockets_used"), Optional(5.0));
  EXPECT_THAT(Value(set, "node_sockstat_RAW_inuse"), Optional(3.0));
  EXPECT_THAT(Value(set, "node_sockstat_TCP6_inuse"), Optional(2.0));
  EXPECT_EQ(Value(set, "node_sockstat_TCP_inuse"), std::nullopt);
  EXPECT_EQ(Value(set, "node_sockstat_UDP_inuse"), std::nullopt);
  EXPECT_EQ(Value(set, "node_sockstat_FRAG_inuse"), std::nullopt);
  EXPECT_EQ(FamilyNames(set, "node_sockstat_").size(), 3u);
}

TEST(SockstatTest, EmptyFilesAreErrors) {
  RootedEnv env(nettest::kEdgeEmpty);
  MetricSet set;
  Status s = Collect(OptionsFor(&env), &set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("/proc/net/sockstat: file is empty"));
  EXPECT_EQ(set.SampleCount(), 0u);
}

TEST(SockstatTest, UnreadableSockstat6IsReportedAfterTheRest) {
  RootedEnv rooted(nettest::kTree618);
  FaultInjectingEnv env(&rooted);
  env.FailReads("/proc/net/sockstat6",
                PermissionDeniedError("/proc/net/sockstat6: denied"));
  MetricSet set;
  Status s = Collect(OptionsFor(&env), &set);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("/proc/net/sockstat6"));
  EXPECT_THAT(Value(set, "node_sockstat_TCP_mem"), Optional(209.0));
  EXPECT_THAT(FamilyNames(set, "node_sockstat_TCP6"), IsEmpty());
}

TEST(SockstatTest, MissingSockstatIsAnError) {
  RootedEnv env("tests/data/hosts/does-not-exist");
  MetricSet set;
  Status s = Collect(OptionsFor(&env), &set);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr("/proc/net/sockstat"));
  EXPECT_EQ(set.SampleCount(), 0u);
}

TEST(SockstatTest, RealHost) {
  MetricSet set;
  Status s = NewSockstatCollector(CollectorOptions())->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(Value(set, "node_sockstat_sockets_used").has_value());
  EXPECT_TRUE(Value(set, "node_sockstat_TCP_inuse").has_value());
  std::optional<double> mem = Value(set, "node_sockstat_TCP_mem");
  ASSERT_TRUE(mem.has_value());
  EXPECT_THAT(Value(set, "node_sockstat_TCP_mem_bytes"),
              Optional(*mem * kPageSize));
}

}  // namespace
}  // namespace tend
