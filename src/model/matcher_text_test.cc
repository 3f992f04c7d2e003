#include "model/matcher_text.h"

#include <gtest/gtest.h>

namespace tend {
namespace {

TEST(MatcherTextTest, OneMatcherEveryOperatorAndValueForm) {
  struct Case {
    const char* text;
    LabelMatcher::Type type;
    const char* name;
    const char* value;
  } cases[] = {
      {R"(alertname="HighLoad")", LabelMatcher::Type::kEqual, "alertname",
       "HighLoad"},
      {R"(env!="prod")", LabelMatcher::Type::kNotEqual, "env", "prod"},
      {R"(host=~"web-\\d+")", LabelMatcher::Type::kRegexMatch, "host",
       "web-\\d+"},
      {R"( job !~ "node|api" )", LabelMatcher::Type::kRegexNoMatch, "job",
       "node|api"},
      {"severity=critical", LabelMatcher::Type::kEqual, "severity", "critical"},
      {R"(msg="say \"hi\"\n")", LabelMatcher::Type::kEqual, "msg",
       "say \"hi\"\n"},
      {R"("quoted_name"="x")", LabelMatcher::Type::kEqual, "quoted_name", "x"},
  };
  for (const Case& c : cases) {
    Result<LabelMatcher> m = ParseMatcherText(c.text);
    ASSERT_TRUE(m.ok()) << c.text << ": " << m.status().message();
    EXPECT_EQ(m->type(), c.type) << c.text;
    EXPECT_EQ(m->name(), c.name) << c.text;
    EXPECT_EQ(m->value(), c.value) << c.text;
  }
}

TEST(MatcherTextTest, ListsWithBracesAndCommasInsideQuotes) {
  Result<Matchers> m = ParseMatcherList(R"({a="x,y", b!~"c|d"})");
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_EQ(m->size(), 2u);
  EXPECT_EQ((*m)[0].value(), "x,y");
  EXPECT_EQ((*m)[1].type(), LabelMatcher::Type::kRegexNoMatch);
  m = ParseMatcherList("a=1, b=2");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->size(), 2u);
  // A list is not one matcher.
  Result<LabelMatcher> one = ParseMatcherText("a=1, b=2");
  ASSERT_FALSE(one.ok());
  EXPECT_NE(one.status().message().find("want one matcher, got 2"),
            std::string::npos);
}

TEST(MatcherTextTest, ErrorsSayWhatAndWhere) {
  Result<LabelMatcher> m = ParseMatcherText("foo~bar");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(),
            "bad matcher foo~bar: expected one of =, !=, =~, !~ after "
            "\"foo\" at column 4");
  for (const char* bad : {"", "=\"x\"", "1abc=\"x\"", "a=\"x", "a=\"x\"y\"",
                          "a=~\"(\"", "{a=\"b\"", "a=\"\\q\""}) {
    Result<LabelMatcher> r = ParseMatcherText(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
      EXPECT_NE(r.status().message().find("bad matcher"), std::string::npos)
          << r.status().message();
    }
  }
}

}  // namespace
}  // namespace tend
