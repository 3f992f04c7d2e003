#include <gtest/gtest.h>
#include <stdlib.h>

#include "automate/modules/system/module_test_util.h"
#include "automate/modules/system/sandbox_test_util.h"
#include "automate/modules/system/system_util.h"

namespace tend::automate::sysmod {
namespace {

using testing::ExpectConverges;
using testing::ModuleHarness;
using testing::ReadText;
using testing::Sh;

TEST(SysctlTest, FileEditingNormalizesLikeAnsible) {
  char tmpl[] = "/tmp/tend-sysctl-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string file = std::string(tmpl) + "/99-test.conf";
  testing::WriteText(file,
                     "# keep me\n  vm.a = 1\n; also kept\nvm.b=2\nvm.a=9\n\n");
  ModuleHarness h;
  auto sysctl = NewSysctlModule();
  Value args = {{"name", "vm.b"},
                {"value", "yes"},
                {"sysctl_file", file},
                {"reload", false}};
  ExpectConverges(h, *sysctl, args, [&] { return ReadText(file); });
  // Stripped lines, "k=v", only the first of a duplicated key, bool -> 1.
  EXPECT_EQ(ReadText(file), "# keep me\nvm.a=1\n; also kept\nvm.b=1\n\n");
  args = {{"name", "vm.c"},
          {"value", "4096  87380"},
          {"sysctl_file", file},
          {"reload", false}};
  ExpectConverges(h, *sysctl, args, [&] { return ReadText(file); });
  EXPECT_NE(ReadText(file).find("vm.c=4096  87380\n"), std::string::npos);
  args = {{"name", "vm.a"},
          {"state", "absent"},
          {"sysctl_file", file},
          {"reload", false}};
  ExpectConverges(h, *sysctl, args, [&] { return ReadText(file); });
  EXPECT_EQ(ReadText(file).find("vm.a"), std::string::npos);

  auto blank =
      h.Run(*sysctl, {{"name", "vm.x"}, {"value", ""}, {"sysctl_file", file}});
  ASSERT_TRUE(blank.ok());
  EXPECT_EQ(blank->msg, "value cannot be blank");
  auto none = h.Run(*sysctl, {{"name", "vm.x"}, {"sysctl_file", file}});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->failed);
  Sh(std::string("rm -rf ") + tmpl);
}

TEST(SysctlTest, SetsTheRunningKernelInAPrivateNetworkNamespace) {
  std::string why = testing::SandboxUnavailableReason();
  if (!why.empty()) GTEST_SKIP() << why;
  testing::RunInSandbox([] {
    ModuleHarness h;
    auto sysctl = NewSysctlModule();
    const std::string proc = "/proc/sys/net/ipv4/ip_forward";
    testing::WriteText(proc, "0");
    auto snap = [&] { return ReadText("/etc/sysctl.conf") + ReadText(proc); };
    // reload (the default) applies the file with sysctl -p.
    ExpectConverges(h, *sysctl,
                    {{"name", "net.ipv4.ip_forward"}, {"value", "1"}}, snap);
    EXPECT_EQ(ReadText(proc), "1\n");
    EXPECT_NE(ReadText("/etc/sysctl.conf").find("\nnet.ipv4.ip_forward=1\n"),
              std::string::npos);
    // The file already right but the kernel not: reload is a change.
    testing::WriteText(proc, "0");
    auto r = h.Run(*sysctl, {{"name", "net.ipv4.ip_forward"}, {"value", "1"}},
                   /*check=*/true);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->changed);
    EXPECT_EQ(ReadText(proc), "0\n");
    // sysctl_set without reload uses sysctl -w.
    r = h.Run(*sysctl, {{"name", "net.ipv4.ip_forward"},
                        {"value", "1"},
                        {"sysctl_set", true},
                        {"reload", false}});
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->changed);
    EXPECT_EQ(ReadText(proc), "1\n");
    auto bad = h.Run(*sysctl, {{"name", "net.nosuch.key"},
                               {"value", "1"},
                               {"sysctl_file", "/etc/sysctl.d/90-x.conf"}});
    ASSERT_TRUE(bad.ok());
    EXPECT_TRUE(bad->failed);
    EXPECT_NE(bad->msg.find("Failed to reload sysctl"), std::string::npos)
        << bad->msg;
  });
}

}  // namespace
}  // namespace tend::automate::sysmod
