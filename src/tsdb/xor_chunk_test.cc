#include "tsdb/xor_chunk.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace tend {
namespace {

using ::testing::HasSubstr;

struct Sample {
  int64_t t;
  double v;
};

// Compares values by bit pattern, so NaN payloads and -0.0 count.
void ExpectSameSamples(const std::vector<Sample>& got,
                       const std::vector<Sample>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].t, want[i].t) << "sample " << i;
    EXPECT_EQ(std::bit_cast<uint64_t>(got[i].v),
              std::bit_cast<uint64_t>(want[i].v))
        << "sample " << i << ": got " << got[i].v << " want " << want[i].v;
  }
}

XorChunk Encode(const std::vector<Sample>& samples) {
  XorChunk c;
  for (const Sample& s : samples) {
    Status st = c.Append(s.t, s.v);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  return c;
}

std::vector<Sample> Decode(std::span<const uint8_t> bytes, Status* status) {
  std::vector<Sample> out;
  XorIterator it(bytes);
  while (it.Next()) out.push_back({it.t(), it.v()});
  *status = it.status();
  return out;
}

void ExpectRoundTrip(const std::vector<Sample>& samples) {
  XorChunk c = Encode(samples);
  EXPECT_EQ(c.num_samples(), samples.size());
  Status st;
  std::vector<Sample> got = Decode(c.bytes(), &st);
  EXPECT_TRUE(st.ok()) << st.ToString();
  ExpectSameSamples(got, samples);
}

// Series shapes. Each uses its own fixed seed so failures reproduce.
std::vector<Sample> Series(const std::string& shape, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Sample> out;
  int64_t t = 1'764'092'400'000;  // 2025-11-25, in ms.
  double v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (shape == "constant") {
      t += 15'000;
      v = 42.5;
    } else if (shape == "counter") {
      t += 1'000;
      v += static_cast<double>(rng() % 5000);
    } else if (shape == "gauge") {
      t += 10'000;
      std::normal_distribution<double> noise(0, 3.7);
      v = 1000.0 + noise(rng);
    } else if (shape == "irregular") {
      t += 1 + static_cast<int64_t>(rng() % 200'000);
      v = static_cast<double>(rng() % 100) / 7.0;
    } else if (shape == "huge_deltas") {
      t += 1 + static_cast<int64_t>(rng() % (int64_t{1} << 52));
      v = std::bit_cast<double>(rng() & 0x7fef'ffff'ffff'ffff);
    } else if (shape == "negative") {
      t = i == 0 ? -5'000'000 : t + 1 + static_cast<int64_t>(rng() % 3000);
      v = -static_cast<double>(i) * 0.1;
    } else {
      ADD_FAILURE() << "unknown shape " << shape;
    }
    out.push_back({t, v});
  }
  return out;
}

TEST(XorChunkTest, EmptyChunkIsJustTheHeader) {
  XorChunk c;
  EXPECT_EQ(c.bytes(), (std::vector<uint8_t>{0, 0}));
  EXPECT_EQ(c.num_samples(), 0u);
  XorIterator it(c.bytes());
  EXPECT_FALSE(it.Next());
  EXPECT_TRUE(it.status().ok());
}

TEST(XorChunkTest, RandomSeriesRoundTrip) {
  for (const char* shape : {"constant", "counter", "gauge", "irregular",
                            "huge_deltas", "negative"}) {
    SCOPED_TRACE(shape);
    for (size_t n : {1u, 2u, 3u, 120u, 1000u}) {
      SCOPED_TRACE(n);
      ExpectRoundTrip(Series(shape, n, 7 + n));
    }
  }
}

TEST(XorChunkTest, DeltaOfDeltaBucketEdgesRoundTrip) {
  // Deltas whose delta-of-delta sits on and next to every bucket boundary.
  std::vector<int64_t> dods = {0, 1, -1};
  for (int bits : {14, 17, 20}) {
    int64_t half = int64_t{1} << (bits - 1);
    for (int64_t d :
         {half - 1, half, half + 1, -(half - 1), -half, -(half + 1)}) {
      dods.push_back(d);
    }
  }
  dods.push_back(int64_t{1} << 40);
  dods.push_back(-(int64_t{1} << 40));
  std::vector<Sample> samples = {{0, 1}, {int64_t{1} << 41, 2}};
  int64_t delta = int64_t{1} << 41;
  for (int64_t dod : dods) {
    delta += dod;
    samples.push_back({samples.back().t + delta, 3});
    // Return to the base delta so every dod is tried from the same place.
    delta -= dod;
    samples.push_back({samples.back().t + delta, 4});
  }
  ExpectRoundTrip(samples);
}

TEST(XorChunkTest, ExtremeTimestampsRoundTrip) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  // The deltas here overflow int64; the format works modulo 2^64.
  ExpectRoundTrip({{kMin, 1}, {kMax, 2}});
  ExpectRoundTrip({{kMin, 1}, {kMin + 1, 2}, {kMax - 1, 3}, {kMax, 4}});
  ExpectRoundTrip({{-1, 1}, {0, 1}, {1, 1}, {kMax, 1}});
}

TEST(XorChunkTest, SpecialValuesRoundTripBitExactly) {
  const double kInf = std::numeric_limits<double>::infinity();
  const double kStale = std::bit_cast<double>(uint64_t{0x7ff0000000000002});
  const double kQuietNaN = std::numeric_limits<double>::quiet_NaN();
  const double kNegNaN = std::bit_cast<double>(uint64_t{0xfff8000000000001});
  const double kDenorm = std::numeric_limits<double>::denorm_min();
  const std::vector<double> values = {kStale,
                                      1.0,
                                      kStale,
                                      kStale,
                                      kQuietNaN,
                                      kNegNaN,
                                      kInf,
                                      -kInf,
                                      -0.0,
                                      0.0,
                                      -0.0,
                                      kDenorm,
                                      -kDenorm,
                                      std::numeric_limits<double>::max(),
                                      std::numeric_limits<double>::lowest(),
                                      kStale};
  std::vector<Sample> samples;
  int64_t t = 1000;
  for (double v : values) samples.push_back({t += 1000, v});
  ExpectRoundTrip(samples);
  // Each special value also as the first (raw) sample.
  for (double v : values) ExpectRoundTrip({{5, v}, {6, v}, {7, 0.5}});
}

TEST(XorChunkTest, OutOfOrderAppendIsRejectedAndChangesNothing) {
  XorChunk c;
  ASSERT_TRUE(c.Append(1000, 1).ok());
  ASSERT_TRUE(c.Append(2000, 2).ok());
  const std::vector<uint8_t> before = c.bytes();

  Status same = c.Append(2000, 3);
  EXPECT_EQ(same.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(same.message(), HasSubstr("2000"));
  EXPECT_EQ(c.Append(1999, 3).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(c.Append(std::numeric_limits<int64_t>::min(), 3).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(c.bytes(), before);
  EXPECT_EQ(c.num_samples(), 2u);

  // The chunk still appends and decodes as if nothing happened.
  ASSERT_TRUE(c.Append(3000, 3).ok());
  Status st;
  ExpectSameSamples(Decode(c.bytes(), &st), {{1000, 1}, {2000, 2}, {3000, 3}});
  EXPECT_TRUE(st.ok());
}

TEST(XorChunkTest, FullChunkRejectsAppend) {
  XorChunk c;
  for (size_t i = 0; i < XorChunk::kMaxSamples; ++i) {
    ASSERT_TRUE(c.Append(static_cast<int64_t>(i), 1.0).ok());
  }
  const size_t size = c.bytes().size();
  EXPECT_EQ(c.Append(1'000'000, 1.0).code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(c.bytes().size(), size);
  EXPECT_EQ(c.bytes()[0], 0xff);
  EXPECT_EQ(c.bytes()[1], 0xff);
  XorIterator it(c.bytes());
  size_t n = 0;
  while (it.Next()) ++n;
  EXPECT_TRUE(it.status().ok());
  EXPECT_EQ(n, XorChunk::kMaxSamples);
}

// The example worked through in docs/formats/xor-chunk.md, derived by hand
// from the layout there.
TEST(XorChunkTest, GoldenBytes) {
  XorChunk c = Encode({{1000, 1.0}, {2000, 1.0}, {3010, 2.0}});
  const std::vector<uint8_t> want = {
      0x00, 0x03,                                      // 3 samples
      0xd0, 0x0f,                                      // t0 = 1000, varint
      0x3f, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // v0 = 1.0
      0xe8, 0x07,                                      // delta 1000, uvarint
      0x40, 0x05, 0x61, 0x2f, 0xff, 0x80};             // bit-packed rest
  EXPECT_EQ(c.bytes(), want);
  Status st;
  ExpectSameSamples(Decode(want, &st), {{1000, 1.0}, {2000, 1.0}, {3010, 2.0}});
  EXPECT_TRUE(st.ok());
}

TEST(XorChunkTest, EveryTruncationIsDataLoss) {
  std::vector<Sample> samples = Series("counter", 120, 1);
  samples[50].v = std::bit_cast<double>(uint64_t{0x7ff0000000000002});
  samples[70].t += 123'456;
  for (size_t i = 71; i < samples.size(); ++i) samples[i].t += 123'456;
  XorChunk c = Encode(samples);
  const std::vector<uint8_t>& bytes = c.bytes();
  for (size_t len = 0; len < bytes.size(); ++len) {
    SCOPED_TRACE(len);
    // An exact-size heap copy, so ASan catches any read past the end.
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + len);
    Status st;
    std::vector<Sample> got = Decode(cut, &st);
    EXPECT_EQ(st.code(), StatusCode::kDataLoss);
    EXPECT_THAT(st.message(), HasSubstr("xor chunk"));
    if (len >= 2) {
      EXPECT_THAT(st.message(),
                  HasSubstr("sample " + std::to_string(got.size()) + " of"));
    }
    // What was decoded before the damage is right.
    ASSERT_LT(got.size(), samples.size());
    ExpectSameSamples(got, std::vector<Sample>(samples.begin(),
                                               samples.begin() + got.size()));
  }
}

TEST(XorChunkTest, CorruptedBytesNeverCrash) {
  XorChunk c = Encode(Series("gauge", 120, 3));
  int errors = 0;
  for (size_t i = 2; i < c.bytes().size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::vector<uint8_t> bad = c.bytes();
      bad[i] ^= static_cast<uint8_t>(1u << bit);
      Status st;
      std::vector<Sample> got = Decode(bad, &st);
      EXPECT_LE(got.size(), 120u);
      if (!st.ok()) {
        ++errors;
        EXPECT_EQ(st.code(), StatusCode::kDataLoss);
      }
    }
  }
  // A bit flip changes at least the bit layout of everything after it; most
  // flips must surface as errors.
  EXPECT_GT(errors, 0);
  // A header that counts more samples than the data holds.
  std::vector<uint8_t> more = c.bytes();
  more[0] = 0x01;
  Status st;
  Decode(more, &st);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_THAT(st.message(), HasSubstr("of 376"));
}

TEST(XorChunkTest, RejectsHandMadeCorruption) {
  Status st;
  // Second sample with a zero delta.
  Decode(std::vector<uint8_t>{0x00, 0x02, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00,
                              0x00},
         &st);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_THAT(st.message(), HasSubstr("sample 1 of 2"));
  EXPECT_THAT(st.message(), HasSubstr("does not increase"));

  // Second value '10' (reuse a window) before any window exists.
  Decode(std::vector<uint8_t>{0x00, 0x02, 0x00, 0,    0,    0,    0,    0,
                              0,    0,    0,    0x01, 0x80, 0xff, 0xff, 0xff,
                              0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
         &st);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_THAT(st.message(), HasSubstr("before any was set"));

  // '11' with 31 leading and 40 significant bits.
  // 11 11111 101000 -> 1111 1111 0100 0xxx
  Decode(std::vector<uint8_t>{0x00, 0x02, 0x00, 0,    0,    0,    0,
                              0,    0,    0,    0,    0x01, 0xff, 0x40,
                              0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
         &st);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_THAT(st.message(), HasSubstr("exceeds 64 bits"));
}

// Bytes per sample of a 120-sample chunk of 1 s samples of a counter whose
// increments are drawn from `increment`; timestamps are regular except for
// an occasional few-millisecond scrape jitter on every `jitter_every`-th
// sample on average (0: none).
template <typename Increment>
double BytesPerSample(double start, Increment increment, int jitter_every) {
  std::mt19937_64 rng(2026);
  std::vector<Sample> samples;
  int64_t t = 1'764'092'400'000;
  double v = start;
  for (int i = 0; i < 120; ++i) {
    t += 1000;
    int64_t jitter = 0;
    if (jitter_every > 0 && rng() % jitter_every == 0) {
      jitter = static_cast<int64_t>(rng() % 5);
    }
    v += increment(rng);
    samples.push_back({t + jitter, v});
  }
  XorChunk c = Encode(samples);
  Status st;
  ExpectSameSamples(Decode(c.bytes(), &st), samples);
  EXPECT_TRUE(st.ok());
  return static_cast<double>(c.bytes().size()) / 120.0;
}

TEST(XorChunkTest, RealisticCounterIsUnderTwoBytesPerSample) {
  // A request counter of a lightly loaded service: about 1.2 million so
  // far, Poisson arrivals at 5 per second, 1 s scrapes with some jitter.
  std::poisson_distribution<int> arrivals(5.0);
  double per_sample = BytesPerSample(
      1.2e6, [&](std::mt19937_64& rng) { return arrivals(rng); }, 20);
  std::printf("request counter: %.3f bytes/sample\n", per_sample);
  EXPECT_LT(per_sample, 2.0);
}

TEST(XorChunkTest, BusyByteCounterStaysCompact) {
  // A network byte counter near 3.2e9 growing by up to 4 KiB per second:
  // random low bits cost about 3 bytes per sample, still far below the 16
  // bytes of a raw pair.
  double per_sample = BytesPerSample(
      3.2e9,
      [](std::mt19937_64& rng) { return static_cast<double>(rng() % 4096); },
      20);
  std::printf("byte counter: %.3f bytes/sample\n", per_sample);
  EXPECT_LT(per_sample, 4.0);
}

}  // namespace
}  // namespace tend
