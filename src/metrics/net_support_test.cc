// Tests of the helpers behind the disk and network collectors.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
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
