// Expected results are those of Ansible 2.14's parse_address and
// expand_hostname_range on the same input (run from python3 against the
// installed ansible-core).
#include "automate/inventory/host_pattern.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tend::automate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct AddrCase {
  const char* text;
  const char* host;  // nullptr: not an address
  int port;          // -1: none
};

class AddressTest : public ::testing::TestWithParam<AddrCase> {};

TEST_P(AddressTest, Parses) {
  const AddrCase& c = GetParam();
  std::optional<HostAddress> a = ParseHostAddress(c.text, true);
  if (c.host == nullptr) {
    EXPECT_FALSE(a.has_value()) << c.text << " -> " << a->host;
    return;
  }
  ASSERT_TRUE(a.has_value()) << c.text;
  EXPECT_EQ(a->host, c.host);
  EXPECT_EQ(a->port.value_or(-1), c.port) << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    Ansible, AddressTest,
    ::testing::Values(
        AddrCase{"web1", "web1", -1}, AddrCase{"web1:22", "web1", 22},
        AddrCase{"10.0.0.1:22", "10.0.0.1", 22},
        AddrCase{"[::1]:22", "::1", 22}, AddrCase{"[host]:22", "host", 22},
        AddrCase{"::1", "::1", -1}, AddrCase{"fe80::1:22", "fe80::1:22", -1},
        AddrCase{"web[1:3]:22", "web[1:3]", 22}, AddrCase{"db_:22", nullptr, 0},
        AddrCase{"foo:bar", nullptr, 0},
        AddrCase{"a.b.c:65536", "a.b.c", 65536},
        AddrCase{"host-:22", nullptr, 0}, AddrCase{"_x:1", "_x", 1},
        AddrCase{"1.2.3.4", "1.2.3.4", -1},
        AddrCase{"256.1.1.1:22", "256.1.1.1", 22},
        AddrCase{"[1:2]:x", nullptr, 0}, AddrCase{"x[a:c].y:9", "x[a:c].y", 9},
        AddrCase{"2001:db8::1", "2001:db8::1", -1},
        AddrCase{"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8", -1},
        AddrCase{"::ffff:1.2.3.4", "::ffff:1.2.3.4", -1},
        AddrCase{"web[01:03]", "web[01:03]", -1}, AddrCase{"*", nullptr, 0},
        AddrCase{"web:db", nullptr, 0}, AddrCase{"", nullptr, 0}));

TEST(AddressTest, RangesOnlyWhenAllowed) {
  EXPECT_FALSE(ParseHostAddress("web[1:3]", false).has_value());
  EXPECT_TRUE(ParseHostAddress("web1", false).has_value());
}

TEST(RangeTest, ExpandsAsAnsible) {
  EXPECT_THAT(*ExpandHostRange("web[01:03]"),
              ElementsAre("web01", "web02", "web03"));
  EXPECT_THAT(*ExpandHostRange("db-[a:c]"),
              ElementsAre("db-a", "db-b", "db-c"));
  EXPECT_THAT(*ExpandHostRange("h[1:7:3]"), ElementsAre("h1", "h4", "h7"));
  EXPECT_THAT(*ExpandHostRange("x[:2]"), ElementsAre("x0", "x1", "x2"));
  EXPECT_THAT(*ExpandHostRange("a[1:2]b[x:y]"),
              ElementsAre("a1bx", "a1by", "a2bx", "a2by"));
  EXPECT_THAT(*ExpandHostRange("w[3:1]"), ElementsAre());
  EXPECT_THAT(*ExpandHostRange("w[5:1:-1]"), ElementsAre("w5", "w4", "w3"));
  EXPECT_THAT(*ExpandHostRange("plain"), ElementsAre("plain"));
  auto letters = ExpandHostRange("web[a:C]");
  ASSERT_TRUE(letters.ok());
  ASSERT_EQ(letters->size(), 29u);  // a..z then A..C
  EXPECT_EQ(letters->back(), "webC");
}

TEST(RangeTest, BadRangesAreErrorsNamingThePattern) {
  for (const char* bad : {"w[1:3", "a]b[c", "web[01:1]", "w[1:4:0]", "w[1:]",
                          "w[x:2]", "w[1:2:3:4]", "a|b[1:2]"}) {
    auto r = ExpandHostRange(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_THAT(r.status().message(), HasSubstr(std::string("'") + bad + "'"));
  }
}

TEST(RangeTest, HugeExpansionsAreRefused) {
  auto r = ExpandHostRange("h[0:99999999999]", 1000);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("more than 1000 hosts"));
  auto nested = ExpandHostRange("h[0:99]x[0:99]", 1000);
  EXPECT_FALSE(nested.ok());
}

TEST(RangeTest, HostPatternSplitsThePortOffFirst) {
  auto r = ExpandHostPattern("web[1:2]:2222");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->names, ElementsAre("web1", "web2"));
  EXPECT_EQ(r->port, 2222);
  auto odd = ExpandHostPattern("foo:bar");
  ASSERT_TRUE(odd.ok());
  EXPECT_THAT(odd->names, ElementsAre("foo:bar"));
  EXPECT_FALSE(odd->port.has_value());
}

}  // namespace
}  // namespace tend::automate
