#include <gtest/gtest.h>

#include "automate/modules/system/module_test_util.h"
#include "automate/modules/system/sandbox_test_util.h"
#include "automate/modules/system/system_util.h"

namespace tend::automate::sysmod {
namespace {

using testing::ModuleHarness;
using testing::ReadText;
using testing::Sh;

TEST(HostnameTest, WritesEtcHostnameAndTheRunningNameInAPrivateUts) {
  std::string why = testing::SandboxUnavailableReason();
  if (!why.empty()) GTEST_SKIP() << why;
  testing::RunInSandbox([] {
    ModuleHarness h;
    auto hostname = NewHostnameModule();
    auto snap = [] { return ReadText("/etc/hostname") + Sh("hostname"); };
    testing::ExpectConverges(h, *hostname, {{"name", "web-01.example.net"}},
                             snap);
    EXPECT_EQ(ReadText("/etc/hostname"), "web-01.example.net\n");
    EXPECT_EQ(Sh("hostname"), "web-01.example.net\n");
    auto r = h.Run(*hostname, {{"name", "db"}, {"use", "generic"}},
                   /*check=*/true, /*diff=*/true);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->changed);
    ASSERT_EQ(r->diffs.size(), 1u);
    EXPECT_EQ(r->diffs[0].before, "hostname = web-01.example.net\n");
    EXPECT_EQ(r->diffs[0].after, "hostname = db\n");
    EXPECT_EQ(r->facts["ansible_hostname"], "db");
    // Only the running name differs: still a change, and it is fixed.
    Sh("hostname other");
    testing::ExpectConverges(h, *hostname, {{"name", "web-01.example.net"}},
                             snap);
    auto bad = h.Run(*hostname, {{"name", "bad name"}});
    ASSERT_TRUE(bad.ok());
    EXPECT_TRUE(bad->failed);
    auto use = h.Run(*hostname, {{"name", "x"}, {"use", "beos"}});
    EXPECT_FALSE(use.ok());
  });
}

}  // namespace
}  // namespace tend::automate::sysmod
