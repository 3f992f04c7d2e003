#include <gtest/gtest.h>

#include "automate/modules/system/module_test_util.h"
#include "automate/modules/system/sandbox_test_util.h"
#include "automate/modules/system/system_util.h"

namespace tend::automate::sysmod {
namespace {

using testing::ModuleHarness;
using testing::ReadText;
using testing::Sh;

constexpr char kKeyA[] = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAaaaa alice@a";
constexpr char kKeyB[] = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABbbbb";

TEST(AuthorizedKeyTest, AddsUpdatesRemovesWithOwnershipAndModes) {
  std::string why = testing::SandboxUnavailableReason();
  if (!why.empty()) GTEST_SKIP() << why;
  testing::RunInSandbox([] {
    ModuleHarness h;
    ASSERT_TRUE(h.Run(*NewUserModule(), {{"name", "dave"}}).ok());
    auto ak = NewAuthorizedKeyModule();
    const std::string file = "/home/dave/.ssh/authorized_keys";
    auto snap = [&] {
      return ReadText(file) +
             Sh("stat -c '%a %U' /home/dave/.ssh " + file + " 2>&1");
    };
    testing::ExpectConverges(h, *ak, {{"user", "dave"}, {"key", kKeyA}}, snap);
    EXPECT_EQ(ReadText(file), std::string(kKeyA) + "\n");
    EXPECT_EQ(Sh("stat -c '%a %U' /home/dave/.ssh " + file),
              "700 dave\n600 dave\n");

    // Two keys at once; the one without a comment gets Ansible's trailing
    // separator.
    testing::ExpectConverges(
        h, *ak, {{"user", "dave"}, {"key", std::string(kKeyA) + "\n" + kKeyB}},
        snap);
    EXPECT_EQ(ReadText(file), std::string(kKeyA) + "\n" + kKeyB + " \n");

    // Options rewrite the key in place.
    testing::ExpectConverges(
        h, *ak,
        {{"user", "dave"},
         {"key", kKeyA},
         {"key_options", "no-pty,from=\"10.0.0.1,10.0.0.2\""}},
        snap);
    EXPECT_EQ(ReadText(file), std::string(kKeyB) + " \n" +
                                  "no-pty,from=\"10.0.0.1,10.0.0.2\" " + kKeyA +
                                  "\n");

    // exclusive leaves only the given key.
    testing::ExpectConverges(
        h, *ak, {{"user", "dave"}, {"key", kKeyB}, {"exclusive", true}}, snap);
    EXPECT_EQ(ReadText(file), std::string(kKeyB) + " \n");

    testing::ExpectConverges(
        h, *ak, {{"user", "dave"}, {"key", kKeyB}, {"state", "absent"}}, snap);
    EXPECT_EQ(ReadText(file), "");

    auto bad = h.Run(*ak, {{"user", "dave"}, {"key", "not a key"}});
    ASSERT_TRUE(bad.ok());
    EXPECT_TRUE(bad->failed);
    EXPECT_EQ(bad->msg, "invalid key specified: not a key");
    auto nouser = h.Run(*ak, {{"user", "nobody2"}, {"key", kKeyA}},
                        /*check=*/true);
    ASSERT_TRUE(nouser.ok());
    EXPECT_TRUE(nouser->failed);
    EXPECT_NE(nouser->msg.find("Either user must exist"), std::string::npos);
  });
}

}  // namespace
}  // namespace tend::automate::sysmod
