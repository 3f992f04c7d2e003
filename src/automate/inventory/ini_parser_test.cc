#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "automate/inventory/inventory.h"

namespace tend::automate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

Status Parse(std::string_view text, Inventory* inv) {
  Status s = ParseIniInventory(text, "hosts.ini", inv);
  inv->Finish();
  return s;
}

TEST(IniTest, HostLinesAndSections) {
  Inventory inv;
  ASSERT_TRUE(Parse("lone\n"
                    "[web]\n"
                    "web[1:2] role=web  # trailing comment\n"
                    "alpha:2222 a='x y' b=\"q\\\"uote\" c=a\\ b\n"
                    "[web:vars]\n"
                    "x = 1 \n"
                    "[all:children]\n"
                    "web\n",
                    &inv)
                  .ok());
  EXPECT_THAT(inv.FindGroup("web")->hosts,
              ElementsAre("web1", "web2", "alpha"));
  EXPECT_THAT(inv.FindGroup("ungrouped")->hosts, ElementsAre("lone"));
  EXPECT_EQ(inv.FindHost("web1")->vars["role"], "web");
  const Value& alpha = inv.FindHost("alpha")->vars;
  EXPECT_EQ(alpha["ansible_port"], 2222);
  EXPECT_EQ(alpha["a"], "x y");
  EXPECT_EQ(alpha["b"], "q\"uote");
  EXPECT_EQ(alpha["c"], "a b");
  EXPECT_EQ(inv.FindGroup("web")->vars["x"], 1);
  EXPECT_EQ(inv.VarsForHost("web2")["x"], 1);
}

TEST(IniTest, ChildrenMayNameGroupsDeclaredLater) {
  Inventory inv;
  ASSERT_TRUE(
      Parse("[prod:children]\nweb\n[prod:vars]\nenv=prod\n[web]\nw1\n", &inv)
          .ok());
  EXPECT_THAT(inv.FindGroup("prod")->children, ElementsAre("web"));
  EXPECT_EQ(inv.VarsForHost("w1")["env"], "prod");
  EXPECT_THAT(inv.GroupNamesOf("w1"), ElementsAre("prod", "web"));
}

TEST(IniTest, PortAppliesWhereTheHostIsFirstSeen) {
  Inventory inv;
  ASSERT_TRUE(Parse("[a]\nh:22\n[b]\nh:2222\n", &inv).ok());
  EXPECT_EQ(inv.FindHost("h")->vars["ansible_port"], 22);
}

TEST(IniTest, HostInAGroupLeavesUngrouped) {
  Inventory inv;
  ASSERT_TRUE(Parse("h1\nh2\n[g]\nh1\n", &inv).ok());
  EXPECT_THAT(inv.FindGroup("ungrouped")->hosts, ElementsAre("h2"));
  EXPECT_THAT(inv.GroupNamesOf("h1"), ElementsAre("g"));
  EXPECT_THAT(inv.GroupNamesOf("h2"), ElementsAre("ungrouped"));
}

TEST(IniTest, GroupPriorityIsNotAVariable) {
  Inventory inv;
  ASSERT_TRUE(Parse("[g]\nh\n[g:vars]\nansible_group_priority=7\n", &inv).ok());
  EXPECT_EQ(inv.FindGroup("g")->priority, 7);
  EXPECT_FALSE(inv.VarsForHost("h").contains("ansible_group_priority"));
}

struct BadCase {
  const char* text;
  const char* error;  // the message, after "hosts.ini:"
};

class IniErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(IniErrorTest, SaysWhatAndWhere) {
  Inventory inv;
  Status s = ParseIniInventory(GetParam().text, "hosts.ini", &inv);
  ASSERT_FALSE(s.ok()) << GetParam().text;
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(),
              StartsWith(std::string("hosts.ini:") + GetParam().error))
      << s.message();
}

INSTANTIATE_TEST_SUITE_P(
    Errors, IniErrorTest,
    ::testing::Values(
        BadCase{"# c\n[web\nh1\n",
                "2: bad host range in '[web': no closing ']'"},
        BadCase{"[web]]\n", "1: invalid section header '[web]]'"},
        BadCase{"[bad group]\n", "1: invalid section header"},
        BadCase{"[g:foo]\nh1\n", "1: section [g:foo] has unknown type 'foo'"},
        BadCase{"[g]\nh\n[g:children]\nnope\n",
                "4: [g:children] names group 'nope', which is never declared"},
        BadCase{"[g:vars]\na=1\n",
                "1: [g:vars] is for group 'g', which is never declared"},
        BadCase{"[g]\nh1 novalue\n",
                "2: expected key=value host variable assignment, got: novalue"},
        BadCase{"[g]\nh1 a=\"unterminated\n",
                "2: cannot split host line 'h1 a=\"unterminated': No closing "
                "quotation"},
        BadCase{"[g:vars]\nnovalue\n", "2: expected key=value in [g:vars]"},
        BadCase{"[g]\nh\n[g:vars]\nnovalue\n",
                "4: expected key=value in [g:vars], got: novalue"},
        BadCase{"[g]\nweb[01:1]\n", "2: bad host range in 'web[01:1]'"},
        BadCase{"[g]\nweb[1:4:0]\n",
                "2: bad host range in 'web[1:4:0]': the step"},
        BadCase{"[g]\nh:\n", "2: invalid host pattern 'h:'"},
        BadCase{"[g]\n---\n", "2: invalid host pattern '---'"},
        BadCase{"[a:children]\nb\n[b:children]\na\n",
                "4: adding group 'a' as a child of 'b' creates a recursive "
                "dependency loop"},
        BadCase{"[a:children]\na\n",
                "2: group 'a' cannot be a child of itself"},
        BadCase{"[g]\nh\n[g:vars]\nansible_group_priority=high\n",
                "4: ansible_group_priority of group 'g' must be an integer"},
        BadCase{"[g]\nh\xff\n", "2: the line is not valid UTF-8"},
        BadCase{"[g]\n''\n", "2: empty host name"}));

TEST(IniTest, CycleThroughPendingChildIsAnError) {
  Inventory inv;
  Status s = ParseIniInventory(
      "[a]\nh1\n[a:children]\nb\n[b]\nh2\n[b:children]\na\n", "inv", &inv);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("recursive dependency loop"));
}

TEST(IniTest, CommentLinesMayHoldAnyBytes) {
  Inventory inv;
  EXPECT_TRUE(ParseIniInventory("# caf\xe9\n; \xff\nh\n", "inv", &inv).ok());
}

}  // namespace
}  // namespace tend::automate
