#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
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
using nettest::FindSample;
using nettest::LabelValue;
using nettest::OptionsFor;
using nettest::Value;
using ::testing::HasSubstr;
using ::testing::Optional;
using ::testing::UnorderedElementsAre;

constexpr char kFull[] = "tests/data/hosts/edge-netclass/full";
constexpr char kGarbage[] = "tests/data/hosts/edge-netclass/garbage";

// sysfs file -> node_exporter family, written from node_exporter 1.5's
// netclass_linux.go and its output on a real host.
const std::map<std::string, std::string>& FileToMetric() {
  static const auto* m = new std::map<std::string, std::string>{
      {"addr_assign_type", "node_network_address_assign_type"},
      {"carrier", "node_network_carrier"},
      {"carrier_changes", "node_network_carrier_changes_total"},
      {"carrier_up_count", "node_network_carrier_up_changes_total"},
      {"carrier_down_count", "node_network_carrier_down_changes_total"},
      {"dev_id", "node_network_device_id"},
      {"dormant", "node_network_dormant"},
      {"flags", "node_network_flags"},
      {"ifindex", "node_network_iface_id"},
      {"iflink", "node_network_iface_link"},
      {"link_mode", "node_network_iface_link_mode"},
      {"mtu", "node_network_mtu_bytes"},
      {"name_assign_type", "node_network_name_assign_type"},
      {"netdev_group", "node_network_net_dev_group"},
      {"speed", "node_network_speed_bytes"},
      {"tx_queue_len", "node_network_transmit_queue_length"},
      {"type", "node_network_protocol_type"},
  };
  return *m;
}

std::string FileText(const std::string& path) {
  std::string s = nettest::ReadFixture(path);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The interface directories of a fixture tree (not regular files such as
// bonding_masters).
std::vector<std::string> Interfaces(const std::string& root) {
  std::vector<std::string> out;
  for (const auto& e :
       std::filesystem::directory_iterator(root + "/sys/class/net")) {
    if (e.is_directory()) out.push_back(e.path().filename().string());
  }
  return out;
}

Status Collect(const CollectorOptions& options, MetricSet* out) {
  return NewNetClassCollector(options)->Collect(out);
}

class NetClassTreeTest : public ::testing::TestWithParam<std::string> {};

// Every attribute file of every interface becomes its family's sample, with
// the value the file holds (strtoll with base 0 reads "0x1003" as hex), and
// a family has no sample for an interface that lacks its file.
TEST_P(NetClassTreeTest, EveryFileOfEveryInterface) {
  RootedEnv env(GetParam());
  MetricSet set;
  Status s = Collect(OptionsFor(&env), &set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::vector<std::string> ifaces = Interfaces(GetParam());
  ASSERT_FALSE(ifaces.empty());
  EXPECT_EQ(Devices(set, "node_network_up").size(), ifaces.size());
  EXPECT_EQ(Devices(set, "node_network_info").size(), ifaces.size());
  int checked = 0;
  for (const std::string& dev : ifaces) {
    const std::string dir = GetParam() + "/sys/class/net/" + dev + "/";
    for (const auto& [file, metric] : FileToMetric()) {
      std::string text = FileText(dir + file);
      if (!std::filesystem::exists(dir + file)) {
        EXPECT_EQ(Value(set, metric, dev), std::nullopt) << metric << dev;
        continue;
      }
      double want = static_cast<double>(std::strtoll(text.c_str(), nullptr, 0));
      if (file == "speed") want *= 125000;
      EXPECT_THAT(Value(set, metric, dev), Optional(want))
          << metric << " " << dev;
      ++checked;
    }
    std::string operstate = FileText(dir + "operstate");
    EXPECT_THAT(Value(set, "node_network_up", dev),
                Optional(operstate == "up" ? 1.0 : 0.0));
    const Sample* info = FindSample(set, "node_network_info", dev);
    ASSERT_NE(info, nullptr) << dev;
    EXPECT_EQ(info->value, 1);
    for (const char* label :
         {"address", "broadcast", "duplex", "ifalias", "operstate"}) {
      EXPECT_EQ(LabelValue(*info, label), FileText(dir + label))
          << dev << " " << label;
    }
  }
  EXPECT_GT(checked, 20);
}

TEST_P(NetClassTreeTest, TypesAndHelpAreNodeExporters) {
  RootedEnv env(GetParam());
  MetricSet set;
  ASSERT_TRUE(Collect(OptionsFor(&env), &set).ok());
  for (const MetricFamily& f : set.families()) {
    bool counter = f.name.find("_changes_total") != std::string::npos;
    EXPECT_EQ(f.type, counter ? MetricType::kCounter : MetricType::kGauge)
        << f.name;
    if (f.name == "node_network_up") {
      EXPECT_EQ(f.help, "Value is 1 if operstate is 'up', 0 otherwise.");
    } else if (f.name == "node_network_info") {
      EXPECT_EQ(f.help,
                "Non-numeric data from /sys/class/net/<iface>, value is "
                "always 1.");
    } else {
      EXPECT_EQ(f.help, "Network device property: " +
                            f.name.substr(std::string("node_network_").size()))
          << f.name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, NetClassTreeTest,
                         ::testing::Values(nettest::KernelTrees()[0],
                                           nettest::KernelTrees()[1],
                                           std::string(kFull)),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return nettest::TreeName(info.param);
                         });

TEST(NetClassTest, FullTreeValues) {
  RootedEnv env(kFull);
  MetricSet set;
  ASSERT_TRUE(Collect(OptionsFor(&env), &set).ok());
  // bonding_masters is a file beside the interfaces, not one of them.
  EXPECT_THAT(Devices(set, "node_network_up"),
              UnorderedElementsAre("enp3s0", "eth0", "ifb0", "lo"));
  EXPECT_THAT(Value(set, "node_network_speed_bytes", "enp3s0"),
              Optional(1.25e9));  // 10000 Mb/s.
  // virtio reports -1 (unknown); node_exporter 1.5 reports it multiplied.
  EXPECT_THAT(Value(set, "node_network_speed_bytes", "eth0"),
              Optional(-125000.0));
  EXPECT_EQ(Devices(set, "node_network_speed_bytes"),
            (std::set<std::string>{"enp3s0", "eth0"}));
  // ifb0 is down: the kernel refused carrier, dormant, duplex and speed.
  EXPECT_EQ(Devices(set, "node_network_carrier"),
            (std::set<std::string>{"enp3s0", "eth0", "lo"}));
  EXPECT_EQ(Value(set, "node_network_dormant", "ifb0"), std::nullopt);
  EXPECT_THAT(Value(set, "node_network_up", "ifb0"), Optional(0.0));
  EXPECT_THAT(Value(set, "node_network_up", "lo"), Optional(0.0));  // unknown
  EXPECT_THAT(Value(set, "node_network_up", "enp3s0"), Optional(1.0));
  EXPECT_THAT(Value(set, "node_network_flags", "enp3s0"), Optional(4099.0));
  EXPECT_THAT(Value(set, "node_network_mtu_bytes", "enp3s0"), Optional(9000.0));
  EXPECT_THAT(Value(set, "node_network_carrier_changes_total", "enp3s0"),
              Optional(7.0));
  EXPECT_THAT(Value(set, "node_network_carrier_up_changes_total", "enp3s0"),
              Optional(4.0));
  EXPECT_THAT(Value(set, "node_network_carrier_down_changes_total", "enp3s0"),
              Optional(3.0));
  EXPECT_THAT(Value(set, "node_network_protocol_type", "lo"), Optional(772.0));
  const Sample* info = FindSample(set, "node_network_info", "enp3s0");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->labels, (Labels{{"address", "3c:ec:ef:01:02:03"},
                                  {"broadcast", "ff:ff:ff:ff:ff:ff"},
                                  {"device", "enp3s0"},
                                  {"duplex", "full"},
                                  {"ifalias", "uplink to core"},
                                  {"operstate", "up"}}));
  info = FindSample(set, "node_network_info", "ifb0");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(LabelValue(*info, "duplex"), "");
  EXPECT_EQ(LabelValue(*info, "operstate"), "down");
  // One family per numeric file (each has a sample for some interface
  // here), plus up and info.
  EXPECT_EQ(FamilyNames(set, "node_network_").size(),
            FileToMetric().size() + 2);
}

TEST(NetClassTest, IgnoreInvalidSpeed) {
  RootedEnv env(kFull);
  CollectorOptions o = OptionsFor(&env);
  o.netclass.ignore_invalid_speed = true;
  MetricSet set;
  ASSERT_TRUE(Collect(o, &set).ok());
  EXPECT_EQ(Devices(set, "node_network_speed_bytes"),
            (std::set<std::string>{"enp3s0"}));
}

TEST(NetClassTest, DeviceExclude) {
  RootedEnv env(kFull);
  CollectorOptions o = OptionsFor(&env);
  o.netclass.device_exclude = "ifb.*|lo";
  // netdev's pattern does not apply here (node_exporter has one per
  // collector).
  o.netdev.device_exclude = "eth0";
  auto c = NewNetClassCollector(o);
  EXPECT_EQ(c->name(), "netclass");
  for (int cycle = 0; cycle < 2; ++cycle) {
    MetricSet set;
    ASSERT_TRUE(c->Collect(&set).ok());
    EXPECT_EQ(Devices(set, "node_network_up"),
              (std::set<std::string>{"enp3s0", "eth0"}));
    EXPECT_EQ(Devices(set, "node_network_mtu_bytes"),
              (std::set<std::string>{"enp3s0", "eth0"}));
  }
}

TEST(NetClassTest, BadPatternReportsAndCollectsNothing) {
  RootedEnv env(kFull);
  CollectorOptions o = OptionsFor(&env);
  o.netclass.device_exclude = "eth(";
  MetricSet set;
  Status s = Collect(o, &set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("netclass.device_exclude"));
  EXPECT_EQ(set.SampleCount(), 0u);
  EXPECT_EQ(ValidateNetCollectorOptions(o), s);
}

// The errors the kernel gives for attributes that do not apply are skipped
// silently, like missing files; any other error is reported after
// everything else was collected.
TEST(NetClassTest, RefusedFilesAreSkippedOtherErrorsReported) {
  RootedEnv base(kFull);
  FaultInjectingEnv env(&base);
  const std::string dir = "/sys/class/net/enp3s0/";
  env.FailReads(dir + "carrier", ErrnoError(dir + "carrier", EINVAL));
  env.FailReads(dir + "speed", ErrnoError(dir + "speed", EOPNOTSUPP));
  env.FailReads(dir + "duplex", ErrnoError(dir + "duplex", EACCES));
  env.FailReads(dir + "dormant", ErrnoError(dir + "dormant", EPERM));
  MetricSet set;
  ASSERT_TRUE(Collect(OptionsFor(&env), &set).ok());
  EXPECT_EQ(Value(set, "node_network_carrier", "enp3s0"), std::nullopt);
  EXPECT_EQ(Value(set, "node_network_speed_bytes", "enp3s0"), std::nullopt);
  EXPECT_EQ(Value(set, "node_network_dormant", "enp3s0"), std::nullopt);
  EXPECT_EQ(
      LabelValue(*FindSample(set, "node_network_info", "enp3s0"), "duplex"),
      "");
  EXPECT_THAT(Value(set, "node_network_carrier", "eth0"), Optional(1.0));

  env.FailReads(dir + "mtu", ErrnoError(dir + "mtu", EIO));
  MetricSet set2;
  Status s = Collect(OptionsFor(&env), &set2);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("/sys/class/net/enp3s0/mtu"));
  EXPECT_EQ(Value(set2, "node_network_mtu_bytes", "enp3s0"), std::nullopt);
  EXPECT_THAT(Value(set2, "node_network_mtu_bytes", "eth0"), Optional(1400.0));
  EXPECT_THAT(Value(set2, "node_network_up", "enp3s0"), Optional(1.0));
}

TEST(NetClassTest, GarbageValuesSkippedAndReported) {
  RootedEnv env(kGarbage);
  MetricSet set;
  Status s = Collect(OptionsFor(&env), &set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("/sys/class/net/eth0/flags:1: not an "
                                     "integer: \"0xzz\""));
  EXPECT_THAT(s.message(), HasSubstr("(and 2 more problems)"));
  EXPECT_EQ(Value(set, "node_network_mtu_bytes", "eth0"), std::nullopt);
  EXPECT_EQ(Value(set, "node_network_flags", "eth0"), std::nullopt);
  EXPECT_EQ(Value(set, "node_network_transmit_queue_length", "eth0"),
            std::nullopt);
  EXPECT_THAT(Value(set, "node_network_iface_id", "eth0"), Optional(2.0));
  EXPECT_THAT(Value(set, "node_network_protocol_type", "eth0"), Optional(1.0));
  EXPECT_THAT(Value(set, "node_network_up", "eth0"), Optional(1.0));
}

TEST(NetClassTest, NoSysfsIsNotAnError) {
  RootedEnv env("tests/data/hosts/edge-netclass/does-not-exist");
  MetricSet set;
  EXPECT_TRUE(Collect(OptionsFor(&env), &set).ok());
  EXPECT_EQ(set.SampleCount(), 0u);
}

// An interface that disappears between cycles disappears from the output,
// and one that appears is reported from its first cycle.
TEST(NetClassTest, InterfacesComeAndGo) {
  std::string root = ::testing::TempDir() + "/netclass_churn";
  std::filesystem::remove_all(root);
  auto make = [&](const std::string& dev, const std::string& mtu) {
    std::string d = root + "/sys/class/net/" + dev;
    std::filesystem::create_directories(d);
    std::ofstream(d + "/mtu") << mtu << "\n";
    std::ofstream(d + "/operstate") << "up\n";
  };
  make("a0", "1500");
  make("b0", "1400");
  RootedEnv env(root);
  auto c = NewNetClassCollector(OptionsFor(&env));
  MetricSet one;
  ASSERT_TRUE(c->Collect(&one).ok());
  EXPECT_EQ(Devices(one, "node_network_up"),
            (std::set<std::string>{"a0", "b0"}));
  std::filesystem::remove_all(root + "/sys/class/net/a0");
  make("c0", "9000");
  MetricSet two;
  ASSERT_TRUE(c->Collect(&two).ok());
  EXPECT_EQ(Devices(two, "node_network_up"),
            (std::set<std::string>{"b0", "c0"}));
  EXPECT_THAT(Value(two, "node_network_mtu_bytes", "c0"), Optional(9000.0));
  std::filesystem::remove_all(root);
}

TEST(NetClassTest, RealHost) {
  CollectorOptions options;
  MetricSet set;
  Status s = NewNetClassCollector(options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::vector<std::string> want;
  for (const auto& e : std::filesystem::directory_iterator("/sys/class/net")) {
    if (e.is_directory()) want.push_back(e.path().filename().string());
  }
  EXPECT_EQ(Devices(set, "node_network_up"),
            std::set<std::string>(want.begin(), want.end()));
  EXPECT_THAT(Value(set, "node_network_mtu_bytes", "lo"),
              Optional(static_cast<double>(
                  std::stoll(FileText("/sys/class/net/lo/mtu")))));
}

}  // namespace
}  // namespace tend
