#include "tsdb/block_verify.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "tsdb/block_encoding.h"
#include "tsdb/block_io.h"
#include "tsdb/block_testdata.h"
#include "tsdb/block_writer.h"

namespace tend {
namespace {

constexpr int64_t kMint = 1'700'000'000'000;
constexpr int64_t kMaxt = kMint + 3'600'000;
constexpr int kMetrics = 3;
constexpr int kPerMetric = 20;
constexpr int kPoints = 300;  // 3 chunks of 100 at the writer's 120 limit.

// 60 series, names metric_0..2, each with idx (and for some a mode label),
// 300 samples at 10 s.
Result<BlockMeta> WriteBlock(const std::string& db,
                             BlockWriterOptions options = {}) {
  std::vector<std::pair<Labels, std::vector<Point>>> data;
  for (int m = 0; m < kMetrics; ++m) {
    for (int i = 0; i < kPerMetric; ++i) {
      Labels ls = {{"__name__", "metric_" + std::to_string(m)},
                   {"idx", std::to_string(100 + i)}};
      if (i % 4 == 0) ls.push_back({"mode", i % 8 ? "user" : "idle"});
      CanonicalizeLabels(&ls);
      std::vector<Point> pts;
      for (int k = 0; k < kPoints; ++k) {
        pts.push_back({kMint + k * 10'000, m * 1000.0 + i + k * 0.25});
      }
      data.emplace_back(std::move(ls), std::move(pts));
    }
  }
  std::sort(data.begin(), data.end(), [](const auto& a, const auto& b) {
    return CompareLabels(a.first, b.first) < 0;
  });
  ASSIGN_OR_RETURN(auto w, BlockWriter::Create(db, kMint, kMaxt, options));
  for (const auto& [ls, pts] : data) RETURN_IF_ERROR(w->AddSeries(ls, pts));
  return w->Finish();
}

std::string ReadBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << bytes;
}

uint64_t Be64(const std::string& b, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = v << 8 | static_cast<uint8_t>(b[at + i]);
  return v;
}

void PutBe32(std::string* b, size_t at, uint32_t v) {
  for (size_t i = 0; i < 4; ++i) {
    (*b)[at + i] = static_cast<char>(v >> (24 - 8 * i));
  }
}

uint32_t Crc(const std::string& b, size_t at, size_t n) {
  return Crc32c(std::span(reinterpret_cast<const uint8_t*>(b.data()) + at, n));
}

TEST(BlockVerifyTest, IntactBlockPassesWithItsFigures) {
  TempDir tmp;
  auto meta = WriteBlock(tmp.path());
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  auto st = VerifyBlock(meta->dir);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->meta.ulid, meta->ulid);
  EXPECT_EQ(st->series, uint64_t{kMetrics * kPerMetric});
  EXPECT_EQ(st->samples, uint64_t{kMetrics * kPerMetric * kPoints});
  EXPECT_EQ(st->chunks, meta->num_chunks);
  EXPECT_GE(st->chunks, st->series);
  // Every series has __name__ and idx; every 4th a mode.
  const uint64_t pairs = kMetrics * (2 * kPerMetric + kPerMetric / 4);
  EXPECT_EQ(st->postings_entries, pairs);
  // 3 names + 20 idx values + 2 modes.
  EXPECT_EQ(st->postings_lists, uint64_t{kMetrics + kPerMetric + 2});
  EXPECT_EQ(st->chunk_segments, 1u);
  EXPECT_GT(st->chunk_bytes, 8u);
}

TEST(BlockVerifyTest, SeveralChunkSegmentsPass) {
  TempDir tmp;
  BlockWriterOptions o;
  o.segment_bytes = 200;  // A few series per segment.
  auto meta = WriteBlock(tmp.path(), o);
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  auto st = VerifyBlock(meta->dir);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_GT(st->chunk_segments, 3u);
}

TEST(BlockVerifyTest, BytesAfterTheLastGroupAreReported) {
  TempDir tmp;
  auto meta = WriteBlock(tmp.path());
  ASSERT_TRUE(meta.ok());
  const std::string seg = JoinPath(meta->dir, "chunks/000001");
  const std::string good = ReadBytes(seg);
  WriteBytes(seg, good + std::string(5, 'x'));
  auto st = VerifyBlock(meta->dir);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(st.status().message().find(seg + " at offset " +
                                       std::to_string(good.size()) +
                                       ": 5 bytes after the last chunk group"),
            std::string::npos)
      << st.status().message();
}

TEST(BlockVerifyTest, SegmentNothingRefersToIsReported) {
  TempDir tmp;
  auto meta = WriteBlock(tmp.path());
  ASSERT_TRUE(meta.ok());
  // A valid header only: opening accepts it, no series uses it.
  const std::string first = ReadBytes(JoinPath(meta->dir, "chunks/000001"));
  const std::string extra = JoinPath(meta->dir, "chunks/000002");
  WriteBytes(extra, first.substr(0, 8));
  auto st = VerifyBlock(meta->dir);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.status().message().find(
                extra + ": no series refers to this chunk segment"),
            std::string::npos)
      << st.status().message();
}

TEST(BlockVerifyTest, FlippedChunkByteNamesTheSegmentAndOffset) {
  TempDir tmp;
  auto meta = WriteBlock(tmp.path());
  ASSERT_TRUE(meta.ok());
  const std::string seg = JoinPath(meta->dir, "chunks/000001");
  std::string bad = ReadBytes(seg);
  bad[bad.size() / 2] ^= 0x04;
  WriteBytes(seg, bad);
  auto st = VerifyBlock(meta->dir);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(st.status().message().find(seg + " at offset "), std::string::npos)
      << st.status().message();
  EXPECT_NE(st.status().message().find("checksum mismatch"), std::string::npos)
      << st.status().message();
}

// A postings list that names the wrong series, with every checksum
// recomputed so that only the cross-check can notice.
TEST(BlockVerifyTest, PostingsNamingTheWrongSeriesAreReported) {
  TempDir tmp;
  auto meta = WriteBlock(tmp.path());
  ASSERT_TRUE(meta.ok());
  const std::string path = JoinPath(meta->dir, "index");
  std::string b = ReadBytes(path);
  const size_t toc = b.size() - 104;
  const size_t postings_entry = toc + 3 * 20;
  const uint64_t off = Be64(b, postings_entry);
  const uint64_t len = Be64(b, postings_entry + 8);
  // The first list is __name__="metric_0": series 0..19, written as count
  // 20, first id 0, then deltas of 1. Start it at 25 (a metric_1 series).
  ASSERT_EQ(b[off], kPerMetric);
  ASSERT_EQ(b[off + 1], 0);
  b[off + 1] = 25;
  PutBe32(&b, postings_entry + 16, Crc(b, off, len));
  PutBe32(&b, b.size() - 4, Crc(b, toc, 100));
  WriteBytes(path, b);
  auto st = VerifyBlock(meta->dir);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(st.status().message().find(
                path + ": postings of __name__=\"metric_0\" list series 25"),
            std::string::npos)
      << st.status().message();
}

TEST(BlockVerifyTest, DamagedIndexAndMissingFilesFail) {
  TempDir tmp;
  auto meta = WriteBlock(tmp.path());
  ASSERT_TRUE(meta.ok());
  const std::string path = JoinPath(meta->dir, "index");
  const std::string good = ReadBytes(path);
  std::string bad = good;
  bad[good.size() / 3] ^= 0x01;
  WriteBytes(path, bad);
  auto st = VerifyBlock(meta->dir);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(st.status().message().find(path), std::string::npos)
      << st.status().message();

  WriteBytes(path, good);
  ASSERT_TRUE(VerifyBlock(meta->dir).ok());
  ASSERT_EQ(::unlink(path.c_str()), 0);
  st = VerifyBlock(meta->dir);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.status().message().find("index"), std::string::npos)
      << st.status().message();
  EXPECT_FALSE(VerifyBlock(tmp.path() + "/no-such-block").ok());
}

}  // namespace
}  // namespace tend
