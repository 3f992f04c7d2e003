#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>

#include "promql/parser.h"

namespace tend::promql {
namespace {

TEST(DurationTest, Parse) {
  struct Case {
    const char* in;
    int64_t ms;
  } cases[] = {
      {"0", 0},
      {"0s", 0},
      {"1ms", 1},
      {"10ms", 10},
      {"5s", 5000},
      {"5m", 300000},
      {"1h30m", 5400000},
      {"1d", 86400000},
      {"1w", 604800000},
      {"1y", 31536000000},
      {"1y2w3d4h5m6s7ms", 31536000000 + 2 * 604800000 + 3 * 86400000 +
                              4 * 3600000 + 5 * 60000 + 6000 + 7},
      {"90m", 5400000},
  };
  for (const Case& c : cases) {
    auto d = ParseDuration(c.in);
    ASSERT_TRUE(d.ok()) << c.in << ": " << d.status().ToString();
    EXPECT_EQ(*d, c.ms) << c.in;
  }
}

TEST(DurationTest, Rejects) {
  for (const char* bad : {"", "1", "1.5s", "5m1h", "1hs", "1s1s", "-1s", "1x",
                          "s", "1h 30m", "1m5", "ms"}) {
    auto d = ParseDuration(bad);
    EXPECT_FALSE(d.ok()) << bad;
    if (!d.ok()) {
      EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
    }
  }
  EXPECT_THAT(ParseDuration("5m1h").status().message(),
              ::testing::HasSubstr("not a valid duration string: \"5m1h\""));
  EXPECT_EQ(ParseDuration("300y").status().message(), "duration out of range");
  EXPECT_EQ(ParseDuration("99999999999999999999s").status().message(),
            "duration out of range");
  EXPECT_TRUE(ParseDuration("290y").ok());
}

TEST(DurationTest, Format) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(1), "1ms");
  EXPECT_EQ(FormatDuration(5400000), "1h30m");
  EXPECT_EQ(FormatDuration(90 * 86400000LL), "90d");
  EXPECT_EQ(FormatDuration(14 * 86400000LL), "2w");
  EXPECT_EQ(FormatDuration(365 * 86400000LL), "1y");
  EXPECT_EQ(FormatDuration(366 * 86400000LL), "366d");
  EXPECT_EQ(FormatDuration(61001), "1m1s1ms");
  EXPECT_EQ(FormatDuration(-300000), "-5m");
}

TEST(DurationTest, RoundTrip) {
  for (int64_t ms :
       {1LL, 999LL, 1000LL, 61001LL, 3600000LL, 86400000LL, 604800000LL,
        31536000000LL, 31536000001LL, 123456789012LL}) {
    auto d = ParseDuration(FormatDuration(ms));
    ASSERT_TRUE(d.ok()) << ms;
    EXPECT_EQ(*d, ms);
  }
}

}  // namespace
}  // namespace tend::promql
