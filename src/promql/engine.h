// The PromQL evaluator: instant and range queries over any Queryable, with
// Prometheus 2.42's semantics for float samples.
//
// Errors (the HTTP API maps the codes to Prometheus's errorType):
// - kInvalidArgument: the query does not parse or type-check ("bad_data");
// - kDeadlineExceeded: the query ran past EngineOptions::timeout ("timeout");
// - kResourceExhausted: more than max_samples samples would be held at once
//   ("execution", Prometheus's "query processing would load too many samples
//   into memory in ..." message);
// - kFailedPrecondition: any other evaluation error, with Prometheus's
//   message where it has one (e.g. "vector cannot contain metrics with the
//   same labelset", "many-to-many matching not allowed ...") ("execution");
// - kDataLoss / others from the store, passed through ("internal").
//
// Thread-safety: an Engine is immutable after construction; queries may run
// concurrently from several threads, each with its own Queryable calls.
#ifndef TEND_PROMQL_ENGINE_H_
#define TEND_PROMQL_ENGINE_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/labels.h"
#include "model/point.h"
#include "promql/ast.h"
#include "tsdb/queryable.h"

namespace tend::promql {

struct VectorSample {
  Labels labels;  // Canonical.
  int64_t t = 0;
  double v = 0;
};
using Vector = std::vector<VectorSample>;

struct Series {
  Labels labels;  // Canonical.
  std::vector<Point> points;
};
using Matrix = std::vector<Series>;

// The value of a query. `type` says which member holds it:
// kVector -> vector, kMatrix -> matrix, kScalar -> scalar, kString ->
// string_value at scalar.t. A range query's result is always a kMatrix whose
// series are sorted by labels. An instant query's vector keeps the engine's
// order (sorted by labels unless the query sorts: sort(), topk ...).
struct QueryResult {
  ValueType type = ValueType::kNone;
  Vector vector;
  Matrix matrix;
  Point scalar;
  std::string string_value;
  std::vector<std::string> warnings;
  int64_t total_samples = 0;  // Samples loaded from the store (for stats).
};

struct EngineOptions {
  int64_t lookback_delta_ms = 5 * 60 * 1000;
  // At most this many samples held in memory at once by a query.
  int64_t max_samples = 50'000'000;
  std::chrono::milliseconds timeout{std::chrono::minutes(2)};
  // The step of a subquery written without one ([5m:]): Prometheus uses the
  // global evaluation interval, 1m by default.
  int64_t default_subquery_step_ms = 60 * 1000;
};

class Engine {
 public:
  explicit Engine(EngineOptions options = {});

  // Evaluates `query` at time `t_ms`.
  Result<QueryResult> Instant(Queryable& store, std::string_view query,
                              int64_t t_ms) const;
  // Evaluates `query` at start, start+step, ... <= end (step > 0, end >=
  // start, at most 11,000 steps as Prometheus's API enforces; violations are
  // kInvalidArgument).
  Result<QueryResult> Range(Queryable& store, std::string_view query,
                            int64_t start_ms, int64_t end_ms,
                            int64_t step_ms) const;

  // Same, over an already parsed tree (rules evaluate the same tree
  // repeatedly).
  Result<QueryResult> InstantExpr(Queryable& store, const Expr& expr,
                                  int64_t t_ms) const;
  Result<QueryResult> RangeExpr(Queryable& store, const Expr& expr,
                                int64_t start_ms, int64_t end_ms,
                                int64_t step_ms) const;

  const EngineOptions& options() const { return options_; }

 private:
  EngineOptions options_;
};

}  // namespace tend::promql

#endif  // TEND_PROMQL_ENGINE_H_
