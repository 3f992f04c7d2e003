// Log queries: the pipeline over the store's lines in time order, either
// streamed to a callback or collected into streams.
#include <algorithm>
#include <unordered_map>

#include "logs/query/pipeline.h"
#include "logs/query/query.h"
#include "logs/query/query_internal.h"

namespace tend::logql {

namespace internal {

void AddSelectStats(const logs::SelectStats& s, QueryStats* stats) {
  stats->blocks_read += s.blocks_read;
  stats->blocks_skipped += s.skipped_by_time + s.skipped_by_bloom;
}

}  // namespace internal

std::vector<std::string> RequiredSubstrings(const Pipeline& pipeline) {
  std::vector<std::string> out;
  for (const Stage& stage : pipeline) {
    if (const auto* f = std::get_if<LineFilter>(&stage)) {
      if (f->op == LineFilterOp::kContains && f->values.size() == 1 &&
          !f->values[0].empty()) {
        out.push_back(f->values[0]);
      }
      continue;
    }
    if (const auto* p = std::get_if<ParserStage>(&stage)) {
      if (p->kind == ParserKind::kUnpack) break;  // May replace the line.
      continue;
    }
    if (std::holds_alternative<LineFormat>(stage) ||
        std::holds_alternative<Decolorize>(stage)) {
      break;
    }
  }
  return out;
}

namespace {

// Runs `expr` over [start_ns, end_ns) and calls fn(labels, t, line) for each
// kept line until it returns false or `limit` lines were kept.
template <typename Fn>
Status ScanLogQuery(const logs::LogStore& store, const LogQueryExpr& expr,
                    int64_t start_ns, int64_t end_ns, logs::Direction direction,
                    size_t limit, internal::Budget* budget, QueryStats* stats,
                    Fn&& fn) {
  if (end_ns <= start_ns) return Status();  // Empty range.
  const std::vector<std::string> required = RequiredSubstrings(expr.pipeline);
  ASSIGN_OR_RETURN(auto it, store.Select(expr.selector, start_ns, end_ns - 1,
                                         direction, 0, required));
  PipelineRunner run(expr.pipeline);
  size_t kept = 0;
  Status status;
  while (it->Next()) {
    std::string_view line = it->line();
    status = budget->OnLine(line.size(), stats);
    if (!status.ok()) break;
    if (!run.Run(it->labels(), line)) continue;
    ++kept;
    ++stats->lines_kept;
    if (!fn(it->labels(), it->t(), run)) break;
    if (limit != 0 && kept >= limit) break;
  }
  internal::AddSelectStats(it->stats(), stats);
  RETURN_IF_ERROR(status);
  const Status& it_status = it->status();
  RETURN_IF_ERROR(it_status);
  return Status();
}

}  // namespace

Result<QueryStats> StreamLogQuery(const logs::LogStore& store,
                                  const LogQueryExpr& expr, int64_t start_ns,
                                  int64_t end_ns, logs::Direction direction,
                                  size_t limit, const QueryLimits& limits,
                                  const EntryFn& fn) {
  internal::Budget budget(limits);
  QueryStats stats;
  Labels scratch;
  Status s = ScanLogQuery(
      store, expr, start_ns, end_ns, direction, limit, &budget, &stats,
      [&](const Labels& stream, int64_t t, PipelineRunner& run) {
        if (!run.labels_touched()) return fn(stream, t, run.line());
        run.labels().ToLabels(&scratch);
        return fn(scratch, t, run.line());
      });
  RETURN_IF_ERROR(s);
  stats.exec_ns = budget.ElapsedNs();
  return stats;
}

namespace internal {

Result<QueryResult> EvalLogQuery(const logs::LogStore& store,
                                 const LogQueryExpr& expr, int64_t start_ns,
                                 int64_t end_ns, logs::Direction direction,
                                 size_t limit, const QueryLimits& limits) {
  if (limit > limits.max_entries) {
    return ResourceExhaustedError(
        "max entries limit per query exceeded: limit " + std::to_string(limit) +
        " > max_entries " + std::to_string(limits.max_entries));
  }
  if (limit == 0) limit = limits.max_entries;
  Budget budget(limits);
  QueryResult result;
  result.type = ResultType::kStreams;
  // Streams by label-set hash; collisions are resolved by comparing labels.
  std::unordered_multimap<uint64_t, size_t> index;
  Labels scratch;
  Status s = ScanLogQuery(
      store, expr, start_ns, end_ns, direction, limit, &budget, &result.stats,
      [&](const Labels& stream, int64_t t, PipelineRunner& run) {
        const Labels* labels = &stream;
        if (run.labels_touched()) {
          run.labels().ToLabels(&scratch);
          labels = &scratch;
        }
        const uint64_t h = HashLabels(*labels);
        size_t slot = SIZE_MAX;
        auto [b, e] = index.equal_range(h);
        for (auto i = b; i != e; ++i) {
          if (result.streams[i->second].labels == *labels) {
            slot = i->second;
            break;
          }
        }
        if (slot == SIZE_MAX) {
          slot = result.streams.size();
          result.streams.push_back({*labels, {}});
          index.emplace(h, slot);
        }
        result.streams[slot].entries.push_back({t, std::string(run.line())});
        return true;
      });
  RETURN_IF_ERROR(s);
  std::sort(result.streams.begin(), result.streams.end(),
            [](const LogStream& a, const LogStream& b) {
              return CompareLabels(a.labels, b.labels) < 0;
            });
  result.stats.exec_ns = budget.ElapsedNs();
  return result;
}

}  // namespace internal

}  // namespace tend::logql
