#include "config/byte_size.h"

#include <gtest/gtest.h>

namespace tend {
namespace {

TEST(ByteSizeTest, UnitsDecimalAndBinary) {
  EXPECT_EQ(*ParseByteSize("0"), 0u);
  EXPECT_EQ(*ParseByteSize("512"), 512u);
  EXPECT_EQ(*ParseByteSize("512MB"), 512000000u);
  EXPECT_EQ(*ParseByteSize("10GiB"), 10737418240u);
  EXPECT_EQ(*ParseByteSize("1.5G"), 1500000000u);
  EXPECT_EQ(*ParseByteSize("4 KiB"), 4096u);
}

TEST(ByteSizeTest, BadInputNamesItAndTheUnits) {
  for (const char* bad : {"", "MB", "10XB", "-1", "1e30GB", "1..2"}) {
    auto r = ParseByteSize(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("KiB"), std::string::npos);
  }
}

}  // namespace
}  // namespace tend
