// Tests of the helpers behind the disk and network collectors.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "metrics/cycle_errors.h"
#include "metrics/device_cache.h"
#include "metrics/device_filter.h"
#include "metrics/udev_info.h"

namespace tend {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

TEST(DeviceCacheTest, FindsInOrderAndKeepsState) {
  DeviceCache<int> cache;
  bool created;
  cache.BeginCycle();
  size_t a = cache.Find("a", &created);
  EXPECT_TRUE(created);
  cache.at(a) = 1;
  size_t b = cache.Find("b", &created);
  EXPECT_TRUE(created);
  cache.at(b) = 2;
  cache.EndCycle();

  cache.BeginCycle();
  EXPECT_EQ(cache.at(cache.Find("a", &created)), 1);
  EXPECT_FALSE(created);
  EXPECT_EQ(cache.at(cache.Find("b", &created)), 2);
  EXPECT_FALSE(created);
  cache.EndCycle();
  EXPECT_EQ(cache.size(), 2u);
}

TEST(DeviceCacheTest, DuplicatesAreRefused) {
  DeviceCache<int> cache;
  bool created;
  cache.BeginCycle();
  cache.Find("a", &created);
  cache.Find("b", &created);
  EXPECT_EQ(cache.Find("a", &created), DeviceCache<int>::kDuplicate);
  EXPECT_EQ(cache.Find("b", &created), DeviceCache<int>::kDuplicate);
  cache.EndCycle();
  EXPECT_EQ(cache.size(), 2u);
}

TEST(DeviceCacheTest, VanishedDevicesAreDropped) {
  DeviceCache<int> cache;
  bool created;
  cache.BeginCycle();
  for (const char* n : {"a", "b", "c", "d"})
    cache.at(cache.Find(n, &created)) = n[0];
  cache.EndCycle();
  // b and d gone: c is found further on, b is dropped, d at the end.
  cache.BeginCycle();
  EXPECT_EQ(cache.at(cache.Find("a", &created)), 'a');
  size_t c = cache.Find("c", &created);
  EXPECT_FALSE(created);
  EXPECT_EQ(cache.at(c), 'c');
  EXPECT_EQ(cache.name(c), "c");
  cache.EndCycle();
  EXPECT_EQ(cache.size(), 2u);
  // A new device in front.
  cache.BeginCycle();
  size_t z = cache.Find("z", &created);
  EXPECT_TRUE(created);
  EXPECT_EQ(cache.at(z), 0);
  EXPECT_EQ(cache.at(cache.Find("a", &created)), 'a');
  EXPECT_FALSE(created);
  EXPECT_EQ(cache.at(cache.Find("c", &created)), 'c');
  cache.EndCycle();
  EXPECT_EQ(cache.size(), 3u);
  // Nothing listed.
  cache.BeginCycle();
  cache.EndCycle();
  EXPECT_EQ(cache.size(), 0u);
}

TEST(DeviceCacheTest, IndexesStayValidWithinACycle) {
  DeviceCache<std::string> cache;
  bool created;
  cache.BeginCycle();
  for (const char* n : {"a", "b", "c"}) cache.at(cache.Find(n, &created)) = n;
  cache.EndCycle();
  cache.BeginCycle();
  size_t c = cache.Find("c", &created);  // Drops a and b.
  size_t x = cache.Find("x", &created);  // Inserted after c.
  size_t a = cache.Find("a", &created);  // Re-created.
  EXPECT_EQ(cache.at(c), "c");
  EXPECT_EQ(cache.name(x), "x");
  EXPECT_EQ(cache.name(a), "a");
  EXPECT_EQ(cache.at(a), "");
}

TEST(DeviceFilterTest, FullMatchOnly) {
  DeviceFilter f("diskstats.device_exclude",
                 "(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+");
  ASSERT_TRUE(f.status().ok());
  EXPECT_TRUE(f.Excludes("loop0"));
  EXPECT_TRUE(f.Excludes("sda1"));
  EXPECT_TRUE(f.Excludes("nvme0n1p2"));
  EXPECT_FALSE(f.Excludes("sda"));
  EXPECT_FALSE(f.Excludes("nvme0n1"));
  EXPECT_FALSE(f.Excludes("xloop0"));
  EXPECT_FALSE(f.Excludes("loop0x"));
}

TEST(DeviceFilterTest, EmptyExcludesNothing) {
  DeviceFilter f("netdev.device_exclude", "");
  EXPECT_TRUE(f.status().ok());
  EXPECT_FALSE(f.Excludes(""));
  EXPECT_FALSE(f.Excludes("lo"));
}

TEST(DeviceFilterTest, BadPatternIsNamed) {
  DeviceFilter f("netdev.device_exclude", "a(b");
  EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(f.status().message(), HasSubstr("netdev.device_exclude"));
  EXPECT_THAT(f.status().message(), HasSubstr("\"a(b\""));
  EXPECT_THAT(f.status().message(), HasSubstr("missing )"));
  EXPECT_FALSE(f.Excludes("ab"));
  EXPECT_EQ(ValidateDevicePattern("netdev.device_exclude", "a(b"), f.status());
  EXPECT_TRUE(ValidateDevicePattern("x", "^lo$").ok());
}

TEST(CycleErrorsTest, FirstProblemAndCount) {
  CycleErrors e;
  EXPECT_TRUE(e.empty());
  EXPECT_TRUE(e.ToStatus().ok());
  e.Add(Status::Ok());
  EXPECT_TRUE(e.empty());
  e.AddLine("/proc/x", 3, "bad\x01line", "too short");
  e.Add(NotFoundError("/proc/y: gone"));
  e.AddLine("/proc/x", 9, "worse", "worse");
  Status s = e.ToStatus();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "/proc/x:3: too short: \"bad?line\" (and 2 more problems)");
}

TEST(CycleErrorsTest, LongLinesAreShortened) {
  CycleErrors e;
  e.AddLine("f", 1, std::string(500, 'x'), "why");
  EXPECT_EQ(e.ToStatus().message(),
            "f:1: why: \"" + std::string(80, 'x') + "...\"");
}

TEST(TextLinesTest, CompleteAndCutLines) {
  TextLines lines("a\n\nb\nc");
  std::string_view line;
  std::vector<std::string> got;
  while (lines.Next(&line)) got.emplace_back(line);
  EXPECT_EQ(got, (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(lines.line_number(), 3u);
  ASSERT_TRUE(lines.cut(&line));
  EXPECT_EQ(line, "c");

  TextLines whole("a\nb\n");
  while (whole.Next(&line)) {
  }
  EXPECT_EQ(whole.line_number(), 2u);
  EXPECT_FALSE(whole.cut(&line));

  TextLines empty("");
  EXPECT_FALSE(empty.Next(&line));
  EXPECT_FALSE(empty.cut(&line));
}

TEST(UdevInfoTest, ParsesProperties) {
  UdevInfo info;
  info.id_model = "stale";
  ParseUdevData(
      "S:disk/by-id/x\n"
      "E:ID_MODEL=Disk=Model\n"
      "E:ID_SERIAL_SHORT=S1\n"
      "E:ID_SERIAL_SHORT=S2\n"
      "E:ID_ATA=1\n"
      "E:ID_ATA_ROTATION_RATE_RPM=7200\n"
      "E:ID_ATA_WRITE_CACHE=yes\n"
      "E:NOEQUALS\n"
      "X:ID_WWN=ignored\n"
      "E:DM_LV_LAYER=cow",
      &info);
  EXPECT_EQ(info.id_model, "Disk=Model");
  EXPECT_EQ(info.id_serial_short, "S2");
  EXPECT_EQ(info.ata, "1");
  EXPECT_THAT(info.ata_rotation_rate_rpm, Optional(7200.0));
  EXPECT_EQ(info.ata_write_cache, std::nullopt);
  EXPECT_EQ(info.id_wwn, "");
  EXPECT_EQ(info.dm_lv_layer, "cow");
}

}  // namespace
}  // namespace tend
