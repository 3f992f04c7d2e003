#include "tsdb/importer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tsdb/block.h"
#include "tsdb/merge_queryable.h"

namespace tend {
namespace {

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tend-import-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  size_t BlockDirs() {
    size_t n = 0;
    for (auto& e : std::filesystem::directory_iterator(dir_)) {
      n += e.is_directory() ? 1 : 0;
    }
    return n;
  }

  std::string dir_;
};

TEST_F(ImporterTest, WritesOneBlockPerWindowWithEverySample) {
  // Two series every 30 min over 5 h: windows [0,2h) [2h,4h) [4h,6h).
  std::string text = "# TYPE c counter\n";
  for (int i = 0; i <= 10; ++i) {
    text += "c_total{a=\"x\"} " + std::to_string(i) + " " +
            std::to_string(i * 1800) + "\n";
  }
  text += "# TYPE g gauge\n";
  for (int i = 0; i <= 10; ++i) {
    text += "g " + std::to_string(i * 0.5) + " " + std::to_string(i * 1800) +
            ".5\n";
  }
  text += "# EOF\n";
  auto r = ImportExposition(text, "in.om", dir_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->series, 2u);
  EXPECT_EQ(r->samples, 22u);
  EXPECT_EQ(r->min_time, 0);
  EXPECT_EQ(r->max_time, 18000500);
  ASSERT_EQ(r->blocks.size(), 3u);
  std::vector<std::unique_ptr<Block>> blocks;
  std::vector<Queryable*> qs;
  uint64_t total = 0;
  for (const BlockMeta& m : r->blocks) {
    auto b = Block::Open(m.dir);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    total += (*b)->meta().num_samples;
    qs.push_back(b->get());
    blocks.push_back(std::move(*b));
  }
  EXPECT_EQ(total, 22u);
  MergeQueryable all(qs);
  auto q = all.NewQuerier(0, 100000000);
  ASSERT_TRUE(q.ok());
  auto set = (*q)->Select(0, 100000000, {LabelMatcher::Equal("__name__", "g")});
  ASSERT_TRUE(set->Next());
  std::vector<Point> pts;
  ASSERT_TRUE(set->ReadPoints(0, 100000000, &pts).ok());
  ASSERT_EQ(pts.size(), 11u);
  EXPECT_EQ(pts[3], (Point{3 * 1800000 + 500, 1.5}));
}

TEST_F(ImporterTest, MissingTimestampFailsNamingTheLineAndWritesNothing) {
  auto r = ImportExposition("a 1 10\nb 2\n", "in.om", dir_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("in.om:2:"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(BlockDirs(), 0u);
}

TEST_F(ImporterTest, OutOfOrderFailsAndWritesNothing) {
  auto r = ImportExposition("a 1 10\na 2 5\n", "x", dir_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("x:2:"), std::string::npos);
  EXPECT_NE(r.status().message().find("time order"), std::string::npos);
  EXPECT_EQ(BlockDirs(), 0u);
}

TEST_F(ImporterTest, EmptyInputWritesNoBlock) {
  auto r = ImportExposition("# EOF\n", "x", dir_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->samples, 0u);
  EXPECT_EQ(BlockDirs(), 0u);
}

}  // namespace
}  // namespace tend
