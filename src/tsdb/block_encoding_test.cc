#include "tsdb/block_encoding.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

namespace tend {
namespace {

TEST(Crc32cTest, KnownValues) {
  EXPECT_EQ(Crc32c(AsBytes("123456789")), 0xe3069283u);
  EXPECT_EQ(Crc32c(AsBytes("")), 0u);
  // Incremental equals one shot.
  const std::string_view s = "the quick brown fox jumps over the lazy dog";
  EXPECT_EQ(Crc32cExtend(Crc32c(AsBytes(s.substr(0, 7))), AsBytes(s.substr(7))),
            Crc32c(AsBytes(s)));
}

TEST(ByteWriterReaderTest, RoundTrip) {
  std::vector<uint8_t> buf;
  ByteWriter w(&buf);
  const std::vector<uint64_t> us = {
      0, 1, 127, 128, 300, 1ull << 35, std::numeric_limits<uint64_t>::max()};
  const std::vector<int64_t> ss = {0,
                                   -1,
                                   1,
                                   -64,
                                   64,
                                   std::numeric_limits<int64_t>::min(),
                                   std::numeric_limits<int64_t>::max()};
  for (uint64_t u : us) w.PutUvarint(u);
  for (int64_t s : ss) w.PutVarint(s);
  w.PutBe32(0xdeadbeef);
  w.PutBe64(0x0102030405060708ull);
  w.PutString("hello");
  ByteReader r(buf);
  for (uint64_t u : us) {
    uint64_t got;
    ASSERT_TRUE(r.GetUvarint(&got));
    EXPECT_EQ(got, u);
  }
  for (int64_t s : ss) {
    int64_t got;
    ASSERT_TRUE(r.GetVarint(&got));
    EXPECT_EQ(got, s);
  }
  uint32_t a;
  uint64_t b;
  std::string_view str;
  ASSERT_TRUE(r.GetBe32(&a));
  ASSERT_TRUE(r.GetBe64(&b));
  ASSERT_TRUE(r.GetString(&str));
  EXPECT_EQ(a, 0xdeadbeefu);
  EXPECT_EQ(b, 0x0102030405060708ull);
  EXPECT_EQ(str, "hello");
  EXPECT_TRUE(r.done());
  uint8_t byte;
  EXPECT_FALSE(r.GetByte(&byte));
}

TEST(ByteReaderTest, RejectsTruncationAndOverlongVarints) {
  const std::vector<uint8_t> truncated = {0x80, 0x80};
  uint64_t v;
  EXPECT_FALSE(ByteReader(truncated).GetUvarint(&v));
  const std::vector<uint8_t> overlong(11, 0x80);
  EXPECT_FALSE(ByteReader(overlong).GetUvarint(&v));
  std::vector<uint8_t> overflow(9, 0xff);
  overflow.push_back(0x02);  // A 10th byte above 1 overflows 64 bits.
  EXPECT_FALSE(ByteReader(overflow).GetUvarint(&v));
  const std::vector<uint8_t> long_string = {5, 'a', 'b'};
  std::string_view s;
  EXPECT_FALSE(ByteReader(long_string).GetString(&s));
  uint32_t u32;
  EXPECT_FALSE(ByteReader(long_string).GetBe32(&u32));
}

}  // namespace
}  // namespace tend
