// Select, LabelNames and LabelValues over the head: every matcher type,
// ordering, time ranges.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tsdb/head.h"
#include "tsdb/head_test_util.h"

namespace tend {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Type = LabelMatcher::Type;

LabelMatcher M(Type type, std::string name, std::string value) {
  auto m = LabelMatcher::Create(type, std::move(name), std::move(value));
  EXPECT_TRUE(m.ok());
  return *m;
}

class HeadQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HeadOptions o;
    o.samples_per_chunk = 4;
    head_ = std::move(Head::Open(o)).value();
    auto app = head_->NewAppender();
    // Appended out of label order on purpose.
    const std::vector<Labels> series = {
        L({{"__name__", "http_requests"}, {"code", "500"}, {"job", "api"}}),
        L({{"__name__", "http_requests"}, {"code", "200"}, {"job", "api"}}),
        L({{"__name__", "http_requests"}, {"code", "200"}, {"job", "web"}}),
        L({{"__name__", "up"}, {"job", "api"}}),
        L({{"__name__", "up"}, {"job", "web"}, {"zone", "eu"}}),
        L({{"__name__", "http_requests"}, {"job", "web"}}),
    };
    for (int t = 0; t < 10; ++t) {
      for (size_t i = 0; i < series.size(); ++i) {
        ASSERT_TRUE(app->Append(0, series[i], t * 1000, t + 100.0 * i).ok());
      }
    }
    // A series with samples only at 100..109 s.
    for (int t = 100; t < 110; ++t) {
      ASSERT_TRUE(app->Append(0, L({{"__name__", "late"}}), t * 1000, t).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }

  std::vector<std::string> Names(const Matchers& m, int64_t mint = INT64_MIN,
                                 int64_t maxt = INT64_MAX) {
    std::vector<std::string> out;
    for (const auto& s : Query(head_.get(), m, mint, maxt)) {
      out.push_back(LabelsToString(s.labels));
    }
    return out;
  }

  std::unique_ptr<Head> head_;
};

TEST_F(HeadQueryTest, EqualMatcher) {
  EXPECT_THAT(Names({LabelMatcher::Equal("__name__", "up")}),
              ElementsAre("up{job=\"api\"}", "up{job=\"web\", zone=\"eu\"}"));
  EXPECT_THAT(Names({LabelMatcher::Equal("__name__", "nope")}), IsEmpty());
  EXPECT_THAT(Names({LabelMatcher::Equal("nolabel", "x")}), IsEmpty());
}

TEST_F(HeadQueryTest, EqualEmptySelectsSeriesWithoutTheLabel) {
  EXPECT_THAT(Names({LabelMatcher::Equal("__name__", "http_requests"),
                     LabelMatcher::Equal("code", "")}),
              ElementsAre("http_requests{job=\"web\"}"));
  // A label nobody has: every series lacks it.
  EXPECT_EQ(Names({LabelMatcher::Equal("nolabel", "")}).size(), 7u);
}

TEST_F(HeadQueryTest, NotEqualMatcher) {
  // != keeps series without the label (absent == "").
  EXPECT_THAT(Names({LabelMatcher::Equal("__name__", "http_requests"),
                     M(Type::kNotEqual, "code", "200")}),
              ElementsAre("http_requests{code=\"500\", job=\"api\"}",
                          "http_requests{job=\"web\"}"));
  EXPECT_THAT(Names({M(Type::kNotEqual, "job", "api"),
                     M(Type::kNotEqual, "__name__", "late")}),
              ElementsAre("http_requests{code=\"200\", job=\"web\"}",
                          "http_requests{job=\"web\"}",
                          "up{job=\"web\", zone=\"eu\"}"));
  // != "" requires the label.
  EXPECT_THAT(Names({M(Type::kNotEqual, "zone", "")}),
              ElementsAre("up{job=\"web\", zone=\"eu\"}"));
}

TEST_F(HeadQueryTest, RegexMatchers) {
  EXPECT_THAT(Names({M(Type::kRegexMatch, "code", "2.*")}),
              ElementsAre("http_requests{code=\"200\", job=\"api\"}",
                          "http_requests{code=\"200\", job=\"web\"}"));
  // Anchored: "0" does not match "200".
  EXPECT_THAT(Names({M(Type::kRegexMatch, "code", "0")}), IsEmpty());
  // A regex matching "" also selects series without the label.
  EXPECT_THAT(Names({LabelMatcher::Equal("__name__", "http_requests"),
                     M(Type::kRegexMatch, "code", "5..|")}),
              ElementsAre("http_requests{code=\"500\", job=\"api\"}",
                          "http_requests{job=\"web\"}"));
  EXPECT_THAT(Names({LabelMatcher::Equal("__name__", "http_requests"),
                     M(Type::kRegexNoMatch, "code", "2.*")}),
              ElementsAre("http_requests{code=\"500\", job=\"api\"}",
                          "http_requests{job=\"web\"}"));
  // !~ ".+" selects series without the label; =~ ".+" those with it.
  EXPECT_THAT(Names({M(Type::kRegexNoMatch, "job", ".+")}),
              ElementsAre("late{}"));
  EXPECT_EQ(Names({M(Type::kRegexMatch, "job", ".+")}).size(), 6u);
  // !~ "" requires the label.
  EXPECT_THAT(Names({M(Type::kRegexNoMatch, "zone", "")}),
              ElementsAre("up{job=\"web\", zone=\"eu\"}"));
}

TEST_F(HeadQueryTest, NoMatchersSelectsEverythingInLabelOrder) {
  std::vector<Labels> got;
  for (const auto& s : Query(head_.get(), {})) got.push_back(s.labels);
  ASSERT_EQ(got.size(), 7u);
  for (size_t i = 1; i < got.size(); ++i) {
    EXPECT_LT(CompareLabels(got[i - 1], got[i]), 0) << i;
  }
}

TEST_F(HeadQueryTest, TimeRangeLimitsSeriesAndPoints) {
  // Only "late" has samples at 100 s and later.
  EXPECT_THAT(Names({}, 100'000, 200'000), ElementsAre("late{}"));
  // No series has a sample in the gap between 10 s and 100 s.
  EXPECT_THAT(Names({}, 10'000, 99'999), IsEmpty());
  // Points are clipped to the range (chunks of 4 samples: the range starts
  // and ends mid-chunk).
  auto got = Query(head_.get(), {LabelMatcher::Equal("__name__", "late")},
                   102'000, 106'000);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].points.size(), 5u);
  EXPECT_EQ(got[0].points.front(), (Point{102'000, 102}));
  EXPECT_EQ(got[0].points.back(), (Point{106'000, 106}));
  // A range strictly inside one chunk, between two samples: 0.5 s..0.9 s.
  EXPECT_THAT(Names({}, 500, 900), IsEmpty());
  // The querier's range bounds Select and ReadPoints.
  auto q = head_->NewQuerier(0, 3'000);
  auto set = (*q)->Select(INT64_MIN, INT64_MAX,
                          {LabelMatcher::Equal("__name__", "up")});
  ASSERT_TRUE(set->Next());
  std::vector<Point> pts;
  ASSERT_TRUE(set->ReadPoints(INT64_MIN, INT64_MAX, &pts).ok());
  EXPECT_EQ(pts.size(), 4u);
}

TEST_F(HeadQueryTest, LabelNamesAndValues) {
  auto q = *head_->NewQuerier(INT64_MIN, INT64_MAX);
  EXPECT_THAT(*q->LabelNames({}),
              ElementsAre("__name__", "code", "job", "zone"));
  EXPECT_THAT(*q->LabelNames({LabelMatcher::Equal("__name__", "up")}),
              ElementsAre("__name__", "job", "zone"));
  EXPECT_THAT(*q->LabelValues("__name__", {}),
              ElementsAre("http_requests", "late", "up"));
  EXPECT_THAT(*q->LabelValues("job", {LabelMatcher::Equal("code", "200")}),
              ElementsAre("api", "web"));
  EXPECT_THAT(*q->LabelValues("nolabel", {}), IsEmpty());
  // Restricted to the querier's time range.
  auto late = *head_->NewQuerier(100'000, 200'000);
  EXPECT_THAT(*late->LabelNames({}), ElementsAre("__name__"));
  EXPECT_THAT(*late->LabelValues("__name__", {}), ElementsAre("late"));
}

TEST_F(HeadQueryTest, ReadPointsWithoutNextFails) {
  auto q = *head_->NewQuerier(INT64_MIN, INT64_MAX);
  auto set = q->Select(INT64_MIN, INT64_MAX, {});
  std::vector<Point> pts;
  EXPECT_FALSE(set->ReadPoints(0, 1, &pts).ok());
  while (set->Next()) {
  }
  EXPECT_FALSE(set->Next());
  EXPECT_TRUE(set->status().ok());
}

}  // namespace
}  // namespace tend
