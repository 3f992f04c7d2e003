#include "tsdb/merge_queryable.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace tend {
namespace {

// A sorted in-memory child store; `fail` makes its series set error out.
class VecStore : public Queryable {
 public:
  struct S {
    Labels labels;
    std::vector<Point> points;
  };
  std::vector<S> series;  // Sorted by labels.
  bool fail = false;

  Result<std::unique_ptr<Querier>> NewQuerier(int64_t, int64_t) override {
    return std::unique_ptr<Querier>(new Q(this));
  }

 private:
  class Set : public SeriesSet {
   public:
    Set(const VecStore* s, Matchers m) : s_(s), m_(std::move(m)) {}
    bool Next() override {
      if (s_->fail) {
        status_ = DataLossError("child broke");
        return false;
      }
      while (++i_ < s_->series.size()) {
        if (MatchesAll(m_, s_->series[i_].labels)) return true;
      }
      return false;
    }
    const Labels& labels() const override { return s_->series[i_].labels; }
    Status ReadPoints(int64_t mint, int64_t maxt,
                      std::vector<Point>* out) override {
      for (const Point& p : s_->series[i_].points) {
        if (p.t >= mint && p.t <= maxt) out->push_back(p);
      }
      return Status();
    }
    Status status() const override { return status_; }

   private:
    const VecStore* s_;
    Matchers m_;
    size_t i_ = static_cast<size_t>(-1);
    Status status_;
  };
  class Q : public Querier {
   public:
    explicit Q(const VecStore* s) : s_(s) {}
    std::unique_ptr<SeriesSet> Select(int64_t, int64_t,
                                      const Matchers& m) override {
      return std::make_unique<Set>(s_, m);
    }
    Result<std::vector<std::string>> LabelNames(const Matchers&) override {
      std::vector<std::string> out;
      for (const auto& s : s_->series) {
        for (const auto& l : s.labels) out.push_back(l.name);
      }
      std::sort(out.begin(), out.end());
      out.erase(std::unique(out.begin(), out.end()), out.end());
      return out;
    }
    Result<std::vector<std::string>> LabelValues(std::string_view n,
                                                 const Matchers&) override {
      std::vector<std::string> out;
      for (const auto& s : s_->series) {
        auto v = GetLabel(s.labels, n);
        if (!v.empty()) out.emplace_back(v);
      }
      std::sort(out.begin(), out.end());
      out.erase(std::unique(out.begin(), out.end()), out.end());
      return out;
    }

   private:
    const VecStore* s_;
  };
};

Labels L(const char* v) { return {{"__name__", "m"}, {"i", v}}; }

TEST(MergeQueryableTest, MergesSeriesAndSamplesLaterChildWins) {
  VecStore block, head;
  block.series = {{L("a"), {{1, 1}, {2, 2}, {3, 3}}}, {L("c"), {{1, 9}}}};
  head.series = {{L("a"), {{3, 30}, {4, 4}}}, {L("b"), {{5, 5}}}};
  MergeQueryable merged({&block, &head});
  auto q = merged.NewQuerier(0, 100);
  ASSERT_TRUE(q.ok());
  auto set = (*q)->Select(0, 100, {});
  std::vector<std::pair<std::string, std::vector<Point>>> got;
  while (set->Next()) {
    std::vector<Point> pts;
    ASSERT_TRUE(set->ReadPoints(0, 100, &pts).ok());
    got.emplace_back(std::string(GetLabel(set->labels(), "i")), pts);
  }
  ASSERT_TRUE(set->status().ok());
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].first, "a");
  EXPECT_EQ(got[0].second,
            (std::vector<Point>{{1, 1}, {2, 2}, {3, 30}, {4, 4}}));
  EXPECT_EQ(got[1].first, "b");
  EXPECT_EQ(got[2].first, "c");
  auto names = (*q)->LabelValues("i", {});
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(MergeQueryableTest, ChildErrorFailsTheMerge) {
  VecStore ok, bad;
  ok.series = {{L("a"), {{1, 1}}}};
  bad.fail = true;
  MergeQueryable merged({&ok, &bad});
  auto q = merged.NewQuerier(0, 10);
  ASSERT_TRUE(q.ok());
  auto set = (*q)->Select(0, 10, {});
  EXPECT_FALSE(set->Next());
  EXPECT_EQ(set->status().code(), StatusCode::kDataLoss);
}

TEST(MergeQueryableTest, NoChildrenIsEmpty) {
  MergeQueryable merged({});
  auto q = merged.NewQuerier(0, 10);
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE((*q)->Select(0, 10, {})->Next());
}

}  // namespace
}  // namespace tend
