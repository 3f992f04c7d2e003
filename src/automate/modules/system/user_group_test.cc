// user and group against the real shadow tools, inside a private copy of
// /etc (sandbox_test_util.h): nothing on the host changes.
#include <gtest/gtest.h>

#include "automate/modules/system/module_test_util.h"
#include "automate/modules/system/sandbox_test_util.h"
#include "automate/modules/system/system_util.h"

namespace tend::automate::sysmod {
namespace {

using testing::ExpectConverges;
using testing::ModuleHarness;
using testing::ReadText;
using testing::RunInSandbox;
using testing::Sh;

std::string Accounts() {
  return ReadText("/etc/passwd") + ReadText("/etc/group") +
         ReadText("/etc/shadow") + Sh("ls -la /home");
}

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = testing::SandboxUnavailableReason();
    if (!why.empty()) GTEST_SKIP() << why;
  }
};

TEST_F(AccountsTest, GroupCreateChangeGidRemove) {
  RunInSandbox([] {
    ModuleHarness h;
    auto group = NewGroupModule();
    ExpectConverges(h, *group, {{"name", "tendops"}, {"gid", 4242}}, Accounts);
    EXPECT_NE(ReadText("/etc/group").find("tendops:x:4242:"),
              std::string::npos);
    auto r = h.Run(*group, {{"name", "tendops"}});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->data["gid"], 4242);
    ExpectConverges(h, *group, {{"name", "tendops"}, {"gid", 4243}}, Accounts);
    EXPECT_NE(ReadText("/etc/group").find("tendops:x:4243:"),
              std::string::npos);
    ExpectConverges(h, *group, {{"name", "tendops"}, {"state", "absent"}},
                    Accounts);
    EXPECT_EQ(ReadText("/etc/group").find("tendops:"), std::string::npos);
  });
}

TEST_F(AccountsTest, UserLifecycle) {
  RunInSandbox([] {
    ModuleHarness h;
    auto user = NewUserModule();
    auto group = NewGroupModule();
    ASSERT_TRUE(h.Run(*group, {{"name", "tendx"}, {"gid", 5100}}).ok());
    ASSERT_TRUE(h.Run(*group, {{"name", "tendy"}, {"gid", 5101}}).ok());

    Value create = {{"name", "alice"},     {"uid", 5001},
                    {"shell", "/bin/sh"},  {"comment", "Alice A"},
                    {"groups", {"tendx"}}, {"password", "$6$salt$hash"}};
    ExpectConverges(h, *user, create, Accounts);
    EXPECT_NE(ReadText("/etc/passwd")
                  .find("alice:x:5001:5001:Alice A:/home/alice:/bin/sh"),
              std::string::npos)
        << ReadText("/etc/passwd");
    EXPECT_NE(ReadText("/etc/shadow").find("alice:$6$salt$hash:"),
              std::string::npos);
    EXPECT_NE(ReadText("/etc/group").find("tendx:x:5100:alice"),
              std::string::npos);
    EXPECT_EQ(Sh("stat -c %U /home/alice"), "alice\n");
    auto info = h.Run(*user, {{"name", "alice"}});
    ASSERT_TRUE(info.ok());
    EXPECT_FALSE(info->changed);
    EXPECT_EQ(info->data["uid"], 5001);
    EXPECT_EQ(info->data["home"], "/home/alice");

    // Appending a group keeps the old one; without append it replaces.
    ExpectConverges(h, *user,
                    {{"name", "alice"}, {"groups", "tendy"}, {"append", true}},
                    Accounts);
    EXPECT_NE(ReadText("/etc/group").find("tendx:x:5100:alice"),
              std::string::npos);
    EXPECT_NE(ReadText("/etc/group").find("tendy:x:5101:alice"),
              std::string::npos);
    ExpectConverges(h, *user, {{"name", "alice"}, {"groups", {"tendy"}}},
                    Accounts);
    EXPECT_EQ(ReadText("/etc/group").find("tendx:x:5100:alice"),
              std::string::npos);

    ExpectConverges(h, *user, {{"name", "alice"}, {"shell", "/bin/bash"}},
                    Accounts);
    ExpectConverges(h, *user, {{"name", "alice"}, {"group", "tendx"}},
                    Accounts);
    EXPECT_NE(ReadText("/etc/passwd").find("alice:x:5001:5100:"),
              std::string::npos);

    // A system account without a home directory.
    ExpectConverges(h, *user,
                    {{"name", "svc"}, {"system", true}, {"create_home", false}},
                    Accounts);
    EXPECT_EQ(Sh("test -e /home/svc || echo none"), "none\n");

    ExpectConverges(h, *user,
                    {{"name", "alice"}, {"state", "absent"}, {"remove", true}},
                    Accounts);
    EXPECT_EQ(ReadText("/etc/passwd").find("alice:"), std::string::npos);
    EXPECT_EQ(Sh("test -e /home/alice || echo gone"), "gone\n");
  });
}

TEST_F(AccountsTest, UserErrors) {
  RunInSandbox([] {
    ModuleHarness h;
    auto user = NewUserModule();
    auto r = h.Run(*user, {{"name", "bob"}, {"group", "nosuchgroup"}});
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->failed);
    EXPECT_EQ(r->msg, "Group nosuchgroup does not exist");
    r = h.Run(*user, {{"name", "bob"}, {"groups", "root,nosuch2"}});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->msg, "Group nosuch2 does not exist");
    EXPECT_EQ(ReadText("/etc/passwd").find("bob:"), std::string::npos);
    // A uid already taken: useradd's own message comes back.
    r = h.Run(*user, {{"name", "bob"}, {"uid", 0}});
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->failed);
    EXPECT_NE(r->msg.find("useradd"), std::string::npos) << r->msg;
    auto bad = h.Run(*user, {{"name", "bob"}, {"state", "gone"}});
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.status().message().find("must be one of"), std::string::npos);
  });
}

}  // namespace
}  // namespace tend::automate::sysmod
