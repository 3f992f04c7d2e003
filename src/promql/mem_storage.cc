#include "promql/mem_storage.h"

#include <algorithm>
#include <set>
#include <string>

namespace tend::promql {

namespace {

using PointIt = std::vector<Point>::const_iterator;

PointIt LowerBound(const std::vector<Point>& pts, int64_t t) {
  return std::lower_bound(pts.begin(), pts.end(), t,
                          [](const Point& p, int64_t x) { return p.t < x; });
}

bool HasSampleIn(const std::vector<Point>& pts, int64_t mint, int64_t maxt) {
  if (mint > maxt) return false;
  auto it = LowerBound(pts, mint);
  return it != pts.end() && it->t <= maxt;
}

class MemSeriesSet : public SeriesSet {
 public:
  MemSeriesSet(std::vector<const MemStorage::SeriesMap::value_type*> series,
               int64_t mint, int64_t maxt)
      : series_(std::move(series)), mint_(mint), maxt_(maxt) {}

  bool Next() override {
    if (pos_ + 1 >= static_cast<int64_t>(series_.size())) {
      pos_ = static_cast<int64_t>(series_.size());
      return false;
    }
    ++pos_;
    return true;
  }
  const Labels& labels() const override { return series_[pos_]->first; }
  Status ReadPoints(int64_t mint, int64_t maxt,
                    std::vector<Point>* out) override {
    mint = std::max(mint, mint_);
    maxt = std::min(maxt, maxt_);
    if (mint > maxt) return Status::Ok();
    const std::vector<Point>& pts = series_[pos_]->second;
    for (auto it = LowerBound(pts, mint); it != pts.end() && it->t <= maxt;
         ++it) {
      out->push_back(*it);
    }
    return Status::Ok();
  }
  Status status() const override { return Status::Ok(); }

 private:
  std::vector<const MemStorage::SeriesMap::value_type*> series_;
  int64_t mint_;
  int64_t maxt_;
  int64_t pos_ = -1;
};

class MemQuerier : public Querier {
 public:
  MemQuerier(const MemStorage::SeriesMap* series, int64_t mint, int64_t maxt)
      : series_(series), mint_(mint), maxt_(maxt) {}

  std::unique_ptr<SeriesSet> Select(int64_t mint, int64_t maxt,
                                    const Matchers& matchers) override {
    mint = std::max(mint, mint_);
    maxt = std::min(maxt, maxt_);
    std::vector<const MemStorage::SeriesMap::value_type*> found;
    for (const auto& entry : *series_) {
      if (MatchesAll(matchers, entry.first) &&
          HasSampleIn(entry.second, mint, maxt)) {
        found.push_back(&entry);
      }
    }
    return std::make_unique<MemSeriesSet>(std::move(found), mint, maxt);
  }

  Result<std::vector<std::string>> LabelNames(
      const Matchers& matchers) override {
    std::set<std::string> names;
    for (const auto& entry : *series_) {
      if (!Visible(entry, matchers)) continue;
      for (const Label& l : entry.first) names.insert(l.name);
    }
    return std::vector<std::string>(names.begin(), names.end());
  }

  Result<std::vector<std::string>> LabelValues(
      std::string_view name, const Matchers& matchers) override {
    std::set<std::string> values;
    for (const auto& entry : *series_) {
      if (!Visible(entry, matchers)) continue;
      std::string_view v = GetLabel(entry.first, name);
      if (!v.empty()) values.emplace(v);
    }
    return std::vector<std::string>(values.begin(), values.end());
  }

 private:
  bool Visible(const MemStorage::SeriesMap::value_type& entry,
               const Matchers& matchers) const {
    return MatchesAll(matchers, entry.first) &&
           HasSampleIn(entry.second, mint_, maxt_);
  }

  const MemStorage::SeriesMap* series_;
  int64_t mint_;
  int64_t maxt_;
};

}  // namespace

void MemStorage::Add(Labels labels, std::vector<Point> points) {
  CanonicalizeLabels(&labels);
  if (labels.empty()) return;
  std::vector<Point>& pts = series_[std::move(labels)];
  // Stable so that, among equal timestamps, the last one added wins below.
  pts.insert(pts.end(), points.begin(), points.end());
  std::stable_sort(pts.begin(), pts.end(),
                   [](const Point& a, const Point& b) { return a.t < b.t; });
  std::vector<Point> merged;
  merged.reserve(pts.size());
  for (const Point& p : pts) {
    if (!merged.empty() && merged.back().t == p.t) {
      merged.back() = p;
    } else {
      merged.push_back(p);
    }
  }
  pts = std::move(merged);
}

void MemStorage::Clear() { series_.clear(); }

Result<std::unique_ptr<Querier>> MemStorage::NewQuerier(int64_t mint,
                                                        int64_t maxt) {
  return std::unique_ptr<Querier>(
      std::make_unique<MemQuerier>(&series_, mint, maxt));
}

}  // namespace tend::promql
