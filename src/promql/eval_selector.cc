// Instant-vector and range-vector selectors.
//
// An instant selector at step ts looks at refTime = (@ time, or ts) -
// offset and takes the newest sample in [refTime - lookback, refTime]; a
// stale marker there means "no value" (Prometheus 2.42's
// vectorSelectorSingle). A range selector takes the samples in
// [refTime - range, refTime] without stale markers.
#include <cmath>

#include "promql/eval_core.h"

namespace tend::promql {

Result<Value> Evaluator::EvalVectorSelector(const VectorSelector& vs,
                                            const EvalRange& r,
                                            bool timestamps) {
  Value out;
  out.type = ValueType::kVector;
  if (r.steps() == 0) return out;
  const bool pinned = vs.at != AtKind::kNone;
  const int64_t at = pinned ? ResolveAt(vs.at, vs.at_ms) : 0;
  const int64_t off = vs.original_offset_ms;
  const int64_t lookback = options_.lookback_delta_ms;
  auto ref = [&](int64_t ts) { return (pinned ? at : ts) - off; };
  const int64_t mint = ref(r.start) - lookback;
  const int64_t maxt = ref(r.end);
  std::unique_ptr<SeriesSet> set = Select(vs, mint, maxt);
  std::vector<Point>& buf = point_buffer();
  while (set->Next()) {
    RETURN_IF_ERROR(CheckDeadline());
    buf.clear();
    RETURN_IF_ERROR(set->ReadPoints(mint, maxt, &buf));
    total_samples_ += static_cast<int64_t>(buf.size());
    std::vector<Point> pts;
    size_t j = 0;
    for (int64_t ts = r.start; ts <= r.end; ts += r.interval) {
      const int64_t rt = ref(ts);
      while (j < buf.size() && buf[j].t <= rt) ++j;
      if (j == 0) continue;
      const Point& p = buf[j - 1];
      if (p.t < rt - lookback || IsStaleNaN(p.v)) continue;
      RETURN_IF_ERROR(Hold(1));
      pts.push_back(
          Point{ts, timestamps ? static_cast<double>(p.t) / 1000.0 : p.v});
    }
    if (pts.empty()) continue;
    out.matrix.push_back(
        SeriesPoints{pool_.Intern(set->labels()), std::move(pts)});
  }
  RETURN_IF_ERROR(set->status());
  return out;
}

Result<Value> Evaluator::EvalMatrixSelector(const MatrixSelector& ms,
                                            const EvalRange& r) {
  // Only reached for a range selector at the top of an instant query (as a
  // function argument it goes through EvalRangeCall): the window ends at
  // the first step, as Prometheus's matrixSelector.
  const auto& vs = static_cast<const VectorSelector&>(*ms.vector_selector);
  Value out;
  out.type = ValueType::kMatrix;
  const bool pinned = vs.at != AtKind::kNone;
  const int64_t maxt =
      (pinned ? ResolveAt(vs.at, vs.at_ms) : r.start) - vs.original_offset_ms;
  const int64_t mint = maxt - ms.range_ms;
  std::unique_ptr<SeriesSet> set = Select(vs, mint, maxt);
  while (set->Next()) {
    RETURN_IF_ERROR(CheckDeadline());
    std::vector<Point> pts;
    RETURN_IF_ERROR(set->ReadPoints(mint, maxt, &pts));
    total_samples_ += static_cast<int64_t>(pts.size());
    std::erase_if(pts, [](const Point& p) { return IsStaleNaN(p.v); });
    if (pts.empty()) continue;
    RETURN_IF_ERROR(Hold(static_cast<int64_t>(pts.size())));
    out.matrix.push_back(
        SeriesPoints{pool_.Intern(set->labels()), std::move(pts)});
  }
  RETURN_IF_ERROR(set->status());
  return out;
}

}  // namespace tend::promql
