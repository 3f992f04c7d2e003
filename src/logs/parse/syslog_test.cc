#include "logs/parse/syslog.h"

#include <gtest/gtest.h>

namespace tend::logs {
namespace {

constexpr int64_t kS = 1'000'000'000;

ParseOptions Opts() {
  ParseOptions o;
  o.receive_time_ns = CivilToUnixSeconds(2024, 3, 1, 0, 0, 0) * kS;
  o.zone = TimeZone::Utc();
  return o;
}

TEST(SyslogTest, Rfc3164WithPriHostAppPid) {
  LogRecord r;
  r.source = "syslog-udp";
  ASSERT_TRUE(
      ParseSyslog("<34>Oct 11 22:14:15 mymachine su[230]: 'su root' "
                  "failed for lonvick on /dev/pts/8",
                  Opts(), &r));
  EXPECT_EQ(r.time_ns, CivilToUnixSeconds(2023, 10, 11, 22, 14, 15) * kS);
  EXPECT_EQ(r.host, "mymachine");
  EXPECT_EQ(r.app, "su");
  EXPECT_EQ(r.pid, 230);
  EXPECT_EQ(r.level, Level::kCrit);  // 34 = auth(4) * 8 + crit(2).
  ASSERT_NE(r.fields.Find("facility"), nullptr);
  EXPECT_EQ(*r.fields.Find("facility"), "auth");
  EXPECT_EQ(r.message, "'su root' failed for lonvick on /dev/pts/8");
  EXPECT_EQ(r.source, "syslog-udp");  // Untouched.
}

TEST(SyslogTest, Rfc3164Variants) {
  LogRecord r;
  ASSERT_TRUE(ParseSyslog("Feb 29 10:00:00 app: no host here", Opts(), &r));
  EXPECT_EQ(r.host, "");
  EXPECT_EQ(r.app, "app");
  EXPECT_EQ(r.message, "no host here");
  ASSERT_TRUE(ParseSyslog(
      "2024-02-29T10:00:00.5+01:00 web1 nginx[12]: started\r\n", Opts(), &r));
  EXPECT_EQ(r.time_ns, CivilToUnixSeconds(2024, 2, 29, 9, 0, 0) * kS + kS / 2);
  EXPECT_EQ(r.host, "web1");
  EXPECT_EQ(r.app, "nginx");
  EXPECT_EQ(r.message, "started");
  ASSERT_TRUE(ParseSyslog("<13>just a message", Opts(), &r));
  EXPECT_FALSE(r.time_from_line);
  EXPECT_EQ(r.time_ns, Opts().receive_time_ns);
  EXPECT_EQ(r.level, Level::kNotice);
  EXPECT_EQ(r.message, "just a message");
  ASSERT_TRUE(ParseSyslog("Feb 29 10:00:00 host\tapp[x1]:\tmsg", Opts(), &r));
  EXPECT_EQ(r.app, "app");
  EXPECT_EQ(r.pid, -1);
  EXPECT_EQ(*r.fields.Find("procid"), "x1");
  EXPECT_EQ(r.message, "\tmsg");
  // Only a header: the message is the whole line, never empty.
  ASSERT_TRUE(ParseSyslog("Feb 29 10:00:00 host app:", Opts(), &r));
  EXPECT_EQ(r.message, "Feb 29 10:00:00 host app:");
}

TEST(SyslogTest, Rfc3164Rejects) {
  LogRecord r;
  EXPECT_FALSE(ParseSyslog("hello world", Opts(), &r));
  EXPECT_TRUE(r.parse_error);
  EXPECT_EQ(r.message, "hello world");
  EXPECT_FALSE(ParseSyslog("Feb 29 10:00", Opts(), &r));  // Truncated.
  EXPECT_EQ(r.message, "Feb 29 10:00");
  EXPECT_FALSE(ParseSyslog("<999>Feb 29 10:00:00 h a: m", Opts(), &r));
}

TEST(SyslogTest, Rfc5424) {
  LogRecord r;
  ASSERT_TRUE(ParseSyslog(
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
      "[exampleSDID@32473 iut=\"3\" eventSource=\"Appl\\\"ication\" "
      "eventID=\"1011\"][x@1 a=\"b\\]c\"] \xEF\xBB\xBF"
      "An application event log entry...",
      Opts(), &r));
  EXPECT_EQ(r.time_ns,
            CivilToUnixSeconds(2003, 10, 11, 22, 14, 15) * kS + 3'000'000);
  EXPECT_EQ(r.host, "mymachine.example.com");
  EXPECT_EQ(r.app, "evntslog");
  EXPECT_EQ(r.pid, -1);
  EXPECT_EQ(r.level, Level::kNotice);
  EXPECT_EQ(*r.fields.Find("facility"), "local4");
  EXPECT_EQ(*r.fields.Find("msgid"), "ID47");
  EXPECT_EQ(*r.fields.Find("sd.exampleSDID@32473.iut"), "3");
  EXPECT_EQ(*r.fields.Find("sd.exampleSDID@32473.eventSource"),
            "Appl\"ication");
  EXPECT_EQ(*r.fields.Find("sd.x@1.a"), "b]c");
  EXPECT_EQ(r.message, "An application event log entry...");

  ASSERT_TRUE(ParseSyslog("<14>1 - - - 42 - -", Opts(), &r));
  EXPECT_FALSE(r.time_from_line);
  EXPECT_EQ(r.pid, 42);
  EXPECT_EQ(r.message, "<14>1 - - - 42 - -");  // Empty MSG: whole line.

  EXPECT_FALSE(ParseSyslog("<14>1 2003-10-11T22:14:15Z host", Opts(), &r));
  EXPECT_EQ(r.error_reason, "RFC 5424 syslog: truncated header");
  EXPECT_FALSE(ParseSyslog("<14>1 notatime h a p m - x", Opts(), &r));
  EXPECT_EQ(r.error_reason, "RFC 5424 syslog: bad timestamp");
  EXPECT_FALSE(ParseSyslog("<14>1 - h a p m [x a=\"unterminated", Opts(), &r));
  EXPECT_EQ(r.error_reason, "RFC 5424 syslog: bad structured data");
  EXPECT_EQ(r.message, "<14>1 - h a p m [x a=\"unterminated");
}

TEST(SyslogTest, RecordReuseKeepsNoStaleFields) {
  LogRecord r;
  ASSERT_TRUE(ParseSyslog("<14>1 - h a 7 - [a b=\"1\" c=\"2\"] m", Opts(), &r));
  EXPECT_EQ(r.fields.size(), 3u);  // facility, sd.a.b, sd.a.c
  ASSERT_TRUE(ParseSyslog("Feb 29 10:00:00 h app: m", Opts(), &r));
  EXPECT_EQ(r.fields.size(), 0u);
  EXPECT_EQ(r.pid, -1);
  EXPECT_EQ(r.level, Level::kUnknown);
}

}  // namespace
}  // namespace tend::logs
