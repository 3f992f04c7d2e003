#include "base/time_format.h"

#include <gtest/gtest.h>

namespace tend {
namespace {

TEST(TimeFormatTest, GoTimeTrimsTheFractionAndHasAZeroTime) {
  EXPECT_EQ(FormatGoTime(0), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatGoTime(1700000000123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(FormatGoTime(1700000000120), "2023-11-14T22:13:20.12Z");
  EXPECT_EQ(FormatGoTime(1700000000000), "2023-11-14T22:13:20Z");
  EXPECT_EQ(FormatGoTime(-1), "1969-12-31T23:59:59.999Z");
}

TEST(TimeFormatTest, MillisAlwaysHasThreeDigits) {
  EXPECT_EQ(FormatRfc3339Millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Millis(1435781451781), "2015-07-01T20:10:51.781Z");
  EXPECT_EQ(FormatRfc3339Millis(1435781451780), "2015-07-01T20:10:51.780Z");
  EXPECT_EQ(FormatRfc3339Millis(-1), "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace tend
