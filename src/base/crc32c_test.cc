#include "base/crc32c.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

namespace tend {
namespace {

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// The implementations under test: the dispatching one and both paths.
using CrcFn = uint32_t (*)(uint32_t, std::span<const uint8_t>);

std::vector<std::pair<const char*, CrcFn>> Implementations() {
  std::vector<std::pair<const char*, CrcFn>> fns = {
      {"dispatch", Crc32cExtend}, {"portable", Crc32cExtendPortable}};
  if (Crc32cHardwareAvailable()) {
    fns.emplace_back("hardware", Crc32cExtendHardware);
  }
  return fns;
}

// RFC 3720, appendix B.4, plus the usual "123456789" check value.
TEST(Crc32cTest, Rfc3720Vectors) {
  std::vector<uint8_t> zeros(32, 0x00);
  std::vector<uint8_t> ones(32, 0xff);
  std::vector<uint8_t> up(32), down(32);
  for (int i = 0; i < 32; ++i) {
    up[i] = static_cast<uint8_t>(i);
    down[i] = static_cast<uint8_t>(31 - i);
  }
  const std::vector<uint8_t> iscsi_read = {
      0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
      0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  for (auto [name, fn] : Implementations()) {
    SCOPED_TRACE(name);
    EXPECT_EQ(fn(0, zeros), 0x8a9136aau);
    EXPECT_EQ(fn(0, ones), 0x62a8ab43u);
    EXPECT_EQ(fn(0, up), 0x46dd794eu);
    EXPECT_EQ(fn(0, down), 0x113fdb5cu);
    EXPECT_EQ(fn(0, iscsi_read), 0xd9963a56u);
    EXPECT_EQ(fn(0, Bytes("123456789")), 0xe3069283u);
    EXPECT_EQ(fn(0, {}), 0u);
  }
  EXPECT_EQ(Crc32c(Bytes("123456789")), 0xe3069283u);
}

// A bit-at-a-time reference straight from the definition, independent of
// the tables and the instruction.
uint32_t Reference(std::span<const uint8_t> data) {
  uint32_t c = 0xffffffff;
  for (uint8_t b : data) {
    c ^= b;
    for (int i = 0; i < 8; ++i) c = (c >> 1) ^ ((c & 1) ? 0x82f63b78 : 0);
  }
  return ~c;
}

// Every length up to a few words at every alignment, so the head, the
// 8-byte body and the tail loops all run with every split.
TEST(Crc32cTest, MatchesReferenceAtEveryLengthAndAlignment) {
  std::mt19937 rng(7);
  std::vector<uint8_t> buf(300);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  for (auto [name, fn] : Implementations()) {
    SCOPED_TRACE(name);
    for (size_t start = 0; start < 8; ++start) {
      for (size_t len = 0; start + len <= 80; ++len) {
        std::span<const uint8_t> s(buf.data() + start, len);
        ASSERT_EQ(fn(0, s), Reference(s))
            << "start " << start << " len " << len;
      }
    }
    std::span<const uint8_t> all(buf);
    EXPECT_EQ(fn(0, all), Reference(all));
  }
}

TEST(Crc32cTest, ExtendEqualsWhole) {
  std::mt19937 rng(11);
  std::vector<uint8_t> buf(4096 + 13);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  const uint32_t whole = Reference(buf);
  for (auto [name, fn] : Implementations()) {
    SCOPED_TRACE(name);
    for (size_t split : {size_t{0}, size_t{1}, size_t{7}, size_t{8},
                         size_t{1000}, buf.size() - 1, buf.size()}) {
      std::span<const uint8_t> a(buf.data(), split);
      std::span<const uint8_t> b(buf.data() + split, buf.size() - split);
      EXPECT_EQ(fn(fn(0, a), b), whole) << "split " << split;
    }
  }
  EXPECT_EQ(Crc32cExtend(Crc32c(Bytes("hello ")), Bytes("world")),
            Crc32c(Bytes("hello world")));
}

TEST(Crc32cTest, DetectsSingleBitFlips) {
  std::vector<uint8_t> buf(64, 0x5a);
  const uint32_t base = Crc32c(buf);
  for (size_t i = 0; i < buf.size() * 8; ++i) {
    buf[i / 8] ^= static_cast<uint8_t>(1u << (i % 8));
    EXPECT_NE(Crc32c(buf), base) << "bit " << i;
    buf[i / 8] ^= static_cast<uint8_t>(1u << (i % 8));
  }
}

}  // namespace
}  // namespace tend
