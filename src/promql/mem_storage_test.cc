#include "promql/mem_storage.h"

#include <gtest/gtest.h>

namespace tend::promql {
namespace {

Labels Lb(const char* name, const char* a) {
  return Labels{{"__name__", name}, {"a", a}};
}

std::vector<Point> ReadAll(SeriesSet& set, int64_t mint, int64_t maxt) {
  std::vector<Point> pts;
  EXPECT_TRUE(set.ReadPoints(mint, maxt, &pts).ok());
  return pts;
}

TEST(MemStorageTest, MergesAndReplacesSamples) {
  MemStorage st;
  st.Add(Labels{{"a", "1"}, {"__name__", "m"}}, {{20, 2}, {0, 0}});
  st.Add(Lb("m", "1"), {{10, 1}, {20, 5}});
  EXPECT_EQ(st.num_series(), 1u);
  auto q = st.NewQuerier(0, 100);
  ASSERT_TRUE(q.ok());
  auto set = (*q)->Select(0, 100, {});
  ASSERT_TRUE(set->Next());
  EXPECT_EQ(set->labels(), Lb("m", "1"));
  EXPECT_EQ(ReadAll(*set, 0, 100),
            (std::vector<Point>{{0, 0}, {10, 1}, {20, 5}}));
  EXPECT_FALSE(set->Next());
  EXPECT_TRUE(set->status().ok());
}

TEST(MemStorageTest, SelectFiltersByMatchersAndTime) {
  MemStorage st;
  st.Add(Lb("m", "2"), {{100, 1}});
  st.Add(Lb("m", "1"), {{0, 1}, {50, 2}});
  st.Add(Lb("n", "1"), {{0, 1}});
  auto q = st.NewQuerier(0, 60);
  ASSERT_TRUE(q.ok());
  // m{a="2"} has no sample inside the querier's range.
  auto set = (*q)->Select(-1000, 1000, {LabelMatcher::Equal("__name__", "m")});
  ASSERT_TRUE(set->Next());
  EXPECT_EQ(set->labels(), Lb("m", "1"));
  // Reads are clamped to the querier's range too.
  EXPECT_EQ(ReadAll(*set, 10, 1000), (std::vector<Point>{{50, 2}}));
  EXPECT_FALSE(set->Next());
  auto re = LabelMatcher::Create(LabelMatcher::Type::kRegexMatch, "a", "1|2");
  ASSERT_TRUE(re.ok());
  set = (*q)->Select(0, 60, {*re});
  int n = 0;
  while (set->Next()) ++n;
  EXPECT_EQ(n, 2);  // m{a="1"} and n{a="1"}, in label order.
  set = (*q)->Select(1, 40, {});
  EXPECT_FALSE(set->Next());  // No sample in [1, 40].
}

TEST(MemStorageTest, LabelNamesAndValues) {
  MemStorage st;
  st.Add(Labels{{"__name__", "m"}, {"a", "1"}, {"b", "x"}}, {{0, 1}});
  st.Add(Lb("m", "2"), {{0, 1}});
  st.Add(Labels{{"__name__", "old"}, {"c", "z"}}, {{-500, 1}});
  auto q = st.NewQuerier(0, 10);
  ASSERT_TRUE(q.ok());
  auto names = (*q)->LabelNames({});
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"__name__", "a", "b"}));
  auto values = (*q)->LabelValues("a", {});
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(*values, (std::vector<std::string>{"1", "2"}));
  values = (*q)->LabelValues("a", {LabelMatcher::Equal("b", "x")});
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(*values, (std::vector<std::string>{"1"}));
  st.Clear();
  EXPECT_EQ(st.num_series(), 0u);
}

}  // namespace
}  // namespace tend::promql
