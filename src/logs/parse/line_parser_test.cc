// `auto` detection and the never-drop contract on awkward input.
#include "logs/parse/line_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace tend::logs {
namespace {

constexpr int64_t kS = 1'000'000'000;

ParseOptions Opts() {
  ParseOptions o;
  o.receive_time_ns = CivilToUnixSeconds(2024, 3, 1, 0, 0, 0) * kS;
  o.zone = TimeZone::Utc();
  return o;
}

std::unique_ptr<LineParser> Auto() {
  auto p = LineParser::Create(ParserConfig{});
  EXPECT_TRUE(p.ok());
  return std::move(*p);
}

TEST(LineParserTest, AutoPicksByShape) {
  auto p = Auto();
  LogRecord r;
  ASSERT_TRUE(p->Parse("{\"msg\":\"hi\",\"app\":\"j\"}", Opts(), &r));
  EXPECT_EQ(r.app, "j");
  ASSERT_TRUE(p->Parse("<13>1 - h app5424 - - - m", Opts(), &r));
  EXPECT_EQ(r.app, "app5424");
  ASSERT_TRUE(p->Parse("<13>Feb 29 10:00:00 h app3164: m", Opts(), &r));
  EXPECT_EQ(r.app, "app3164");
  ASSERT_TRUE(p->Parse("[Sun Dec 04 04:47:44 2005] [notice] m", Opts(), &r));
  EXPECT_EQ(r.level, Level::kNotice);
  ASSERT_TRUE(p->Parse("2024/01/02 03:04:05 [warn] 1#2: m", Opts(), &r));
  EXPECT_EQ(r.pid, 1);
  ASSERT_TRUE(p->Parse("2024-01-02T03:04:05.000001+00:00 web1 cron[9]: job",
                       Opts(), &r));
  EXPECT_EQ(r.host, "web1");
  EXPECT_EQ(r.app, "cron");
  ASSERT_TRUE(p->Parse(
      "web.example - - [02/Jan/2024:03:04:05 +0000] \"GET / HTTP/1.1\" 200 5",
      Opts(), &r));
  EXPECT_EQ(*r.fields.Find("status"), "200");
  ASSERT_TRUE(p->Parse("level=info msg=started port=80", Opts(), &r));
  EXPECT_EQ(r.message, "started");
  ASSERT_TRUE(p->Parse("2024-01-02T03:04:05Z Starting server now", Opts(), &r));
  EXPECT_EQ(r.app, "");
  EXPECT_EQ(r.message, "Starting server now");
  ASSERT_TRUE(p->Parse("2024-01-02 03:04:05,123 ERROR boom", Opts(), &r));
  EXPECT_EQ(r.level, Level::kError);
  EXPECT_EQ(r.message, "boom");
  EXPECT_EQ(r.time_ns,
            CivilToUnixSeconds(2024, 1, 2, 3, 4, 5) * kS + 123'000'000);
  // A broken JSON line with "=" inside is still kept, as unparsed.
  EXPECT_FALSE(p->Parse("{\"a=b\"", Opts(), &r));
  EXPECT_TRUE(r.parse_error);
  EXPECT_EQ(r.message, "{\"a=b\"");
}

TEST(LineParserTest, NeverDropsAwkwardLines) {
  auto p = Auto();
  LogRecord r;
  const std::string huge(1 << 20, 'x');
  for (const std::string& line :
       {std::string("plain words"), std::string("\xff\xfe\x00garbage", 10),
        std::string("Feb 29 10:0"), std::string("<13"), std::string("{"),
        std::string("\t\t"), std::string("\r"), std::string("a\rb"), huge,
        std::string("[Sun Dec 04 04:47:44 2005"), std::string("2024/01/02")}) {
    p->Parse(line, Opts(), &r);
    EXPECT_FALSE(r.message.empty()) << line.substr(0, 40);
    if (r.parse_error) {
      EXPECT_EQ(r.message, line);
      EXPECT_FALSE(r.error_reason.empty());
      EXPECT_EQ(r.time_ns, Opts().receive_time_ns);
      EXPECT_FALSE(r.time_from_line);
    }
  }
  EXPECT_FALSE(p->Parse("", Opts(), &r));
  EXPECT_EQ(r.error_reason, "empty line");
  EXPECT_FALSE(p->Parse("plain words", Opts(), &r));
  EXPECT_EQ(r.error_reason, "no parser matched");
}

TEST(LineParserTest, NamedParsersAndErrors) {
  auto kind = ParserKindFromName("nginx_error");
  ASSERT_TRUE(kind.ok());
  EXPECT_EQ(*kind, ParserKind::kNginxError);
  EXPECT_EQ(ParserKindName(ParserKind::kLogfmt), "logfmt");
  auto bad = ParserKindFromName("yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("expected one of: auto"),
            std::string::npos);

  ParserConfig raw{ParserKind::kRaw, {}};
  auto p = LineParser::Create(raw);
  ASSERT_TRUE(p.ok());
  LogRecord r;
  ASSERT_TRUE((*p)->Parse("anything\n", Opts(), &r));
  EXPECT_EQ(r.message, "anything");
  EXPECT_FALSE(r.parse_error);

  ParserConfig pat{ParserKind::kPattern, {}};
  pat.pattern.pattern = "(?<x";
  EXPECT_FALSE(LineParser::Create(pat).ok());

  // A fixed parser does not guess: a JSON parser rejects syslog.
  ParserConfig json{ParserKind::kJson, {}};
  auto j = LineParser::Create(json);
  ASSERT_TRUE(j.ok());
  EXPECT_FALSE((*j)->Parse("Feb 29 10:00:00 h a: m", Opts(), &r));
  EXPECT_TRUE(r.parse_error);
}

TEST(LineParserTest, LevelWords) {
  EXPECT_EQ(LevelFromWord("ERROR"), Level::kError);
  EXPECT_EQ(LevelFromWord("warning"), Level::kWarn);
  EXPECT_EQ(LevelFromWord("[notice]"), Level::kNotice);
  EXPECT_EQ(LevelFromWord("Fatal"), Level::kCrit);
  EXPECT_EQ(LevelFromWord("3"), Level::kError);
  EXPECT_EQ(LevelFromWord("verbose"), Level::kUnknown);
  EXPECT_EQ(LevelName(Level::kWarn), "warn");
  EXPECT_EQ(LevelName(LevelFromSeverity(0)), "emerg");
  EXPECT_EQ(LevelFromSeverity(9), Level::kUnknown);
}

}  // namespace
}  // namespace tend::logs
