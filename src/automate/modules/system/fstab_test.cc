#include "automate/modules/system/fstab.h"

#include <gtest/gtest.h>

namespace tend::automate::sysmod {
namespace {

FstabEntry Entry(std::string src, std::string name, std::string fstype,
                 std::string opts = "defaults") {
  FstabEntry e;
  e.src = std::move(src);
  e.name = std::move(name);
  e.fstype = std::move(fstype);
  e.opts = std::move(opts);
  return e;
}

TEST(FstabTest, AppendsInAnsiblesFormatKeepingOtherLines) {
  std::string text = "# static\nUUID=1  /   ext4  errors=remount-ro 0 1\n";
  FstabEdit e = SetFstabEntry(text, Entry("tmpfs", "/mnt/a b", "tmpfs"));
  EXPECT_TRUE(e.changed);
  EXPECT_EQ(e.text, text + "tmpfs /mnt/a\\040b tmpfs defaults 0 0\n");
}

TEST(FstabTest, SameEntryIsUnchangedWhateverTheSpacing) {
  std::string text = "tmpfs\t/data   tmpfs  size=1m  0  0\n";
  FstabEdit e =
      SetFstabEntry(text, Entry("tmpfs", "/data", "tmpfs", "size=1m"));
  EXPECT_FALSE(e.changed);
  EXPECT_EQ(e.text, text);
}

TEST(FstabTest, DifferentOptionsRewriteTheLineInPlace) {
  std::string text = "a / ext4 defaults 0 1\ntmpfs /data tmpfs defaults\n#x\n";
  FstabEdit e = SetFstabEntry(text, Entry("tmpfs", "/data", "tmpfs", "ro"));
  EXPECT_TRUE(e.changed);
  EXPECT_EQ(e.text, "a / ext4 defaults 0 1\ntmpfs /data tmpfs ro 0 0\n#x\n");
}

TEST(FstabTest, FourFieldLineAlwaysCountsAsDifferent) {
  FstabEdit e = SetFstabEntry("tmpfs /data tmpfs defaults\n",
                              Entry("tmpfs", "/data", "tmpfs"));
  EXPECT_TRUE(e.changed);
  EXPECT_EQ(e.text, "tmpfs /data tmpfs defaults 0 0\n");
}

TEST(FstabTest, RemoveDropsOnlyThatMountPoint) {
  std::string text = "a / ext4 defaults 0 1\ntmpfs /data tmpfs ro 0 0\n";
  FstabEdit e = RemoveFstabEntry(text, "/data", "");
  EXPECT_TRUE(e.changed);
  EXPECT_EQ(e.text, "a / ext4 defaults 0 1\n");
  EXPECT_FALSE(RemoveFstabEntry(e.text, "/data", "").changed);
}

TEST(FstabTest, MountInfoMountPointsAreUnescaped) {
  auto points = MountPoints(
      "22 1 0:21 / / rw - ext4 /dev/sda rw\n"
      "40 22 0:35 / /mnt/a\\040b rw - tmpfs tmpfs rw\n");
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[1], "/mnt/a b");
}

}  // namespace
}  // namespace tend::automate::sysmod
