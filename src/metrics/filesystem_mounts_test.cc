#include "metrics/filesystem_mounts.h"

#include <gtest/gtest.h>

namespace tend {
namespace {

std::string Unescape(std::string_view s) {
  std::string out = "keep:";
  AppendUnescapedMountField(s, &out);
  return out;
}

TEST(FilesystemMountsTest, UnescapesKernelOctalEscapes) {
  EXPECT_EQ(Unescape("/mnt/my\\040disk"), "keep:/mnt/my disk");
  EXPECT_EQ(Unescape("a\\011b\\012c\\134d"), "keep:a\tb\nc\\d");
  EXPECT_EQ(Unescape("\\040\\040"), "keep:  ");
  EXPECT_EQ(Unescape("plain"), "keep:plain");
  EXPECT_EQ(Unescape(""), "keep:");
}

TEST(FilesystemMountsTest, KeepsBackslashesThatAreNotEscapes) {
  EXPECT_EQ(Unescape("a\\b"), "keep:a\\b");
  EXPECT_EQ(Unescape("end\\"), "keep:end\\");
  EXPECT_EQ(Unescape("end\\04"), "keep:end\\04");
  EXPECT_EQ(Unescape("x\\08y"), "keep:x\\08y");    // 8 is not octal.
  EXPECT_EQ(Unescape("x\\477y"), "keep:x\\477y");  // Above 0377.
  EXPECT_EQ(Unescape("\\\\040"), "keep:\\ ");      // Backslash, then escape.
}

TEST(FilesystemMountsTest, ReadOnlyOption) {
  EXPECT_TRUE(MountOptionsReadOnly("ro"));
  EXPECT_TRUE(MountOptionsReadOnly("ro,nosuid,nodev"));
  EXPECT_TRUE(MountOptionsReadOnly("nosuid,ro"));
  EXPECT_FALSE(MountOptionsReadOnly("rw,relatime"));
  EXPECT_FALSE(MountOptionsReadOnly("rw,errors=remount-ro"));
  EXPECT_FALSE(MountOptionsReadOnly("rootcontext=x"));
  EXPECT_FALSE(MountOptionsReadOnly(""));
}

TEST(FilesystemMountsTest, ParsesLinesAndReusesEntries) {
  std::vector<MountEntry> mounts;
  size_t first_bad = 99;
  std::string text =
      "/dev/vda / ext4 rw,relatime 0 0\n"
      "\n"
      "server:/export\\040x /mnt/nfs\\040share nfs4 ro,vers=4.2 0 0\n";
  EXPECT_EQ(ParseMounts(text, &mounts, &first_bad), 0u);
  EXPECT_EQ(first_bad, 0u);
  ASSERT_EQ(mounts.size(), 2u);
  EXPECT_EQ(mounts[0].device, "/dev/vda");
  EXPECT_EQ(mounts[0].mount_point, "/");
  EXPECT_EQ(mounts[0].fs_type, "ext4");
  EXPECT_EQ(mounts[0].options, "rw,relatime");
  EXPECT_EQ(mounts[1].device, "server:/export x");
  EXPECT_EQ(mounts[1].mount_point, "/mnt/nfs share");
  EXPECT_EQ(mounts[1].fs_type, "nfs4");

  // A second, shorter parse overwrites the entries and shrinks the vector.
  EXPECT_EQ(ParseMounts("tmpfs /run tmpfs rw 0 0", &mounts, &first_bad), 0u);
  ASSERT_EQ(mounts.size(), 1u);
  EXPECT_EQ(mounts[0].device, "tmpfs");
  EXPECT_EQ(mounts[0].mount_point, "/run");
  EXPECT_EQ(mounts[0].options, "rw");
}

TEST(FilesystemMountsTest, CountsMalformedLines) {
  std::vector<MountEntry> mounts;
  size_t first_bad = 0;
  std::string text =
      "tmpfs /run tmpfs rw 0 0\n"
      "garbage\n"
      "/dev/sda1 /boot\n"
      "/dev/sda2 /home ext4 rw 0 0\n";
  EXPECT_EQ(ParseMounts(text, &mounts, &first_bad), 2u);
  EXPECT_EQ(first_bad, 2u);
  ASSERT_EQ(mounts.size(), 2u);
  EXPECT_EQ(mounts[1].mount_point, "/home");

  EXPECT_EQ(ParseMounts("", &mounts, &first_bad), 0u);
  EXPECT_TRUE(mounts.empty());
}

TEST(FilesystemMountsTest, StripsRootPrefixOnPathBoundaries) {
  EXPECT_EQ(StripRootPrefix("/host", "/host"), "/");
  EXPECT_EQ(StripRootPrefix("/host/boot", "/host"), "/boot");
  EXPECT_EQ(StripRootPrefix("/host/boot", "/host/"), "/boot");
  EXPECT_EQ(StripRootPrefix("/hostdata", "/host"), "/hostdata");
  EXPECT_EQ(StripRootPrefix("/etc/hosts", "/host"), "/etc/hosts");
  EXPECT_EQ(StripRootPrefix("/boot", "/"), "/boot");
  EXPECT_EQ(StripRootPrefix("/boot", ""), "/boot");
}

TEST(FilesystemMountsTest, JoinsStatFsPath) {
  std::string p;
  StatFsPath("/", "/boot", &p);
  EXPECT_EQ(p, "/boot");
  StatFsPath("/", "/", &p);
  EXPECT_EQ(p, "/");
  StatFsPath("/host", "/", &p);
  EXPECT_EQ(p, "/host");
  StatFsPath("/host/", "/boot", &p);
  EXPECT_EQ(p, "/host/boot");
}

}  // namespace
}  // namespace tend
