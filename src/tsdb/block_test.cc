#include "tsdb/block.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <bit>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>

#include "tsdb/block_io.h"
#include "tsdb/block_testdata.h"
#include "tsdb/block_writer.h"

namespace tend {
namespace {

constexpr int64_t kMint = 1'700'000'000'000;
constexpr int64_t kMaxt = kMint + 7'200'000;

struct Data {
  Labels labels;
  std::vector<Point> points;
};

// 60 series over 3 metrics, 720 samples each at 10 s (6 chunks), with a few
// special values.
std::vector<Data> MakeData() {
  std::vector<Data> data;
  for (int m = 0; m < 3; ++m) {
    for (int i = 0; i < 20; ++i) {
      Data d;
      d.labels = {{"__name__", "metric_" + std::to_string(m)},
                  {"instance", "host-" + std::to_string(i % 5)},
                  {"idx", std::to_string(i)}};
      if (i % 3 == 0) d.labels.push_back({"mode", i % 2 ? "user" : "idle"});
      CanonicalizeLabels(&d.labels);
      for (int k = 0; k < 720; ++k) {
        double v = m == 0   ? k * 1.5
                   : m == 1 ? std::sin(k * 0.1 + i)
                            : static_cast<double>(i);
        d.points.push_back(Point{kMint + k * 10'000, v});
      }
      data.push_back(std::move(d));
    }
  }
  data[5].points[100].v = StaleNaN();
  data[5].points[101].v = std::numeric_limits<double>::quiet_NaN();
  data[5].points[102].v = std::numeric_limits<double>::infinity();
  data[5].points[103].v = -std::numeric_limits<double>::infinity();
  data[5].points[104].v = -0.0;
  data[5].points[105].v = std::bit_cast<double>(0x7ff0000000abcdefull);
  std::sort(data.begin(), data.end(), [](const Data& a, const Data& b) {
    return CompareLabels(a.labels, b.labels) < 0;
  });
  return data;
}

Result<BlockMeta> WriteBlock(const std::string& db,
                             const std::vector<Data>& data,
                             int64_t mint = kMint, int64_t maxt = kMaxt) {
  ASSIGN_OR_RETURN(auto w, BlockWriter::Create(db, mint, maxt));
  for (const Data& d : data) RETURN_IF_ERROR(w->AddSeries(d.labels, d.points));
  return w->Finish();
}

std::map<std::string, std::vector<Point>> ReadAll(Queryable& q, int64_t mint,
                                                  int64_t maxt,
                                                  const Matchers& ms = {}) {
  std::map<std::string, std::vector<Point>> out;
  auto querier = q.NewQuerier(mint, maxt);
  EXPECT_TRUE(querier.ok());
  auto set = (*querier)->Select(mint, maxt, ms);
  Labels prev;
  while (set->Next()) {
    EXPECT_TRUE(prev.empty() || CompareLabels(prev, set->labels()) < 0);
    prev = set->labels();
    auto& pts = out[LabelsToString(set->labels())];
    EXPECT_TRUE(set->ReadPoints(mint, maxt, &pts).ok());
  }
  EXPECT_TRUE(set->status().ok()) << set->status().ToString();
  return out;
}

void ExpectSame(const std::vector<Point>& got, const std::vector<Point>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].t, want[i].t);
    ASSERT_EQ(std::bit_cast<uint64_t>(got[i].v),
              std::bit_cast<uint64_t>(want[i].v))
        << i;
  }
}

TEST(BlockTest, WriteReadRoundTrip) {
  TempDir tmp;
  const auto data = MakeData();
  auto meta = WriteBlock(tmp.path(), data);
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  EXPECT_EQ(meta->num_series, 60u);
  EXPECT_EQ(meta->num_samples, 60u * 720);
  EXPECT_EQ(meta->num_chunks, 60u * 6);
  EXPECT_EQ(meta->level, 1);
  EXPECT_EQ(meta->sources, std::vector<std::string>{meta->ulid});
  EXPECT_EQ(meta->dir, JoinPath(tmp.path(), meta->ulid));

  auto block = Block::Open(meta->dir);
  ASSERT_TRUE(block.ok()) << block.status().ToString();
  EXPECT_EQ((*block)->meta().ulid, meta->ulid);
  EXPECT_EQ((*block)->size_bytes(), meta->size_bytes);
  EXPECT_GT((*block)->size_bytes(), 0u);
  ASSERT_TRUE((*block)->Verify().ok()) << (*block)->Verify().ToString();

  auto all = ReadAll(**block, kMint, kMaxt);
  ASSERT_EQ(all.size(), data.size());
  for (const Data& d : data)
    ExpectSame(all[LabelsToString(d.labels)], d.points);

  // A sub-range decodes only what overlaps and returns exactly the range.
  const int64_t lo = kMint + 1'000'005, hi = kMint + 2'000'000;
  auto part = ReadAll(**block, lo, hi);
  for (const Data& d : data) {
    std::vector<Point> want;
    for (const Point& p : d.points) {
      if (p.t >= lo && p.t <= hi) want.push_back(p);
    }
    ExpectSame(part[LabelsToString(d.labels)], want);
  }
  // Outside the block: nothing.
  EXPECT_TRUE(ReadAll(**block, kMaxt, kMaxt + 1000).empty());
  EXPECT_TRUE(ReadAll(**block, 0, kMint - 1).empty());
}

TEST(BlockTest, SelectWithEveryMatcherTypeAndLabelQueries) {
  TempDir tmp;
  const auto data = MakeData();
  auto meta = WriteBlock(tmp.path(), data);
  ASSERT_TRUE(meta.ok());
  auto block = Block::Open(meta->dir);
  ASSERT_TRUE(block.ok());
  using T = LabelMatcher::Type;
  const std::vector<std::vector<std::tuple<T, std::string, std::string>>>
      cases = {{{T::kEqual, "__name__", "metric_1"}},
               {{T::kEqual, "__name__", "metric_1"},
                {T::kEqual, "instance", "host-2"}},
               {{T::kNotEqual, "instance", "host-2"}},
               {{T::kRegexMatch, "idx", "1.*"},
                {T::kRegexNoMatch, "__name__", "metric_0"}},
               {{T::kEqual, "mode", ""}},
               {{T::kNotEqual, "mode", ""}, {T::kRegexMatch, "mode", "us.*"}},
               {{T::kRegexNoMatch, "mode", "idle"}},
               {{T::kEqual, "__name__", "nope"}}};
  for (const auto& terms : cases) {
    Matchers ms;
    for (const auto& [t, n, v] : terms)
      ms.push_back(*LabelMatcher::Create(t, n, v));
    std::set<std::string> want;
    for (const Data& d : data) {
      if (MatchesAll(ms, d.labels)) want.insert(LabelsToString(d.labels));
    }
    std::set<std::string> got;
    for (const auto& [k, v] : ReadAll(**block, kMint, kMaxt, ms)) got.insert(k);
    EXPECT_EQ(got, want) << ms[0].ToString();
  }
  auto q = (*block)->NewQuerier(kMint, kMaxt);
  ASSERT_TRUE(q.ok());
  auto names = (*q)->LabelNames({});
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names,
            (std::vector<std::string>{"__name__", "idx", "instance", "mode"}));
  auto modes = (*q)->LabelValues("mode", {});
  ASSERT_TRUE(modes.ok());
  EXPECT_EQ(*modes, (std::vector<std::string>{"idle", "user"}));
  auto filtered =
      (*q)->LabelValues("instance", {LabelMatcher::Equal("idx", "7")});
  ASSERT_TRUE(filtered.ok());
  EXPECT_EQ(*filtered, std::vector<std::string>{"host-2"});
  auto names2 = (*q)->LabelNames({LabelMatcher::Equal("idx", "1")});
  ASSERT_TRUE(names2.ok());
  EXPECT_EQ(*names2, (std::vector<std::string>{"__name__", "idx", "instance"}));
}

TEST(BlockTest, SeriesWithoutSamplesInRangeAreNotSelected) {
  TempDir tmp;
  // One chunk from kMint to kMint + 1 h with a gap in the middle.
  std::vector<Point> pts;
  for (int k = 0; k < 50; ++k) pts.push_back({kMint + k * 1000, 1.0 * k});
  for (int k = 0; k < 50; ++k)
    pts.push_back({kMint + 3'000'000 + k * 1000, 2.0});
  auto w = BlockWriter::Create(tmp.path(), kMint, kMaxt);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->AddSeries({{"__name__", "gap"}}, pts).ok());
  auto meta = (*w)->Finish();
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->num_chunks, 1u);
  auto block = Block::Open(meta->dir);
  ASSERT_TRUE(block.ok());
  EXPECT_TRUE(ReadAll(**block, kMint + 100'000, kMint + 2'000'000).empty());
  EXPECT_EQ(ReadAll(**block, kMint + 100'000, kMint + 3'000'000).size(), 1u);
}

TEST(BlockTest, ChunksAreEvenAndNeverCrossTheBlockEnd) {
  TempDir tmp;
  std::vector<Point> pts;
  for (int k = 0; k < 250; ++k) pts.push_back({kMaxt - 250 + k, 1.0 * k});
  auto w = BlockWriter::Create(tmp.path(), kMint, kMaxt);
  ASSERT_TRUE(w.ok());
  // A sample at maxt (exclusive) belongs to the next block.
  std::vector<Point> over = pts;
  over.push_back({kMaxt, 1.0});
  Status st = (*w)->AddSeries({{"a", "b"}}, over);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("outside the block range"), std::string::npos);
  ASSERT_TRUE((*w)->AddSeries({{"a", "b"}}, pts).ok());
  auto meta = (*w)->Finish();
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->num_chunks, 3u);  // 250 = 84 + 83 + 83.
  auto block = Block::Open(meta->dir);
  ASSERT_TRUE(block.ok());
  ASSERT_TRUE((*block)->Verify().ok());
  auto all = ReadAll(**block, kMint, kMaxt + 10);
  ExpectSame(all.begin()->second, pts);
}

TEST(BlockTest, WriterRejectsBadInput) {
  TempDir tmp;
  EXPECT_FALSE(BlockWriter::Create(tmp.path(), 10, 10).ok());
  auto w = BlockWriter::Create(tmp.path(), 0, 1000);
  ASSERT_TRUE(w.ok());
  const std::vector<Point> pts = {{1, 1}, {2, 2}};
  ASSERT_TRUE((*w)->AddSeries({{"a", "2"}}, pts).ok());
  EXPECT_EQ((*w)->AddSeries({{"a", "1"}}, pts).code(),
            StatusCode::kInvalidArgument);  // Out of order.
  EXPECT_EQ((*w)->AddSeries({{"a", "2"}}, pts).code(),
            StatusCode::kInvalidArgument);  // Twice.
  EXPECT_EQ((*w)->AddSeries({{"b", "1"}, {"a", "3"}}, pts).code(),
            StatusCode::kInvalidArgument);  // Not canonical.
  const std::vector<Point> backwards = {{5, 1}, {5, 2}};
  EXPECT_EQ((*w)->AddSeries({{"a", "3"}}, backwards).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE((*w)->AddSeries({{"a", "4"}}, {}).ok());  // Empty: skipped.
  auto meta = (*w)->Finish();
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->num_series, 1u);
  EXPECT_FALSE((*w)->Finish().ok());
}

TEST(BlockTest, AbandonedWriterAndLeftoverTempDirsAreRemoved) {
  TempDir tmp;
  {
    auto w = BlockWriter::Create(tmp.path(), 0, 1000);
    ASSERT_TRUE(w.ok());
    const std::vector<Point> pts = {{1, 1}};
    ASSERT_TRUE((*w)->AddSeries({{"a", "1"}}, pts).ok());
    auto names = ListDirSorted(tmp.path());
    ASSERT_EQ(names->size(), 1u);
    EXPECT_TRUE((*names)[0].ends_with(".tmp"));
  }
  EXPECT_TRUE(ListDirSorted(tmp.path())->empty());
  // A crash mid-write leaves <id>.tmp; the opener deletes it.
  const std::string leftover = JoinPath(tmp.path(), NewUlid(1) + ".tmp");
  ASSERT_EQ(::mkdir(leftover.c_str(), 0750), 0);
  ASSERT_EQ(::mkdir(JoinPath(leftover, "chunks").c_str(), 0750), 0);
  std::ofstream(JoinPath(leftover, "chunks/000001")) << "partial";
  auto meta = WriteBlock(tmp.path(), MakeData());
  ASSERT_TRUE(meta.ok());
  ASSERT_TRUE(CleanupTempBlocks(tmp.path()).ok());
  EXPECT_EQ(*ListDirSorted(tmp.path()), std::vector<std::string>{meta->ulid});
  EXPECT_TRUE(CleanupTempBlocks(JoinPath(tmp.path(), "missing")).ok());
}

TEST(BlockTest, QuerierOutlivesBlock) {
  TempDir tmp;
  const auto data = MakeData();
  auto meta = WriteBlock(tmp.path(), data);
  ASSERT_TRUE(meta.ok());
  auto block = Block::Open(meta->dir);
  ASSERT_TRUE(block.ok());
  auto q = (*block)->NewQuerier(kMint, kMaxt);
  ASSERT_TRUE(q.ok());
  block->reset();
  ASSERT_TRUE(RemoveAll(meta->dir).ok());
  auto set = (*q)->Select(kMint, kMaxt, {LabelMatcher::Equal("idx", "3")});
  size_t n = 0;
  std::vector<Point> pts;
  while (set->Next()) {
    ASSERT_TRUE(set->ReadPoints(kMint, kMaxt, &pts).ok());
    ++n;
  }
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(pts.size(), 3u * 720);
}

std::string ReadFileBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}
void WriteFileBytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << bytes;
}

// Reads everything through a freshly opened block; returns the first error.
Status OpenAndReadAll(const std::string& dir) {
  ASSIGN_OR_RETURN(auto block, Block::Open(dir));
  ASSIGN_OR_RETURN(auto q, block->NewQuerier(kMint, kMaxt));
  auto set = q->Select(kMint, kMaxt, {});
  std::vector<Point> pts;
  while (set->Next()) RETURN_IF_ERROR(set->ReadPoints(kMint, kMaxt, &pts));
  RETURN_IF_ERROR(set->status());
  return block->Verify();
}

TEST(BlockTest, CorruptFilesGiveDataLossNamingTheFile) {
  TempDir tmp;
  auto meta = WriteBlock(tmp.path(), MakeData());
  ASSERT_TRUE(meta.ok());
  for (const char* file : {"index", "chunks/000001", "meta.json"}) {
    const std::string path = JoinPath(meta->dir, file);
    const std::string good = ReadFileBytes(path);
    ASSERT_FALSE(good.empty());
    std::vector<std::pair<std::string, std::string>> damaged;
    // Truncations and byte flips spread over the file.
    for (size_t cut :
         {size_t{0}, size_t{3}, good.size() / 2, good.size() - 3}) {
      damaged.emplace_back("truncated to " + std::to_string(cut),
                           good.substr(0, cut));
    }
    if (std::string_view(file) != "meta.json") {
      for (int k = 0; k < 25; ++k) {
        const size_t at = good.size() * k / 25 + 1;
        std::string bad = good;
        bad[at] ^= 0x10;
        damaged.emplace_back("flip at " + std::to_string(at), bad);
      }
    } else {
      // meta.json has no checksum: damage its structure and its rules.
      std::string bad = good;
      bad[0] = '[';
      damaged.emplace_back("not an object", bad);
      bad = good;
      bad.replace(bad.find("\"version\": 1"), 12, "\"version\": 7");
      damaged.emplace_back("version", bad);
      bad = good;
      bad.replace(bad.find(meta->ulid), 26, NewUlid(5));
      damaged.emplace_back("other id", bad);
    }
    for (const auto& [what, bytes] : damaged) {
      WriteFileBytes(path, bytes);
      Status st = OpenAndReadAll(meta->dir);
      ASSERT_FALSE(st.ok()) << file << " " << what;
      EXPECT_EQ(st.code(), StatusCode::kDataLoss)
          << file << " " << what << ": " << st.ToString();
      EXPECT_NE(st.message().find(path), std::string::npos)
          << file << " " << what << ": " << st.ToString();
    }
    WriteFileBytes(path, good);
    ASSERT_TRUE(OpenAndReadAll(meta->dir).ok());
  }
  // A flipped chunk byte names the segment and the group's offset.
  const std::string seg = JoinPath(meta->dir, "chunks/000001");
  std::string bad = ReadFileBytes(seg);
  bad[100] ^= 1;
  WriteFileBytes(seg, bad);
  Status st = OpenAndReadAll(meta->dir);
  EXPECT_NE(st.message().find("000001 at offset "), std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("checksum mismatch"), std::string::npos)
      << st.message();
  // Missing files.
  ASSERT_EQ(::unlink(JoinPath(meta->dir, "index").c_str()), 0);
  EXPECT_FALSE(Block::Open(meta->dir).ok());
}

}  // namespace
}  // namespace tend
