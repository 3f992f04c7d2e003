#include "logs/parse/pattern.h"

#include <gtest/gtest.h>

#include <string>

namespace tend::logs {
namespace {

constexpr int64_t kS = 1'000'000'000;

ParseOptions Opts() {
  ParseOptions o;
  o.receive_time_ns = 5 * kS;
  o.zone = TimeZone::Utc();
  return o;
}

class PatternTest : public ::testing::TestWithParam<RegexEngine> {};

TEST_P(PatternTest, NamedGroupsFillRecordAndFields) {
  PatternOptions po;
  po.engine = GetParam();
  po.pattern =
      R"(^(?P<time>\S+) (?P<level>\w+) \[(?P<app>[^\]]+)\] (?P<user>\w+)?:? ?(?P<message>.*)$)";
  auto p = PatternParser::Create(po);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  LogRecord r;
  ASSERT_TRUE(
      (*p)->Parse("2024-01-02T03:04:05Z WARN [billing] bob: card "
                  "declined\r\n",
                  Opts(), &r));
  EXPECT_EQ(r.time_ns, CivilToUnixSeconds(2024, 1, 2, 3, 4, 5) * kS);
  EXPECT_EQ(r.level, Level::kWarn);
  EXPECT_EQ(r.app, "billing");
  EXPECT_EQ(r.message, "card declined");
  ASSERT_EQ(r.fields.size(), 1u);
  EXPECT_EQ(r.fields[0].name, "user");
  EXPECT_EQ(r.fields[0].value, "bob");

  EXPECT_FALSE((*p)->Parse("nothing like it", Opts(), &r));
  EXPECT_TRUE(r.parse_error);
  EXPECT_EQ(r.message, "nothing like it");
  // Invalid UTF-8 bytes match no pattern item: the line is kept unparsed.
  EXPECT_FALSE((*p)->Parse("t1 INFO [a\xff] x", Opts(), &r));
  EXPECT_EQ(r.message, "t1 INFO [a\xff] x");
  ASSERT_TRUE((*p)->Parse("t1 INFO [\xc3\xa4] x", Opts(), &r));
  EXPECT_EQ(r.app, "\xc3\xa4");
  // A time that is not a time stays a field.
  EXPECT_EQ(*r.fields.Find("time"), "t1");
}

TEST_P(PatternTest, CompileErrorsSayWhere) {
  PatternOptions po;
  po.engine = GetParam();
  po.pattern = "abc(def";
  auto p = PatternParser::Create(po);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(p.status().message().starts_with("pattern: offset "))
      << p.status().message();
}

INSTANTIATE_TEST_SUITE_P(Engines, PatternTest,
                         ::testing::Values(RegexEngine::kPcre2,
                                           RegexEngine::kRe2));

TEST(PatternPcre2Test, CompileErrorOffset) {
  PatternOptions po;
  po.pattern = "ab)c";
  auto p = PatternParser::Create(po);
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(p.status().message().starts_with("pattern: offset 2: "))
      << p.status().message();
}

TEST(PatternPcre2Test, MatchLimitStopsCatastrophicBacktracking) {
  PatternOptions po;
  po.pattern = "^(a+)+$";
  po.match_limit = 10'000;
  auto p = PatternParser::Create(po);
  ASSERT_TRUE(p.ok());
  LogRecord r;
  const std::string line = std::string(40, 'a') + "b";
  EXPECT_FALSE((*p)->Parse(line, Opts(), &r));
  EXPECT_EQ(r.error_reason, "pattern: match limit exceeded");
  EXPECT_EQ(r.message, line);
}

}  // namespace
}  // namespace tend::logs
