// Function calls: dispatch between range-vector functions (windows over a
// matrix selector or subquery, one series at a time) and instant functions
// (rangeEval over the evaluated arguments).
#include <algorithm>
#include <cmath>
#include <limits>

#include "promql/eval_core.h"
#include "promql/eval_functions.h"
#include "promql/eval_instant_fn.h"

namespace tend::promql {

namespace {

// Slides the per-step windows [end(ts) - range, end(ts)] over one series'
// points (sorted, without stale markers) and appends the function's
// results to `out` (points at the step times).
struct WindowRunner {
  FnKind kind;
  const EvalRange& r;
  int64_t range_ms;
  bool pinned;
  int64_t pinned_end;  // (@ time) - offset, when pinned.
  int64_t offset;
  const std::vector<double>* p0;  // Per-step scalar parameters, or null.
  const std::vector<double>* p1;
  std::vector<uint8_t>* covered;  // absent_over_time: steps with samples.
  std::vector<double>* scratch;
  // rate() and increase(): resets[i] counts the decreases among pts[0..i],
  // so a window's reset scan is skipped when it has none (the common case:
  // a dashboard's 5m windows at a 1m step visit each sample five times).
  std::vector<uint32_t>* resets = nullptr;

  Status Run(std::span<const Point> pts, std::vector<Point>* out) const {
    const bool counter = resets != nullptr &&
                         (kind == FnKind::kRate || kind == FnKind::kIncrease);
    if (counter) {
      resets->resize(pts.size());
      uint32_t n = 0;
      for (size_t i = 0; i < pts.size(); ++i) {
        if (i > 0 && pts[i].v < pts[i - 1].v) ++n;
        (*resets)[i] = n;
      }
    }
    size_t lo = 0, hi = 0;
    size_t step = 0;
    for (int64_t ts = r.start; ts <= r.end; ts += r.interval, ++step) {
      const int64_t maxt = (pinned ? pinned_end : ts - offset);
      const int64_t mint = maxt - range_ms;
      while (lo < pts.size() && pts[lo].t < mint) ++lo;
      if (hi < lo) hi = lo;
      while (hi < pts.size() && pts[hi].t <= maxt) ++hi;
      if (hi == lo) continue;
      if (covered != nullptr) {
        (*covered)[step] = 1;
        continue;
      }
      RangeFnParams p;
      p.ts = ts;
      p.range_start = mint;
      p.range_end = maxt;
      p.range_ms = range_ms;
      p.scratch = scratch;
      p.no_counter_resets = counter && (*resets)[hi - 1] == (*resets)[lo];
      if (p0 != nullptr) p.p0 = (*p0)[step];
      if (p1 != nullptr) p.p1 = (*p1)[step];
      double v;
      bool has;
      RETURN_IF_ERROR(
          ApplyRangeFn(kind, pts.subspan(lo, hi - lo), p, &v, &has));
      if (has) out->push_back(Point{ts, v});
    }
    return Status::Ok();
  }
};

bool IsRangeFn(FnKind k) { return k <= FnKind::kSumOverTime; }

}  // namespace

Result<Value> Evaluator::EvalCall(const Call& call, const EvalRange& r) {
  if (call.func == nullptr) return InternalError("call without function");
  std::optional<FnKind> kind = LookupFn(call.func->name);
  if (!kind) {
    return FailedPreconditionError(std::string("function \"") +
                                   call.func->name + "\" is not implemented");
  }
  // The parser checks arity; trees built elsewhere must not index past the
  // arguments.
  const FunctionSignature& sig = *call.func;
  const size_t n = call.args.size(), declared = sig.arg_types.size();
  const size_t min_args = sig.variadic > 0
                              ? declared - static_cast<size_t>(sig.variadic)
                              : (sig.variadic < 0 ? declared - 1 : declared);
  const size_t max_args =
      sig.variadic < 0 ? std::numeric_limits<size_t>::max() : declared;
  if (n < min_args || n > max_args) {
    return InvalidArgumentError(std::string("wrong number of arguments for ") +
                                sig.name + "()");
  }
  for (const ExprPtr& a : call.args) {
    if (a == nullptr) return InvalidArgumentError("missing function argument");
  }
  if (*kind == FnKind::kTimestamp && !call.args.empty()) {
    // timestamp() of a plain selector reports the samples' own times, which
    // a step matrix does not keep; evaluate the selector for them.
    if (const auto* vs = As<VectorSelector>(Unwrap(call.args[0].get()))) {
      ASSIGN_OR_RETURN(Value sel, EvalVectorSelector(*vs, r, true));
      const StepMatrix* args[] = {&sel.matrix};
      ASSIGN_OR_RETURN(
          StepMatrix m,
          RangeEval(r, args,
                    [&](int64_t, std::span<const StepVector> a,
                        StepVector* out) -> Status {
                      for (const Sample& s : a[0]) {
                        out->push_back(Sample{pool_.DropName(s.id), s.v});
                      }
                      return Status::Ok();
                    }));
      Release(CountPoints(sel.matrix));
      Value v;
      v.type = ValueType::kVector;
      v.matrix = std::move(m);
      return v;
    }
  }
  if (IsRangeFn(*kind)) {
    for (size_t i = 0; i < call.args.size(); ++i) {
      const Expr* a = Unwrap(call.args[i].get());
      if (As<MatrixSelector>(a) != nullptr || As<SubqueryExpr>(a) != nullptr) {
        return EvalRangeCall(call, i, r);
      }
    }
    return InternalError(std::string("no range argument for ") +
                         call.func->name);
  }
  return EvalInstantCall(call, r);
}

Result<Value> Evaluator::EvalRangeCall(const Call& call, size_t matrix_arg,
                                       const EvalRange& r) {
  const FnKind kind = *LookupFn(call.func->name);
  // Scalar parameters, evaluated over the same grid.
  std::vector<std::vector<double>> params;
  for (size_t i = 0; i < call.args.size(); ++i) {
    if (i == matrix_arg) continue;
    ASSIGN_OR_RETURN(Value pv, Eval(*call.args[i], r));
    params.push_back(ScalarSteps(pv.matrix, r));
    Release(CountPoints(pv.matrix));
  }
  const Expr* arg = Unwrap(call.args[matrix_arg].get());
  const auto* ms = As<MatrixSelector>(arg);
  const auto* sq = As<SubqueryExpr>(arg);
  std::vector<double> scratch;
  std::vector<uint32_t> resets;
  WindowRunner run{.kind = kind,
                   .r = r,
                   .range_ms = 0,
                   .pinned = false,
                   .pinned_end = 0,
                   .offset = 0,
                   .p0 = nullptr,
                   .p1 = nullptr,
                   .covered = nullptr,
                   .scratch = &scratch,
                   .resets = &resets};
  if (!params.empty()) run.p0 = &params[0];
  if (params.size() > 1) run.p1 = &params[1];
  const VectorSelector* vs = nullptr;
  if (ms != nullptr) {
    vs = As<VectorSelector>(ms->vector_selector.get());
    run.range_ms = ms->range_ms;
    run.offset = vs->original_offset_ms;
    run.pinned = vs->at != AtKind::kNone;
    if (run.pinned) run.pinned_end = ResolveAt(vs->at, vs->at_ms) - run.offset;
  } else {
    run.range_ms = sq->range_ms;
    run.offset = sq->original_offset_ms;
    run.pinned = sq->at != AtKind::kNone;
    if (run.pinned) run.pinned_end = ResolveAt(sq->at, sq->at_ms) - run.offset;
  }
  std::vector<uint8_t> covered;
  if (kind == FnKind::kAbsentOverTime) {
    covered.assign(static_cast<size_t>(r.steps()), 0);
    run.covered = &covered;
  }

  StepMatrix out;
  auto emit = [&](SeriesId in_id, std::span<const Point> pts) -> Status {
    std::vector<Point> res;
    RETURN_IF_ERROR(run.Run(pts, &res));
    if (res.empty()) return Status::Ok();
    RETURN_IF_ERROR(Hold(static_cast<int64_t>(res.size())));
    // last_over_time acts like an offset and keeps the metric name.
    SeriesId id = kind == FnKind::kLastOverTime ? in_id : pool_.DropName(in_id);
    out.push_back(SeriesPoints{id, std::move(res)});
    return Status::Ok();
  };

  if (r.steps() > 0 && ms != nullptr) {
    const int64_t maxt = run.pinned ? run.pinned_end : r.end - run.offset;
    const int64_t mint =
        (run.pinned ? run.pinned_end : r.start - run.offset) - run.range_ms;
    std::unique_ptr<SeriesSet> set = Select(*vs, mint, maxt);
    std::vector<Point>& buf = point_buffer();
    while (set->Next()) {
      RETURN_IF_ERROR(CheckDeadline());
      buf.clear();
      RETURN_IF_ERROR(set->ReadPoints(mint, maxt, &buf));
      total_samples_ += static_cast<int64_t>(buf.size());
      std::erase_if(buf, [](const Point& p) { return IsStaleNaN(p.v); });
      if (buf.empty()) continue;
      RETURN_IF_ERROR(Hold(static_cast<int64_t>(buf.size())));
      Status st = emit(pool_.Intern(set->labels()), buf);
      Release(static_cast<int64_t>(buf.size()));
      RETURN_IF_ERROR(st);
    }
    RETURN_IF_ERROR(set->status());
  } else if (r.steps() > 0) {
    ASSIGN_OR_RETURN(Value inner, EvalSubquery(*sq, r));
    for (const SeriesPoints& s : inner.matrix) {
      RETURN_IF_ERROR(CheckDeadline());
      RETURN_IF_ERROR(emit(s.id, s.points));
    }
    Release(CountPoints(inner.matrix));
  }

  Value v;
  v.type = ValueType::kVector;
  if (kind == FnKind::kAbsentOverTime) {
    // One series with 1 at every step where no input series had samples.
    Release(CountPoints(out));
    SeriesPoints s{pool_.Intern(AbsentLabels(arg)), {}};
    size_t step = 0;
    for (int64_t ts = r.start; ts <= r.end; ts += r.interval, ++step) {
      if (!covered[step]) s.points.push_back(Point{ts, 1});
    }
    if (!s.points.empty()) {
      RETURN_IF_ERROR(Hold(static_cast<int64_t>(s.points.size())));
      v.matrix.push_back(std::move(s));
    }
    return v;
  }
  // Prometheus checks the whole result, not each step.
  std::vector<uint8_t> seen(pool_.size(), 0);
  for (const SeriesPoints& s : out) {
    if (seen[s.id]) return FailedPreconditionError(kDuplicateLabelsetError);
    seen[s.id] = 1;
  }
  v.matrix = std::move(out);
  return v;
}

Result<Value> Evaluator::EvalInstantCall(const Call& call, const EvalRange& r) {
  const FnKind kind = *LookupFn(call.func->name);
  std::vector<Value> vals(call.args.size());
  std::vector<const StepMatrix*> args(call.args.size(), nullptr);
  for (size_t i = 0; i < call.args.size(); ++i) {
    if (call.args[i]->type() == ValueType::kString) continue;
    ASSIGN_OR_RETURN(vals[i], Eval(*call.args[i], r));
    args[i] = &vals[i].matrix;
  }
  InstantFn fn(kind, call, &pool_);
  ASSIGN_OR_RETURN(
      StepMatrix m,
      RangeEval(r, args,
                [&](int64_t ts, std::span<const StepVector> a,
                    StepVector* out) { return fn.Step(ts, a, out); }));
  for (const Value& v : vals) Release(CountPoints(v.matrix));
  Value v;
  v.type = call.type();
  v.matrix = std::move(m);
  return v;
}

}  // namespace tend::promql
