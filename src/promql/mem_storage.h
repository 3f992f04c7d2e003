// A small in-memory Queryable for tests and the script runner: series kept
// in label order with their samples in a sorted vector.
//
// Thread-safety: Add and Clear must not run concurrently with each other or
// with queries; concurrent queries (read-only) are fine.
#ifndef TEND_PROMQL_MEM_STORAGE_H_
#define TEND_PROMQL_MEM_STORAGE_H_

#include <map>
#include <memory>
#include <vector>

#include "model/labels.h"
#include "model/point.h"
#include "tsdb/queryable.h"

namespace tend::promql {

class MemStorage : public Queryable {
 public:
  // Adds `points` to the series `labels` (canonicalized here). Samples are
  // merged in time order; one at a timestamp the series already has
  // replaces the old value. An empty label set is ignored.
  void Add(Labels labels, std::vector<Point> points);
  // Drops every series.
  void Clear();
  size_t num_series() const { return series_.size(); }

  Result<std::unique_ptr<Querier>> NewQuerier(int64_t mint,
                                              int64_t maxt) override;

  struct LabelsLess {
    bool operator()(const Labels& a, const Labels& b) const {
      return CompareLabels(a, b) < 0;
    }
  };
  using SeriesMap = std::map<Labels, std::vector<Point>, LabelsLess>;

 private:
  SeriesMap series_;
};

}  // namespace tend::promql

#endif  // TEND_PROMQL_MEM_STORAGE_H_
