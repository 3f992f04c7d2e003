// JSON and logfmt.
#include <gtest/gtest.h>

#include <string>

#include "logs/parse/json.h"
#include "logs/parse/logfmt.h"

namespace tend::logs {
namespace {

constexpr int64_t kS = 1'000'000'000;

ParseOptions Opts() {
  ParseOptions o;
  o.receive_time_ns = 1'000 * kS;
  o.zone = TimeZone::Utc();
  return o;
}

std::string FieldsText(const LogRecord& r) {
  std::string s;
  for (const Field& f : r.fields) s += f.name + "=" + f.value + ";";
  return s;
}

TEST(JsonTest, FlattensAndRecognises) {
  JsonParser p;
  LogRecord r;
  ASSERT_TRUE(p.Parse(
      R"({"ts":"2024-01-02T03:04:05Z","level":"WARNING","msg":"disk \"full\"",)"
      R"("host":"db1","pid":77,"http":{"status":503,"req":{"ms":1.5e0}},)"
      R"("tags":["a", "b"],"ok":true,"none":null})",
      Opts(), &r));
  EXPECT_EQ(r.time_ns, CivilToUnixSeconds(2024, 1, 2, 3, 4, 5) * kS);
  EXPECT_TRUE(r.time_from_line);
  EXPECT_EQ(r.level, Level::kWarn);
  EXPECT_EQ(r.message, "disk \"full\"");
  EXPECT_EQ(r.host, "db1");
  EXPECT_EQ(r.pid, 77);
  EXPECT_EQ(FieldsText(r),
            "ts=2024-01-02T03:04:05Z;level=WARNING;msg=disk \"full\";host=db1;"
            "pid=77;http_status=503;http_req_ms=1.5e0;tags=[\"a\", \"b\"];"
            "ok=true;none=;");
  EXPECT_FALSE(r.parse_error);
}

TEST(JsonTest, EpochTimeAndNoMessage) {
  JsonParser p;
  LogRecord r;
  const std::string line = R"({"time":1700000000.5,"service":"api"})";
  ASSERT_TRUE(p.Parse(line, Opts(), &r));
  EXPECT_EQ(r.time_ns, 1700000000 * kS + kS / 2);
  EXPECT_EQ(r.app, "api");
  EXPECT_EQ(r.message, line);
  ASSERT_TRUE(p.Parse(R"({"time":"garbage","a":"b"})", Opts(), &r));
  EXPECT_FALSE(r.time_from_line);
  EXPECT_EQ(r.time_ns, 1000 * kS);
}

TEST(JsonTest, RejectsMalformed) {
  JsonParser p;
  LogRecord r;
  for (const std::string line :
       {"{", "{\"a\":}", "{\"a\":1} trailing", "[1,2]", "{\"a\":1,}",
        "{\"a\":\"\xff\"}", "not json", "{\"a\":12ab}"}) {
    EXPECT_FALSE(p.Parse(line, Opts(), &r)) << line;
    EXPECT_TRUE(r.parse_error) << line;
    EXPECT_EQ(r.message, line);
  }
  // Still usable after errors.
  ASSERT_TRUE(p.Parse("{\"msg\":\"x\"}\r\n", Opts(), &r));
  EXPECT_EQ(r.message, "x");
}

TEST(JsonTest, DeepNestingKeptAsText) {
  JsonParser p;
  LogRecord r;
  std::string line = "{\"a\":";
  for (int i = 0; i < 40; ++i) line += "{\"b\":";
  line += "1";
  for (int i = 0; i < 40; ++i) line += "}";
  line += "}";
  ASSERT_TRUE(p.Parse(line, Opts(), &r));
  ASSERT_EQ(r.fields.size(), 1u);
  EXPECT_EQ(r.fields[0].value.front(), '{');
}

TEST(LogfmtTest, PairsQuotesFlags) {
  LogRecord r;
  ASSERT_TRUE(ParseLogfmt(
      "time=2024-01-02T03:04:05Z level=error msg=\"conn \\\"x\\\" lost\\n\" "
      "retry  app=db err=",
      Opts(), &r));
  EXPECT_EQ(r.time_ns, CivilToUnixSeconds(2024, 1, 2, 3, 4, 5) * kS);
  EXPECT_EQ(r.level, Level::kError);
  EXPECT_EQ(r.message, "conn \"x\" lost\n");
  EXPECT_EQ(r.app, "db");
  EXPECT_EQ(FieldsText(r),
            "time=2024-01-02T03:04:05Z;level=error;msg=conn \"x\" lost\n;"
            "retry=;app=db;err=;");
}

TEST(LogfmtTest, Rejects) {
  LogRecord r;
  for (const std::string line :
       {"just words", "=value", "a=\"unterminated", "a=\"x\"y", "k\"=v"}) {
    EXPECT_FALSE(ParseLogfmt(line, Opts(), &r)) << line;
    EXPECT_TRUE(r.parse_error);
    EXPECT_EQ(r.message, line);
  }
  ASSERT_TRUE(ParseLogfmt("a=1\tb=2", Opts(), &r));
  EXPECT_EQ(FieldsText(r), "a=1;b=2;");
  EXPECT_EQ(r.message, "a=1\tb=2");
}

}  // namespace
}  // namespace tend::logs
