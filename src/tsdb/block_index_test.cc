#include "tsdb/block_index.h"

#include <gtest/gtest.h>

#include <random>

namespace tend {
namespace {

std::vector<IndexSeries> MakeSeries() {
  std::vector<IndexSeries> series;
  for (int job = 0; job < 3; ++job) {
    for (int i = 0; i < 5; ++i) {
      IndexSeries s;
      s.labels = {{"__name__", "m" + std::to_string(job)},
                  {"i", std::to_string(i)}};
      if (i % 2 == 0) s.labels.push_back({"even", "yes"});
      CanonicalizeLabels(&s.labels);
      s.group = {1, static_cast<uint64_t>(8 + 100 * series.size()), 100};
      s.chunks = {{1000 + i, 2000 + i}, {2010 + i, 5000}};
      series.push_back(std::move(s));
    }
  }
  std::sort(series.begin(), series.end(), [](const auto& a, const auto& b) {
    return CompareLabels(a.labels, b.labels) < 0;
  });
  return series;
}

TEST(BlockIndexTest, RoundTrip) {
  const auto series = MakeSeries();
  const std::vector<std::vector<uint8_t>> tables = {{1, 2, 3}, {}};
  const auto bytes = BuildIndex(series, 500, tables);
  auto r = IndexReader::Open(bytes, "idx");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ((*r)->num_series(), series.size());
  ASSERT_EQ((*r)->time_tables().size(), 2u);
  EXPECT_EQ((*r)->time_tables()[0].size(), 3u);
  for (uint32_t id = 0; id < series.size(); ++id) {
    Labels labels;
    ChunkGroupRef ref;
    std::vector<ChunkMeta> chunks;
    ASSERT_TRUE((*r)->ReadSeries(id, 500, &labels, &ref, &chunks).ok());
    EXPECT_EQ(labels, series[id].labels);
    EXPECT_EQ(ref.offset, series[id].group.offset);
    EXPECT_EQ(ref.length, 100u);
    ASSERT_EQ(chunks.size(), 2u);
    EXPECT_EQ(chunks[0].mint, series[id].chunks[0].mint);
    EXPECT_EQ(chunks[1].maxt, 5000);
  }
  EXPECT_EQ((*r)->LabelNames(),
            (std::vector<std::string>{"__name__", "even", "i"}));
  EXPECT_EQ((*r)->LabelValues("__name__"),
            (std::vector<std::string>{"m0", "m1", "m2"}));
  EXPECT_TRUE((*r)->LabelValues("nope").empty());
}

// Checks Select against a brute-force scan for matchers of every type.
TEST(BlockIndexTest, SelectMatchesBruteForce) {
  const auto series = MakeSeries();
  const auto bytes = BuildIndex(series, 0, {});
  auto r = IndexReader::Open(bytes, "idx");
  ASSERT_TRUE(r.ok());
  using T = LabelMatcher::Type;
  const std::vector<std::tuple<T, std::string, std::string>> terms = {
      {T::kEqual, "__name__", "m1"},
      {T::kEqual, "even", ""},
      {T::kEqual, "even", "yes"},
      {T::kEqual, "nope", ""},
      {T::kEqual, "nope", "x"},
      {T::kNotEqual, "i", "3"},
      {T::kNotEqual, "even", ""},
      {T::kRegexMatch, "i", "[0-2]"},
      {T::kRegexMatch, "even", ".*"},
      {T::kRegexMatch, "even", "no|"},
      {T::kRegexNoMatch, "__name__", "m0|m2"},
      {T::kRegexNoMatch, "even", ".+"},
      {T::kRegexNoMatch, "i", ""}};
  std::vector<LabelMatcher> all;
  for (const auto& [t, n, v] : terms) {
    auto m = LabelMatcher::Create(t, n, v);
    ASSERT_TRUE(m.ok());
    all.push_back(*m);
  }
  for (size_t a = 0; a <= all.size(); ++a) {
    for (size_t b = a; b <= all.size(); ++b) {
      Matchers ms;
      if (a < all.size()) ms.push_back(all[a]);
      if (b < all.size() && b != a) ms.push_back(all[b]);
      std::vector<uint32_t> want, got;
      for (uint32_t id = 0; id < series.size(); ++id) {
        if (MatchesAll(ms, series[id].labels)) want.push_back(id);
      }
      ASSERT_TRUE((*r)->Select(ms, &got).ok());
      EXPECT_EQ(got, want) << (a < all.size() ? all[a].ToString() : "") << " "
                           << (b < all.size() ? all[b].ToString() : "");
    }
  }
}

TEST(BlockIndexTest, DamageGivesDataLossNamingFileAndOffset) {
  const std::vector<std::vector<uint8_t>> tables = {{7, 7}};
  const auto bytes = BuildIndex(MakeSeries(), 0, tables);
  for (size_t len = 0; len < bytes.size(); ++len) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + len);
    auto r = IndexReader::Open(cut, "blk/index");
    ASSERT_FALSE(r.ok()) << len;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
    EXPECT_EQ(r.status().message().rfind("blk/index at offset ", 0), 0u)
        << r.status().message();
  }
  // Every flipped byte is caught by a checksum (or the magic/version).
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::vector<uint8_t> bad = bytes;
    bad[i] ^= 0x20;
    auto r = IndexReader::Open(bad, "blk/index");
    ASSERT_FALSE(r.ok()) << i;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  }
  std::vector<uint8_t> bad = bytes;
  bad[20] ^= 1;
  auto r = IndexReader::Open(bad, "blk/index");
  EXPECT_NE(r.status().message().find("checksum mismatch"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace tend
