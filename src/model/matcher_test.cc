#include "model/matcher.h"

#include <gtest/gtest.h>

namespace tend {
namespace {

LabelMatcher M(LabelMatcher::Type t, const char* v) {
  auto m = LabelMatcher::Create(t, "l", v);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return *m;
}

TEST(MatcherTest, RegexIsFullyAnchored) {
  auto m = M(LabelMatcher::Type::kRegexMatch, "a|b");
  EXPECT_TRUE(m.Matches("a"));
  EXPECT_TRUE(m.Matches("b"));
  EXPECT_FALSE(m.Matches("ab"));
  EXPECT_FALSE(m.Matches("xa"));
  auto n = M(LabelMatcher::Type::kRegexNoMatch, "a.*");
  EXPECT_FALSE(n.Matches("abc"));
  EXPECT_TRUE(n.Matches("ba"));
}

TEST(MatcherTest, AbsentLabelMatchesAsEmpty) {
  Labels l = {{"x", "1"}};
  EXPECT_TRUE(M(LabelMatcher::Type::kEqual, "").MatchesLabels(l));
  EXPECT_TRUE(M(LabelMatcher::Type::kRegexNoMatch, ".+").MatchesLabels(l));
  EXPECT_FALSE(M(LabelMatcher::Type::kNotEqual, "").MatchesLabels(l));
  EXPECT_TRUE(M(LabelMatcher::Type::kRegexMatch, ".*").MatchesEmpty());
}

TEST(MatcherTest, BadRegexIsAClearError) {
  auto m = LabelMatcher::Create(LabelMatcher::Type::kRegexMatch, "l", "a(");
  ASSERT_FALSE(m.ok());
  // Unbalanced the other way must not escape the anchoring group.
  EXPECT_FALSE(
      LabelMatcher::Create(LabelMatcher::Type::kRegexMatch, "l", "a)|(b").ok());
  EXPECT_NE(m.status().message().find("a("), std::string::npos);
}

TEST(MatcherTest, ToStringQuotes) {
  EXPECT_EQ(M(LabelMatcher::Type::kRegexNoMatch, "a\"b").ToString(),
            "l!~\"a\\\"b\"");
  Labels l = {{"a", "1"}, {"l", "v"}};
  EXPECT_TRUE(MatchesAll({LabelMatcher::Equal("l", "v")}, l));
  EXPECT_FALSE(MatchesAll(
      {LabelMatcher::Equal("l", "v"), LabelMatcher::Equal("a", "2")}, l));
}

}  // namespace
}  // namespace tend
