#include "tsdb/compact.h"

#include <gtest/gtest.h>

#include <bit>
#include <map>

#include "tsdb/block.h"
#include "tsdb/block_io.h"
#include "tsdb/block_testdata.h"
#include "tsdb/block_writer.h"

namespace tend {
namespace {

constexpr int64_t kH = 3'600'000;
constexpr int64_t kT0 = 1'700'006'400'000;  // A multiple of 6 h.

using SeriesMap = std::map<std::string, std::pair<Labels, std::vector<Point>>>;

// Writes a block over [mint, maxt) holding series "s<i>" for i in ids, one
// sample every `step` ms, value f(series, t).
Result<BlockMeta> Write(const std::string& db, int64_t mint, int64_t maxt,
                        std::vector<int> ids, int64_t step, double offset,
                        SeriesMap* want = nullptr) {
  ASSIGN_OR_RETURN(auto w, BlockWriter::Create(db, mint, maxt));
  std::vector<Labels> labels;
  for (int id : ids) {
    labels.push_back({{"__name__", "m"}, {"s", "s" + std::to_string(id)}});
  }
  std::sort(labels.begin(), labels.end(), [](const Labels& a, const Labels& b) {
    return CompareLabels(a, b) < 0;
  });
  for (const Labels& l : labels) {
    std::vector<Point> pts;
    for (int64_t t = mint; t < maxt; t += step) {
      pts.push_back({t, static_cast<double>(t % 100'000) / 100 + offset});
    }
    RETURN_IF_ERROR(w->AddSeries(l, pts));
    if (want != nullptr) {
      auto& e = (*want)[LabelsToString(l)];
      e.first = l;
      e.second.insert(e.second.end(), pts.begin(), pts.end());
    }
  }
  return w->Finish();
}

SeriesMap ReadBlock(const std::string& dir) {
  SeriesMap out;
  auto b = Block::Open(dir);
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  if (!b.ok()) return out;
  EXPECT_TRUE((*b)->Verify().ok());
  auto q = (*b)->NewQuerier(INT64_MIN, INT64_MAX);
  auto set = (*q)->Select(INT64_MIN, INT64_MAX, {});
  while (set->Next()) {
    auto& e = out[LabelsToString(set->labels())];
    e.first = set->labels();
    EXPECT_TRUE(set->ReadPoints(INT64_MIN, INT64_MAX, &e.second).ok());
  }
  EXPECT_TRUE(set->status().ok());
  return out;
}

void ExpectEqual(const SeriesMap& got, const SeriesMap& want) {
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [k, v] : want) {
    auto it = got.find(k);
    ASSERT_NE(it, got.end()) << k;
    ASSERT_EQ(it->second.second.size(), v.second.size()) << k;
    for (size_t i = 0; i < v.second.size(); ++i) {
      ASSERT_EQ(it->second.second[i].t, v.second[i].t);
      ASSERT_EQ(std::bit_cast<uint64_t>(it->second.second[i].v),
                std::bit_cast<uint64_t>(v.second[i].v));
    }
  }
}

TEST(CompactTest, ThreeAdjacentBlocksBecomeTheirUnion) {
  TempDir tmp;
  SeriesMap want;
  std::vector<std::string> dirs;
  std::vector<BlockMeta> metas;
  // Series come and go between blocks.
  const std::vector<std::vector<int>> ids = {{1, 2, 3}, {2, 3, 4}, {3, 5}};
  for (int i = 0; i < 3; ++i) {
    auto m = Write(tmp.path(), kT0 + 2 * kH * i, kT0 + 2 * kH * (i + 1), ids[i],
                   15'000, 0, &want);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    dirs.push_back(m->dir);
    metas.push_back(*m);
  }
  auto out = CompactBlocks(tmp.path(), dirs);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->min_time, kT0);
  EXPECT_EQ(out->max_time, kT0 + 6 * kH);
  EXPECT_EQ(out->level, 2);
  std::vector<std::string> sources = {metas[0].ulid, metas[1].ulid,
                                      metas[2].ulid};
  std::sort(sources.begin(), sources.end());
  EXPECT_EQ(out->sources, sources);
  uint64_t samples = 0;
  for (const auto& m : metas) samples += m.num_samples;
  EXPECT_EQ(out->num_samples, samples);
  EXPECT_EQ(out->num_series, 5u);
  ExpectEqual(ReadBlock(out->dir), want);

  // A second level: compact the result with another block.
  auto more = Write(tmp.path(), kT0 + 6 * kH, kT0 + 8 * kH, {9}, 60'000, 0);
  ASSERT_TRUE(more.ok());
  std::vector<std::string> again = {out->dir, more->dir};
  auto l3 = CompactBlocks(tmp.path(), again);
  ASSERT_TRUE(l3.ok());
  EXPECT_EQ(l3->level, 3);
  EXPECT_EQ(l3->sources.size(), 4u);
}

TEST(CompactTest, OverlappingBlocksMergeAndDropDuplicateTimes) {
  TempDir tmp;
  // Same range, same series; the second block has a different value at
  // shared timestamps and extra timestamps of its own.
  auto a = Write(tmp.path(), kT0, kT0 + 2 * kH, {1, 2}, 20'000, 0);
  ASSERT_TRUE(a.ok());
  auto b = Write(tmp.path(), kT0 + kH, kT0 + 3 * kH, {2, 3}, 30'000, 0.5);
  ASSERT_TRUE(b.ok());
  ASSERT_LT(a->ulid, b->ulid);
  std::vector<std::string> dirs = {b->dir, a->dir};  // Order does not matter.
  auto out = CompactBlocks(tmp.path(), dirs);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->min_time, kT0);
  EXPECT_EQ(out->max_time, kT0 + 3 * kH);
  auto got = ReadBlock(out->dir);
  ASSERT_EQ(got.size(), 3u);
  const auto& s2 = got[R"(m{s="s2"})"].second;
  std::map<int64_t, double> want;
  for (int64_t t = kT0; t < kT0 + 2 * kH; t += 20'000) {
    want[t] = static_cast<double>(t % 100'000) / 100;
  }
  for (int64_t t = kT0 + kH; t < kT0 + 3 * kH; t += 30'000) {
    want[t] = static_cast<double>(t % 100'000) / 100 + 0.5;  // Newest wins.
  }
  ASSERT_EQ(s2.size(), want.size());
  size_t i = 0;
  for (const auto& [t, v] : want) {
    EXPECT_EQ(s2[i].t, t);
    EXPECT_EQ(s2[i].v, v) << t;
    ++i;
  }
}

TEST(CompactTest, CrashAfterRenameIsRepairedByRemovingCoveredBlocks) {
  TempDir tmp;
  std::vector<std::string> dirs;
  for (int i = 0; i < 3; ++i) {
    auto m = Write(tmp.path(), kT0 + 2 * kH * i, kT0 + 2 * kH * (i + 1), {1},
                   60'000, 0);
    ASSERT_TRUE(m.ok());
    dirs.push_back(m->dir);
  }
  auto out = CompactBlocks(tmp.path(), dirs);
  ASSERT_TRUE(out.ok());
  // The process "dies" here: the inputs are still present beside the new
  // block. An unrelated newer block must survive.
  auto other = Write(tmp.path(), kT0 + 6 * kH, kT0 + 8 * kH, {1}, 60'000, 0);
  ASSERT_TRUE(other.ok());
  auto metas = ListBlocks(tmp.path());
  ASSERT_TRUE(metas.ok());
  ASSERT_EQ(metas->size(), 5u);
  std::vector<std::string> sorted_dirs = dirs;
  std::sort(sorted_dirs.begin(), sorted_dirs.end());
  EXPECT_EQ(FindCoveredBlocks(*metas), sorted_dirs);
  auto removed = RemoveCoveredBlocks(tmp.path());
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, sorted_dirs);
  auto left = ListDirSorted(tmp.path());
  std::vector<std::string> want = {out->ulid, other->ulid};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(*left, want);
  // Idempotent.
  EXPECT_TRUE(RemoveCoveredBlocks(tmp.path())->empty());
}

BlockMeta Meta(std::string dir, int64_t mint, int64_t maxt, int level = 1,
               uint64_t size = 0) {
  BlockMeta m;
  m.ulid = dir;
  m.dir = std::move(dir);
  m.min_time = mint;
  m.max_time = maxt;
  m.level = level;
  m.sources = {m.ulid};
  m.size_bytes = size;
  return m;
}

TEST(CompactTest, FindCoveredBlocksNeedsAStrictlyLargerCover) {
  BlockMeta a = Meta("a", 0, 10), b = Meta("b", 10, 20);
  BlockMeta ab = Meta("ab", 0, 20, 2);
  ab.sources = {"a", "b"};
  BlockMeta a_again = Meta("a2", 0, 10, 2);  // Same sources, higher level.
  a_again.sources = {"a"};
  std::vector<BlockMeta> metas = {a, b};
  EXPECT_TRUE(FindCoveredBlocks(metas).empty());
  metas = {a, b, ab};
  EXPECT_EQ(FindCoveredBlocks(metas), (std::vector<std::string>{"a", "b"}));
  metas = {a, a_again};
  EXPECT_EQ(FindCoveredBlocks(metas), std::vector<std::string>{"a"});
}

TEST(CompactTest, Ranges) {
  EXPECT_EQ(CompactionRanges(15 * 24 * kH),
            (std::vector<int64_t>{2 * kH, 6 * kH, 18 * kH}));
  EXPECT_EQ(CompactionRanges(0), (std::vector<int64_t>{2 * kH, 6 * kH}));
  EXPECT_EQ(CompactionRanges(365 * 24 * kH).back(), 486 * kH);
}

TEST(CompactTest, PlannerFollowsTheLeveledRules) {
  const std::vector<int64_t> ranges = {2 * kH, 6 * kH, 18 * kH};
  std::vector<BlockMeta> metas;
  // Three 2 h blocks filling a 6 h window plus the newest head block.
  for (int i = 0; i < 4; ++i) {
    metas.push_back(Meta("b" + std::to_string(i), kT0 + 2 * kH * i,
                         kT0 + 2 * kH * (i + 1)));
  }
  auto plan = PlanCompaction(metas, ranges);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0], (std::vector<std::string>{"b0", "b1", "b2"}));

  // Two blocks of an unfinished 6 h window: the newest is left out and the
  // other alone is nothing to compact.
  metas.resize(2);
  EXPECT_TRUE(PlanCompaction(metas, ranges).empty());

  // A window that ends before the newest block starts is compacted even
  // with a gap.
  metas = {Meta("x0", kT0, kT0 + 2 * kH),
           Meta("x1", kT0 + 2 * kH, kT0 + 4 * kH),
           Meta("x2", kT0 + 8 * kH, kT0 + 10 * kH)};
  plan = PlanCompaction(metas, ranges);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0], (std::vector<std::string>{"x0", "x1"}));

  // Overlapping blocks come first, whatever else is due.
  metas = {Meta("o0", kT0, kT0 + 2 * kH), Meta("o1", kT0 + kH, kT0 + 3 * kH),
           Meta("o2", kT0 + 3 * kH, kT0 + 4 * kH)};
  plan = PlanCompaction(metas, ranges);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0], (std::vector<std::string>{"o0", "o1"}));

  // Three 6 h blocks fill an 18 h window.
  metas.clear();
  for (int i = 0; i < 3; ++i) {
    metas.push_back(Meta("s" + std::to_string(i), kT0 + 6 * kH * i,
                         kT0 + 6 * kH * (i + 1), 2));
  }
  metas.push_back(Meta("new", kT0 + 18 * kH, kT0 + 20 * kH));
  // kT0 is a multiple of 6 h but not 18 h: align the test to 18 h windows.
  const int64_t base = (kT0 / (18 * kH) + 1) * 18 * kH;
  for (auto& m : metas) {
    m.min_time += base - kT0;
    m.max_time += base - kT0;
  }
  plan = PlanCompaction(metas, ranges);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0], (std::vector<std::string>{"s0", "s1", "s2"}));
  EXPECT_TRUE(PlanCompaction({}, ranges).empty());
}

TEST(CompactTest, RetentionByTimeThenBySize) {
  const int64_t now = kT0 + 100 * kH;
  std::vector<BlockMeta> metas = {
      Meta("new", kT0 + 96 * kH, kT0 + 98 * kH, 1, 100),
      Meta("old", kT0, kT0 + 18 * kH, 3, 1000),
      Meta("mid", kT0 + 18 * kH, kT0 + 36 * kH, 3, 1000),
      Meta("recent", kT0 + 36 * kH, kT0 + 96 * kH, 3, 500),
  };
  // 70 h of retention: limit kT0 + 30 h; only "old" ends before it.
  EXPECT_EQ(*BlocksBeyondRetention(metas, now, 70 * kH, 0),
            std::vector<std::string>{"old"});
  // Size: 2600 bytes in all; at most 1000 keeps "recent" and "new".
  EXPECT_EQ(*BlocksBeyondRetention(metas, now, 0, 1000),
            (std::vector<std::string>{"old", "mid"}));
  // Both limits together; an exact fit stays.
  EXPECT_EQ(*BlocksBeyondRetention(metas, now, 70 * kH, 1600),
            std::vector<std::string>{"old"});
  EXPECT_EQ(*BlocksBeyondRetention(metas, now, 70 * kH, 50),
            (std::vector<std::string>{"old", "mid", "recent", "new"}));
  EXPECT_TRUE(BlocksBeyondRetention(metas, now, 0, 0)->empty());
  // A block ending exactly at the limit is kept (maxTime is exclusive).
  EXPECT_TRUE(BlocksBeyondRetention(metas, now, 82 * kH, 0)->empty());
}

}  // namespace
}  // namespace tend
