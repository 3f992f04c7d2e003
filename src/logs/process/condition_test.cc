#include "logs/process/condition.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "logs/process/test_util.h"

namespace tend::logs {
namespace {

using ::testing::HasSubstr;
using testing::ParseAll;
using testing::ParseWith;
using testing::ReadLoghub;

Condition MustParse(const std::string& text) {
  Result<Condition> c = Condition::Parse(text);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(c).value();
}

TEST(ConditionTest, FailedPasswordOnOpenSshSample) {
  const std::vector<std::string> lines = ReadLoghub("OpenSSH_2k.log");
  ASSERT_EQ(lines.size(), 2000u);
  const std::vector<LogRecord> records = ParseAll(ParserKind::kAuto, lines);
  Condition c = MustParse(R"(message=~".*Failed password.*")");
  size_t expected = 0, got = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find("Failed password") != std::string::npos) ++expected;
    if (c.Eval(records[i])) ++got;
  }
  EXPECT_EQ(got, expected);
  EXPECT_GT(expected, 100u);
}

TEST(ConditionTest, NumericPidAndAppOnOpenSshSample) {
  const std::vector<std::string> lines = ReadLoghub("OpenSSH_2k.log");
  ASSERT_FALSE(lines.empty());
  const std::vector<LogRecord> records = ParseAll(ParserKind::kAuto, lines);
  Condition c = MustParse(R"(app="sshd" and pid >= 24500)");
  size_t expected = 0, got = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    size_t at = lines[i].find(" sshd[");
    long pid = 0;
    if (at != std::string::npos) {
      const char* digits = lines[i].c_str() + at + 6;
      char* end = nullptr;
      pid = std::strtol(digits, &end, 10);
      if (end == digits || *end != ']') pid = 0;
    }
    if (pid >= 24500) {
      ++expected;
    }
    if (c.Eval(records[i])) ++got;
  }
  EXPECT_EQ(got, expected);
  EXPECT_GT(expected, 0u);
  EXPECT_LT(expected, lines.size());
}

TEST(ConditionTest, OrOnLinuxSample) {
  const std::vector<std::string> lines = ReadLoghub("Linux_2k.log");
  ASSERT_EQ(lines.size(), 2000u);
  const std::vector<LogRecord> records = ParseAll(ParserKind::kAuto, lines);
  Condition c =
      MustParse(R"x(app="su(pam_unix)" or message=~".*session opened.*")x");
  size_t expected = 0, got = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find(" su(pam_unix)[") != std::string::npos ||
        lines[i].find("session opened") != std::string::npos) {
      ++expected;
    }
    if (c.Eval(records[i])) ++got;
  }
  EXPECT_EQ(got, expected);
  EXPECT_GT(expected, 123u);
}

TEST(ConditionTest, AttributesWinOverFields) {
  LogRecord r = ParseWith(ParserKind::kLogfmt,
                          "level=info app=fake host=h1 msg=hello status=200");
  r.app = "real";
  EXPECT_TRUE(MustParse(R"(app="real")").Eval(r));
  EXPECT_FALSE(MustParse(R"(app="fake")").Eval(r));
  // An empty attribute is absent; the field of that name is not consulted.
  r.host.clear();
  ASSERT_NE(r.fields.Find("host"), nullptr);
  EXPECT_TRUE(MustParse(R"(host="")").Eval(r));
  EXPECT_TRUE(MustParse(R"(status=200)").Eval(r));
  EXPECT_TRUE(MustParse(R"(source="test")").Eval(r));
  EXPECT_TRUE(MustParse(R"(parse_error="false")").Eval(r));
  EXPECT_TRUE(MustParse(R"(level="info")").Eval(r));
}

TEST(ConditionTest, MissingAndUnconvertibleValues) {
  LogRecord r =
      ParseWith(ParserKind::kLogfmt, "msg=x status=- bytes=12 took=250ms");
  bool err = false;
  EXPECT_FALSE(MustParse("status >= 500").Eval(r, &err));
  EXPECT_TRUE(err);
  EXPECT_FALSE(MustParse("missing >= 1").Eval(r, &err));
  EXPECT_FALSE(err);
  EXPECT_TRUE(MustParse(R"(missing="")").Eval(r));
  EXPECT_TRUE(MustParse("bytes > 10 and took > 200ms").Eval(r, &err));
  EXPECT_FALSE(err);
  EXPECT_FALSE(MustParse("took > 1s").Eval(r));
}

TEST(ConditionTest, LevelFromSyslogAndAccessLog) {
  LogRecord r = ParseWith(ParserKind::kAccess,
                          "10.0.0.1 - - [02/Jan/2024:03:04:05 +0000] \"GET /x "
                          "HTTP/1.1\" 503 12 \"-\" \"curl\"");
  EXPECT_TRUE(MustParse(R"(level=~"error|crit")").Eval(r));
  EXPECT_TRUE(MustParse(R"(status >= 500, method="GET")").Eval(r));
  EXPECT_FALSE(MustParse(R"(status >= 500 and method="POST")").Eval(r));
}

TEST(ConditionTest, ParseErrorsSayWhatAndWhere) {
  struct Case {
    std::string text;
    std::string want;
  };
  for (const Case& c : std::vector<Case>{
           {"", "empty"},
           {"   ", "empty"},
           {"status >=", "col 10"},
           {R"(|= "x")", "condition"},
           {R"(status >= 500 | level="x")", "2 pipeline stages"},
           {"json", "parser stage"},
           {R"(app=~"(")", "condition"},
       }) {
    Result<Condition> r = Condition::Parse(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr(c.want)) << c.text;
  }
}

}  // namespace
}  // namespace tend::logs
