#include "tsdb/db.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tsdb/block_writer.h"
#include "tsdb/compact.h"

namespace tend {
namespace {

constexpr int64_t kHour = 3600 * 1000;

class DbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tend-db-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  DbOptions Options() {
    DbOptions o;
    o.wal_fsync = WalFsync::kNever;
    return o;
  }

  // Appends m{i="0".."n-1"} every 10 s over [from, to).
  void Fill(Db* db, int n, int64_t from, int64_t to) {
    for (int64_t t = from; t < to; t += 10000) {
      auto app = db->head()->NewAppender();
      for (int i = 0; i < n; ++i) {
        auto r = app->Append(0, {{"__name__", "m"}, {"i", std::to_string(i)}},
                             t, static_cast<double>(t) / 1000 + i);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
      }
      ASSERT_TRUE(app->Commit().ok());
    }
  }

  // Every point of m{i="0"} in [mint, maxt].
  std::vector<Point> Read(Db* db, int64_t mint, int64_t maxt) {
    auto q = db->NewQuerier(mint, maxt);
    EXPECT_TRUE(q.ok());
    auto set = (*q)->Select(mint, maxt, {LabelMatcher::Equal("i", "0")});
    std::vector<Point> out;
    while (set->Next()) EXPECT_TRUE(set->ReadPoints(mint, maxt, &out).ok());
    EXPECT_TRUE(set->status().ok());
    return out;
  }

  std::string dir_;
};

TEST_F(DbTest, CutsBlocksTruncatesHeadAndQueriesAcrossBoth) {
  auto db = Db::Open(dir_, Options());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Fill(db->get(), 5, 0, 5 * kHour);
  ASSERT_TRUE((*db)->Maintain(5 * kHour).ok());
  DbStats st = (*db)->stats();
  // The head spanned 5h: [0,2h) is due; after it the head spans 3h minus
  // one step, under the 1.5x rule, so [2h,5h) stays in memory.
  EXPECT_EQ(st.blocks_cut, 1u);
  EXPECT_GE(st.head.min_time, 2 * kHour);
  std::vector<Point> pts = Read(db->get(), 0, 5 * kHour);
  ASSERT_EQ(pts.size(), 5u * 360);
  for (size_t i = 0; i < pts.size(); ++i) {
    ASSERT_EQ(pts[i].t, static_cast<int64_t>(i) * 10000);
    ASSERT_EQ(pts[i].v, static_cast<double>(pts[i].t) / 1000);
  }
}

TEST_F(DbTest, ReopenKeepsBlocksAndWalAndRejectsOldSamples) {
  {
    auto db = Db::Open(dir_, Options());
    ASSERT_TRUE(db.ok());
    Fill(db->get(), 3, 0, 4 * kHour);
    ASSERT_TRUE((*db)->Maintain(4 * kHour).ok());
    ASSERT_EQ((*db)->stats().num_blocks, 1u);
  }
  auto db = Db::Open(dir_, Options());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ((*db)->stats().num_blocks, 1u);
  EXPECT_EQ(Read(db->get(), 0, 4 * kHour).size(), 4u * 360);
  // A sample inside the persisted block's range is refused.
  auto app = (*db)->head()->NewAppender();
  EXPECT_FALSE(app->Append(0, {{"__name__", "m"}, {"i", "0"}}, kHour, 1).ok());
}

TEST_F(DbTest, ReadOnlyOpenWritesNothing) {
  {
    auto db = Db::Open(dir_, Options());
    ASSERT_TRUE(db.ok());
    Fill(db->get(), 2, 0, kHour);
  }
  auto listing = [&] {
    std::vector<std::string> v;
    for (auto& e : std::filesystem::recursive_directory_iterator(dir_)) {
      v.push_back(e.path().string() + ":" +
                  (e.is_regular_file() ? std::to_string(e.file_size()) : ""));
    }
    std::sort(v.begin(), v.end());
    return v;
  };
  auto before = listing();
  DbOptions o = Options();
  o.read_only = true;
  auto db = Db::Open(dir_, o);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ(Read(db->get(), 0, kHour).size(), 360u);
  EXPECT_FALSE((*db)->Maintain(kHour).ok());
  db->reset();
  EXPECT_EQ(listing(), before);
  EXPECT_EQ(Db::Open(dir_ + "/missing", o).status().code(),
            StatusCode::kNotFound);
}

TEST_F(DbTest, CompactsAndAppliesRetention) {
  DbOptions o = Options();
  o.retention_ms = 10 * kHour;
  auto db = Db::Open(dir_, o);
  ASSERT_TRUE(db.ok());
  Fill(db->get(), 2, 0, 9 * kHour);
  ASSERT_TRUE((*db)->CutAllBlocks().ok());
  ASSERT_TRUE((*db)->Maintain(9 * kHour).ok());
  DbStats st = (*db)->stats();
  EXPECT_GE(st.compactions, 1u);
  EXPECT_EQ(Read(db->get(), 0, 9 * kHour).size(), 9u * 360);
  // Far in the future, everything is past retention.
  ASSERT_TRUE((*db)->Maintain(100 * kHour).ok());
  EXPECT_EQ((*db)->stats().num_blocks, 0u);
  EXPECT_GE((*db)->stats().blocks_deleted, 1u);
}

TEST_F(DbTest, PicksUpBlocksWrittenBesideIt) {
  auto db = Db::Open(dir_, Options());
  ASSERT_TRUE(db.ok());
  {
    // Another store (an import) writes a block into the same directory.
    auto w = BlockWriter::Create(dir_, 0, 2 * kHour);
    ASSERT_TRUE(w.ok());
    std::vector<Point> pts = {{1000, 1}, {2000, 2}};
    ASSERT_TRUE((*w)->AddSeries({{"__name__", "m"}, {"i", "0"}}, pts).ok());
    ASSERT_TRUE((*w)->Finish().ok());
  }
  EXPECT_TRUE(Read(db->get(), 0, kHour).empty());
  ASSERT_TRUE((*db)->LoadNewBlocks().ok());
  EXPECT_EQ(Read(db->get(), 0, kHour).size(), 2u);
}

}  // namespace
}  // namespace tend
