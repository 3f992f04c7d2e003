#include <gtest/gtest.h>

#include "automate/modules/system/module_test_util.h"
#include "automate/modules/system/sandbox_test_util.h"
#include "automate/modules/system/system_util.h"

namespace tend::automate::sysmod {
namespace {

using testing::ModuleHarness;
using testing::ReadText;
using testing::Sh;

TEST(MountTest, MountedUnmountedAbsentInAPrivateMountNamespace) {
  std::string why = testing::SandboxUnavailableReason();
  if (!why.empty()) GTEST_SKIP() << why;
  testing::RunInSandbox([] {
    ModuleHarness h;
    auto mount = NewMountModule();
    const std::string path = "/home/data";  // /home is the sandbox's tmpfs
    auto snap = [&] {
      return ReadText("/etc/fstab") +
             Sh("grep -c ' /home/data ' /proc/self/mountinfo; ls -d " + path +
                " 2>&1");
    };
    Value mounted = {{"path", path},
                     {"src", "tmpfs"},
                     {"fstype", "tmpfs"},
                     {"opts", "size=1m"},
                     {"state", "mounted"}};
    std::string before = ReadText("/etc/fstab");
    testing::ExpectConverges(h, *mount, mounted, snap);
    EXPECT_EQ(ReadText("/etc/fstab"),
              before + "tmpfs /home/data tmpfs size=1m 0 0\n");
    EXPECT_EQ(Sh("grep -c ' /home/data ' /proc/self/mountinfo"), "1\n");

    // Changed options: the line is rewritten and the mount remounted.
    mounted["opts"] = "size=2m";
    auto r = h.Run(*mount, mounted);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->changed) << r->msg;
    EXPECT_FALSE(r->failed) << r->msg;
    EXPECT_NE(Sh("grep ' /home/data ' /proc/self/mountinfo").find("size=2048k"),
              std::string::npos);

    testing::ExpectConverges(h, *mount,
                             {{"path", path}, {"state", "unmounted"}}, snap);
    EXPECT_EQ(Sh("grep -c ' /home/data ' /proc/self/mountinfo"), "0\n");
    EXPECT_NE(ReadText("/etc/fstab").find("/home/data"), std::string::npos);

    testing::ExpectConverges(h, *mount, {{"path", path}, {"state", "absent"}},
                             snap);
    EXPECT_EQ(ReadText("/etc/fstab"), before);
    EXPECT_EQ(Sh("test -e /home/data || echo gone"), "gone\n");

    // present only edits the file.
    testing::ExpectConverges(h, *mount,
                             {{"path", "/home/x"},
                              {"src", "/dev/nothing"},
                              {"fstype", "ext4"},
                              {"state", "present"}},
                             snap);
    EXPECT_EQ(Sh("test -e /home/x || echo none"), "none\n");

    auto bad = h.Run(*mount, {{"path", path}, {"state", "mounted"}});
    ASSERT_TRUE(bad.ok());
    EXPECT_TRUE(bad->failed);
    EXPECT_EQ(bad->msg,
              "state is mounted but all of the following are missing: src, "
              "fstype");
    // A mount that fails leaves fstab as it was.
    std::string fstab = ReadText("/etc/fstab");
    auto fail = h.Run(*mount, {{"path", "/home/y"},
                               {"src", "/dev/nothing"},
                               {"fstype", "ext4"},
                               {"state", "mounted"}});
    ASSERT_TRUE(fail.ok());
    EXPECT_TRUE(fail->failed);
    EXPECT_NE(fail->msg.find("Error mounting /home/y"), std::string::npos);
    EXPECT_EQ(ReadText("/etc/fstab"), fstab);
  });
}

}  // namespace
}  // namespace tend::automate::sysmod
