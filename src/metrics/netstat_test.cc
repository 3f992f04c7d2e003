#include <map>
#include <regex>
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
using nettest::MemEnv;
using nettest::OptionsFor;
using nettest::Value;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;

Status Collect(const CollectorOptions& options, MetricSet* out) {
  return NewNetstatCollector(options)->Collect(out);
}

// What node_exporter reports from a tree, worked out independently of the
// collector: every "Proto_Field" of the three files that matches the
// default field pattern, with its value.
std::map<std::string, double> Expected(const std::string& root) {
  // std::regex (ECMAScript) accepts node_exporter's pattern as written.
  const std::regex fields(
      "^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|"
      "Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|"
      "TCPTimeouts)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|"
      "RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|"
      "RcvbufErrors|SndbufErrors))$");
  std::map<std::string, double> out;
  for (const char* file : {"/proc/net/netstat", "/proc/net/snmp"}) {
    std::string text = nettest::ReadFixture(root + file);
    std::string_view rest = text;
    std::vector<std::string_view> names, values;
    while (!rest.empty()) {
      SplitFields(NextLine(&rest), &names);
      SplitFields(NextLine(&rest), &values);
      if (names.empty() || names.size() != values.size()) break;
      std::string proto(names[0].substr(0, names[0].size() - 1));
      for (size_t i = 1; i < names.size(); ++i) {
        std::string key = proto + "_" + std::string(names[i]);
        if (std::regex_match(key, fields)) {
          out["node_netstat_" + key] = std::stod(std::string(values[i]));
        }
      }
    }
  }
  std::string text = nettest::ReadFixture(root + "/proc/net/snmp6");
  std::string_view rest = text;
  std::vector<std::string_view> f;
  while (!rest.empty()) {
    SplitFields(NextLine(&rest), &f);
    if (f.size() != 2) continue;
    std::string name(f[0]);
    size_t six = name.find('6');
    if (six == std::string::npos) continue;
    std::string key = name.substr(0, six + 1) + "_" + name.substr(six + 1);
    if (std::regex_match(key, fields)) {
      out["node_netstat_" + key] = std::stod(std::string(f[1]));
    }
  }
  return out;
}

class NetstatTreeTest : public ::testing::TestWithParam<std::string> {};

TEST_P(NetstatTreeTest, ReportsTheDefaultFields) {
  RootedEnv env(GetParam());
  MetricSet set;
  ASSERT_TRUE(Collect(OptionsFor(&env), &set).ok());
  std::map<std::string, double> want = Expected(GetParam());
  ASSERT_FALSE(want.empty());
  std::set<std::string> want_names;
  for (const auto& [name, value] : want) {
    want_names.insert(name);
    EXPECT_THAT(Value(set, name), Optional(value)) << name;
    const MetricFamily* f = set.Find(name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(f->type, MetricType::kUntyped);
    EXPECT_EQ(f->samples.size(), 1u);
  }
  EXPECT_EQ(FamilyNames(set, "node_netstat_"), want_names);
}

INSTANTIATE_TEST_SUITE_P(KernelTrees, NetstatTreeTest,
                         ::testing::ValuesIn(nettest::KernelTrees()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return nettest::TreeName(info.param);
                         });

TEST(NetstatTest, Linux618Values) {
  RootedEnv env(nettest::kTree618);
  MetricSet set;
  ASSERT_TRUE(Collect(OptionsFor(&env), &set).ok());
  // snmp: "Tcp: 1 200 120000 -1 16 2 0 0 0 1674 937 0 0 2 0".
  EXPECT_THAT(Value(set, "node_netstat_Tcp_ActiveOpens"), Optional(16.0));
  EXPECT_THAT(Value(set, "node_netstat_Tcp_PassiveOpens"), Optional(2.0));
  EXPECT_THAT(Value(set, "node_netstat_Tcp_InSegs"), Optional(1674.0));
  EXPECT_THAT(Value(set, "node_netstat_Tcp_OutSegs"), Optional(937.0));
  EXPECT_THAT(Value(set, "node_netstat_Tcp_OutRsts"), Optional(2.0));
  EXPECT_THAT(Value(set, "node_netstat_Tcp_CurrEstab"), Optional(0.0));
  EXPECT_EQ(Value(set, "node_netstat_Tcp_MaxConn"), std::nullopt);
  EXPECT_THAT(Value(set, "node_netstat_Ip_Forwarding"), Optional(2.0));
  EXPECT_THAT(Value(set, "node_netstat_Udp_InDatagrams"), Optional(35.0));
  EXPECT_THAT(Value(set, "node_netstat_Udp_OutDatagrams"), Optional(36.0));
  EXPECT_THAT(Value(set, "node_netstat_Icmp_InMsgs"), Optional(1.0));
  EXPECT_THAT(Value(set, "node_netstat_UdpLite_InErrors"), Optional(0.0));
  // netstat: IpExt InOctets 85262006, OutOctets 64326.
  EXPECT_THAT(Value(set, "node_netstat_IpExt_InOctets"), Optional(85262006.0));
  EXPECT_THAT(Value(set, "node_netstat_IpExt_OutOctets"), Optional(64326.0));
  EXPECT_THAT(Value(set, "node_netstat_TcpExt_ListenDrops"), Optional(0.0));
  EXPECT_THAT(Value(set, "node_netstat_TcpExt_TCPTimeouts"), Optional(2.0));
  EXPECT_EQ(Value(set, "node_netstat_TcpExt_DelayedACKs"), std::nullopt);
  // snmp6.
  EXPECT_THAT(Value(set, "node_netstat_Ip6_InOctets"), Optional(128.0));
  EXPECT_THAT(Value(set, "node_netstat_Ip6_OutOctets"), Optional(880.0));
  EXPECT_THAT(Value(set, "node_netstat_Icmp6_InMsgs"), Optional(1.0));
  EXPECT_THAT(Value(set, "node_netstat_Icmp6_OutMsgs"), Optional(9.0));
  EXPECT_THAT(Value(set, "node_netstat_Icmp6_InErrors"), Optional(1.0));
  EXPECT_THAT(Value(set, "node_netstat_UdpLite6_InErrors"), Optional(0.0));
  EXPECT_EQ(Value(set, "node_netstat_Icmp6_OutType135"), std::nullopt);
  // The same 40 families node_exporter 1.5 printed on this machine.
  EXPECT_EQ(FamilyNames(set, "node_netstat_").size(), 40u);
  const MetricFamily* f = set.Find("node_netstat_TcpExt_ListenDrops");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->help, "Statistic TcpExtListenDrops.");
  EXPECT_EQ(f->type, MetricType::kUntyped);
  f = set.Find("node_netstat_Ip6_InOctets");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->help, "Statistic Ip6InOctets.");
}

TEST(NetstatTest, NoSnmp6AndHugeCounters) {
  RootedEnv env(nettest::kEdgeMixed);
  MetricSet set;
  Status s = Collect(OptionsFor(&env), &set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_THAT(Value(set, "node_netstat_TcpExt_ListenDrops"),
              Optional(18446744073709551615.0));
  EXPECT_THAT(Value(set, "node_netstat_IpExt_InOctets"),
              Optional(18446744073709551615.0));
  EXPECT_THAT(Value(set, "node_netstat_IpExt_OutOctets"),
              Optional(123456789012.0));
  EXPECT_THAT(Value(set, "node_netstat_Tcp_CurrEstab"), Optional(4294967295.0));
  EXPECT_THAT(Value(set, "node_netstat_Icmp_InErrors"), Optional(12.0));
  EXPECT_THAT(Value(set, "node_netstat_Udp_NoPorts"), Optional(1.0));
  EXPECT_EQ(Value(set, "node_netstat_IpExt_InCsumErrors"), std::nullopt);
  EXPECT_EQ(Value(set, "node_netstat_Ip_InHdrErrors"), std::nullopt);
  EXPECT_THAT(FamilyNames(set, "node_netstat_Ip6"), IsEmpty());
  EXPECT_THAT(FamilyNames(set, "node_netstat_Udp6"), IsEmpty());
  // TcpExt 7 + IpExt 2 + Ip 1 + Icmp 3 + Tcp 8 + Udp 6.
  EXPECT_EQ(FamilyNames(set, "node_netstat_").size(), 27u);
}

TEST(NetstatTest, GarbageIsSkippedAndReported) {
  RootedEnv env(nettest::kEdgeGarbage);
  MetricSet set;
  Status s = Collect(OptionsFor(&env), &set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(),
              HasSubstr("/proc/net/netstat:3: header without "
                        "its values line: \"IpExt: InOctets OutOctets\""));
  // netstat: lines 3, 6, 8. snmp: lines 2, 4, 5. snmp6: lines 1, 2, 4, 6,
  // and the cut line 7.
  EXPECT_THAT(s.message(), HasSubstr("(and 10 more problems)"));
  // What parsed is still there.
  EXPECT_THAT(Value(set, "node_netstat_TcpExt_ListenOverflows"), Optional(4.0));
  EXPECT_THAT(Value(set, "node_netstat_TcpExt_ListenDrops"), Optional(5.0));
  EXPECT_THAT(Value(set, "node_netstat_Udp6_InDatagrams"), Optional(5.0));
  EXPECT_EQ(Value(set, "node_netstat_TcpExt_TCPTimeouts"), std::nullopt);
  EXPECT_EQ(Value(set, "node_netstat_Tcp_ActiveOpens"), std::nullopt);
  EXPECT_EQ(Value(set, "node_netstat_Ip_Forwarding"), std::nullopt);
  EXPECT_EQ(Value(set, "node_netstat_Ip6_InOctets"), std::nullopt);
  EXPECT_EQ(Value(set, "node_netstat_Ip6_OutOctets"), std::nullopt);
  EXPECT_EQ(FamilyNames(set, "node_netstat_").size(), 3u);
}

TEST(NetstatTest, EmptyFilesAreErrors) {
  RootedEnv env(nettest::kEdgeEmpty);
  MetricSet set;
  Status s = Collect(OptionsFor(&env), &set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("/proc/net/netstat: file is empty"));
  EXPECT_THAT(s.message(), HasSubstr("(and 2 more problems)"));
  EXPECT_EQ(set.SampleCount(), 0u);
}

TEST(NetstatTest, UnreadableSnmpIsReportedAfterTheRest) {
  RootedEnv rooted(nettest::kTree618);
  FaultInjectingEnv env(&rooted);
  env.FailReads("/proc/net/snmp",
                PermissionDeniedError("/proc/net/snmp: Permission denied"));
  MetricSet set;
  Status s = Collect(OptionsFor(&env), &set);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("/proc/net/snmp"));
  EXPECT_THAT(Value(set, "node_netstat_IpExt_InOctets"), Optional(85262006.0));
  EXPECT_THAT(Value(set, "node_netstat_Ip6_InOctets"), Optional(128.0));
  EXPECT_EQ(Value(set, "node_netstat_Tcp_InSegs"), std::nullopt);
}

TEST(NetstatTest, UnreadableSnmp6IsAnErrorButMissingIsNot) {
  RootedEnv rooted(nettest::kTree618);
  FaultInjectingEnv env(&rooted);
  env.FailReads("/proc/net/snmp6",
                PermissionDeniedError("/proc/net/snmp6: Permission denied"));
  MetricSet set;
  Status s = Collect(OptionsFor(&env), &set);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("/proc/net/snmp6"));
  EXPECT_THAT(Value(set, "node_netstat_Tcp_InSegs"), Optional(1674.0));

  env.FailReads("/proc/net/snmp6",
                NotFoundError("/proc/net/snmp6: No such file or directory"));
  MetricSet set2;
  EXPECT_TRUE(Collect(OptionsFor(&env), &set2).ok());
  EXPECT_THAT(FamilyNames(set2, "node_netstat_Ip6"), IsEmpty());
}

TEST(NetstatTest, MissingNetstatNamesThePath) {
  RootedEnv env("tests/data/hosts/does-not-exist");
  MetricSet set;
  Status s = Collect(OptionsFor(&env), &set);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr("/proc/net/netstat"));
}

TEST(NetstatTest, HeaderChangesAcrossCycles) {
  MemEnv env;
  env.SetFile("/proc/net/snmp", "Tcp: InSegs OutSegs\nTcp: 1 2\n");
  env.SetFile("/proc/net/netstat", "TcpExt: ListenDrops\nTcpExt: 3\n");
  std::unique_ptr<Collector> c = NewNetstatCollector(OptionsFor(&env));
  MetricSet a;
  ASSERT_TRUE(c->Collect(&a).ok());
  EXPECT_THAT(Value(a, "node_netstat_Tcp_OutSegs"), Optional(2.0));
  EXPECT_THAT(Value(a, "node_netstat_TcpExt_ListenDrops"), Optional(3.0));
  // A kernel that adds and moves fields (the cached layout must not be
  // reused for the new header).
  env.SetFile("/proc/net/snmp",
              "Tcp: OutSegs ActiveOpens InSegs\nTcp: 20 30 10\n"
              "Udp: NoPorts\nUdp: 40\n");
  env.SetFile("/proc/net/netstat",
              "TcpExt: ListenOverflows ListenDrops\n"
              "TcpExt: 5 6\n");
  env.SetFile("/proc/net/snmp6", "Udp6NoPorts 7\nIp6InOctets 8\n");
  MetricSet b;
  ASSERT_TRUE(c->Collect(&b).ok());
  EXPECT_THAT(Value(b, "node_netstat_Tcp_InSegs"), Optional(10.0));
  EXPECT_THAT(Value(b, "node_netstat_Tcp_OutSegs"), Optional(20.0));
  EXPECT_THAT(Value(b, "node_netstat_Tcp_ActiveOpens"), Optional(30.0));
  EXPECT_THAT(Value(b, "node_netstat_Udp_NoPorts"), Optional(40.0));
  EXPECT_THAT(Value(b, "node_netstat_TcpExt_ListenOverflows"), Optional(5.0));
  EXPECT_THAT(Value(b, "node_netstat_TcpExt_ListenDrops"), Optional(6.0));
  EXPECT_THAT(Value(b, "node_netstat_Udp6_NoPorts"), Optional(7.0));
  EXPECT_THAT(Value(b, "node_netstat_Ip6_InOctets"), Optional(8.0));
  // And back, with snmp6 gone.
  env.SetFile("/proc/net/snmp", "Tcp: InSegs OutSegs\nTcp: 1 2\n");
  env.RemoveFile("/proc/net/snmp6");
  MetricSet c3;
  ASSERT_TRUE(c->Collect(&c3).ok());
  EXPECT_THAT(Value(c3, "node_netstat_Tcp_InSegs"), Optional(1.0));
  EXPECT_EQ(FamilyNames(c3, "node_netstat_").size(), 4u);
}

TEST(NetstatTest, RealHost) {
  MetricSet set;
  Status s = NewNetstatCollector(CollectorOptions())->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(Value(set, "node_netstat_Tcp_InSegs").has_value());
  EXPECT_TRUE(Value(set, "node_netstat_Ip_Forwarding").has_value());
  EXPECT_TRUE(Value(set, "node_netstat_TcpExt_ListenDrops").has_value());
}

}  // namespace
}  // namespace tend
