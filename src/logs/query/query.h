// The LogQL evaluator: log queries (streams of lines) and metric queries
// (vectors and matrices) over a logs::LogStore, with Loki's semantics
// (docs/logql.md, "Evaluation").
//
//   ASSIGN_OR_RETURN(auto expr, logql::ParseLogQL(text));
//   ASSIGN_OR_RETURN(auto res, logql::EvalRange(store, *expr, start, end,
//                                               step, Direction::kBackward,
//                                               100, limits));
//
// Errors (the HTTP API maps them): kInvalidArgument for a query that cannot
// run (an instant log query, a bad step, a pipeline error in a metric query
// with Loki's "pipeline error: ..." text); kResourceExhausted naming the
// limit exceeded (entries, series, bytes read); kDeadlineExceeded past
// QueryLimits::timeout_ns; store errors passed through. Never a partial
// result with an OK status.
//
// Threads: the functions are reentrant; any number may run concurrently on
// one store (LogStore::Select is thread-safe). The store must outlive the
// call; results own their data.
#ifndef TEND_LOGS_QUERY_QUERY_H_
#define TEND_LOGS_QUERY_QUERY_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "logs/logql/ast.h"
#include "logs/store/log_store.h"
#include "model/labels.h"
#include "promql/engine.h"

namespace tend::logql {

struct QueryLimits {
  // Largest `limit` a log query may ask for.
  size_t max_entries = 5000;
  // Most series a metric result (or any intermediate vector) may hold.
  size_t max_series = 10000;
  // Most series a range aggregation may hold before an outer aggregation
  // reduces them (`sum by (status) (count_over_time({...} | json [1m]))`
  // counts per full label set first, which may include a per-line field).
  // Bounds memory; the result is still held to max_series.
  size_t max_intermediate_series = 500000;
  // Most bytes of log lines read from the store by one query.
  uint64_t max_bytes_read = 4ull << 30;
  int64_t timeout_ns = 60'000'000'000;
};

struct LogEntry {
  int64_t t_ns = 0;
  std::string line;
};

// Labels are the stream's labels after the pipeline (parsers, drop/keep).
struct LogStream {
  Labels labels;
  std::vector<LogEntry> entries;  // In the query's direction.
};

struct QueryStats {
  size_t lines_scanned = 0;  // Lines read from the store.
  size_t bytes_scanned = 0;
  size_t lines_kept = 0;  // Lines the pipeline kept.
  size_t blocks_read = 0;
  size_t blocks_skipped = 0;  // By time or by the token index.
  int64_t exec_ns = 0;
};

enum class ResultType { kStreams, kVector, kMatrix, kScalar };

// `type` says which member holds the value. Metric values use the PromQL
// engine's types (promql::QueryResult, times in milliseconds) so that the
// HTTP layer encodes them with AppendQueryData exactly like PromQL results.
// Streams are sorted by labels; a matrix's series by labels; a vector by
// labels unless topk/bottomk ordered it.
struct QueryResult {
  ResultType type = ResultType::kStreams;
  std::vector<LogStream> streams;
  promql::QueryResult metric;
  QueryStats stats;
};

// A log query over [start_ns, end_ns) (Loki's query_range: end exclusive)
// returning at most `limit` entries: the newest (kBackward) or oldest
// (kForward) kept lines. A metric query over start, start+step, ... <= end
// (step > 0, at most 11,000 steps) returning a matrix (`limit` unused).
Result<QueryResult> EvalRange(const logs::LogStore& store, const Expr& expr,
                              int64_t start_ns, int64_t end_ns, int64_t step_ns,
                              logs::Direction direction, size_t limit,
                              const QueryLimits& limits);

// A metric query at `t_ns`: a vector (or a scalar for a literal). A log
// query is kInvalidArgument (as Loki: use a range query).
Result<QueryResult> EvalInstant(const logs::LogStore& store, const Expr& expr,
                                int64_t t_ns, logs::Direction direction,
                                size_t limit, const QueryLimits& limits);

// Called per kept entry in order; return false to stop early (not an
// error). The views are valid during the call only.
using EntryFn = std::function<bool(const Labels& labels, int64_t t_ns,
                                   std::string_view line)>;

// Streams a log query's kept entries over [start_ns, end_ns) in
// `direction` without materializing them, at most `limit` (0: no limit;
// max_entries does not apply), for `tend logs search` and tail. `labels`
// are the pipeline's labels. Returns the stats; the limits on bytes and
// time apply.
Result<QueryStats> StreamLogQuery(const logs::LogStore& store,
                                  const LogQueryExpr& expr, int64_t start_ns,
                                  int64_t end_ns, logs::Direction direction,
                                  size_t limit, const QueryLimits& limits,
                                  const EntryFn& fn);

// The substrings every line a pipeline keeps must contain, usable by the
// store's token index: the values of single-valued, case-sensitive `|=`
// filters before the first stage that rewrites the line (parsers may
// rewrite via unpack; line_format, decolorize).
std::vector<std::string> RequiredSubstrings(const Pipeline& pipeline);

}  // namespace tend::logql

#endif  // TEND_LOGS_QUERY_QUERY_H_
