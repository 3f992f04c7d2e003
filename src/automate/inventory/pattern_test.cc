// Host patterns beyond the recorded Ansible cases (ansible_recorded_test.cc
// holds those): errors and a few rules spelled out.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "automate/inventory/inventory.h"

namespace tend::automate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class PatternTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(
        ParseIniInventory("[web]\nweb3\nweb1\nweb2\n[db]\ndb1\ndb2\nweb1\n"
                          "[v6]\n[2001:db8::1]:22\n",
                          "inv", &inv_)
            .ok());
    inv_.Finish();
  }
  std::vector<std::string> M(std::string_view p) {
    auto r = inv_.Match(p);
    EXPECT_TRUE(r.ok()) << p << ": " << r.status().ToString();
    return r.ok() ? *r : std::vector<std::string>{};
  }
  Inventory inv_;
};

TEST_F(PatternTest, GroupsKeepInventoryOrder) {
  EXPECT_THAT(M("web"), ElementsAre("web3", "web1", "web2"));
  EXPECT_THAT(M("db:web"), ElementsAre("db1", "db2", "web1", "web3", "web2"));
}

TEST_F(PatternTest, SubscriptsAreInclusive) {
  EXPECT_THAT(M("web[0:1]"), ElementsAre("web3", "web1"));
  EXPECT_THAT(M("web[-2]"), ElementsAre("web1"));
  EXPECT_THAT(M("web[2:]"), ElementsAre("web2"));
}

TEST_F(PatternTest, OperatorsApplyAfterUnionsWhateverTheirPosition) {
  EXPECT_THAT(M("!web1:web"), ElementsAre("web3", "web2"));
  EXPECT_THAT(M("&db,web"), ElementsAre("web1"));
  EXPECT_THAT(M("!db"), ElementsAre("web3", "web2", "2001:db8::1"));
}

TEST_F(PatternTest, Ipv6HostIsOnePattern) {
  EXPECT_THAT(M("2001:db8::1"), ElementsAre("2001:db8::1"));
  EXPECT_EQ(inv_.FindHost("2001:db8::1")->vars["ansible_port"], 22);
}

TEST_F(PatternTest, NoMatchIsEmptyNotAnError) {
  EXPECT_THAT(M("nothing"), IsEmpty());
  EXPECT_THAT(M("~^zz"), IsEmpty());
}

TEST_F(PatternTest, EmptyPatternIsAllAsInAnsible) {
  EXPECT_EQ(M(""), M("all"));
  EXPECT_EQ(M(","), M("all"));
}

TEST_F(PatternTest, ImplicitLocalhost) {
  EXPECT_THAT(M("localhost"), ElementsAre("localhost"));
  EXPECT_THAT(M("127.0.0.1,web1"), ElementsAre("127.0.0.1", "web1"));
  EXPECT_THAT(M("all"),
              ElementsAre("web3", "web1", "web2", "db1", "db2", "2001:db8::1"));
  Value v = inv_.VarsForHost("localhost");
  EXPECT_EQ(v["ansible_connection"], "local");
  EXPECT_THAT(inv_.GroupNamesOf("localhost"), IsEmpty());
  EXPECT_TRUE(inv_.VarsForHost("unknown").empty());
}

TEST_F(PatternTest, Errors) {
  auto bad_regex = inv_.Match("web:~(");
  ASSERT_FALSE(bad_regex.ok());
  EXPECT_THAT(bad_regex.status().message(),
              HasSubstr("invalid host pattern '~('"));
  auto out_of_range = inv_.Match("web[3]");
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_THAT(out_of_range.status().message(),
              HasSubstr("no hosts matched the subscripted pattern 'web[3]'"));
}

TEST(InventoryModelTest, DepthOrdersGroupVars) {
  // a -> b -> c and a -> c: c is two deep, so its vars win over b's even
  // though "b" < "c" would not decide it either way.
  Inventory inv;
  inv.AddHostToGroup("h", "c");
  ASSERT_TRUE(inv.AddChild("a", "b").ok());
  ASSERT_TRUE(inv.AddChild("b", "c").ok());
  ASSERT_TRUE(inv.AddChild("a", "c").ok());
  inv.AddHostToGroup("h", "b");
  ASSERT_TRUE(inv.SetGroupVar("c", "v", "c").ok());
  ASSERT_TRUE(inv.SetGroupVar("b", "v", "b").ok());
  ASSERT_TRUE(inv.SetGroupVar("a", "v", "a").ok());
  inv.Finish();
  EXPECT_EQ(inv.FindGroup("c")->depth, 3);
  EXPECT_EQ(inv.VarsForHost("h")["v"], "c");
  EXPECT_THAT(inv.FindGroup("all")->children, ElementsAre("ungrouped", "a"));
  EXPECT_THAT(inv.GroupNamesOf("h"), ElementsAre("a", "b", "c"));
}

TEST(InventoryModelTest, PriorityBreaksTiesAtTheSameDepth) {
  Inventory inv;
  inv.AddHostToGroup("h", "aaa");
  inv.AddHostToGroup("h", "zzz");
  ASSERT_TRUE(inv.SetGroupVar("aaa", "v", "aaa").ok());
  ASSERT_TRUE(inv.SetGroupVar("zzz", "v", "zzz").ok());
  inv.Finish();
  EXPECT_EQ(inv.VarsForHost("h")["v"], "zzz");
  ASSERT_TRUE(inv.SetGroupVar("aaa", "ansible_group_priority", "5").ok());
  EXPECT_EQ(inv.VarsForHost("h")["v"], "aaa");
}

TEST(InventoryModelTest, FinishIsIdempotent) {
  Inventory inv;
  inv.AddHost("h");
  inv.Finish();
  inv.Finish();
  EXPECT_THAT(inv.FindGroup("ungrouped")->hosts, ElementsAre("h"));
  EXPECT_THAT(inv.FindGroup("all")->children, ElementsAre("ungrouped"));
}

}  // namespace
}  // namespace tend::automate
