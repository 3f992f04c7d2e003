#include "tsdb/bit_stream.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <utility>
#include <vector>

namespace tend {
namespace {

TEST(BitWriterTest, PacksMostSignificantBitFirst) {
  BitWriter w;
  w.WriteBit(true);
  w.WriteBits(0b01, 2);
  EXPECT_EQ(w.bit_length(), 3u);
  w.WriteBits(0x1f, 5);
  w.WriteBits(0b101, 3);
  EXPECT_EQ(w.bytes(), (std::vector<uint8_t>{0b10111111, 0b10100000}));
  EXPECT_EQ(w.bit_length(), 11u);
}

TEST(BitWriterTest, IgnoresBitsAboveTheField) {
  BitWriter w;
  w.WriteBits(0xffff'ffff'ffff'fff0, 4);
  w.WriteBits(0xab, 4);
  EXPECT_EQ(w.bytes(), (std::vector<uint8_t>{0x0b}));
}

TEST(BitWriterTest, OverwriteByteKeepsBitPosition) {
  BitWriter w;
  w.WriteByte(0);
  w.WriteBit(true);
  w.OverwriteByte(0, 0x42);
  w.WriteBit(true);
  EXPECT_EQ(w.bytes(), (std::vector<uint8_t>{0x42, 0xc0}));
}

TEST(BitStreamTest, RandomFieldsRoundTrip) {
  std::mt19937_64 rng(42);
  std::vector<std::pair<uint64_t, int>> fields;
  BitWriter w;
  for (int i = 0; i < 5000; ++i) {
    int nbits = static_cast<int>(rng() % 65);
    uint64_t value = rng();
    if (nbits < 64) value &= (uint64_t{1} << nbits) - 1;
    fields.emplace_back(value, nbits);
    w.WriteBits(value, nbits);
  }
  BitReader r(w.bytes());
  for (const auto& [value, nbits] : fields) {
    uint64_t got = 0;
    ASSERT_TRUE(r.ReadBits(nbits, &got));
    EXPECT_EQ(got, value) << nbits << " bits";
  }
  EXPECT_LT(r.bits_remaining(), 8u);
}

TEST(BitStreamTest, VarintsRoundTripAtAnyBitOffset) {
  const int64_t values[] = {0,
                            1,
                            -1,
                            63,
                            -64,
                            64,
                            1000,
                            -123456789,
                            std::numeric_limits<int64_t>::max(),
                            std::numeric_limits<int64_t>::min()};
  for (int offset = 0; offset < 8; ++offset) {
    BitWriter w;
    w.WriteBits(0x55, offset);
    for (int64_t v : values) {
      w.WriteVarint(v);
      w.WriteUvarint(static_cast<uint64_t>(v));
    }
    BitReader r(w.bytes());
    uint64_t skip;
    ASSERT_TRUE(r.ReadBits(offset, &skip));
    for (int64_t v : values) {
      int64_t s;
      uint64_t u;
      ASSERT_TRUE(r.ReadVarint(&s));
      ASSERT_TRUE(r.ReadUvarint(&u));
      EXPECT_EQ(s, v);
      EXPECT_EQ(u, static_cast<uint64_t>(v));
    }
  }
}

TEST(BitStreamTest, VarintEncodingMatchesLeb128) {
  BitWriter w;
  w.WriteUvarint(300);  // 0b10'0101100 -> 0xac 0x02
  w.WriteVarint(-2);    // zigzag 3
  w.WriteVarint(1000);  // zigzag 2000 -> 0xd0 0x0f
  EXPECT_EQ(w.bytes(), (std::vector<uint8_t>{0xac, 0x02, 0x03, 0xd0, 0x0f}));
}

TEST(BitReaderTest, ReadingPastTheEndFailsWithoutConsuming) {
  const std::vector<uint8_t> data = {0xa5};
  BitReader r(data);
  uint64_t v = 7;
  EXPECT_FALSE(r.ReadBits(9, &v));
  EXPECT_EQ(v, 7u);
  EXPECT_EQ(r.bit_position(), 0u);
  ASSERT_TRUE(r.ReadBits(3, &v));
  EXPECT_EQ(v, 0b101u);
  uint8_t byte = 9;
  EXPECT_FALSE(r.ReadByte(&byte));
  EXPECT_EQ(byte, 9);
  ASSERT_TRUE(r.ReadBits(5, &v));
  EXPECT_EQ(v, 0b00101u);
  bool bit;
  EXPECT_FALSE(r.ReadBit(&bit));
  EXPECT_EQ(r.bits_remaining(), 0u);
}

TEST(BitReaderTest, EmptyInput) {
  BitReader r(std::span<const uint8_t>{});
  bool bit;
  uint64_t v;
  EXPECT_FALSE(r.ReadBit(&bit));
  EXPECT_TRUE(r.ReadBits(0, &v));
  EXPECT_EQ(v, 0u);
  EXPECT_FALSE(r.ReadUvarint(&v));
}

TEST(BitReaderTest, RejectsTruncatedAndOverlongVarints) {
  const std::vector<uint8_t> truncated = {0x80, 0x80};
  uint64_t v;
  EXPECT_FALSE(BitReader(truncated).ReadUvarint(&v));

  std::vector<uint8_t> eleven(10, 0x80);
  eleven.push_back(0x01);
  EXPECT_FALSE(BitReader(eleven).ReadUvarint(&v));

  std::vector<uint8_t> overflow(9, 0xff);
  overflow.push_back(0x02);  // The 65th bit.
  EXPECT_FALSE(BitReader(overflow).ReadUvarint(&v));

  std::vector<uint8_t> max(9, 0xff);
  max.push_back(0x01);
  ASSERT_TRUE(BitReader(max).ReadUvarint(&v));
  EXPECT_EQ(v, std::numeric_limits<uint64_t>::max());
}

}  // namespace
}  // namespace tend
