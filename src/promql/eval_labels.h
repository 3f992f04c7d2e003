// Label sets inside one query evaluation. Every distinct label set the
// evaluator meets gets a dense integer id, so that matching, grouping,
// deduplication and output assembly compare and index integers instead of
// hashing or copying strings at every step.
#ifndef TEND_PROMQL_EVAL_LABELS_H_
#define TEND_PROMQL_EVAL_LABELS_H_

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/labels.h"

namespace tend::promql {

using SeriesId = uint32_t;
inline constexpr SeriesId kNoSeries = 0xffffffffu;

// Interns canonical label sets. Ids are dense, start at 0 (the empty set)
// and stay valid, as do the references Get() returns, for the pool's
// lifetime. Not thread-safe: one pool per query.
class LabelsPool {
 public:
  LabelsPool();
  LabelsPool(const LabelsPool&) = delete;
  LabelsPool& operator=(const LabelsPool&) = delete;

  // The id of `labels` (canonical), adding it when new.
  SeriesId Intern(const Labels& labels);
  SeriesId Intern(Labels&& labels);

  const Labels& Get(SeriesId id) const { return labels_[id]; }
  size_t size() const { return labels_.size(); }
  static constexpr SeriesId kEmpty = 0;

  // The id of Get(id) without __name__ (memoized).
  SeriesId DropName(SeriesId id);

 private:
  SeriesId Find(const Labels& labels, uint64_t hash) const;
  SeriesId Add(Labels&& labels, uint64_t hash);

  std::deque<Labels> labels_;
  std::unordered_multimap<uint64_t, SeriesId> index_;
  std::vector<SeriesId> drop_name_;
};

// Prometheus's labels.Labels.String(): {__name__="x", a="b"} with every
// label inside the braces (used in error messages).
std::string LabelsToBraces(const Labels& labels);

// The labels of `labels` named in `names` (`on` = true), or all others
// except __name__ (`on` = false): the vector-matching signature set.
Labels MatchingLabels(const Labels& labels,
                      const std::vector<std::string>& names, bool on);

}  // namespace tend::promql

#endif  // TEND_PROMQL_EVAL_LABELS_H_
