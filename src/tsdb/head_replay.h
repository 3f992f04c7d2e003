// HeadReplayer: applies decoded WAL records (docs/formats/wal-records.md)
// to a head. Head::Open uses it for the checkpoint and the segments; the
// fuzz target feeds it arbitrary bytes. Runs on the head's writer thread
// (before Open returns, nothing else uses the head).
#ifndef TEND_TSDB_HEAD_REPLAY_H_
#define TEND_TSDB_HEAD_REPLAY_H_

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "tsdb/head.h"
#include "tsdb/head_records.h"

namespace tend {

struct ReplayCounts {
  uint64_t records = 0;
  uint64_t bad_records = 0;      // Did not decode; skipped.
  uint64_t series = 0;           // Series created.
  uint64_t series_rejected = 0;  // Conflicting ref, ref >= 2^32, or over
                                 // the limit.
  uint64_t samples = 0;          // Samples applied.
  uint64_t samples_dropped = 0;  // Out of order or exact duplicates.
  uint64_t unknown_refs = 0;     // Samples for refs no series record made.
};

class HeadReplayer {
 public:
  explicit HeadReplayer(Head* head) : head_(head) {}

  // Applies one record. kDataLoss (message names the problem) when the
  // record does not decode; the head is then unchanged by it. Entries that
  // decode but cannot apply (unknown refs, out-of-order samples, conflicting
  // series) are counted, not errors.
  Status Apply(std::span<const uint8_t> record);

  const ReplayCounts& counts() const { return counts_; }

 private:
  void ApplySeries(const RefSeries& s);
  void ApplySample(SeriesRef ref, int64_t t, double v);

  Head* head_;
  ReplayCounts counts_;
  // Refs a record defined for labels that already had a series (a series
  // Truncate removed and a later batch recreated): ref -> live series.
  std::unordered_map<SeriesRef, MemSeries*> aliases_;
  std::vector<RefSeries> series_;
  std::vector<RefSample> samples_;
};

}  // namespace tend

#endif  // TEND_TSDB_HEAD_REPLAY_H_
