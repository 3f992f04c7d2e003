// Access logs and web server error logs.
#include <gtest/gtest.h>

#include <string>

#include "logs/parse/access_log.h"
#include "logs/parse/error_log.h"

namespace tend::logs {
namespace {

constexpr int64_t kS = 1'000'000'000;

ParseOptions Opts() {
  ParseOptions o;
  o.receive_time_ns = 5 * kS;
  o.zone = TimeZone::Utc();
  return o;
}

std::string FieldsText(const LogRecord& r) {
  std::string s;
  for (const Field& f : r.fields) s += f.name + "=" + f.value + ";";
  return s;
}

TEST(AccessLogTest, CommonAndCombined) {
  LogRecord r;
  const std::string common =
      "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif "
      "HTTP/1.0\" 200 2326";
  ASSERT_TRUE(ParseAccessLog(common, Opts(), &r));
  EXPECT_EQ(r.time_ns, CivilToUnixSeconds(2000, 10, 10, 20, 55, 36) * kS);
  EXPECT_EQ(r.level, Level::kInfo);
  EXPECT_EQ(r.message, common);
  EXPECT_EQ(FieldsText(r),
            "remote_addr=127.0.0.1;user=frank;method=GET;path=/apache_pb.gif;"
            "protocol=HTTP/1.0;status=200;bytes=2326;");

  ASSERT_TRUE(ParseAccessLog(
      "::1 - - [02/Jan/2024:03:04:05 +0000] \"POST /api?q=\\\"x\\\" HTTP/1.1\" "
      "503 - \"-\" \"curl/8.0 (x)\" 0.250 \"10.0.0.9\"\r\n",
      Opts(), &r));
  EXPECT_EQ(r.level, Level::kError);
  EXPECT_EQ(FieldsText(r),
            "remote_addr=::1;user=-;method=POST;path=/api?q=\"x\";"
            "protocol=HTTP/1.1;status=503;bytes=-;referer=-;"
            "user_agent=curl/8.0 (x);request_time=0.250;extra_1=10.0.0.9;");

  ASSERT_TRUE(ParseAccessLog(
      "1.2.3.4 - - [02/Jan/2024:03:04:05 +0000] \"\\x16\\x03\\x01\" 400 157 "
      "\"-\" \"-\"",
      Opts(), &r));
  EXPECT_EQ(r.level, Level::kWarn);
  EXPECT_EQ(*r.fields.Find("request"), "\\x16\\x03\\x01");
  EXPECT_EQ(r.fields.Find("method"), nullptr);
}

TEST(AccessLogTest, Rejects) {
  LogRecord r;
  for (const std::string line :
       {"1.2.3.4 - - [02/Jan/2024:03:04:05 +0000] \"GET / HTTP/1.1\" 20 1",
        "1.2.3.4 - - [02/Jan/2024:03:04:05 +0000] \"GET / HTTP/1.1",
        "1.2.3.4 - - [02/Jan/2024] \"GET / HTTP/1.1\" 200 1",
        "1.2.3.4 - - [02/Jan/2024:03:04:05 +0000] \"GET / HTTP/1.1\" 200 x",
        "1.2.3.4", ""}) {
    EXPECT_FALSE(ParseAccessLog(line, Opts(), &r)) << line;
    EXPECT_TRUE(r.parse_error);
    EXPECT_EQ(r.message, line);
    EXPECT_EQ(r.fields.size(), 0u) << line;  // No half-parsed fields left.
  }
}

TEST(ErrorLogTest, Apache24) {
  LogRecord r;
  ASSERT_TRUE(ParseApacheErrorLog(
      "[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid "
      "4328636416] [client 72.15.99.187:5555] AH00124: Request exceeded",
      Opts(), &r));
  EXPECT_EQ(r.time_ns,
            CivilToUnixSeconds(2000, 10, 11, 14, 32, 52) * kS + 123'456'000);
  EXPECT_EQ(r.level, Level::kError);
  EXPECT_EQ(r.pid, 35708);
  EXPECT_EQ(FieldsText(r),
            "module=core;tid=4328636416;client=72.15.99.187:5555;");
  EXPECT_EQ(r.message, "AH00124: Request exceeded");
  ASSERT_TRUE(ParseApacheErrorLog(
      "[Wed Oct 11 14:32:52 2000] [ssl:trace3] [message in brackets]", Opts(),
      &r));
  EXPECT_EQ(r.level, Level::kDebug);
  EXPECT_EQ(r.message, "[message in brackets]");
  EXPECT_FALSE(ParseApacheErrorLog("[Wed Oct 11 14:32:52 2000", Opts(), &r));
  EXPECT_TRUE(r.parse_error);
}

TEST(ErrorLogTest, Nginx) {
  LogRecord r;
  ASSERT_TRUE(ParseNginxErrorLog(
      "2024/01/02 03:04:05 [error] 123#0: *45 open() \"/x\" failed (2: No such "
      "file), client: 1.2.3.4, server: example.com, request: \"GET /x "
      "HTTP/1.1\", host: \"example.com\"",
      Opts(), &r));
  EXPECT_EQ(r.time_ns, CivilToUnixSeconds(2024, 1, 2, 3, 4, 5) * kS);
  EXPECT_EQ(r.level, Level::kError);
  EXPECT_EQ(r.pid, 123);
  EXPECT_EQ(FieldsText(r),
            "tid=0;connection=45;client=1.2.3.4;server=example.com;"
            "request=GET /x HTTP/1.1;host=example.com;");
  EXPECT_TRUE(r.message.starts_with("open() \"/x\" failed"));
  ASSERT_TRUE(ParseNginxErrorLog(
      "2024/01/02 03:04:05 [notice] 1#1: signal process started", Opts(), &r));
  EXPECT_EQ(r.level, Level::kNotice);
  EXPECT_EQ(r.message, "signal process started");
  EXPECT_FALSE(ParseNginxErrorLog("2024/01/02 03:04:05 error", Opts(), &r));
}

}  // namespace
}  // namespace tend::logs
