#include "metrics/parse.h"

#include <gtest/gtest.h>

namespace tend {
namespace {

TEST(ParseTest, Lines) {
  std::string_view t = "a b\n\nc";
  EXPECT_EQ(NextLine(&t), "a b");
  EXPECT_EQ(NextLine(&t), "");
  EXPECT_EQ(NextLine(&t), "c");
  EXPECT_TRUE(t.empty());
}

TEST(ParseTest, Fields) {
  std::vector<std::string_view> f;
  SplitFields("  lo:  12\t 0 ", &f);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0], "lo:");
  EXPECT_EQ(f[2], "0");
  SplitFields("", &f);
  EXPECT_TRUE(f.empty());
}

TEST(ParseTest, Numbers) {
  uint64_t u = 7;
  EXPECT_TRUE(ParseUint64("18446744073709551615", &u));
  EXPECT_EQ(u, UINT64_MAX);
  EXPECT_FALSE(ParseUint64("18446744073709551616", &u));
  EXPECT_FALSE(ParseUint64("12x", &u));
  EXPECT_FALSE(ParseUint64("-1", &u));
  int64_t i;
  EXPECT_TRUE(ParseInt64("-42", &i));
  EXPECT_EQ(i, -42);
  double d;
  EXPECT_TRUE(ParseDouble("0.31", &d));
  EXPECT_DOUBLE_EQ(d, 0.31);
  EXPECT_FALSE(ParseDouble("", &d));
  EXPECT_FALSE(ParseDouble("1.5kB", &d));
}

TEST(ParseTest, KeyValue) {
  std::string_view k, v;
  ASSERT_TRUE(SplitKeyValue("MemTotal:       24684084 kB", &k, &v));
  EXPECT_EQ(k, "MemTotal");
  EXPECT_EQ(v, "24684084 kB");
  EXPECT_FALSE(SplitKeyValue("nocolon", &k, &v));
}

}  // namespace
}  // namespace tend
