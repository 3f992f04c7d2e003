// The evaluator behind Engine: one instance per query. It evaluates every
// node over a grid of steps (start, start+interval, ... <= end), as
// Prometheus's evaluator does; an instant query is a grid of one step.
//
// Values: an instant-vector or scalar node yields a StepMatrix whose points
// sit on the grid (a scalar is one series with the empty label set and a
// point at every step); a range node (matrix selector, subquery) yields the
// raw points of its series. Series are named by ids into the query's
// LabelsPool.
//
// Not thread-safe; it lives for one query on one thread.
#ifndef TEND_PROMQL_EVAL_CORE_H_
#define TEND_PROMQL_EVAL_CORE_H_

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/point.h"
#include "promql/ast.h"
#include "promql/engine.h"
#include "promql/eval_labels.h"
#include "tsdb/queryable.h"

namespace tend::promql {

struct EvalRange {
  int64_t start = 0;
  int64_t end = 0;
  int64_t interval = 1;
  int64_t steps() const {
    return start > end ? 0 : (end - start) / interval + 1;
  }
};

struct SeriesPoints {
  SeriesId id = kNoSeries;
  std::vector<Point> points;
};
using StepMatrix = std::vector<SeriesPoints>;

// One element of the instant vector at a step.
struct Sample {
  SeriesId id;
  double v;
};
using StepVector = std::vector<Sample>;

struct Value {
  ValueType type = ValueType::kNone;
  StepMatrix matrix;  // kScalar, kVector, kMatrix.
  std::string str;    // kString.
};

// Prometheus's error texts that callers and tests match on.
inline constexpr char kDuplicateLabelsetError[] =
    "vector cannot contain metrics with the same labelset";

// The first timestamp >= x that is a multiple of step (step > 0).
int64_t AlignUp(int64_t x, int64_t step);

class Evaluator {
 public:
  // `querier` may be null when the query selects nothing. `query_start` and
  // `query_end` resolve @ start() and @ end().
  Evaluator(const EngineOptions& options, Querier* querier, int64_t query_start,
            int64_t query_end, std::chrono::steady_clock::time_point deadline);

  // Evaluates `e` over the grid `r`.
  Result<Value> Eval(const Expr& e, const EvalRange& r);

  LabelsPool& pool() { return pool_; }
  int64_t total_samples() const { return total_samples_; }

  // Fails with kDeadlineExceeded once the deadline passed (checks the clock
  // only every few calls).
  Status CheckDeadline();
  // Accounts `n` more samples held by the query; kResourceExhausted past
  // EngineOptions::max_samples.
  Status Hold(int64_t n) {
    held_samples_ += n;
    return held_samples_ > options_.max_samples ? TooManySamples()
                                                : Status::Ok();
  }
  void Release(int64_t n) { held_samples_ -= n; }
  static int64_t CountPoints(const StepMatrix& m);

  int64_t ResolveAt(AtKind kind, int64_t at_ms) const;
  const EngineOptions& options() const { return options_; }

  // Calls fn(ts, args_at_ts, &out) at every step of `r`, where args_at_ts[i]
  // holds the samples args[i] has at ts (nullptr args give empty vectors),
  // and assembles the outputs into series (first-appearance order, so a
  // one-step grid keeps fn's order). A step whose output repeats a label set
  // fails with kDuplicateLabelsetError. This is Prometheus's rangeEval.
  template <typename Fn>
  Result<StepMatrix> RangeEval(const EvalRange& r,
                               std::span<const StepMatrix* const> args,
                               Fn&& fn);

  // Scalar argument values per step (NaN where missing).
  static std::vector<double> ScalarSteps(const StepMatrix& m,
                                         const EvalRange& r);

  // Node evaluators (split over eval_*.cc, binary.cc, aggregate.cc,
  // functions_*.cc).
  Result<Value> EvalVectorSelector(const VectorSelector& vs, const EvalRange& r,
                                   bool timestamps);
  Result<Value> EvalMatrixSelector(const MatrixSelector& ms,
                                   const EvalRange& r);
  Result<Value> EvalSubquery(const SubqueryExpr& sq, const EvalRange& r);
  Result<Value> EvalCall(const Call& call, const EvalRange& r);
  Result<Value> EvalAggregate(const AggregateExpr& agg, const EvalRange& r);
  Result<Value> EvalBinary(const BinaryExpr& bin, const EvalRange& r);
  Result<Value> EvalUnary(const UnaryExpr& un, const EvalRange& r);

  // Selects series for `vs` over [mint, maxt]; an empty set when the query
  // has no querier.
  std::unique_ptr<SeriesSet> Select(const VectorSelector& vs, int64_t mint,
                                    int64_t maxt);

  // Reused buffer for reading one series' points at a time.
  std::vector<Point>& point_buffer() { return point_buf_; }

 private:
  static Status TooManySamples();
  Result<Value> EvalRangeCall(const Call& call, size_t matrix_arg,
                              const EvalRange& r);
  Result<Value> EvalInstantCall(const Call& call, const EvalRange& r);

  const EngineOptions& options_;
  Querier* querier_;
  int64_t query_start_;
  int64_t query_end_;
  std::chrono::steady_clock::time_point deadline_;
  int deadline_counter_ = 63;  // The first check reads the clock.
  int64_t held_samples_ = 0;
  int64_t total_samples_ = 0;
  LabelsPool pool_;
  std::vector<Point> point_buf_;
};

// Strips ParenExpr and StepInvariantExpr wrappers.
const Expr* Unwrap(const Expr* e);

template <typename Fn>
Result<StepMatrix> Evaluator::RangeEval(const EvalRange& r,
                                        std::span<const StepMatrix* const> args,
                                        Fn&& fn) {
  const size_t nargs = args.size();
  std::vector<std::vector<size_t>> cursors(nargs);
  std::vector<StepVector> vecs(nargs);
  for (size_t i = 0; i < nargs; ++i) {
    if (args[i] == nullptr) continue;
    cursors[i].assign(args[i]->size(), 0);
    vecs[i].reserve(args[i]->size());
  }
  StepMatrix out;
  // Per label-set id: its output series and the last step it appeared at.
  struct Slot {
    int32_t series = -1;
    int64_t step = -1;
  };
  std::vector<Slot> slots;
  StepVector result;
  int64_t step = 0;
  for (int64_t ts = r.start; ts <= r.end; ts += r.interval, ++step) {
    RETURN_IF_ERROR(CheckDeadline());
    for (size_t i = 0; i < nargs; ++i) {
      StepVector& vec = vecs[i];
      vec.clear();
      if (args[i] == nullptr) continue;
      const StepMatrix& m = *args[i];
      for (size_t s = 0; s < m.size(); ++s) {
        const std::vector<Point>& pts = m[s].points;
        size_t& c = cursors[i][s];
        while (c < pts.size() && pts[c].t < ts) ++c;
        if (c < pts.size() && pts[c].t == ts) {
          vec.push_back(Sample{m[s].id, pts[c].v});
          ++c;
        }
      }
    }
    result.clear();
    RETURN_IF_ERROR(fn(ts, std::span<const StepVector>(vecs), &result));
    if (slots.size() < pool_.size()) slots.resize(pool_.size());
    for (const Sample& smp : result) {
      Slot& slot = slots[smp.id];
      if (slot.step == step) {
        return FailedPreconditionError(kDuplicateLabelsetError);
      }
      slot.step = step;
      if (slot.series < 0) {
        slot.series = static_cast<int32_t>(out.size());
        out.push_back(SeriesPoints{smp.id, {}});
      }
      out[slot.series].points.push_back(Point{ts, smp.v});
    }
    RETURN_IF_ERROR(Hold(static_cast<int64_t>(result.size())));
  }
  return out;
}

}  // namespace tend::promql

#endif  // TEND_PROMQL_EVAL_CORE_H_
