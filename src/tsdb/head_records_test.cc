#include "tsdb/head_records.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <vector>

#include "model/point.h"

namespace tend {
namespace {

Labels L(std::initializer_list<std::pair<const char*, const char*>> kv) {
  Labels out;
  for (const auto& [k, v] : kv) out.push_back({k, v});
  return out;
}

TEST(HeadRecords, SeriesRoundTrip) {
  std::vector<RefSeries> in = {
      {1, L({{"__name__", "up"}, {"job", "node"}})},
      {7, L({{"a", "x"}})},
      {std::numeric_limits<uint64_t>::max(),
       L({{"z", std::string(300, 'q').c_str()}})},
  };
  std::vector<uint8_t> buf;
  EncodeSeriesRecord(in, &buf);
  EXPECT_EQ(buf[0], 1);
  ASSERT_EQ(*DecodeRecordType(buf), HeadRecordType::kSeries);
  std::vector<RefSeries> out;
  ASSERT_TRUE(DecodeSeriesRecord(buf, &out).ok());
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].ref, in[i].ref);
    EXPECT_EQ(out[i].labels, in[i].labels);
  }
}

TEST(HeadRecords, SamplesRoundTripBitExact) {
  std::vector<RefSample> in = {
      {5, 1000, 1.5},
      {6, 1000, StaleNaN()},
      {2, -5, std::bit_cast<double>(uint64_t{0x7ff8000000000123})},
      {std::numeric_limits<uint64_t>::max(),
       std::numeric_limits<int64_t>::max(), -0.0},
      {1, std::numeric_limits<int64_t>::min(),
       std::numeric_limits<double>::infinity()},
  };
  std::vector<uint8_t> buf;
  EncodeSamplesRecord(in, &buf);
  std::vector<RefSample> out;
  ASSERT_TRUE(DecodeSamplesRecord(buf, &out).ok());
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].ref, in[i].ref);
    EXPECT_EQ(out[i].t, in[i].t);
    EXPECT_EQ(std::bit_cast<uint64_t>(out[i].v),
              std::bit_cast<uint64_t>(in[i].v));
  }
}

TEST(HeadRecords, SamplesOfOneCycleCostTenBytes) {
  std::vector<RefSample> in;
  for (uint64_t r = 100; r < 1100; ++r) in.push_back({r, 1764092400000, 3.0});
  std::vector<uint8_t> buf;
  EncodeSamplesRecord(in, &buf);
  // Type, count, then the first sample's absolute ref and t (a few bytes).
  EXPECT_LE(buf.size(), 1000u * 10 + 16);
}

TEST(HeadRecords, ChunkRoundTrip) {
  std::vector<uint8_t> chunk = {0, 1, 2, 3, 4};
  std::vector<uint8_t> buf;
  EncodeChunkRecord(42, chunk, &buf);
  RefChunk out;
  ASSERT_TRUE(DecodeChunkRecord(buf, &out).ok());
  EXPECT_EQ(out.ref, 42u);
  EXPECT_EQ(std::vector<uint8_t>(out.chunk.begin(), out.chunk.end()), chunk);
}

TEST(HeadRecords, EveryTruncationOfAValidRecordIsAnError) {
  std::vector<uint8_t> series_buf, samples_buf, chunk_buf;
  std::vector<RefSeries> series = {{3, L({{"__name__", "m"}, {"k", "v"}})}};
  EncodeSeriesRecord(series, &series_buf);
  std::vector<RefSample> samples = {{3, 10, 1.0}, {4, 20, 2.0}};
  EncodeSamplesRecord(samples, &samples_buf);
  std::vector<uint8_t> c = {9, 9, 9};
  EncodeChunkRecord(3, c, &chunk_buf);
  std::vector<RefSeries> so;
  std::vector<RefSample> sa;
  RefChunk ch;
  for (size_t n = 0; n < series_buf.size(); ++n) {
    Status st = DecodeSeriesRecord(std::span(series_buf).first(n), &so);
    EXPECT_EQ(st.code(), StatusCode::kDataLoss) << n;
    EXPECT_FALSE(st.message().empty());
  }
  for (size_t n = 0; n < samples_buf.size(); ++n) {
    EXPECT_EQ(DecodeSamplesRecord(std::span(samples_buf).first(n), &sa).code(),
              StatusCode::kDataLoss)
        << n;
  }
  for (size_t n = 0; n < chunk_buf.size(); ++n) {
    EXPECT_EQ(DecodeChunkRecord(std::span(chunk_buf).first(n), &ch).code(),
              StatusCode::kDataLoss)
        << n;
  }
  // Trailing bytes are an error too.
  series_buf.push_back(0);
  EXPECT_EQ(DecodeSeriesRecord(series_buf, &so).code(), StatusCode::kDataLoss);
  samples_buf.push_back(0);
  EXPECT_EQ(DecodeSamplesRecord(samples_buf, &sa).code(),
            StatusCode::kDataLoss);
}

TEST(HeadRecords, RejectsInvalidContent) {
  std::vector<uint8_t> buf;
  std::vector<RefSeries> out;
  // Unsorted labels.
  EncodeSeriesRecord(std::vector<RefSeries>{{1, L({{"b", "1"}, {"a", "2"}})}},
                     &buf);
  Status st = DecodeSeriesRecord(buf, &out);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_NE(st.message().find("entry 0"), std::string::npos) << st.message();
  // Invalid label name and metric name.
  EncodeSeriesRecord(std::vector<RefSeries>{{1, L({{"1a", "x"}})}}, &buf);
  EXPECT_FALSE(DecodeSeriesRecord(buf, &out).ok());
  EncodeSeriesRecord(std::vector<RefSeries>{{1, L({{"__name__", "a-b"}})}},
                     &buf);
  EXPECT_FALSE(DecodeSeriesRecord(buf, &out).ok());
  // Ref 0.
  EncodeSeriesRecord(std::vector<RefSeries>{{0, L({{"a", "x"}})}}, &buf);
  EXPECT_FALSE(DecodeSeriesRecord(buf, &out).ok());
  // Unknown type, empty record.
  std::vector<uint8_t> bad = {9, 1, 2};
  EXPECT_EQ(DecodeRecordType(bad).status().code(), StatusCode::kDataLoss);
  EXPECT_FALSE(DecodeRecordType({}).ok());
  // A forged count far beyond the record's size.
  std::vector<uint8_t> forged = {2, 0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0};
  std::vector<RefSample> samples;
  st = DecodeSamplesRecord(forged, &samples);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_NE(st.message().find("exceeds"), std::string::npos) << st.message();
}

TEST(HeadRecords, ValidateSeriesLabels) {
  EXPECT_TRUE(
      ValidateSeriesLabels(L({{"__name__", "a:b_c"}, {"x", "1"}})).ok());
  EXPECT_EQ(ValidateSeriesLabels({}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateSeriesLabels(L({{"__name__", "9x"}})).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateSeriesLabels(L({{"a.b", "x"}})).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateSeriesLabels(L({{"a", "x"}, {"a", "y"}})).code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tend
