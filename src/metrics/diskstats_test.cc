#include <re2/re2.h>
#include <unistd.h>

#include <cmath>
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
using nettest::MemEnv;
using nettest::OptionsFor;
using nettest::Value;
using ::testing::HasSubstr;
using ::testing::Optional;
using ::testing::UnorderedElementsAre;

// The metrics of /proc/diskstats's counter columns, in column order.
const char* const kColumnMetrics[] = {
    "node_disk_reads_completed_total",
    "node_disk_reads_merged_total",
    "node_disk_read_bytes_total",
    "node_disk_read_time_seconds_total",
    "node_disk_writes_completed_total",
    "node_disk_writes_merged_total",
    "node_disk_written_bytes_total",
    "node_disk_write_time_seconds_total",
    "node_disk_io_now",
    "node_disk_io_time_seconds_total",
    "node_disk_io_time_weighted_seconds_total",
    "node_disk_discards_completed_total",
    "node_disk_discards_merged_total",
    "node_disk_discarded_sectors_total",
    "node_disk_discard_time_seconds_total",
    "node_disk_flush_requests_total",
    "node_disk_flush_requests_time_seconds_total",
};

// The scale node_exporter applies to each column.
double Scale(size_t column) {
  switch (column) {
    case 2:
    case 6:
      return 512.0;
    case 3:
    case 7:
    case 9:
    case 10:
    case 14:
    case 16:
      return 1.0 / 1000.0;
    default:
      return 1.0;
  }
}

Status Collect(const CollectorOptions& options, MetricSet* out) {
  return NewDiskstatsCollector(options)->Collect(out);
}

// Every kernel tree: each line of the file shows up with all its columns,
// excluded devices do not, and nothing fails.
class DiskstatsTreeTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DiskstatsTreeTest, ReportsEveryColumnOfEveryIncludedDevice) {
  RootedEnv env(GetParam());
  CollectorOptions options = OptionsFor(&env);
  MetricSet set;
  ASSERT_TRUE(Collect(options, &set).ok());

  std::string text = nettest::ReadFixture(GetParam() + "/proc/diskstats");
  ASSERT_FALSE(text.empty());
  RE2 exclude(options.diskstats.device_exclude);
  std::set<std::string> included;
  std::string_view rest = text;
  std::vector<std::string_view> fields;
  while (!rest.empty()) {
    SplitFields(NextLine(&rest), &fields);
    if (fields.empty()) continue;
    std::string dev(fields[2]);
    if (RE2::FullMatch(dev, exclude)) {
      EXPECT_EQ(FindSample(set, "node_disk_info", dev), nullptr) << dev;
      continue;
    }
    included.insert(dev);
    size_t columns = std::min<size_t>(fields.size() - 3, 17);
    ASSERT_GE(columns, 11u) << dev;
    for (size_t i = 0; i < 17; ++i) {
      std::optional<double> v = Value(set, kColumnMetrics[i], dev);
      if (i >= columns) {
        EXPECT_FALSE(v.has_value()) << kColumnMetrics[i] << " " << dev;
        continue;
      }
      uint64_t raw = std::stoull(std::string(fields[3 + i]));
      EXPECT_THAT(v, Optional(static_cast<double>(raw) * Scale(i)))
          << kColumnMetrics[i] << " " << dev;
    }
    const Sample* info = FindSample(set, "node_disk_info", dev);
    ASSERT_NE(info, nullptr) << dev;
    EXPECT_EQ(LabelValue(*info, "major"), fields[0]);
    EXPECT_EQ(LabelValue(*info, "minor"), fields[1]);
  }
  EXPECT_EQ(Devices(set, "node_disk_info"), included);
}

INSTANTIATE_TEST_SUITE_P(KernelTrees, DiskstatsTreeTest,
                         ::testing::ValuesIn(nettest::KernelTrees()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return nettest::TreeName(info.param);
                         });

TEST(DiskstatsTest, Linux618Values) {
  RootedEnv env(nettest::kTree618);
  MetricSet set;
  ASSERT_TRUE(Collect(OptionsFor(&env), &set).ok());
  // 254 0 vda 32839 8523 2753130 6689 8998 6428 1507888 2418 0 3892 9386
  //           4712 63 244832 236 1283 42
  EXPECT_THAT(Value(set, "node_disk_reads_completed_total", "vda"),
              Optional(32839.0));
  EXPECT_THAT(Value(set, "node_disk_reads_merged_total", "vda"),
              Optional(8523.0));
  EXPECT_THAT(Value(set, "node_disk_read_bytes_total", "vda"),
              Optional(2753130.0 * 512));
  EXPECT_THAT(Value(set, "node_disk_read_time_seconds_total", "vda"),
              Optional(6689 * (1.0 / 1000.0)));
  EXPECT_THAT(Value(set, "node_disk_writes_completed_total", "vda"),
              Optional(8998.0));
  EXPECT_THAT(Value(set, "node_disk_writes_merged_total", "vda"),
              Optional(6428.0));
  EXPECT_THAT(Value(set, "node_disk_written_bytes_total", "vda"),
              Optional(1507888.0 * 512));
  EXPECT_THAT(Value(set, "node_disk_write_time_seconds_total", "vda"),
              Optional(2418 * (1.0 / 1000.0)));
  EXPECT_THAT(Value(set, "node_disk_io_now", "vda"), Optional(0.0));
  EXPECT_THAT(Value(set, "node_disk_io_time_seconds_total", "vda"),
              Optional(3892 * (1.0 / 1000.0)));
  EXPECT_THAT(Value(set, "node_disk_io_time_weighted_seconds_total", "vda"),
              Optional(9386 * (1.0 / 1000.0)));
  EXPECT_THAT(Value(set, "node_disk_discards_completed_total", "vda"),
              Optional(4712.0));
  EXPECT_THAT(Value(set, "node_disk_discards_merged_total", "vda"),
              Optional(63.0));
  EXPECT_THAT(Value(set, "node_disk_discarded_sectors_total", "vda"),
              Optional(244832.0));
  EXPECT_THAT(Value(set, "node_disk_discard_time_seconds_total", "vda"),
              Optional(236 * (1.0 / 1000.0)));
  EXPECT_THAT(Value(set, "node_disk_flush_requests_total", "vda"),
              Optional(1283.0));
  EXPECT_THAT(Value(set, "node_disk_flush_requests_time_seconds_total", "vda"),
              Optional(42 * (1.0 / 1000.0)));
  // loop0..7 match the default exclusion; zram0 does not.
  EXPECT_THAT(Devices(set, "node_disk_reads_completed_total"),
              UnorderedElementsAre("vda", "zram0"));
  const MetricFamily* io_now = set.Find("node_disk_io_now");
  ASSERT_NE(io_now, nullptr);
  EXPECT_EQ(io_now->type, MetricType::kGauge);
  EXPECT_EQ(io_now->help, "The number of I/Os currently in progress.");
  const MetricFamily* reads = set.Find("node_disk_reads_completed_total");
  ASSERT_NE(reads, nullptr);
  EXPECT_EQ(reads->type, MetricType::kCounter);
  EXPECT_EQ(reads->help, "The total number of reads completed successfully.");
  // No udev database in the capture: node_disk_info with empty labels.
  const Sample* info = FindSample(set, "node_disk_info", "vda");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->labels, (Labels{{"device", "vda"},
                                  {"major", "254"},
                                  {"minor", "0"},
                                  {"model", ""},
                                  {"path", ""},
                                  {"revision", ""},
                                  {"serial", ""},
                                  {"wwn", ""}}));
  EXPECT_EQ(info->value, 1);
  EXPECT_EQ(set.Find("node_disk_filesystem_info"), nullptr);
}

TEST(DiskstatsTest, ColumnCountsOfOldAndNewKernels) {
  RootedEnv env(nettest::kEdgeMixed);
  MetricSet set;
  ASSERT_TRUE(Collect(OptionsFor(&env), &set).ok());
  // sda: 14 fields (before 4.18): 11 counters, no discards, no flushes.
  EXPECT_THAT(Value(set, "node_disk_reads_completed_total", "sda"),
              Optional(101.0));
  EXPECT_THAT(Value(set, "node_disk_io_time_weighted_seconds_total", "sda"),
              Optional(10010 * (1.0 / 1000.0)));
  EXPECT_EQ(Value(set, "node_disk_discards_completed_total", "sda"),
            std::nullopt);
  EXPECT_EQ(Value(set, "node_disk_flush_requests_total", "sda"), std::nullopt);
  // nvme0n1: 18 fields (4.18+): discards, no flushes.
  EXPECT_THAT(Value(set, "node_disk_discards_completed_total", "nvme0n1"),
              Optional(11.0));
  EXPECT_THAT(Value(set, "node_disk_discarded_sectors_total", "nvme0n1"),
              Optional(88.0));
  EXPECT_THAT(Value(set, "node_disk_discard_time_seconds_total", "nvme0n1"),
              Optional(9 * (1.0 / 1000.0)));
  EXPECT_EQ(Value(set, "node_disk_flush_requests_total", "nvme0n1"),
            std::nullopt);
  // dm-0: 20 fields (5.5+), counters at 2^64-1 and a wrapped 32-bit one.
  EXPECT_THAT(Value(set, "node_disk_reads_completed_total", "dm-0"),
              Optional(18446744073709551615.0));
  EXPECT_THAT(Value(set, "node_disk_read_bytes_total", "dm-0"),
              Optional(18446744073709551615.0 * 512));
  EXPECT_THAT(Value(set, "node_disk_io_now", "dm-0"), Optional(4294967295.0));
  EXPECT_THAT(Value(set, "node_disk_flush_requests_total", "dm-0"),
              Optional(5.0));
  EXPECT_THAT(Value(set, "node_disk_flush_requests_time_seconds_total", "dm-0"),
              Optional(6 * (1.0 / 1000.0)));
  // md0: 22 fields (a future kernel): the 17 known counters.
  EXPECT_THAT(Value(set, "node_disk_flush_requests_time_seconds_total", "md0"),
              Optional(17 * (1.0 / 1000.0)));
  // Partitions and loop devices are excluded by default.
  EXPECT_THAT(Devices(set, "node_disk_reads_completed_total"),
              UnorderedElementsAre("sda", "nvme0n1", "dm-0", "md0"));
  EXPECT_THAT(Devices(set, "node_disk_info"),
              UnorderedElementsAre("sda", "nvme0n1", "dm-0", "md0"));
}

TEST(DiskstatsTest, UdevProperties) {
  RootedEnv env(nettest::kEdgeMixed);
  MetricSet set;
  ASSERT_TRUE(Collect(OptionsFor(&env), &set).ok());
  const Sample* info = FindSample(set, "node_disk_info", "sda");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->labels, (Labels{{"device", "sda"},
                                  {"major", "8"},
                                  {"minor", "0"},
                                  {"model", "Samsung_SSD_860_EVO_500GB"},
                                  {"path", "pci-0000:00:17.0-ata-1"},
                                  {"revision", "RVT04B6Q"},
                                  {"serial", "S3Z9NB0K123456"},
                                  {"wwn", "0x5002538e4012abcd"}}));
  EXPECT_THAT(Value(set, "node_disk_ata_write_cache", "sda"), Optional(1.0));
  EXPECT_THAT(Value(set, "node_disk_ata_write_cache_enabled", "sda"),
              Optional(0.0));
  EXPECT_THAT(Value(set, "node_disk_ata_rotation_rate_rpm", "sda"),
              Optional(0.0));
  // dm-0 has a rotation rate but is not ATA: node_exporter skips it.
  EXPECT_THAT(Devices(set, "node_disk_ata_rotation_rate_rpm"),
              UnorderedElementsAre("sda"));

  const Sample* fs = FindSample(set, "node_disk_filesystem_info", "dm-0");
  ASSERT_NE(fs, nullptr);
  EXPECT_EQ(fs->labels,
            (Labels{{"device", "dm-0"},
                    {"type", "ext4"},
                    {"usage", "filesystem"},
                    {"uuid", "0b9a8c7d-1e2f-4a5b-8c6d-7e8f9a0b1c2d"},
                    {"version", "1.0"}}));
  const Sample* dm = FindSample(set, "node_disk_device_mapper_info", "dm-0");
  ASSERT_NE(dm, nullptr);
  EXPECT_EQ(dm->labels, (Labels{{"device", "dm-0"},
                                {"lv_layer", ""},
                                {"lv_name", "root"},
                                {"name", "vg0-root"},
                                {"uuid", "LVM-abcdefABCDEF0123456789"},
                                {"vg_name", "vg0"}}));
  EXPECT_THAT(Devices(set, "node_disk_filesystem_info"),
              UnorderedElementsAre("dm-0"));
  EXPECT_THAT(Devices(set, "node_disk_device_mapper_info"),
              UnorderedElementsAre("dm-0"));
  // No udev file for md0: empty labels.
  const Sample* md = FindSample(set, "node_disk_info", "md0");
  ASSERT_NE(md, nullptr);
  EXPECT_EQ(LabelValue(*md, "model"), "");
  EXPECT_EQ(LabelValue(*md, "major"), "9");
}

TEST(DiskstatsTest, UdevUnderAnotherRoot) {
  // paths.root points at the host's root when running in a container.
  RootedEnv env("tests/data/hosts/edge-net");
  CollectorOptions options = OptionsFor(&env);
  options.paths.proc = "/mixed/proc";
  options.paths.root = "/mixed/";
  MetricSet set;
  ASSERT_TRUE(Collect(options, &set).ok());
  const Sample* info = FindSample(set, "node_disk_info", "sda");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(LabelValue(*info, "serial"), "S3Z9NB0K123456");
}

TEST(DiskstatsTest, GarbageAndCutLinesAreSkippedAndReported) {
  RootedEnv env(nettest::kEdgeGarbage);
  MetricSet set;
  Status s = Collect(OptionsFor(&env), &set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("/proc/diskstats:1: expected at "
                                     "least 14 fields"));
  EXPECT_THAT(s.message(), HasSubstr("\"this is not a disk line\""));
  // Lines 2, 4, 5, 6, 7 (sdb again) and the cut line 8.
  EXPECT_THAT(s.message(), HasSubstr("(and 6 more problems)"));
  // The one good line was still reported, with its first values.
  EXPECT_THAT(Devices(set, "node_disk_reads_completed_total"),
              UnorderedElementsAre("sdb"));
  EXPECT_THAT(Value(set, "node_disk_reads_completed_total", "sdb"),
              Optional(1.0));
  EXPECT_EQ(set.Find("node_disk_discards_completed_total"), nullptr);
}

TEST(DiskstatsTest, EmptyFileMeansNoDevices) {
  RootedEnv env(nettest::kEdgeEmpty);
  MetricSet set;
  EXPECT_TRUE(Collect(OptionsFor(&env), &set).ok());
  EXPECT_EQ(set.SampleCount(), 0u);
}

TEST(DiskstatsTest, UnreadableFileNamesThePath) {
  RootedEnv rooted(nettest::kTree618);
  FaultInjectingEnv env(&rooted);
  env.FailReads("/proc/diskstats",
                PermissionDeniedError("/proc/diskstats: Permission denied"));
  MetricSet set;
  Status s = Collect(OptionsFor(&env), &set);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("/proc/diskstats"));
  EXPECT_EQ(set.SampleCount(), 0u);
}

TEST(DiskstatsTest, MissingFileNamesThePath) {
  RootedEnv env("tests/data/hosts/does-not-exist");
  MetricSet set;
  Status s = Collect(OptionsFor(&env), &set);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr("/proc/diskstats"));
}

TEST(DiskstatsTest, UnreadableUdevDataIsNotAnError) {
  RootedEnv rooted(nettest::kEdgeMixed);
  FaultInjectingEnv env(&rooted);
  env.FailReads("/run/udev/data/b8:0",
                PermissionDeniedError("/run/udev/data/b8:0: denied"));
  MetricSet set;
  ASSERT_TRUE(Collect(OptionsFor(&env), &set).ok());
  const Sample* info = FindSample(set, "node_disk_info", "sda");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(LabelValue(*info, "serial"), "");
  EXPECT_EQ(set.Find("node_disk_ata_write_cache"), nullptr);
}

TEST(DiskstatsTest, CustomExcludePattern) {
  RootedEnv env(nettest::kEdgeMixed);
  CollectorOptions options = OptionsFor(&env);
  options.diskstats.device_exclude = "sd.*|dm-\\d+";
  MetricSet set;
  ASSERT_TRUE(Collect(options, &set).ok());
  // The pattern is anchored: "md0" is not excluded by "dm-\d+".
  EXPECT_THAT(Devices(set, "node_disk_info"),
              UnorderedElementsAre("loop0", "nvme0n1", "nvme0n1p1", "md0"));
}

TEST(DiskstatsTest, BadExcludePatternIsReported) {
  RootedEnv env(nettest::kTree618);
  CollectorOptions options = OptionsFor(&env);
  options.diskstats.device_exclude = "(loop";
  std::unique_ptr<Collector> c = NewDiskstatsCollector(options);
  ASSERT_NE(c, nullptr);
  MetricSet set;
  Status s = c->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("diskstats.device_exclude"));
  EXPECT_THAT(s.message(), HasSubstr("\"(loop\""));
  EXPECT_EQ(set.SampleCount(), 0u);
  EXPECT_EQ(ValidateNetCollectorOptions(options), s);
}

TEST(DiskstatsTest, DevicesComingAndGoingAcrossCycles) {
  MemEnv env;
  CollectorOptions options = OptionsFor(&env);
  std::unique_ptr<Collector> c = NewDiskstatsCollector(options);
  const std::string sda = "8 0 sda 1 0 0 0 0 0 0 0 0 0 0\n";
  const std::string sdb = "8 16 sdb 2 0 0 0 0 0 0 0 0 0 0\n";
  const std::string loop = "7 0 loop0 3 0 0 0 0 0 0 0 0 0 0\n";
  const std::string vdc = "252 32 vdc 4 0 0 0 0 0 0 0 0 0 0\n";
  const std::vector<std::string> cycles = {
      sda + loop + sdb,  // Initial.
      sda + loop + sdb,  // Unchanged.
      loop + sdb,        // sda gone.
      vdc + loop + sdb,  // vdc added in front.
      sdb + vdc + loop,  // Reordered.
      "",                // All gone.
      sda + loop + sdb,  // Back.
  };
  const std::vector<std::set<std::string>> want = {
      {"sda", "sdb"}, {"sda", "sdb"}, {"sdb"},
      {"vdc", "sdb"}, {"sdb", "vdc"}, {},
      {"sda", "sdb"},
  };
  for (size_t i = 0; i < cycles.size(); ++i) {
    env.SetFile("/proc/diskstats", cycles[i]);
    MetricSet set;
    ASSERT_TRUE(c->Collect(&set).ok()) << i;
    EXPECT_EQ(Devices(set, "node_disk_reads_completed_total"), want[i]) << i;
    if (want[i].count("sdb")) {
      EXPECT_THAT(Value(set, "node_disk_reads_completed_total", "sdb"),
                  Optional(2.0));
    }
  }
}

TEST(DiskstatsTest, UdevDataReReadOnlyWhenChanged) {
  MemEnv base;
  FaultInjectingEnv env(&base);
  base.SetFile("/proc/diskstats", "8 0 sda 1 0 0 0 0 0 0 0 0 0 0\n");
  base.SetFile("/run/udev/data/b8:0", "E:ID_MODEL=old\n");
  std::unique_ptr<Collector> c = NewDiskstatsCollector(OptionsFor(&env));
  for (int i = 0; i < 3; ++i) {
    MetricSet set;
    ASSERT_TRUE(c->Collect(&set).ok());
    EXPECT_EQ(LabelValue(*FindSample(set, "node_disk_info", "sda"), "model"),
              "old");
  }
  EXPECT_EQ(env.reads("/run/udev/data/b8:0"), 1);
  base.SetFile("/run/udev/data/b8:0", "E:ID_MODEL=new\n");
  MetricSet set;
  ASSERT_TRUE(c->Collect(&set).ok());
  EXPECT_EQ(LabelValue(*FindSample(set, "node_disk_info", "sda"), "model"),
            "new");
  EXPECT_EQ(env.reads("/run/udev/data/b8:0"), 2);
  base.RemoveFile("/run/udev/data/b8:0");
  MetricSet gone;
  ASSERT_TRUE(c->Collect(&gone).ok());
  EXPECT_EQ(LabelValue(*FindSample(gone, "node_disk_info", "sda"), "model"),
            "");
}

TEST(DiskstatsTest, RealHost) {
  CollectorOptions options;  // Env::Default(), /proc.
  MetricSet set;
  Status s = NewDiskstatsCollector(options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  RE2 exclude(options.diskstats.device_exclude);
  for (const std::string& dev : Devices(set, "node_disk_info")) {
    EXPECT_FALSE(RE2::FullMatch(dev, exclude)) << dev;
    EXPECT_TRUE(Value(set, "node_disk_reads_completed_total", dev).has_value())
        << dev;
  }
}

}  // namespace
}  // namespace tend
