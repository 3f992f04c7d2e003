// Instant-vector and scalar functions (everything but the range-vector
// ones), evaluated one step at a time with per-call memo tables so that
// label work happens once per input series, not once per step.
#ifndef TEND_PROMQL_EVAL_INSTANT_FN_H_
#define TEND_PROMQL_EVAL_INSTANT_FN_H_

#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "promql/ast.h"
#include "promql/eval_core.h"
#include "promql/eval_functions.h"

namespace re2 {
class RE2;
}

namespace tend::promql {

class InstantFn {
 public:
  // `call` must outlive the object. Reads string arguments from the tree.
  InstantFn(FnKind kind, const Call& call, LabelsPool* pool);
  ~InstantFn();
  InstantFn(const InstantFn&) = delete;
  InstantFn& operator=(const InstantFn&) = delete;

  // Computes the function at `ts`; args[i] holds argument i's samples at
  // that step (empty for string arguments). Errors carry Prometheus's
  // messages (invalid regular expression, invalid label name, ...).
  Status Step(int64_t ts, std::span<const StepVector> args, StepVector* out);

 private:
  Status LabelReplaceStep(const StepVector& in, StepVector* out);
  Status LabelJoinStep(const StepVector& in, StepVector* out);
  void HistogramQuantileStep(double q, const StepVector& in, StepVector* out);
  SeriesId Memo(SeriesId in) const;
  void SetMemo(SeriesId in, SeriesId out);

  FnKind kind_;
  const Call& call_;
  LabelsPool* pool_;
  std::vector<SeriesId> memo_;  // Input id -> output id (label functions).
  std::unique_ptr<re2::RE2> regex_;
  bool validated_ = false;
  std::vector<std::string> strings_;  // String arguments by position.

  // histogram_quantile: per input id, its bucket group and upper bound.
  struct BucketInfo {
    int32_t group = -2;  // -2: not computed; -1: no valid `le`.
    double upper = 0;
  };
  std::vector<BucketInfo> bucket_info_;
  std::unordered_map<SeriesId, int32_t> group_by_signature_;
  std::vector<SeriesId> group_labels_;
  std::vector<std::vector<std::pair<double, double>>> group_buckets_;
  std::vector<int32_t> touched_;  // Groups with buckets at this step.
};

// Prometheus's bucketQuantile over (upper bound, cumulative count) pairs:
// sorts, requires a +Inf bucket, merges equal bounds, forces monotonic
// counts and interpolates linearly inside the bucket holding the rank.
double BucketQuantile(double q, std::vector<std::pair<double, double>>* b);

// The labels absent()/absent_over_time() report: the equality matchers of
// a selector argument, minus names matched more than once or otherwise.
Labels AbsentLabels(const Expr* arg);

}  // namespace tend::promql

#endif  // TEND_PROMQL_EVAL_INSTANT_FN_H_
