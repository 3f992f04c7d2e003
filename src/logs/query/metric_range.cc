// Range aggregations (count_over_time, rate, ..., quantile_over_time): the
// matching lines of [first window start, last window end] are read once,
// in time order, into per-series sample lists; each step's window
// (t - offset - range, t - offset] is then a slice found by two cursors
// that only move forward.
#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "logs/logql/label_filter_eval.h"
#include "logs/logql/literals.h"
#include "logs/query/pipeline.h"
#include "logs/query/query_internal.h"

namespace tend::logql::internal {

namespace {

constexpr std::string_view kSampleExtractionErr = "SampleExtractionErr";

struct Samples {
  Labels labels;  // The output series' labels.
  std::vector<int64_t> t;
  std::vector<double> v;
  bool sorted = true;
};

// Converts an unwrapped label value as Loki does; nullopt on failure with
// *why set.
std::optional<double> Convert(UnwrapConv conv, std::string_view text,
                              std::string* why) {
  switch (conv) {
    case UnwrapConv::kNone: {
      auto v = ParseGoFloat(text);
      if (!v)
        *why = "strconv.ParseFloat: parsing \"" + std::string(text) +
               "\": invalid syntax";
      return v;
    }
    case UnwrapConv::kDuration:
    case UnwrapConv::kDurationSeconds: {
      auto d = ParseSignedGoDuration(text);
      if (!d) {
        *why = "time: invalid duration \"" + std::string(text) + "\"";
        return std::nullopt;
      }
      return static_cast<double>(*d) / 1e9;
    }
    case UnwrapConv::kBytes: {
      auto b = ParseBytes(text);
      if (!b) {
        *why = "invalid bytes \"" + std::string(text) + "\"";
        return std::nullopt;
      }
      return static_cast<double>(*b);
    }
  }
  return std::nullopt;
}

Status PipelineError(const LineLabels& labels) {
  Labels ls;
  labels.ToLabels(&ls);
  const std::string err(labels.error());
  return InvalidArgumentError(
      "pipeline error: '" + err + "' for series: '" + LabelsToString(ls) +
      "'. Use a label filter to intentionally skip this error (e.g. | "
      "__error__!=\"" +
      err +
      "\"). To skip all potential errors you can match empty errors "
      "(e.g. __error__=\"\"). The label filter can also be specified after "
      "unwrap (e.g. | unwrap latency | __error__=\"\").");
}

double Quantile(double q, std::vector<double>* values) {
  if (values->empty()) return std::nan("");
  if (std::isnan(q)) return std::nan("");
  if (q < 0) return -std::numeric_limits<double>::infinity();
  if (q > 1) return std::numeric_limits<double>::infinity();
  std::sort(values->begin(), values->end());
  const double n = static_cast<double>(values->size());
  const double rank = q * (n - 1);
  const size_t lower = static_cast<size_t>(std::max(0.0, std::floor(rank)));
  const size_t upper = std::min(values->size() - 1, lower + 1);
  const double weight = rank - std::floor(rank);
  return (*values)[lower] * (1 - weight) + (*values)[upper] * weight;
}

// The aggregate of v[lo, hi) (non-empty) for `op`.
double Aggregate(const RangeAggregationExpr& e, const Samples& s, size_t lo,
                 size_t hi, double range_s, std::vector<double>* scratch) {
  const size_t n = hi - lo;
  const double* v = s.v.data() + lo;
  switch (e.op) {
    case RangeOp::kCountOverTime:
      return static_cast<double>(n);
    case RangeOp::kRate:
    case RangeOp::kBytesRate:
    case RangeOp::kBytesOverTime:
    case RangeOp::kSumOverTime: {
      double sum = 0;
      for (size_t i = 0; i < n; ++i) sum += v[i];
      if (e.op == RangeOp::kRate && !e.range.unwrap.has_value()) {
        return static_cast<double>(n) / range_s;
      }
      if (e.op == RangeOp::kRate || e.op == RangeOp::kBytesRate) {
        return sum / range_s;
      }
      return sum;
    }
    case RangeOp::kAvgOverTime: {
      double sum = 0;
      for (size_t i = 0; i < n; ++i) sum += v[i];
      return sum / static_cast<double>(n);
    }
    case RangeOp::kMinOverTime: {
      double m = v[0];
      for (size_t i = 1; i < n; ++i) {
        if (v[i] < m || std::isnan(m)) m = v[i];
      }
      return m;
    }
    case RangeOp::kMaxOverTime: {
      double m = v[0];
      for (size_t i = 1; i < n; ++i) {
        if (v[i] > m || std::isnan(m)) m = v[i];
      }
      return m;
    }
    case RangeOp::kStddevOverTime:
    case RangeOp::kStdvarOverTime: {
      // Welford's method, population variance (as Prometheus and Loki).
      double mean = 0, m2 = 0;
      for (size_t i = 0; i < n; ++i) {
        const double d = v[i] - mean;
        mean += d / static_cast<double>(i + 1);
        m2 += d * (v[i] - mean);
      }
      const double var = m2 / static_cast<double>(n);
      return e.op == RangeOp::kStdvarOverTime ? var : std::sqrt(var);
    }
    case RangeOp::kQuantileOverTime:
      scratch->assign(v, v + n);
      return Quantile(e.param.value_or(0), scratch);
    case RangeOp::kFirstOverTime:
      return v[0];
    case RangeOp::kLastOverTime:
      return v[n - 1];
    case RangeOp::kAbsentOverTime:
      return 1;
  }
  return 0;
}

// absent_over_time's labels: the selector's equality matchers, a name
// matched twice left out (as Prometheus's absent()).
Labels AbsentLabels(const Matchers& selector) {
  Labels out;
  std::vector<std::string> dup;
  for (const LabelMatcher& m : selector) {
    if (m.type() != LabelMatcher::Type::kEqual) continue;
    bool seen = false;
    for (const Label& l : out) seen = seen || l.name == m.name();
    if (seen) {
      dup.push_back(m.name());
      continue;
    }
    out.push_back({m.name(), m.value()});
  }
  for (const std::string& d : dup) RemoveLabel(&out, d);
  CanonicalizeLabels(&out);
  return out;
}

}  // namespace

Labels GroupLabels(const Labels& labels, const Grouping& grouping) {
  Labels out;
  for (const Label& l : labels) {
    const bool listed =
        std::find(grouping.labels.begin(), grouping.labels.end(), l.name) !=
        grouping.labels.end();
    if (listed != grouping.without) out.push_back(l);
  }
  return out;
}

Result<MetricValue> EvalRangeAggregation(const logs::LogStore& store,
                                         const RangeAggregationExpr& e,
                                         const Steps& steps, Budget* budget,
                                         QueryStats* stats) {
  const LogRange& r = e.range;
  const int64_t range_ns = r.range_ms * 1'000'000;
  const int64_t offset_ns = r.offset_ms * 1'000'000;
  const double range_s = static_cast<double>(range_ns) / 1e9;
  const int64_t first_end = steps.at(0) - offset_ns;
  const int64_t last_end = steps.at(steps.n - 1) - offset_ns;
  const int64_t mint = first_end - range_ns + 1;

  std::vector<Samples> series;
  // Full (pre-grouping) label sets seen, by hash, to their output series.
  struct Seen {
    Labels full;
    size_t out;
  };
  std::vector<Seen> seen;
  std::unordered_multimap<uint64_t, size_t> seen_index;
  std::unordered_map<uint64_t, std::vector<size_t>> out_index;

  const std::vector<std::string> required = RequiredSubstrings(r.pipeline);
  ASSIGN_OR_RETURN(auto it,
                   store.Select(r.selector, mint, last_end,
                                logs::Direction::kForward, 0, required));
  PipelineRunner run(r.pipeline);
  std::string why;
  Labels full;
  Status status;
  while (it->Next()) {
    const std::string_view raw = it->line();
    status = budget->OnLine(raw.size(), stats);
    if (!status.ok()) break;
    if (!run.Run(it->labels(), raw)) continue;
    run.EnsureLabels();
    LineLabels& ll = run.labels();
    double value = 1;
    if (e.op == RangeOp::kBytesOverTime || e.op == RangeOp::kBytesRate) {
      value = static_cast<double>(run.line().size());
    }
    if (r.unwrap.has_value()) {
      const Unwrap& u = *r.unwrap;
      auto text = ll.Get(u.label);
      std::optional<double> v;
      if (text.has_value()) {
        v = Convert(u.conv, *text, &why);
      } else {
        why = "label \"" + u.label + "\" not found";
      }
      if (v.has_value()) {
        value = *v;
      } else if (!ll.has_error()) {
        ll.SetError(kSampleExtractionErr, why);
        value = 0;
      }
      bool keep = true;
      LineLabelsFilterContext ctx(&ll);
      for (const LabelFilter& f : u.post_filters) {
        if (!EvalLabelFilter(f, ctx)) {
          keep = false;
          break;
        }
      }
      if (!keep) continue;
    }
    if (ll.has_error()) {
      status = PipelineError(ll);
      break;
    }
    ++stats->lines_kept;
    // Find the output series of this label set.
    const uint64_t h = ll.Hash();
    size_t out = SIZE_MAX;
    auto [b, en] = seen_index.equal_range(h);
    for (auto i = b; i != en; ++i) {
      if (ll.Equals(seen[i->second].full)) {
        out = seen[i->second].out;
        break;
      }
    }
    if (out == SIZE_MAX) {
      ll.ToLabels(&full);
      Labels labels = full;
      if (r.unwrap.has_value()) {
        if (!e.grouping.has_value() || e.grouping->without) {
          RemoveLabel(&labels, r.unwrap->label);
        }
        if (e.grouping.has_value()) labels = GroupLabels(labels, *e.grouping);
      }
      const uint64_t oh = HashLabels(labels);
      std::vector<size_t>& cands = out_index[oh];
      for (size_t c : cands) {
        if (series[c].labels == labels) out = c;
      }
      if (out == SIZE_MAX) {
        out = series.size();
        status = budget->CheckIntermediateSeries(out + 1);
        if (!status.ok()) break;
        series.push_back({std::move(labels), {}, {}, true});
        cands.push_back(out);
      }
      seen_index.emplace(h, seen.size());
      seen.push_back({full, out});
    }
    Samples& s = series[out];
    const int64_t t = it->t();
    if (!s.t.empty() && t < s.t.back()) s.sorted = false;
    s.t.push_back(t);
    s.v.push_back(value);
  }
  AddSelectStats(it->stats(), stats);
  RETURN_IF_ERROR(status);
  const Status& it_status = it->status();
  RETURN_IF_ERROR(it_status);

  MetricValue result;
  std::vector<double> scratch;
  if (e.op == RangeOp::kAbsentOverTime) {
    StepSeries out{AbsentLabels(r.selector), std::vector<double>(steps.n, 1),
                   std::vector<uint8_t>(steps.n, 0)};
    bool any = false;
    std::vector<size_t> lo(series.size(), 0), hi(series.size(), 0);
    for (size_t i = 0; i < steps.n; ++i) {
      const int64_t end = steps.at(i) - offset_ns, start = end - range_ns;
      bool present = false;
      for (size_t k = 0; k < series.size(); ++k) {
        const auto& ts = series[k].t;
        while (hi[k] < ts.size() && ts[hi[k]] <= end) ++hi[k];
        while (lo[k] < hi[k] && ts[lo[k]] <= start) ++lo[k];
        present = present || hi[k] > lo[k];
      }
      if (!present) {
        out.has[i] = 1;
        any = true;
      }
    }
    if (any) result.series.push_back(std::move(out));
    return result;
  }
  for (Samples& s : series) {
    if (!s.sorted) {
      std::vector<size_t> order(s.t.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(),
                       [&](size_t a, size_t b) { return s.t[a] < s.t[b]; });
      std::vector<int64_t> t2(order.size());
      std::vector<double> v2(order.size());
      for (size_t i = 0; i < order.size(); ++i) {
        t2[i] = s.t[order[i]];
        v2[i] = s.v[order[i]];
      }
      s.t.swap(t2);
      s.v.swap(v2);
    }
    StepSeries out{std::move(s.labels), std::vector<double>(steps.n, 0),
                   std::vector<uint8_t>(steps.n, 0)};
    size_t lo = 0, hi = 0;
    bool any = false;
    for (size_t i = 0; i < steps.n; ++i) {
      const int64_t end = steps.at(i) - offset_ns, start = end - range_ns;
      while (hi < s.t.size() && s.t[hi] <= end) ++hi;
      while (lo < hi && s.t[lo] <= start) ++lo;
      if (hi == lo) continue;
      out.v[i] = Aggregate(e, s, lo, hi, range_s, &scratch);
      out.has[i] = 1;
      any = true;
    }
    if (any) result.series.push_back(std::move(out));
    RETURN_IF_ERROR(budget->CheckTime());
  }
  return result;
}

}  // namespace tend::logql::internal
