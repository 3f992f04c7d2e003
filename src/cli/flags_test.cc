#include "cli/flags.h"

#include <gtest/gtest.h>

namespace tend {
namespace {

const std::vector<FlagSpec> kSpecs = {
    {"data-dir", "", true}, {"output", "o", true}, {"help", "h", false}};

TEST(FlagsTest, Forms) {
  auto r =
      ParseFlags({"--data-dir", "/d", "-o", "json", "pos", "--help"}, kSpecs);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Get("data-dir"), "/d");
  EXPECT_EQ(r->Get("output"), "json");
  EXPECT_TRUE(r->Has("help"));
  EXPECT_EQ(r->positional, std::vector<std::string>{"pos"});
  r = ParseFlags({"--output=table", "--", "--not-a-flag"}, kSpecs);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Get("output"), "table");
  EXPECT_EQ(r->positional, std::vector<std::string>{"--not-a-flag"});
}

TEST(FlagsTest, Errors) {
  auto r = ParseFlags({"--data-dri", "x"}, kSpecs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "unknown flag --data-dri; did you mean --data-dir?");
  r = ParseFlags({"--data-dir"}, kSpecs);
  EXPECT_EQ(r.status().message(), "flag --data-dir needs a value");
  r = ParseFlags({"--help=yes"}, kSpecs);
  EXPECT_EQ(r.status().message(), "flag --help takes no value");
}

}  // namespace
}  // namespace tend
