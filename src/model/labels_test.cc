#include "model/labels.h"

#include <gtest/gtest.h>

namespace tend {
namespace {

TEST(LabelsTest, CanonicalizeSortsDedupsAndDropsEmpty) {
  Labels l = {{"b", "2"}, {"a", "1"}, {"c", ""}, {"a", "3"}};
  CanonicalizeLabels(&l);
  EXPECT_EQ(l, (Labels{{"a", "3"}, {"b", "2"}}));
  EXPECT_TRUE(IsCanonical(l));
  EXPECT_FALSE(IsCanonical(Labels{{"b", "1"}, {"a", "1"}}));
  EXPECT_FALSE(IsCanonical(Labels{{"a", ""}}));
}

TEST(LabelsTest, SetGetRemoveKeepOrder) {
  Labels l = {{"a", "1"}, {"c", "3"}};
  SetLabel(&l, "b", "2");
  EXPECT_EQ(l, (Labels{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  SetLabel(&l, "a", "");
  EXPECT_EQ(GetLabel(l, "a"), "");
  EXPECT_EQ(GetLabel(l, "c"), "3");
  RemoveLabel(&l, "c");
  EXPECT_EQ(l, (Labels{{"b", "2"}}));
}

TEST(LabelsTest, CompareAndHash) {
  Labels a = {{"a", "1"}};
  Labels ab = {{"a", "1"}, {"b", "1"}};
  Labels a2 = {{"a", "2"}};
  EXPECT_LT(CompareLabels(a, ab), 0);
  EXPECT_LT(CompareLabels(ab, a2), 0);
  EXPECT_EQ(CompareLabels(a, Labels{{"a", "1"}}), 0);
  EXPECT_EQ(HashLabels(a), HashLabels(Labels{{"a", "1"}}));
  EXPECT_NE(HashLabels(Labels{{"a", "bc"}}), HashLabels(Labels{{"ab", "c"}}));
}

TEST(LabelsTest, ToStringPullsNameFrontAndEscapes) {
  Labels l = {{"__name__", "up"}, {"job", "a\"b\\\n"}};
  EXPECT_EQ(LabelsToString(l), "up{job=\"a\\\"b\\\\\\n\"}");
  EXPECT_EQ(LabelsToString(Labels{}), "{}");
}

TEST(LabelsTest, NameValidity) {
  EXPECT_TRUE(IsValidMetricName("node:cpu_seconds"));
  EXPECT_FALSE(IsValidMetricName("1abc"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_TRUE(IsValidLabelName("_a1"));
  EXPECT_FALSE(IsValidLabelName(""));
}

}  // namespace
}  // namespace tend
