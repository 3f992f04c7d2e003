#include "automate/py_regex.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tend::automate {
namespace {

using ::testing::HasSubstr;

// Expected strings from Python 3.11's re on this machine.
TEST(PyRegexTest, SubnLikePython) {
  auto re = CompilePyRegex("x*", {}, "regexp");
  ASSERT_TRUE(re.ok());
  int64_t n = 0;
  auto r = PyReSub(**re, "abxd", "-", 0, &n);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "-a-b--d-");
  EXPECT_EQ(n, 5);

  re = CompilePyRegex("^(\\w+)=(.*)$", {.multiline = true}, "regexp");
  ASSERT_TRUE(re.ok());
  r = PyReSub(**re, "a=1\nb=2\n", "\\2=\\1 \\g<1>\\n", 0, &n);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "1=a a\n\n2=b b\n\n");
  EXPECT_EQ(n, 2);

  re = CompilePyRegex("(?P<k>\\w+)\\Z", {}, "regexp");
  ASSERT_TRUE(re.ok());
  r = PyReSub(**re, "a b", "<\\g<k>>", 0, &n);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "a <b>");
  EXPECT_FALSE(PyReSub(**re, "a", "\\q").ok());  // bad escape, as Python
  EXPECT_FALSE(PyReSub(**re, "a", "\\3").ok());  // invalid group
}

TEST(PyRegexTest, UnsupportedSyntaxIsAClearError) {
  auto re = CompilePyRegex("(?<=a)b", {}, "regexp");
  ASSERT_FALSE(re.ok());
  EXPECT_THAT(re.status().message(),
              HasSubstr("regexp: invalid regular expression '(?<=a)b'"));
  EXPECT_THAT(re.status().message(), HasSubstr("no lookaround"));
  re = CompilePyRegex("(a)\\1", {}, "regexp");
  ASSERT_FALSE(re.ok());
  EXPECT_THAT(re.status().message(), HasSubstr("backreferences"));
  EXPECT_FALSE(CompilePyRegex("(unclosed", {}, "regexp").ok());
}

TEST(PyRegexTest, MatchFindallAndCount) {
  auto re = CompilePyRegex("(\\d+)-(\\w)", {.ignorecase = true});
  ASSERT_TRUE(re.ok());
  std::vector<std::string_view> g;
  EXPECT_TRUE(PyReMatch(**re, "12-a 34-B", true, &g));
  EXPECT_EQ(g[1], "12");
  EXPECT_FALSE(PyReMatch(**re, "x 12-a", true, &g));
  EXPECT_TRUE(PyReMatch(**re, "x 12-a", false, &g));
  EXPECT_EQ(PyReFindAll(**re, "12-a 34-B"),
            Value::parse(R"([["12", "a"], ["34", "B"]])"));
  auto once = PyReSub(**re, "1-a 2-b 3-c", "X", 2);
  ASSERT_TRUE(once.ok());
  EXPECT_EQ(*once, "X X 3-c");
  // The same pattern and flags give the same compiled object.
  auto again = CompilePyRegex("(\\d+)-(\\w)", {.ignorecase = true});
  EXPECT_EQ(re->get(), again->get());
}

}  // namespace
}  // namespace tend::automate
