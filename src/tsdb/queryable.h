// The read side of the metric store, as PromQL and the HTTP API see it. The
// head, a persisted block, the whole database and the in-memory test store
// all implement it, so the engine never knows where samples live.
//
// Times are int64 milliseconds since the Unix epoch; ranges are inclusive at
// both ends ([mint, maxt]), as in Prometheus.
#ifndef TEND_TSDB_QUERYABLE_H_
#define TEND_TSDB_QUERYABLE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/labels.h"
#include "model/matcher.h"
#include "model/point.h"

namespace tend {

// The series a Select found, visited one at a time in CompareLabels order.
// A set is used by one thread and must not outlive its Querier.
//
//   while (set->Next()) {
//     points.clear();
//     RETURN_IF_ERROR(set->ReadPoints(mint, maxt, &points));
//     Use(set->labels(), points);
//   }
//   RETURN_IF_ERROR(set->status());
class SeriesSet {
 public:
  virtual ~SeriesSet() = default;
  // Advances to the next series; false at the end or after an error.
  virtual bool Next() = 0;
  // The current series' canonical labels; valid until the next Next().
  virtual const Labels& labels() const = 0;
  // Appends the current series' samples with mint <= t <= maxt, in increasing
  // time order, stale markers included, to `out`. kDataLoss when stored data
  // cannot be decoded (what was decoded before the damage is still appended).
  virtual Status ReadPoints(int64_t mint, int64_t maxt,
                            std::vector<Point>* out) = 0;
  // Why iteration stopped early, or OK.
  virtual Status status() const = 0;
};

// A read view over a time range, consistent for its lifetime (data appended
// after it was opened may or may not be visible, but a series never vanishes
// from under it). Not thread-safe; open one per query.
class Querier {
 public:
  virtual ~Querier() = default;
  // Series matching every matcher that have at least one sample in
  // [mint, maxt]. An empty matcher list is an error for the HTTP API but
  // here simply selects every series.
  virtual std::unique_ptr<SeriesSet> Select(int64_t mint, int64_t maxt,
                                            const Matchers& matchers) = 0;
  // Sorted, unique label names (values) of the series matching `matchers`
  // (all series when empty) with samples in the querier's range.
  virtual Result<std::vector<std::string>> LabelNames(
      const Matchers& matchers) = 0;
  virtual Result<std::vector<std::string>> LabelValues(
      std::string_view name, const Matchers& matchers) = 0;
};

class Queryable {
 public:
  virtual ~Queryable() = default;
  // A querier over [mint, maxt]; Select calls are limited to that range.
  virtual Result<std::unique_ptr<Querier>> NewQuerier(int64_t mint,
                                                      int64_t maxt) = 0;
};

}  // namespace tend

#endif  // TEND_TSDB_QUERYABLE_H_
