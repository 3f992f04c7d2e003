#include <unistd.h>

#include <set>
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

using nettest::Devices;
using nettest::FamilyNames;
using nettest::FaultInjectingEnv;
using nettest::MemEnv;
using nettest::OptionsFor;
using nettest::Value;
using ::testing::HasSubstr;
using ::testing::Optional;
using ::testing::UnorderedElementsAre;

// /proc/net/dev's columns, in order, as node_exporter names them.
const char* const kColumnMetrics[] = {
    "node_network_receive_bytes_total",
    "node_network_receive_packets_total",
    "node_network_receive_errs_total",
    "node_network_receive_drop_total",
    "node_network_receive_fifo_total",
    "node_network_receive_frame_total",
    "node_network_receive_compressed_total",
    "node_network_receive_multicast_total",
    "node_network_transmit_bytes_total",
    "node_network_transmit_packets_total",
    "node_network_transmit_errs_total",
    "node_network_transmit_drop_total",
    "node_network_transmit_fifo_total",
    "node_network_transmit_colls_total",
    "node_network_transmit_carrier_total",
    "node_network_transmit_compressed_total",
};

Status Collect(const CollectorOptions& options, MetricSet* out) {
  return NewNetDevCollector(options)->Collect(out);
}

class NetDevTreeTest : public ::testing::TestWithParam<std::string> {};

TEST_P(NetDevTreeTest, ReportsEveryColumnOfEveryInterface) {
  RootedEnv env(GetParam());
  MetricSet set;
  ASSERT_TRUE(Collect(OptionsFor(&env), &set).ok());

  std::string text = nettest::ReadFixture(GetParam() + "/proc/net/dev");
  ASSERT_FALSE(text.empty());
  std::set<std::string> devices;
  std::string_view rest = text;
  NextLine(&rest);  // Two header lines.
  NextLine(&rest);
  std::vector<std::string_view> fields;
  while (!rest.empty()) {
    std::string_view line = NextLine(&rest);
    size_t colon = line.find(':');
    ASSERT_NE(colon, std::string_view::npos) << line;
    std::string dev(Trim(line.substr(0, colon)));
    devices.insert(dev);
    SplitFields(line.substr(colon + 1), &fields);
    ASSERT_EQ(fields.size(), 16u) << line;
    for (size_t i = 0; i < 16; ++i) {
      EXPECT_THAT(
          Value(set, kColumnMetrics[i], dev),
          Optional(static_cast<double>(std::stoull(std::string(fields[i])))))
          << kColumnMetrics[i] << " " << dev;
    }
  }
  for (const char* m : kColumnMetrics) {
    EXPECT_EQ(Devices(set, m), devices) << m;
    const MetricFamily* f = set.Find(m);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->type, MetricType::kCounter);
  }
}

INSTANTIATE_TEST_SUITE_P(KernelTrees, NetDevTreeTest,
                         ::testing::ValuesIn(nettest::KernelTrees()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return nettest::TreeName(info.param);
                         });

TEST(NetDevTest, Linux618Values) {
  RootedEnv env(nettest::kTree618);
  MetricSet set;
  ASSERT_TRUE(Collect(OptionsFor(&env), &set).ok());
  // eth0: 85282541 1685 0 0 0 0 0 0 75299 954 0 0 0 0 0 0
  EXPECT_THAT(Value(set, "node_network_receive_bytes_total", "eth0"),
              Optional(85282541.0));
  EXPECT_THAT(Value(set, "node_network_receive_packets_total", "eth0"),
              Optional(1685.0));
  EXPECT_THAT(Value(set, "node_network_transmit_bytes_total", "eth0"),
              Optional(75299.0));
  EXPECT_THAT(Value(set, "node_network_transmit_packets_total", "eth0"),
              Optional(954.0));
  EXPECT_THAT(Value(set, "node_network_receive_bytes_total", "lo"),
              Optional(3267.0));
  EXPECT_THAT(Value(set, "node_network_transmit_packets_total", "lo"),
              Optional(29.0));
  EXPECT_THAT(Devices(set, "node_network_receive_bytes_total"),
              UnorderedElementsAre("lo", "ifb0", "ifb1", "eth0"));
  const MetricFamily* f = set.Find("node_network_receive_bytes_total");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->help, "Network device statistic receive_bytes.");
  EXPECT_EQ(f->samples[0].labels.size(), 1u);
  EXPECT_EQ(f->samples[0].labels[0].name, "device");
  // The capture has no statistics/ directories.
  EXPECT_EQ(set.Find("node_network_receive_nohandler_total"), nullptr);
  EXPECT_EQ(FamilyNames(set, "node_network_").size(), 16u);
}

TEST(NetDevTest, LongGluedNamesAndHugeCounters) {
  RootedEnv env(nettest::kEdgeMixed);
  MetricSet set;
  ASSERT_TRUE(Collect(OptionsFor(&env), &set).ok());
  // "verylongname123:12345 6 7 ...": 15-byte name glued to the number.
  EXPECT_THAT(Value(set, "node_network_receive_bytes_total", "verylongname123"),
              Optional(12345.0));
  EXPECT_THAT(
      Value(set, "node_network_receive_packets_total", "verylongname123"),
      Optional(6.0));
  EXPECT_THAT(
      Value(set, "node_network_transmit_compressed_total", "verylongname123"),
      Optional(20.0));
  EXPECT_THAT(Value(set, "node_network_receive_bytes_total", "eth1"),
              Optional(1.0));
  EXPECT_THAT(Value(set, "node_network_transmit_compressed_total", "eth1"),
              Optional(16.0));
  // 2^64-1 and 32-bit counters that wrapped or passed 2^32, as read.
  EXPECT_THAT(Value(set, "node_network_receive_bytes_total", "eth0"),
              Optional(18446744073709551615.0));
  EXPECT_THAT(Value(set, "node_network_receive_packets_total", "eth0"),
              Optional(4294967295.0));
  EXPECT_THAT(Value(set, "node_network_transmit_bytes_total", "eth0"),
              Optional(18446744073709551614.0));
  EXPECT_THAT(Value(set, "node_network_transmit_packets_total", "eth0"),
              Optional(4294967296.0));
  // Extra columns of a future kernel are ignored.
  EXPECT_THAT(Value(set, "node_network_transmit_compressed_total", "tun0"),
              Optional(0.0));
  EXPECT_THAT(Value(set, "node_network_transmit_packets_total", "tun0"),
              Optional(8.0));
  EXPECT_THAT(Devices(set, "node_network_receive_bytes_total"),
              UnorderedElementsAre("lo", "verylongname123", "eth0", "eth1",
                                   "veth0123456789a", "tun0"));
  // rx_nohandler from sysfs where the kernel has it (eth0 only here).
  EXPECT_THAT(Value(set, "node_network_receive_nohandler_total", "eth0"),
              Optional(42.0));
  EXPECT_THAT(Devices(set, "node_network_receive_nohandler_total"),
              UnorderedElementsAre("eth0"));
}

TEST(NetDevTest, ExcludePattern) {
  RootedEnv env(nettest::kEdgeMixed);
  CollectorOptions options = OptionsFor(&env);
  options.netdev.device_exclude = "veth.*|lo";
  MetricSet set;
  ASSERT_TRUE(Collect(options, &set).ok());
  EXPECT_THAT(Devices(set, "node_network_receive_bytes_total"),
              UnorderedElementsAre("verylongname123", "eth0", "eth1", "tun0"));
}

TEST(NetDevTest, GarbageAndCutLinesAreSkippedAndReported) {
  RootedEnv env(nettest::kEdgeGarbage);
  MetricSet set;
  Status s = Collect(OptionsFor(&env), &set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(),
              HasSubstr("/proc/net/dev:4: no ':' after the "
                        "interface name: \"garbage without a colon\""));
  // Lines 5, 6, 7, 8 (eth0 again) and the cut line 9.
  EXPECT_THAT(s.message(), HasSubstr("(and 5 more problems)"));
  EXPECT_THAT(Devices(set, "node_network_receive_bytes_total"),
              UnorderedElementsAre("eth0"));
  EXPECT_THAT(Value(set, "node_network_transmit_compressed_total", "eth0"),
              Optional(16.0));
}

TEST(NetDevTest, EmptyFileIsAnError) {
  RootedEnv env(nettest::kEdgeEmpty);
  MetricSet set;
  Status s = Collect(OptionsFor(&env), &set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("/proc/net/dev: file is empty"));
  EXPECT_EQ(set.SampleCount(), 0u);
}

TEST(NetDevTest, UnreadableFileNamesThePath) {
  RootedEnv rooted(nettest::kTree618);
  FaultInjectingEnv env(&rooted);
  env.FailReads("/proc/net/dev",
                PermissionDeniedError("/proc/net/dev: Permission denied"));
  MetricSet set;
  Status s = Collect(OptionsFor(&env), &set);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("/proc/net/dev"));
  EXPECT_EQ(set.SampleCount(), 0u);
}

TEST(NetDevTest, UnreadableNoHandlerIsReportedAfterTheRest) {
  RootedEnv rooted(nettest::kEdgeMixed);
  FaultInjectingEnv env(&rooted);
  const std::string path = "/sys/class/net/eth0/statistics/rx_nohandler";
  env.FailReads(path, PermissionDeniedError(path + ": Permission denied"));
  MetricSet set;
  Status s = Collect(OptionsFor(&env), &set);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr(path));
  EXPECT_THAT(Value(set, "node_network_receive_bytes_total", "eth0"),
              Optional(18446744073709551615.0));
  EXPECT_EQ(set.Find("node_network_receive_nohandler_total"), nullptr);
}

TEST(NetDevTest, MissingNoHandlerIsNotRetried) {
  MemEnv base;
  FaultInjectingEnv env(&base);
  base.SetFile("/proc/net/dev",
               "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n");
  std::unique_ptr<Collector> c = NewNetDevCollector(OptionsFor(&env));
  for (int i = 0; i < 3; ++i) {
    MetricSet set;
    ASSERT_TRUE(c->Collect(&set).ok());
    EXPECT_THAT(Value(set, "node_network_receive_bytes_total", "eth0"),
                Optional(1.0));
  }
  EXPECT_EQ(env.reads("/sys/class/net/eth0/statistics/rx_nohandler"), 1);
}

TEST(NetDevTest, BadExcludePatternIsReported) {
  RootedEnv env(nettest::kTree618);
  CollectorOptions options = OptionsFor(&env);
  options.netdev.device_exclude = "eth[";
  MetricSet set;
  Status s = Collect(options, &set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("netdev.device_exclude"));
  EXPECT_THAT(s.message(), HasSubstr("\"eth[\""));
  EXPECT_EQ(set.SampleCount(), 0u);
  EXPECT_EQ(ValidateNetCollectorOptions(options), s);
  options.netdev.device_exclude = "^lo$";
  EXPECT_TRUE(ValidateNetCollectorOptions(options).ok());
}

TEST(NetDevTest, InterfacesComingAndGoingAcrossCycles) {
  MemEnv env;
  CollectorOptions options = OptionsFor(&env);
  options.netdev.device_exclude = "veth.*";
  std::unique_ptr<Collector> c = NewNetDevCollector(options);
  auto line = [](const std::string& name, int v) {
    std::string s = name + ":";
    for (int i = 0; i < 16; ++i) s += " " + std::to_string(v);
    return s + "\n";
  };
  const std::vector<std::string> cycles = {
      line("lo", 1) + line("eth0", 2) + line("veth1", 3),
      line("lo", 1) + line("veth1", 3) + line("veth2", 4) + line("eth0", 2),
      line("eth0", 5),
      line("veth2", 4) + line("lo", 6) + line("eth0", 7),
  };
  const std::vector<std::set<std::string>> want = {
      {"lo", "eth0"}, {"lo", "eth0"}, {"eth0"}, {"lo", "eth0"}};
  const std::vector<double> eth0 = {2, 2, 5, 7};
  for (size_t i = 0; i < cycles.size(); ++i) {
    env.SetFile("/proc/net/dev", cycles[i]);
    MetricSet set;
    ASSERT_TRUE(c->Collect(&set).ok()) << i;
    EXPECT_EQ(Devices(set, "node_network_receive_bytes_total"), want[i]) << i;
    EXPECT_THAT(Value(set, "node_network_receive_bytes_total", "eth0"),
                Optional(eth0[i]))
        << i;
  }
}

TEST(NetDevTest, RealHost) {
  CollectorOptions options;  // Env::Default(), /proc, /sys.
  MetricSet set;
  Status s = NewNetDevCollector(options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  // Every network namespace has a loopback interface.
  EXPECT_TRUE(Value(set, "node_network_receive_bytes_total", "lo").has_value());
  EXPECT_TRUE(
      Value(set, "node_network_transmit_packets_total", "lo").has_value());
  EXPECT_EQ(Devices(set, "node_network_receive_bytes_total"),
            Devices(set, "node_network_transmit_compressed_total"));
  bool nohandler =
      ::access("/sys/class/net/lo/statistics/rx_nohandler", R_OK) == 0;
  EXPECT_EQ(
      Value(set, "node_network_receive_nohandler_total", "lo").has_value(),
      nohandler);
}

}  // namespace
}  // namespace tend
