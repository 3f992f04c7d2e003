// StoreWriter: puts each collection cycle's samples into the metric store,
// as Prometheus's scrape loop does for a target: every sample becomes a
// point of the series {__name__=family, labels...} at the cycle's time, and
// a series that was in the previous cycle but is missing from this one gets
// a stale marker, so queries stop returning it at once instead of 5 minutes
// later.
//
// Threads: used by one thread at a time (the agent's collection worker,
// which is also the store's single writer).
#ifndef TEND_AGENT_STORE_WRITER_H_
#define TEND_AGENT_STORE_WRITER_H_

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "metrics/metric.h"
#include "tsdb/head.h"

namespace tend {

struct StoreWriteResult {
  size_t appended = 0;       // Samples committed (stale markers included).
  size_t stale_markers = 0;  // Series ended this cycle.
  size_t rejected = 0;       // Samples the store refused (limit, order).
  Status status;             // The commit's outcome (e.g. disk full).
};

class StoreWriter {
 public:
  explicit StoreWriter(Head* head) : head_(head) {}

  // Appends `metrics` at `t_ms` and commits. A refused sample (cardinality
  // limit, out of order) is counted and skipped; a failed commit (WAL write
  // error) loses this cycle's batch, is returned in `status`, and the next
  // cycle starts clean (its series are re-resolved, so no stale marker is
  // lost for good: series missing after a failed cycle are marked at the
  // next successful one).
  StoreWriteResult Write(const MetricSet& metrics, int64_t t_ms);

  size_t tracked_series() const { return cache_.size(); }

 private:
  struct Entry {
    SeriesRef ref = 0;
    uint64_t seen = 0;  // The cycle that last wrote it.
  };

  Head* head_;
  uint64_t cycle_ = 0;
  // Keyed by a hash of the family name and the labels as collected (not
  // canonical: collectors emit labels in a fixed order, so the hash is
  // stable without sorting). A collision would only merge staleness
  // tracking of two series, never their data: the store resolves by ref and
  // verifies labels on a miss.
  std::unordered_map<uint64_t, Entry> cache_;
  Labels scratch_;
  std::vector<uint64_t> created_;  // Keys given a new ref this cycle.
  std::vector<uint64_t> stale_;    // Keys marked stale this cycle.
};

}  // namespace tend

#endif  // TEND_AGENT_STORE_WRITER_H_
