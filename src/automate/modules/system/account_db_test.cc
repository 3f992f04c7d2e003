#include "automate/modules/system/account_db.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tend::automate::sysmod {
namespace {

TEST(AccountDbTest, ParsesPasswdGroupShadowAndSkipsBadLines) {
  AccountDb db = ParseAccountDb(
      "root:x:0:0:root:/root:/bin/bash\n# comment\nbroken:x:zz:0::/:/bin/sh\n"
      "bob:x:1001:1001:Bob B,,,:/home/bob:/bin/sh\nshort:x:1\n",
      "root:x:0:\nstaff:x:50:bob,alice\nbob:x:1001:\n",
      "bob:$6$abc:19000:0:99999:7:::\n");
  ASSERT_EQ(db.users.size(), 2u);
  const PasswdEntry* bob = db.FindUser("bob");
  ASSERT_NE(bob, nullptr);
  EXPECT_EQ(bob->uid, 1001u);
  EXPECT_EQ(bob->gecos, "Bob B,,,");
  EXPECT_EQ(db.PasswordHash(*bob), "$6$abc");
  EXPECT_EQ(db.PasswordHash(*db.FindUser("root")), "x");
  EXPECT_EQ(db.FindUser("broken"), nullptr);
  const GroupEntry* staff = db.FindGroup("staff");
  ASSERT_NE(staff, nullptr);
  EXPECT_THAT(staff->members, ::testing::ElementsAre("bob", "alice"));
  EXPECT_EQ(db.FindGroup("50"), staff);  // by number too
  EXPECT_EQ(db.FindGroup("nosuch"), nullptr);
}

}  // namespace
}  // namespace tend::automate::sysmod
