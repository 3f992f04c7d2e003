#include "promql/eval_core.h"

#include <cmath>
#include <limits>
#include <utility>

namespace tend::promql {

namespace {

// An empty SeriesSet for queries that have no querier.
class EmptySeriesSet : public SeriesSet {
 public:
  bool Next() override { return false; }
  const Labels& labels() const override { return empty_; }
  Status ReadPoints(int64_t, int64_t, std::vector<Point>*) override {
    return Status::Ok();
  }
  Status status() const override { return Status::Ok(); }

 private:
  Labels empty_;
};

}  // namespace

int64_t AlignUp(int64_t x, int64_t step) {
  int64_t s = (x / step) * step;  // Truncates toward zero.
  if (s < x) s += step;
  return s;
}

const Expr* Unwrap(const Expr* e) {
  while (e != nullptr) {
    if (const auto* p = As<ParenExpr>(e)) {
      e = p->expr.get();
    } else if (const auto* s = As<StepInvariantExpr>(e)) {
      e = s->expr.get();
    } else {
      break;
    }
  }
  return e;
}

Evaluator::Evaluator(const EngineOptions& options, Querier* querier,
                     int64_t query_start, int64_t query_end,
                     std::chrono::steady_clock::time_point deadline)
    : options_(options),
      querier_(querier),
      query_start_(query_start),
      query_end_(query_end),
      deadline_(deadline) {}

Status Evaluator::CheckDeadline() {
  if (++deadline_counter_ < 64) return Status::Ok();
  deadline_counter_ = 0;
  if (std::chrono::steady_clock::now() >= deadline_) {
    return DeadlineExceededError("query timed out in expression evaluation");
  }
  return Status::Ok();
}

Status Evaluator::TooManySamples() {
  return ResourceExhaustedError(
      "query processing would load too many samples into memory in query "
      "execution");
}

int64_t Evaluator::CountPoints(const StepMatrix& m) {
  int64_t n = 0;
  for (const SeriesPoints& s : m) n += static_cast<int64_t>(s.points.size());
  return n;
}

int64_t Evaluator::ResolveAt(AtKind kind, int64_t at_ms) const {
  switch (kind) {
    case AtKind::kStart:
      return query_start_;
    case AtKind::kEnd:
      return query_end_;
    default:
      return at_ms;
  }
}

std::vector<double> Evaluator::ScalarSteps(const StepMatrix& m,
                                           const EvalRange& r) {
  std::vector<double> out(static_cast<size_t>(r.steps()),
                          std::numeric_limits<double>::quiet_NaN());
  if (m.empty()) return out;
  for (const Point& p : m[0].points) {
    int64_t i = (p.t - r.start) / r.interval;
    if (i >= 0 && i < static_cast<int64_t>(out.size())) out[i] = p.v;
  }
  return out;
}

std::unique_ptr<SeriesSet> Evaluator::Select(const VectorSelector& vs,
                                             int64_t mint, int64_t maxt) {
  if (querier_ == nullptr) return std::make_unique<EmptySeriesSet>();
  return querier_->Select(mint, maxt, vs.matchers);
}

Result<Value> Evaluator::Eval(const Expr& e, const EvalRange& r) {
  RETURN_IF_ERROR(CheckDeadline());
  switch (e.kind) {
    case NodeKind::kNumberLiteral: {
      const double v = static_cast<const NumberLiteral&>(e).value;
      Value out;
      out.type = ValueType::kScalar;
      SeriesPoints s{LabelsPool::kEmpty, {}};
      RETURN_IF_ERROR(Hold(r.steps()));
      s.points.reserve(static_cast<size_t>(r.steps()));
      for (int64_t ts = r.start; ts <= r.end; ts += r.interval) {
        s.points.push_back(Point{ts, v});
      }
      out.matrix.push_back(std::move(s));
      return out;
    }
    case NodeKind::kStringLiteral: {
      Value out;
      out.type = ValueType::kString;
      out.str = static_cast<const StringLiteral&>(e).value;
      return out;
    }
    case NodeKind::kVectorSelector:
      return EvalVectorSelector(static_cast<const VectorSelector&>(e), r,
                                /*timestamps=*/false);
    case NodeKind::kMatrixSelector:
      return EvalMatrixSelector(static_cast<const MatrixSelector&>(e), r);
    case NodeKind::kSubquery:
      return EvalSubquery(static_cast<const SubqueryExpr&>(e), r);
    case NodeKind::kCall:
      return EvalCall(static_cast<const Call&>(e), r);
    case NodeKind::kAggregate:
      return EvalAggregate(static_cast<const AggregateExpr&>(e), r);
    case NodeKind::kBinary:
      return EvalBinary(static_cast<const BinaryExpr&>(e), r);
    case NodeKind::kUnary:
      return EvalUnary(static_cast<const UnaryExpr&>(e), r);
    case NodeKind::kParen:
      return Eval(*static_cast<const ParenExpr&>(e).expr, r);
    case NodeKind::kStepInvariant:
      // Evaluating at every step gives the same values as evaluating once
      // and repeating: @-pinned selectors ignore the step time.
      return Eval(*static_cast<const StepInvariantExpr&>(e).expr, r);
  }
  return InternalError("unknown expression node");
}

Result<Value> Evaluator::EvalUnary(const UnaryExpr& un, const EvalRange& r) {
  ASSIGN_OR_RETURN(Value v, Eval(*un.expr, r));
  if (!un.negate) return v;
  for (SeriesPoints& s : v.matrix) {
    for (Point& p : s.points) p.v = -p.v;
  }
  if (v.type != ValueType::kVector) return v;
  // Prometheus checks the whole matrix, not each step.
  std::vector<uint8_t> seen;
  for (SeriesPoints& s : v.matrix) {
    s.id = pool_.DropName(s.id);
    if (seen.size() < pool_.size()) seen.resize(pool_.size(), 0);
    if (seen[s.id]) return FailedPreconditionError(kDuplicateLabelsetError);
    seen[s.id] = 1;
  }
  return v;
}

Result<Value> Evaluator::EvalSubquery(const SubqueryExpr& sq,
                                      const EvalRange& r) {
  int64_t step =
      sq.step_ms > 0 ? sq.step_ms : options_.default_subquery_step_ms;
  if (step <= 0) step = 60 * 1000;
  const bool pinned = sq.at != AtKind::kNone;
  const int64_t at = pinned ? ResolveAt(sq.at, sq.at_ms) : 0;
  const int64_t off = sq.original_offset_ms;
  EvalRange inner;
  inner.interval = step;
  inner.end = (pinned ? at : r.end) - off;
  inner.start = AlignUp((pinned ? at : r.start) - off - sq.range_ms, step);
  // A grid longer than the sample limit cannot be held; refusing it here
  // also keeps step-sized buffers from exhausting memory.
  if (inner.steps() > options_.max_samples) {
    return ResourceExhaustedError(
        "query processing would load too many samples into memory in "
        "subquery evaluation");
  }
  ASSIGN_OR_RETURN(Value v, Eval(*sq.expr, inner));
  v.type = ValueType::kMatrix;
  return v;
}

}  // namespace tend::promql
