#include "tsdb/merge_queryable.h"

#include <algorithm>
#include <set>

namespace tend {

namespace {

class MergeSeriesSet : public SeriesSet {
 public:
  explicit MergeSeriesSet(std::vector<std::unique_ptr<SeriesSet>> sets)
      : sets_(std::move(sets)), live_(sets_.size(), false) {}

  bool Next() override {
    if (!started_) {
      started_ = true;
      for (size_t i = 0; i < sets_.size(); ++i) {
        if (!Advance(i)) return false;
      }
    } else {
      for (size_t i : current_) {
        if (!Advance(i)) return false;
      }
    }
    // The current series: the smallest labels among live children.
    current_.clear();
    for (size_t i = 0; i < sets_.size(); ++i) {
      if (!live_[i]) continue;
      if (current_.empty()) {
        current_.push_back(i);
        continue;
      }
      int c = CompareLabels(sets_[i]->labels(), sets_[current_[0]]->labels());
      if (c < 0) {
        current_.assign(1, i);
      } else if (c == 0) {
        current_.push_back(i);
      }
    }
    return !current_.empty();
  }

  const Labels& labels() const override { return sets_[current_[0]]->labels(); }

  Status ReadPoints(int64_t mint, int64_t maxt,
                    std::vector<Point>* out) override {
    if (current_.size() == 1) {
      return sets_[current_[0]]->ReadPoints(mint, maxt, out);
    }
    // Merge children in order; a later child's sample replaces an earlier
    // one at the same timestamp.
    merged_.clear();
    for (size_t i : current_) {
      scratch_.clear();
      RETURN_IF_ERROR(sets_[i]->ReadPoints(mint, maxt, &scratch_));
      if (merged_.empty()) {
        merged_.swap(scratch_);
        continue;
      }
      tmp_.clear();
      tmp_.reserve(merged_.size() + scratch_.size());
      size_t a = 0, b = 0;
      while (a < merged_.size() || b < scratch_.size()) {
        if (b == scratch_.size() ||
            (a < merged_.size() && merged_[a].t < scratch_[b].t)) {
          tmp_.push_back(merged_[a++]);
        } else if (a == merged_.size() || scratch_[b].t < merged_[a].t) {
          tmp_.push_back(scratch_[b++]);
        } else {
          tmp_.push_back(scratch_[b++]);
          ++a;
        }
      }
      merged_.swap(tmp_);
    }
    out->insert(out->end(), merged_.begin(), merged_.end());
    return Status();
  }

  Status status() const override { return status_; }

 private:
  // Moves child i forward; false (with status_ set) on a child error.
  bool Advance(size_t i) {
    live_[i] = sets_[i]->Next();
    if (!live_[i] && !sets_[i]->status().ok()) {
      status_ = sets_[i]->status();
      current_.clear();
      return false;
    }
    return true;
  }

  std::vector<std::unique_ptr<SeriesSet>> sets_;
  std::vector<bool> live_;
  std::vector<size_t> current_;  // Children positioned on the current series.
  bool started_ = false;
  Status status_;
  std::vector<Point> merged_, scratch_, tmp_;
};

class MergeQuerier : public Querier {
 public:
  explicit MergeQuerier(std::vector<std::unique_ptr<Querier>> q)
      : queriers_(std::move(q)) {}

  std::unique_ptr<SeriesSet> Select(int64_t mint, int64_t maxt,
                                    const Matchers& matchers) override {
    if (queriers_.size() == 1) {
      return queriers_[0]->Select(mint, maxt, matchers);
    }
    std::vector<std::unique_ptr<SeriesSet>> sets;
    sets.reserve(queriers_.size());
    for (auto& q : queriers_) sets.push_back(q->Select(mint, maxt, matchers));
    return std::make_unique<MergeSeriesSet>(std::move(sets));
  }

  Result<std::vector<std::string>> LabelNames(
      const Matchers& matchers) override {
    return Union([&](Querier& q) { return q.LabelNames(matchers); });
  }

  Result<std::vector<std::string>> LabelValues(
      std::string_view name, const Matchers& matchers) override {
    return Union([&](Querier& q) { return q.LabelValues(name, matchers); });
  }

 private:
  template <typename Fn>
  Result<std::vector<std::string>> Union(Fn fn) {
    std::vector<std::string> all;
    for (auto& q : queriers_) {
      ASSIGN_OR_RETURN(std::vector<std::string> v, fn(*q));
      std::vector<std::string> merged;
      merged.reserve(all.size() + v.size());
      std::set_union(std::make_move_iterator(all.begin()),
                     std::make_move_iterator(all.end()),
                     std::make_move_iterator(v.begin()),
                     std::make_move_iterator(v.end()),
                     std::back_inserter(merged));
      all.swap(merged);
    }
    return all;
  }

  std::vector<std::unique_ptr<Querier>> queriers_;
};

class EmptySeriesSet : public SeriesSet {
 public:
  bool Next() override { return false; }
  const Labels& labels() const override { return empty_; }
  Status ReadPoints(int64_t, int64_t, std::vector<Point>*) override {
    return Status();
  }
  Status status() const override { return Status(); }

 private:
  Labels empty_;
};

class EmptyQuerier : public Querier {
 public:
  std::unique_ptr<SeriesSet> Select(int64_t, int64_t,
                                    const Matchers&) override {
    return std::make_unique<EmptySeriesSet>();
  }
  Result<std::vector<std::string>> LabelNames(const Matchers&) override {
    return std::vector<std::string>{};
  }
  Result<std::vector<std::string>> LabelValues(std::string_view,
                                               const Matchers&) override {
    return std::vector<std::string>{};
  }
};

}  // namespace

std::unique_ptr<Querier> NewMergeQuerier(
    std::vector<std::unique_ptr<Querier>> queriers) {
  if (queriers.empty()) return std::make_unique<EmptyQuerier>();
  return std::make_unique<MergeQuerier>(std::move(queriers));
}

Result<std::unique_ptr<Querier>> MergeQueryable::NewQuerier(int64_t mint,
                                                            int64_t maxt) {
  std::vector<std::unique_ptr<Querier>> qs;
  qs.reserve(children_.size());
  for (Queryable* c : children_) {
    ASSIGN_OR_RETURN(std::unique_ptr<Querier> q, c->NewQuerier(mint, maxt));
    qs.push_back(std::move(q));
  }
  return NewMergeQuerier(std::move(qs));
}

}  // namespace tend
