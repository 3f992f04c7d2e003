#include "api/prom_params.h"

#include <gtest/gtest.h>

namespace tend {
namespace {

TEST(PromParamsTest, UnixSecondsWithFraction) {
  EXPECT_EQ(*ParseApiTime("1435781451.781"), 1435781451781);
  EXPECT_EQ(*ParseApiTime("0"), 0);
  EXPECT_EQ(*ParseApiTime("1.0006"), 1001);  // Rounded to ms,
  // after the float split, as Go does: 1.0005 is 1.000499... in binary.
  EXPECT_EQ(*ParseApiTime("1.0005"), 1000);
  EXPECT_EQ(*ParseApiTime("-1.5"), -1500);
}

TEST(PromParamsTest, Rfc3339) {
  EXPECT_EQ(*ParseApiTime("2015-07-01T20:10:51.781Z"), 1435781451781);
  EXPECT_EQ(*ParseApiTime("2015-07-01T20:10:51Z"), 1435781451000);
  EXPECT_EQ(*ParseApiTime("2015-07-01T22:10:51.781+02:00"), 1435781451781);
  EXPECT_EQ(*ParseApiTime("2015-07-01T20:10:51.781123456Z"), 1435781451781);
}

TEST(PromParamsTest, BadTimesNameTheInput) {
  for (const char* bad : {"", "abc", "2015-07-01", "2015-13-01T00:00:00Z",
                          "2015-07-01T20:10:51", "1e400", "NaN"}) {
    auto t = ParseApiTime(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().message(),
              std::string("cannot parse \"") + bad + "\" to a valid timestamp");
  }
}

TEST(PromParamsTest, Durations) {
  EXPECT_EQ(*ParseApiDuration("15"), 15000);
  EXPECT_EQ(*ParseApiDuration("0.5"), 500);
  EXPECT_EQ(*ParseApiDuration("5m"), 300000);
  EXPECT_EQ(*ParseApiDuration("1h30m"), 5400000);
  EXPECT_FALSE(ParseApiDuration("").ok());
  EXPECT_FALSE(ParseApiDuration("5x").ok());
  EXPECT_FALSE(ParseApiDuration("1e300").ok());
}

}  // namespace
}  // namespace tend
