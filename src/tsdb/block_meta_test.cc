#include "tsdb/block_meta.h"

#include <gtest/gtest.h>

#include <set>

namespace tend {
namespace {

TEST(UlidTest, FormatSortsByTimeAndIsUnique) {
  std::set<std::string> seen;
  std::string prev;
  for (int64_t t : {int64_t{0}, int64_t{1}, int64_t{1'700'000'000'000},
                    int64_t{1'700'000'000'001}, (int64_t{1} << 48) - 1}) {
    const std::string id = NewUlid(t);
    EXPECT_TRUE(IsValidUlid(id)) << id;
    EXPECT_EQ(id.size(), 26u);
    EXPECT_EQ(UlidTime(id), t);
    EXPECT_LT(prev, id);
    prev = id;
    EXPECT_TRUE(seen.insert(id).second);
  }
  for (int i = 0; i < 1000; ++i) {
    EXPECT_TRUE(seen.insert(NewUlid(5)).second);
  }
  EXPECT_FALSE(IsValidUlid("01ARZ3NDEKTSV4RRFFQ69G5FA"));   // 25 chars.
  EXPECT_FALSE(IsValidUlid("81ARZ3NDEKTSV4RRFFQ69G5FAV"));  // > 128 bits.
  EXPECT_FALSE(IsValidUlid("01ARZ3NDEKTSV4RRFFQ69G5FAU"));  // U excluded.
  EXPECT_TRUE(IsValidUlid("01ARZ3NDEKTSV4RRFFQ69G5FAV"));
}

BlockMeta SampleMeta() {
  BlockMeta m;
  m.ulid = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
  m.min_time = 1000;
  m.max_time = 7'201'000;
  m.num_samples = 12;
  m.num_series = 3;
  m.num_chunks = 4;
  m.level = 2;
  m.sources = {"01ARZ3NDEKTSV4RRFFQ69G5FAA", "01ARZ3NDEKTSV4RRFFQ69G5FAV"};
  return m;
}

TEST(BlockMetaTest, JsonRoundTrip) {
  const BlockMeta m = SampleMeta();
  const std::string json = BlockMetaToJson(m);
  EXPECT_NE(json.find("\"minTime\": 1000"), std::string::npos) << json;
  auto back = ParseBlockMeta(json, "x/meta.json");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ulid, m.ulid);
  EXPECT_EQ(back->min_time, m.min_time);
  EXPECT_EQ(back->max_time, m.max_time);
  EXPECT_EQ(back->num_samples, m.num_samples);
  EXPECT_EQ(back->num_series, m.num_series);
  EXPECT_EQ(back->num_chunks, m.num_chunks);
  EXPECT_EQ(back->level, m.level);
  EXPECT_EQ(back->sources, m.sources);
  EXPECT_EQ(back->version, 1);
}

TEST(BlockMetaTest, RejectsBadMetaWithClearErrors) {
  const std::string good = BlockMetaToJson(SampleMeta());
  auto replace = [&](std::string from, std::string to) {
    std::string s = good;
    const size_t pos = s.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    return s.replace(pos, from.size(), to);
  };
  const std::pair<std::string, std::string> cases[] = {
      {"{oops", "not valid JSON"},
      {"[]", "not a JSON object"},
      {replace("\"version\": 1", "\"version\": 2"), "unsupported version 2"},
      {replace("\"minTime\": 1000", "\"minTime\": 9000000"),
       "is not before maxTime"},
      {replace("\"minTime\": 1000", "\"minTime\": \"a\""), "not an integer"},
      {replace("\"numSeries\": 3", "\"numSeries\": -3"), "negative"},
      {replace("\"level\": 2", "\"level\": 0"), "out of range"},
      {replace("\"ulid\": \"01ARZ3NDEKTSV4RRFFQ69G5FAV\"", "\"ulid\": \"x\""),
       "not a block id"},
      {replace("\"01ARZ3NDEKTSV4RRFFQ69G5FAA\",", ""), ""},  // Still valid.
      {replace("\"maxTime\"", "\"maxTimeX\""), "missing field \"maxTime\""},
  };
  for (const auto& [json, want] : cases) {
    auto m = ParseBlockMeta(json, "b/meta.json");
    if (want.empty()) {
      EXPECT_TRUE(m.ok()) << m.status().ToString();
      continue;
    }
    ASSERT_FALSE(m.ok()) << json;
    EXPECT_EQ(m.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(m.status().message().find("b/meta.json: "), std::string::npos);
    EXPECT_NE(m.status().message().find(want), std::string::npos)
        << m.status().message();
  }
  // Unsorted sources.
  BlockMeta m = SampleMeta();
  std::swap(m.sources[0], m.sources[1]);
  auto bad = ParseBlockMeta(BlockMetaToJson(m), "b/meta.json");
  EXPECT_FALSE(bad.ok());
  // A level-1 block's sources are exactly itself.
  m = SampleMeta();
  m.level = 1;
  bad = ParseBlockMeta(BlockMetaToJson(m), "b/meta.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("level-1"), std::string::npos);
  m.sources = {m.ulid};
  EXPECT_TRUE(ParseBlockMeta(BlockMetaToJson(m), "b/meta.json").ok());
}

TEST(BaseNameTest, LastComponent) {
  EXPECT_EQ(BaseName("a/b/c"), "c");
  EXPECT_EQ(BaseName("a/b/c/"), "c");
  EXPECT_EQ(BaseName("c"), "c");
}

}  // namespace
}  // namespace tend
