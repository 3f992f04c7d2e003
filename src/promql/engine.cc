#include "promql/engine.h"

#include <algorithm>
#include <limits>

#include "promql/eval_core.h"
#include "promql/parser.h"

namespace tend::promql {

namespace {

constexpr int64_t kMaxRangeSteps = 11000;

// The span of sample times a query reads, so that one querier covers every
// selector (offsets, @, lookback, ranges and subqueries included).
struct TimeBounds {
  int64_t mint = std::numeric_limits<int64_t>::max();
  int64_t maxt = std::numeric_limits<int64_t>::min();
  bool any() const { return mint <= maxt; }
  void Add(int64_t lo, int64_t hi) {
    mint = std::min(mint, lo);
    maxt = std::max(maxt, hi);
  }
};

struct BoundsWalker {
  const EngineOptions& options;
  int64_t query_start;
  int64_t query_end;
  TimeBounds bounds;

  int64_t At(AtKind kind, int64_t at_ms) const {
    if (kind == AtKind::kStart) return query_start;
    if (kind == AtKind::kEnd) return query_end;
    return at_ms;
  }

  void Selector(const VectorSelector& vs, int64_t start, int64_t end,
                int64_t before) {
    if (vs.at != AtKind::kNone) start = end = At(vs.at, vs.at_ms);
    bounds.Add(start - before - vs.original_offset_ms,
               end - vs.original_offset_ms);
  }

  void Walk(const Expr* e, int64_t start, int64_t end) {
    if (e == nullptr) return;
    switch (e->kind) {
      case NodeKind::kVectorSelector:
        Selector(static_cast<const VectorSelector&>(*e), start, end,
                 options.lookback_delta_ms);
        return;
      case NodeKind::kMatrixSelector: {
        const auto& ms = static_cast<const MatrixSelector&>(*e);
        Selector(static_cast<const VectorSelector&>(*ms.vector_selector), start,
                 end, ms.range_ms);
        return;
      }
      case NodeKind::kSubquery: {
        const auto& sq = static_cast<const SubqueryExpr&>(*e);
        if (sq.at != AtKind::kNone) start = end = At(sq.at, sq.at_ms);
        Walk(sq.expr.get(), start - sq.original_offset_ms - sq.range_ms,
             end - sq.original_offset_ms);
        return;
      }
      case NodeKind::kCall:
        for (const ExprPtr& a : static_cast<const Call&>(*e).args) {
          Walk(a.get(), start, end);
        }
        return;
      case NodeKind::kAggregate: {
        const auto& a = static_cast<const AggregateExpr&>(*e);
        Walk(a.param.get(), start, end);
        Walk(a.expr.get(), start, end);
        return;
      }
      case NodeKind::kBinary: {
        const auto& b = static_cast<const BinaryExpr&>(*e);
        Walk(b.lhs.get(), start, end);
        Walk(b.rhs.get(), start, end);
        return;
      }
      case NodeKind::kUnary:
        Walk(static_cast<const UnaryExpr&>(*e).expr.get(), start, end);
        return;
      case NodeKind::kParen:
        Walk(static_cast<const ParenExpr&>(*e).expr.get(), start, end);
        return;
      case NodeKind::kStepInvariant:
        Walk(static_cast<const StepInvariantExpr&>(*e).expr.get(), start, end);
        return;
      default:
        return;
    }
  }
};

// Whether the query orders its result itself (sort, sort_desc, topk,
// bottomk, and element-wise operations on such a result, which keep the
// order as in Prometheus); otherwise an instant vector is returned sorted by
// labels.
bool OrdersResult(const Expr* e) {
  e = Unwrap(e);
  if (e == nullptr) return false;
  switch (e->kind) {
    case NodeKind::kCall: {
      const auto& c = static_cast<const Call&>(*e);
      std::string_view n = c.func != nullptr ? c.func->name : "";
      if (n == "sort" || n == "sort_desc") return true;
      if (n == "histogram_quantile" || n == "absent") return false;
      // Element-wise functions keep their vector argument's order.
      for (const ExprPtr& a : c.args) {
        if (a->type() == ValueType::kVector) return OrdersResult(a.get());
      }
      return false;
    }
    case NodeKind::kAggregate: {
      const auto& a = static_cast<const AggregateExpr&>(*e);
      return a.op == AggOp::kTopK || a.op == AggOp::kBottomK;
    }
    case NodeKind::kBinary: {
      // The output follows the left-hand vector (the "many" side for
      // group_right, but sorting either side is what a user asks for).
      const auto& b = static_cast<const BinaryExpr&>(*e);
      if (b.lhs->type() == ValueType::kVector && OrdersResult(b.lhs.get())) {
        return true;
      }
      return b.rhs->type() == ValueType::kVector && OrdersResult(b.rhs.get());
    }
    case NodeKind::kUnary:
      return OrdersResult(static_cast<const UnaryExpr&>(*e).expr.get());
    default:
      return false;
  }
}

Matrix ToMatrix(Evaluator& ev, StepMatrix&& m) {
  Matrix out;
  out.reserve(m.size());
  for (SeriesPoints& s : m) {
    out.push_back(Series{ev.pool().Get(s.id), std::move(s.points)});
  }
  std::sort(out.begin(), out.end(), [](const Series& a, const Series& b) {
    return CompareLabels(a.labels, b.labels) < 0;
  });
  return out;
}

Result<QueryResult> Exec(const EngineOptions& options, Queryable& store,
                         const Expr& expr, int64_t start, int64_t end,
                         int64_t interval, bool instant) {
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  // Times far beyond any real sample (about ±1100 years) would let offset
  // and range arithmetic overflow.
  constexpr int64_t kMaxAbsTime = int64_t{1} << 55;
  if (start < -kMaxAbsTime || end > kMaxAbsTime) {
    return InvalidArgumentError("query time out of range");
  }
  BoundsWalker walker{options, start, end, {}};
  walker.Walk(&expr, start, end);
  std::unique_ptr<Querier> querier;
  if (walker.bounds.any()) {
    ASSIGN_OR_RETURN(querier,
                     store.NewQuerier(walker.bounds.mint, walker.bounds.maxt));
  }
  Evaluator ev(options, querier.get(), start, end, deadline);
  EvalRange r{start, end, interval};
  ASSIGN_OR_RETURN(Value v, ev.Eval(expr, r));
  QueryResult res;
  res.total_samples = ev.total_samples();
  if (!instant) {
    res.type = ValueType::kMatrix;
    res.matrix = ToMatrix(ev, std::move(v.matrix));
    return res;
  }
  res.type = v.type;
  switch (v.type) {
    case ValueType::kString:
      res.string_value = std::move(v.str);
      res.scalar = Point{start, 0};
      break;
    case ValueType::kScalar: {
      double x = std::numeric_limits<double>::quiet_NaN();
      if (!v.matrix.empty() && !v.matrix[0].points.empty()) {
        x = v.matrix[0].points[0].v;
      }
      res.scalar = Point{start, x};
      break;
    }
    case ValueType::kMatrix:
      res.matrix = ToMatrix(ev, std::move(v.matrix));
      break;
    case ValueType::kVector: {
      res.vector.reserve(v.matrix.size());
      for (const SeriesPoints& s : v.matrix) {
        if (s.points.empty()) continue;
        res.vector.push_back(
            VectorSample{ev.pool().Get(s.id), start, s.points[0].v});
      }
      if (!OrdersResult(&expr)) {
        std::stable_sort(res.vector.begin(), res.vector.end(),
                         [](const VectorSample& a, const VectorSample& b) {
                           return CompareLabels(a.labels, b.labels) < 0;
                         });
      }
      break;
    }
    default:
      return InternalError("query evaluated to no value");
  }
  return res;
}

}  // namespace

Engine::Engine(EngineOptions options) : options_(options) {
  if (options_.default_subquery_step_ms <= 0) {
    options_.default_subquery_step_ms = 60 * 1000;
  }
}

Result<QueryResult> Engine::Instant(Queryable& store, std::string_view query,
                                    int64_t t_ms) const {
  ASSIGN_OR_RETURN(ExprPtr expr, ParseExpr(query));
  return InstantExpr(store, *expr, t_ms);
}

Result<QueryResult> Engine::Range(Queryable& store, std::string_view query,
                                  int64_t start_ms, int64_t end_ms,
                                  int64_t step_ms) const {
  ASSIGN_OR_RETURN(ExprPtr expr, ParseExpr(query));
  return RangeExpr(store, *expr, start_ms, end_ms, step_ms);
}

Result<QueryResult> Engine::InstantExpr(Queryable& store, const Expr& expr,
                                        int64_t t_ms) const {
  // Prometheus runs an instant query as a one-step range with interval 1.
  return Exec(options_, store, expr, t_ms, t_ms, 1, /*instant=*/true);
}

Result<QueryResult> Engine::RangeExpr(Queryable& store, const Expr& expr,
                                      int64_t start_ms, int64_t end_ms,
                                      int64_t step_ms) const {
  if (step_ms <= 0) {
    return InvalidArgumentError(
        "zero or negative query resolution step widths are not accepted. "
        "Try a positive integer");
  }
  if (end_ms < start_ms) {
    return InvalidArgumentError("end timestamp must not be before start time");
  }
  if ((end_ms - start_ms) / step_ms >= kMaxRangeSteps) {
    return InvalidArgumentError(
        "exceeded maximum resolution of 11,000 points per timeseries. Try "
        "decreasing the query resolution (?step=XX)");
  }
  const ValueType t = expr.type();
  if (t != ValueType::kVector && t != ValueType::kScalar) {
    return InvalidArgumentError(std::string("invalid expression type \"") +
                                DocumentedType(t) +
                                "\" for range query, must be Scalar or "
                                "instant Vector");
  }
  return Exec(options_, store, expr, start_ms, end_ms, step_ms,
              /*instant=*/false);
}

}  // namespace tend::promql
