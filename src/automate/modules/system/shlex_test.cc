#include "automate/modules/system/shlex.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tend::automate::sysmod {
namespace {

using ::testing::ElementsAre;

TEST(ShlexTest, SplitsLikePythonPosixShlex) {
  auto r = ShlexSplit(R"(echo 'a b' "c \"d\" \x" e\ f '' g)");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(*r, ElementsAre("echo", "a b", "c \"d\" \\x", "e f", "", "g"));
}

TEST(ShlexTest, AdjacentQuotesJoinOneWord) {
  auto r = ShlexSplit("a'b'\"c\"d  ");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(*r, ElementsAre("abcd"));
}

TEST(ShlexTest, UnclosedQuoteIsAnError) {
  auto r = ShlexSplit("echo 'oops");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "No closing quotation");
  EXPECT_FALSE(ShlexSplit("echo \\").ok());
}

}  // namespace
}  // namespace tend::automate::sysmod
