#include "logs/parse/timestamp.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace tend::logs {
namespace {

constexpr int64_t kS = 1'000'000'000;

int64_t Utc(int y, int mo, int d, int h, int mi, int s) {
  struct tm tm = {};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<int64_t>(timegm(&tm)) * kS;
}

TEST(TimestampTest, CivilMatchesTimegm) {
  for (int y : {1969, 1970, 2000, 2004, 2024, 2100}) {
    for (int m = 1; m <= 12; ++m) {
      EXPECT_EQ(CivilToUnixSeconds(y, m, 28, 13, 14, 15) * kS,
                Utc(y, m, 28, 13, 14, 15));
      EXPECT_EQ(YearAt(CivilToUnixSeconds(y, m, 1, 0, 0, 0), TimeZone::Utc()),
                y);
    }
  }
}

TEST(TimestampTest, Rfc3339) {
  int64_t ns = 0;
  EXPECT_EQ(ParseRfc3339("2024-01-02T03:04:05Z", TimeZone::Local(), &ns), 20u);
  EXPECT_EQ(ns, Utc(2024, 1, 2, 3, 4, 5));
  EXPECT_EQ(ParseRfc3339("2024-01-02T03:04:05.123456789+02:00 x",
                         TimeZone::Utc(), &ns),
            35u);
  EXPECT_EQ(ns, Utc(2024, 1, 2, 1, 4, 5) + 123456789);
  EXPECT_GT(ParseRfc3339("2024-01-02 03:04:05,5-0130", TimeZone::Utc(), &ns),
            0u);
  EXPECT_EQ(ns, Utc(2024, 1, 2, 4, 34, 5) + 500'000'000);
  // No offset: the zone decides.
  ParseRfc3339("2024-01-02T03:04:05", TimeZone::Fixed(3600), &ns);
  EXPECT_EQ(ns, Utc(2024, 1, 2, 2, 4, 5));
  EXPECT_EQ(ParseRfc3339("2024-13-02T03:04:05Z", TimeZone::Utc(), &ns), 0u);
  EXPECT_EQ(ParseRfc3339("2024-01-02T25:04:05Z", TimeZone::Utc(), &ns), 0u);
  EXPECT_EQ(ParseRfc3339("2024-01-02T03:04", TimeZone::Utc(), &ns), 0u);
}

TEST(TimestampTest, ClfCtimeSlash) {
  int64_t ns = 0;
  EXPECT_EQ(ParseClfTime("10/Oct/2000:13:55:36 -0700]", TimeZone::Utc(), &ns),
            26u);
  EXPECT_EQ(ns, Utc(2000, 10, 10, 20, 55, 36));
  EXPECT_EQ(ParseCtimeTime("Sun Dec 04 04:47:44 2005]", TimeZone::Utc(), &ns),
            24u);
  EXPECT_EQ(ns, Utc(2005, 12, 4, 4, 47, 44));
  EXPECT_EQ(
      ParseCtimeTime("Wed Oct 11 14:32:52.123456 2000", TimeZone::Utc(), &ns),
      31u);
  EXPECT_EQ(ns, Utc(2000, 10, 11, 14, 32, 52) + 123'456'000);
  EXPECT_EQ(ParseSlashTime("2024/01/02 03:04:05 [error]", TimeZone::Utc(), &ns),
            19u);
  EXPECT_EQ(ns, Utc(2024, 1, 2, 3, 4, 5));
  EXPECT_EQ(ParseClfTime("10/Foo/2000:13:55:36", TimeZone::Utc(), &ns), 0u);
}

TEST(TimestampTest, Epoch) {
  int64_t ns = 0;
  ASSERT_TRUE(ParseEpoch("1700000000", &ns));
  EXPECT_EQ(ns, 1700000000 * kS);
  ASSERT_TRUE(ParseEpoch("1700000000.25", &ns));
  EXPECT_EQ(ns, 1700000000 * kS + 250'000'000);
  ASSERT_TRUE(ParseEpoch("1700000000123", &ns));
  EXPECT_EQ(ns, 1700000000 * kS + 123'000'000);
  ASSERT_TRUE(ParseEpoch("1700000000123456", &ns));
  EXPECT_EQ(ns, 1700000000 * kS + 123'456'000);
  EXPECT_FALSE(ParseEpoch("17e9", &ns));
  EXPECT_FALSE(ParseEpoch("99999999999999999999999", &ns));
  EXPECT_FALSE(ParseEpoch("", &ns));
}

TEST(TimestampTest, SyslogYearInferenceAcrossNewYear) {
  int64_t ns = 0;
  const int64_t jan1 = Utc(2024, 1, 1, 0, 0, 30);
  // A December line read just after New Year is last year's.
  ASSERT_EQ(ParseSyslogTime("Dec 31 23:59:59", jan1, TimeZone::Utc(), &ns),
            15u);
  EXPECT_EQ(ns, Utc(2023, 12, 31, 23, 59, 59));
  // A January line read just before New Year (sender clock ahead) is next
  // year's: within a day after the reference.
  const int64_t dec31 = Utc(2023, 12, 31, 23, 59, 50);
  ParseSyslogTime("Jan  1 00:00:10", dec31, TimeZone::Utc(), &ns);
  EXPECT_EQ(ns, Utc(2024, 1, 1, 0, 0, 10));
  // Same year in the middle of the year; a line from two days "ahead" is
  // a year old.
  const int64_t june = Utc(2024, 6, 15, 12, 0, 0);
  ParseSyslogTime("Jun 15 11:00:00", june, TimeZone::Utc(), &ns);
  EXPECT_EQ(ns, Utc(2024, 6, 15, 11, 0, 0));
  ParseSyslogTime("Jun 16 11:00:00", june, TimeZone::Utc(), &ns);
  EXPECT_EQ(ns, Utc(2024, 6, 16, 11, 0, 0));
  ParseSyslogTime("Jun 17 13:00:00", june, TimeZone::Utc(), &ns);
  EXPECT_EQ(ns, Utc(2023, 6, 17, 13, 0, 0));
  // Space-padded day and fraction.
  EXPECT_EQ(
      ParseSyslogTime("Jun  1 09:00:55.250 host", june, TimeZone::Utc(), &ns),
      19u);
  EXPECT_EQ(ns, Utc(2024, 6, 1, 9, 0, 55) + 250'000'000);
  EXPECT_EQ(ParseSyslogTime("Jux  1 09:00:55", june, TimeZone::Utc(), &ns), 0u);
  EXPECT_EQ(ParseSyslogTime("Jul 1 09:00:55", june, TimeZone::Utc(), &ns), 0u);
}

TEST(TimestampTest, LocalZoneFollowsTzDatabase) {
  const char* old = getenv("TZ");
  const std::string saved = old ? old : "";
  setenv("TZ", "Europe/Berlin", 1);
  tzset();
  int64_t ns = 0;
  // Winter: UTC+1; summer: UTC+2.
  ParseSlashTime("2024/01/15 12:00:00", TimeZone::Local(), &ns);
  EXPECT_EQ(ns, Utc(2024, 1, 15, 11, 0, 0));
  ParseSlashTime("2024/07/15 12:00:00", TimeZone::Local(), &ns);
  EXPECT_EQ(ns, Utc(2024, 7, 15, 10, 0, 0));
  // UTC stays UTC whatever TZ says.
  ParseSlashTime("2024/07/15 12:00:00", TimeZone::Utc(), &ns);
  EXPECT_EQ(ns, Utc(2024, 7, 15, 12, 0, 0));
  if (old) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

TEST(TimestampTest, AnyTimestamp) {
  int64_t ns = 0;
  const int64_t ref = Utc(2024, 6, 1, 0, 0, 0);
  for (const char* s :
       {"2024-01-02T03:04:05Z", " 1704164645 ", "02/Jan/2024:03:04:05 +0000",
        "2024/01/02 03:04:05", "Tue Jan 02 03:04:05 2024", "Jan  2 03:04:05"}) {
    ASSERT_TRUE(ParseAnyTimestamp(s, ref, TimeZone::Utc(), &ns)) << s;
    EXPECT_EQ(ns, Utc(2024, 1, 2, 3, 4, 5)) << s;
  }
  EXPECT_FALSE(ParseAnyTimestamp("2024-01-02T03:04:05Z trailing", ref,
                                 TimeZone::Utc(), &ns));
  EXPECT_FALSE(ParseAnyTimestamp("yesterday", ref, TimeZone::Utc(), &ns));
}

}  // namespace
}  // namespace tend::logs
