#include "logs/store/log_format.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tend::logs {
namespace {

TEST(LogFormat, BlockMetaRoundTrips) {
  BlockMeta m;
  m.stream_id = 7;
  m.lines = 3;
  m.mint = -5;
  m.maxt = 1'700'000'000'000'000'000;
  m.raw_bytes = 100;
  m.codec = 1;
  m.bloom = {1, 2, 0xffffffffffffffffULL};
  std::string enc;
  EncodeBlockMeta(m, &enc);
  auto back = DecodeBlockMeta(enc);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->stream_id, 7u);
  EXPECT_EQ(back->mint, -5);
  EXPECT_EQ(back->maxt, m.maxt);
  EXPECT_EQ(back->bloom, m.bloom);
  // Every truncation is refused.
  for (size_t n = 0; n < enc.size(); ++n) {
    EXPECT_FALSE(DecodeBlockMeta(enc.substr(0, n)).ok()) << n;
  }
}

TEST(LogFormat, LinesRoundTripOutOfOrder) {
  const std::vector<std::pair<int64_t, std::string>> in = {
      {100, "first"}, {50, ""}, {100, "third\nwith newline"}, {75, "x"}};
  std::string raw;
  int64_t prev = 50;
  for (const auto& [t, l] : in) {
    AppendLine(prev, t, l, &raw);
    prev = t;
  }
  BlockMeta m;
  m.lines = 4;
  m.mint = 50;
  m.maxt = 100;
  m.raw_bytes = static_cast<uint32_t>(raw.size());
  std::string z;
  Compress(raw, 1, &z);
  ASSERT_FALSE(z.empty());
  m.codec = 1;
  std::string back;
  ASSERT_TRUE(Decompress(m, z, &back).ok());
  ASSERT_EQ(back, raw);
  std::vector<LineRef> lines;
  ASSERT_TRUE(DecodeLines(m, back, &lines).ok());
  ASSERT_EQ(lines.size(), 4u);
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(lines[i].t, in[i].first);
    EXPECT_EQ(lines[i].line, in[i].second);
  }
  // Truncated or wrongly counted data fails with DataLoss.
  lines.clear();
  EXPECT_EQ(DecodeLines(m, back.substr(0, back.size() - 1), &lines).code(),
            StatusCode::kDataLoss);
  m.lines = 3;
  lines.clear();
  EXPECT_EQ(DecodeLines(m, back, &lines).code(), StatusCode::kDataLoss);
  // A time outside [mint, maxt] is refused.
  m.lines = 4;
  m.maxt = 99;
  lines.clear();
  EXPECT_FALSE(DecodeLines(m, back, &lines).ok());
}

TEST(LogFormat, RecordHeaderChecks) {
  std::string rec;
  AppendRecord(RecordType::kStream, "meta", "", &rec);
  ASSERT_EQ(rec.size(), kRecordHeaderSize + 4);
  const auto* p = reinterpret_cast<const uint8_t*>(rec.data());
  auto h = ParseRecordHeader(p);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->type, RecordType::kStream);
  EXPECT_EQ(h->meta_len, 4u);
  EXPECT_TRUE(MetaCrcOk(p, "meta", h->meta_crc));
  EXPECT_FALSE(MetaCrcOk(p, "mETA", h->meta_crc));
  rec[0] = 9;
  EXPECT_FALSE(ParseRecordHeader(p).ok());
  rec[0] = 1;
  rec[2] = 1;
  EXPECT_FALSE(ParseRecordHeader(p).ok());
}

TEST(LogFormat, StreamMetaRejectsNonCanonical) {
  std::string enc;
  EncodeStreamMeta(3, {{"b", "1"}, {"a", "2"}}, &enc);
  uint32_t id;
  Labels l;
  EXPECT_FALSE(DecodeStreamMeta(enc, &id, &l).ok());
  enc.clear();
  EncodeStreamMeta(3, {{"a", "2"}, {"b", "1"}}, &enc);
  ASSERT_TRUE(DecodeStreamMeta(enc, &id, &l).ok());
  EXPECT_EQ(id, 3u);
  EXPECT_EQ(l, (Labels{{"a", "2"}, {"b", "1"}}));
}

}  // namespace
}  // namespace tend::logs
