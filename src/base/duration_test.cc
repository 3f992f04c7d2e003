#include "base/duration.h"

#include <gtest/gtest.h>

#include <limits>

namespace tend {
namespace {

struct GoodCase {
  const char* text;
  int64_t ms;
};

TEST(DurationTest, ParsesValidDurations) {
  const GoodCase cases[] = {
      {"0", 0},
      {"0s", 0},
      {"0ms", 0},
      {"1ms", 1},
      {"500ms", 500},
      {"1s", 1000},
      {"90s", 90000},
      {"2m", 120000},
      {"1h", 3600000},
      {"1h30m", 5400000},
      {"1d", 86400000},
      {"2w", 1209600000},
      {"1y", 31536000000},
      {"1h0m30s", 3630000},
      {"1m500ms", 60500},
      {"1y2w3d4h5m6s7ms", 31536000000 + 2 * 604800000LL + 3 * 86400000LL +
                              4 * 3600000LL + 5 * 60000 + 6000 + 7},
      {"007s", 7000},
  };
  for (const GoodCase& c : cases) {
    Result<int64_t> got = ParseDuration(c.text);
    ASSERT_TRUE(got.ok()) << c.text << ": " << got.status().ToString();
    EXPECT_EQ(*got, c.ms) << c.text;
  }
}

struct BadCase {
  const char* text;
  const char* message;
};

TEST(DurationTest, RejectsInvalidDurationsWithReason) {
  const BadCase cases[] = {
      {"", "empty duration"},
      {"fast", "expected a number at \"fast\""},
      {"5", "missing unit after 5 (ms, s, m, h, d, w or y)"},
      {"1.5s", "unknown unit \".\" (ms, s, m, h, d, w or y)"},
      {"-1s", "expected a number at \"-1s\""},
      {"+1s", "expected a number at \"+1s\""},
      {"1 s", "unknown unit \" s\" (ms, s, m, h, d, w or y)"},
      {"1sec", "unknown unit \"sec\" (ms, s, m, h, d, w or y)"},
      {"1S", "unknown unit \"S\" (ms, s, m, h, d, w or y)"},
      {"30m1h",
       "units must go from largest to smallest, each once (1h30m, not "
       "30m1h)"},
      {"1s1s",
       "units must go from largest to smallest, each once (1h30m, not "
       "30m1h)"},
      {"1ms1s",
       "units must go from largest to smallest, each once (1h30m, not "
       "30m1h)"},
      {"1s ", "unknown unit \"s \" (ms, s, m, h, d, w or y)"},
      {"99999999999999999999ms", "duration too large"},
      {"300000000y", "duration too large"},
      {"9223372036854775807ms1",
       "missing unit after 1 (ms, s, m, h, d, w or y)"},
  };
  for (const BadCase& c : cases) {
    Result<int64_t> got = ParseDuration(c.text);
    ASSERT_FALSE(got.ok()) << c.text;
    const StatusCode want = c.message == std::string("duration too large")
                                ? StatusCode::kOutOfRange
                                : StatusCode::kInvalidArgument;
    EXPECT_EQ(got.status().code(), want) << c.text;
    EXPECT_EQ(got.status().message(), c.message) << c.text;
  }
}

TEST(DurationTest, SumOverflowIsRejected) {
  // Each part fits in int64 milliseconds; their sum does not.
  Result<int64_t> got = ParseDuration("292471208y1000000d");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), "duration too large");
  EXPECT_EQ(got.status().code(), StatusCode::kOutOfRange);
  Result<int64_t> max = ParseDuration("9223372036854775807ms");
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(*max, std::numeric_limits<int64_t>::max());
}

TEST(DurationTest, FormatsLargestUnitsFirst) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(1), "1ms");
  EXPECT_EQ(FormatDuration(1500), "1s500ms");
  EXPECT_EQ(FormatDuration(60000), "1m");
  EXPECT_EQ(FormatDuration(5400000), "1h30m");
  EXPECT_EQ(FormatDuration(86400000), "1d");
  EXPECT_EQ(FormatDuration(604800000), "1w");
  EXPECT_EQ(FormatDuration(8 * 86400000LL), "8d");
  EXPECT_EQ(FormatDuration(14 * 86400000LL), "2w");
  EXPECT_EQ(FormatDuration(-1500), "-1s500ms");
}

TEST(DurationTest, FormatThenParseIsIdentity) {
  const int64_t values[] = {0,
                            1,
                            999,
                            1000,
                            61001,
                            3599999,
                            86400001,
                            31536000000 + 1,
                            std::numeric_limits<int64_t>::max()};
  for (int64_t v : values) {
    Result<int64_t> back = ParseDuration(FormatDuration(v));
    ASSERT_TRUE(back.ok()) << v << ": " << back.status().ToString();
    EXPECT_EQ(*back, v);
  }
  EXPECT_EQ(FormatDuration(std::numeric_limits<int64_t>::min()),
            "-106751991167d7h12m55s808ms");
}

}  // namespace
}  // namespace tend
