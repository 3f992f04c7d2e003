#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "automate/inventory/inventory.h"

namespace tend::automate {
namespace {

using ::testing::ElementsAre;
using ::testing::StartsWith;

TEST(YamlTest, GroupsHostsVarsChildren) {
  Inventory inv;
  ASSERT_TRUE(ParseYamlInventory(R"(all:
  vars:
    ntp: 10.0.0.1
  hosts:
    lone:
  children:
    web:
      hosts:
        web[1:2]:
          http_port: 8080
        alpha:2222:
      vars: {tier: front}
    prod:
      children:
        web:
        db:
          hosts: db1
)",
                                 "inv.yml", &inv)
                  .ok());
  inv.Finish();
  EXPECT_THAT(inv.FindGroup("web")->hosts,
              ElementsAre("web1", "web2", "alpha"));
  EXPECT_THAT(inv.FindGroup("prod")->children, ElementsAre("web", "db"));
  EXPECT_THAT(inv.FindGroup("all")->children,
              ElementsAre("ungrouped", "web", "prod"));
  EXPECT_EQ(inv.FindHost("alpha")->vars["ansible_port"], 2222);
  Value v = inv.VarsForHost("web1");
  EXPECT_EQ(v["http_port"], 8080);
  EXPECT_EQ(v["tier"], "front");
  EXPECT_EQ(v["ntp"], "10.0.0.1");
  EXPECT_THAT(inv.GroupNamesOf("db1"), ElementsAre("db", "prod"));
  EXPECT_THAT(inv.GroupNamesOf("lone"), ElementsAre("ungrouped"));
  EXPECT_EQ(inv.FindHost("web1")->source, "inv.yml");
}

TEST(YamlTest, EmptyDocumentIsAnEmptyInventory) {
  Inventory inv;
  EXPECT_TRUE(ParseYamlInventory("", "inv.yml", &inv).ok());
  EXPECT_TRUE(inv.hosts().empty());
}

TEST(YamlTest, SingleStringSectionsAreOneEntry) {
  Inventory inv;
  ASSERT_TRUE(
      ParseYamlInventory("all:\n  hosts: web1\n  vars: x\n  children: g\n",
                         "inv.yml", &inv)
          .ok());
  EXPECT_NE(inv.FindHost("web1"), nullptr);
  EXPECT_TRUE(inv.FindGroup("all")->vars["x"].is_null());
  EXPECT_NE(inv.FindGroup("g"), nullptr);
}

struct BadCase {
  const char* text;
  const char* error;  // after "inv.yml:"
};

class YamlErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(YamlErrorTest, SaysWhatAndWhere) {
  Inventory inv;
  Status s = ParseYamlInventory(GetParam().text, "inv.yml", &inv);
  ASSERT_FALSE(s.ok()) << GetParam().text;
  EXPECT_THAT(s.message(),
              StartsWith(std::string("inv.yml:") + GetParam().error))
      << s.message();
}

INSTANTIATE_TEST_SUITE_P(
    Errors, YamlErrorTest,
    ::testing::Values(
        BadCase{"all:\n  hosts:\n    - web1\n",
                "3:5: 'hosts' of group 'all' must be a mapping, got a list"},
        BadCase{"- a\n", "1:1: a YAML inventory is a mapping of group names"},
        BadCase{"all:\n  hsts:\n    web1:\n",
                "2:3: unexpected key 'hsts' in group 'all': a group holds only "
                "hosts, vars and children (did you mean 'hosts'?)"},
        BadCase{"web:\n  - a\n", "2:3: group 'web' must be a mapping"},
        BadCase{"all:\n  children:\n    a:\n      children:\n        b:\n"
                "          children:\n            a:\n",
                // Children are read before they are linked, so the edge
                // that closes the loop is b under a (Ansible's order too).
                "5:9: adding group 'b' as a child of 'a' creates a recursive "
                "dependency loop"},
        BadCase{"all:\n  hosts:\n    h1: [1]\n",
                "3:9: host 'h1' in group 'all' must have a mapping of "
                "variables or nothing, got a list"},
        BadCase{"plugin: aws_ec2\n",
                "1:1: inventory plugin configuration files are not supported"},
        BadCase{"all:\n  hosts:\n    w[1:x]:\n",
                "3:5: bad host range in 'w[1:x]'"},
        BadCase{
            "all:\n  vars:\n    ansible_group_priority: [1]\n",
            "3:29: ansible_group_priority of group 'all' must be an integer"},
        BadCase{"all:\n  hosts: {a: 1\n", "3:1: "}));

}  // namespace
}  // namespace tend::automate
