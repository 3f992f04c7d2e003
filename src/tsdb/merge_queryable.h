// MergeQueryable: one Queryable over several (the persisted blocks and the
// head), merging series with equal labels and their samples by time.
#ifndef TEND_TSDB_MERGE_QUERYABLE_H_
#define TEND_TSDB_MERGE_QUERYABLE_H_

#include <memory>
#include <vector>

#include "tsdb/queryable.h"

namespace tend {

// Merges the series sets of `children` (each sorted by labels) into one
// sorted set. Series with equal labels become one series whose points are
// the union by timestamp; where two children hold a sample at the same
// timestamp, the one from the later child wins (so list the head last: it
// holds the freshest truth). Label name/value queries return the sorted
// union. A child's error fails the merged operation with that error.
//
// Owns nothing: the children must outlive every querier made from it.
// Thread-safety: as the children's.
class MergeQueryable : public Queryable {
 public:
  explicit MergeQueryable(std::vector<Queryable*> children)
      : children_(std::move(children)) {}

  Result<std::unique_ptr<Querier>> NewQuerier(int64_t mint,
                                              int64_t maxt) override;

 private:
  std::vector<Queryable*> children_;
};

// The same merge over queriers the caller already opened (and hands over).
std::unique_ptr<Querier> NewMergeQuerier(
    std::vector<std::unique_ptr<Querier>> queriers);

}  // namespace tend

#endif  // TEND_TSDB_MERGE_QUERYABLE_H_
