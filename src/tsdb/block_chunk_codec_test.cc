#include "tsdb/block_chunk_codec.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>

namespace tend {
namespace {

std::vector<Point> Decode(uint8_t enc, const std::vector<uint8_t>& bytes,
                          const std::vector<Point>& want,
                          const TimeTables* tables, Status* st,
                          int64_t mint = INT64_MIN, int64_t maxt = INT64_MAX) {
  std::vector<std::span<const uint8_t>> spans;
  if (tables != nullptr) {
    for (const auto& t : tables->tables()) spans.emplace_back(t);
  }
  std::vector<Point> out;
  *st = DecodeChunk(enc, bytes, spans, want.front().t, want.back().t, mint,
                    maxt, &out);
  return out;
}

void ExpectBitExact(const std::vector<Point>& got,
                    const std::vector<Point>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].t, want[i].t) << i;
    EXPECT_EQ(std::bit_cast<uint64_t>(got[i].v),
              std::bit_cast<uint64_t>(want[i].v))
        << i;
  }
}

// Encodes with EncodeChunk (with and without tables) and decodes back.
void RoundTrip(const std::vector<Point>& points) {
  for (bool shared : {false, true}) {
    TimeTables tables;
    std::vector<uint8_t> bytes;
    const ChunkEncoding enc =
        EncodeChunk(points, shared ? &tables : nullptr, &bytes);
    Status st;
    auto got = Decode(static_cast<uint8_t>(enc), bytes, points, &tables, &st);
    ASSERT_TRUE(st.ok()) << st.ToString();
    ExpectBitExact(got, points);
  }
}

std::vector<Point> Series(size_t n, double (*f)(size_t)) {
  std::vector<Point> p;
  for (size_t i = 0; i < n; ++i) {
    p.push_back(Point{1'700'000'000'000 + static_cast<int64_t>(i) * 10'000 +
                          (i % 7 == 3 ? 13 : 0),
                      f(i)});
  }
  return p;
}

TEST(BlockChunkCodecTest, SpecialValuesRoundTripBitExactly) {
  const double values[] = {0.0,
                           -0.0,
                           StaleNaN(),
                           std::numeric_limits<double>::quiet_NaN(),
                           std::bit_cast<double>(0x7ff8dead0000beefull),
                           std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity(),
                           std::numeric_limits<double>::denorm_min(),
                           1e308,
                           -1.5,
                           0.1,
                           42};
  std::vector<Point> p;
  for (size_t i = 0; i < std::size(values); ++i) {
    p.push_back(Point{1000 + static_cast<int64_t>(i), values[i]});
  }
  RoundTrip(p);
  // A DEC-eligible run with one stale marker falls back to XOR.
  std::vector<Point> q = Series(120, [](size_t i) { return i * 1.0; });
  q[60].v = StaleNaN();
  std::vector<uint8_t> dec;
  EXPECT_FALSE(EncodeDecChunk(q, &dec));
  RoundTrip(q);
}

TEST(BlockChunkCodecTest, DecimalSeriesChooseDecAndAreSmall) {
  const auto cpu = Series(120, [](size_t i) {
    return static_cast<double>(9'000'000 + i * 937 + (i * i) % 13) / 100.0;
  });
  std::vector<uint8_t> x, best;
  EncodeXorChunk(cpu, &x);
  EXPECT_EQ(EncodeChunk(cpu, nullptr, &best), ChunkEncoding::kDec);
  EXPECT_LT(best.size() * 2, x.size());
  RoundTrip(cpu);

  // A constant: with its (jittered) times in a shared table, a few bytes.
  const auto constant = Series(120, [](size_t) { return 1.0; });
  TimeTables tables;
  best.clear();
  EXPECT_EQ(EncodeChunk(constant, &tables, &best),
            ChunkEncoding::kDecSharedTimes);
  EXPECT_LT(best.size(), 8u);
  RoundTrip(constant);

  // Negative, scaled and with large jumps (a counter reset).
  RoundTrip(
      Series(120, [](size_t i) { return -0.25 * static_cast<double>(i); }));
  RoundTrip(Series(120, [](size_t i) {
    return i == 50 ? 0.0 : 1e15 + static_cast<double>(i) * 4096;
  }));
  RoundTrip(Series(1, [](size_t) { return 3.14; }));
  RoundTrip(Series(2, [](size_t i) { return 3.14 * static_cast<double>(i); }));
  RoundTrip(Series(3, [](size_t i) { return static_cast<double>(i) / 1e9; }));
}

TEST(BlockChunkCodecTest, RandomValuesRoundTrip) {
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 300; ++iter) {
    const size_t n = 1 + rng() % 200;
    std::vector<Point> p;
    int64_t t = static_cast<int64_t>(rng() % 1'000'000'000'000);
    for (size_t i = 0; i < n; ++i) {
      t += 1 + static_cast<int64_t>(rng() % (iter % 3 == 0 ? 5 : 100'000));
      double v;
      switch (iter % 4) {
        case 0:
          v = std::bit_cast<double>(rng());
          break;
        case 1:
          v = static_cast<double>(static_cast<int64_t>(rng() % 2'000'000) -
                                  1'000'000) /
              1000.0;
          break;
        case 2:
          v = static_cast<double>(rng() >> 11);
          break;
        default:
          v = static_cast<double>(rng() % 100) / 7.0;
      }
      p.push_back(Point{t, v});
    }
    RoundTrip(p);
  }
}

TEST(BlockChunkCodecTest, DecodeKeepsOnlyTheRange) {
  const auto p = Series(100, [](size_t i) { return static_cast<double>(i); });
  for (bool dec : {false, true}) {
    std::vector<uint8_t> bytes;
    if (dec) {
      ASSERT_TRUE(EncodeDecChunk(p, &bytes));
    } else {
      EncodeXorChunk(p, &bytes);
    }
    Status st;
    auto got = Decode(dec ? 2 : 1, bytes, p, nullptr, &st, p[10].t, p[19].t);
    ASSERT_TRUE(st.ok());
    ExpectBitExact(got, std::vector<Point>(p.begin() + 10, p.begin() + 20));
  }
}

TEST(BlockChunkCodecTest, DamageIsDataLossNeverACrash) {
  const auto p =
      Series(120, [](size_t i) { return static_cast<double>(i) / 4; });
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(EncodeDecChunk(p, &bytes));
  Status st;
  // Every truncation fails cleanly.
  for (size_t len = 0; len < bytes.size(); ++len) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + len);
    Decode(2, cut, p, nullptr, &st);
    EXPECT_EQ(st.code(), StatusCode::kDataLoss) << len;
    EXPECT_FALSE(st.message().empty());
  }
  // Every single-byte flip either fails or decodes to something; never
  // crashes (ASan/UBSan watch).
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (uint8_t mask : {0x01, 0x80, 0xff}) {
      std::vector<uint8_t> bad = bytes;
      bad[i] ^= mask;
      Decode(2, bad, p, nullptr, &st);
      if (!st.ok()) {
        EXPECT_EQ(st.code(), StatusCode::kDataLoss);
      }
    }
  }
  Decode(9, bytes, p, nullptr, &st);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_NE(st.message().find("unknown chunk encoding 9"), std::string::npos);
  // The index disagreeing about the last time is caught.
  std::vector<Point> out;
  st = DecodeChunk(2, bytes, {}, p.front().t, p.back().t + 1, INT64_MIN,
                   INT64_MAX, &out);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  // A shared-times chunk naming a table that does not exist.
  TimeTables tables;
  bytes.clear();
  ASSERT_EQ(EncodeChunk(p, &tables, &bytes), ChunkEncoding::kDecSharedTimes);
  st = DecodeChunk(3, bytes, {}, p.front().t, p.back().t, INT64_MIN, INT64_MAX,
                   &out);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_NE(st.message().find("time table 0 does not exist"), std::string::npos)
      << st.message();
}

TEST(BlockChunkCodecTest, SeriesWithEqualTimesShareOneTable) {
  TimeTables tables;
  std::vector<uint8_t> a, b;
  const auto p1 = Series(120, [](size_t i) { return static_cast<double>(i); });
  const auto p2 =
      Series(120, [](size_t i) { return static_cast<double>(i * i); });
  EXPECT_EQ(EncodeChunk(p1, &tables, &a), ChunkEncoding::kDecSharedTimes);
  EXPECT_EQ(EncodeChunk(p2, &tables, &b), ChunkEncoding::kDecSharedTimes);
  EXPECT_EQ(tables.tables().size(), 1u);
  Status st;
  ExpectBitExact(Decode(3, b, p2, &tables, &st), p2);
  EXPECT_TRUE(st.ok());
}

}  // namespace
}  // namespace tend
