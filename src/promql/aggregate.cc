// Aggregation operators (sum, avg, count, min, max, group, stddev, stdvar,
// topk, bottomk, quantile, count_values) with by/without, following
// Prometheus 2.42's evaluator.aggregation: groups appear in the order of
// their first input sample; NaN handling and the incremental mean and
// variance are Prometheus's.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>

#include "promql/eval_core.h"
#include "promql/eval_functions.h"

namespace tend::promql {

namespace {

struct HeapItem {
  double v;
  SeriesId id;
};

// Go's container/heap over a slice with a Less function, so that ties and
// NaNs end up where Prometheus puts them.
template <typename Less>
void HeapUp(std::vector<HeapItem>& h, size_t j, Less less) {
  while (j > 0) {
    size_t i = (j - 1) / 2;
    if (!less(h[j], h[i])) break;
    std::swap(h[i], h[j]);
    j = i;
  }
}

template <typename Less>
void HeapDown(std::vector<HeapItem>& h, size_t i, size_t n, Less less) {
  for (;;) {
    size_t j1 = 2 * i + 1;
    if (j1 >= n) break;
    size_t j = j1;
    if (j1 + 1 < n && less(h[j1 + 1], h[j1])) j = j1 + 1;
    if (!less(h[j], h[i])) break;
    std::swap(h[i], h[j]);
    i = j;
  }
}

template <typename Less>
void HeapPush(std::vector<HeapItem>& h, HeapItem x, Less less) {
  h.push_back(x);
  HeapUp(h, h.size() - 1, less);
}

template <typename Less>
void HeapPop(std::vector<HeapItem>& h, Less less) {
  size_t n = h.size() - 1;
  std::swap(h[0], h[n]);
  HeapDown(h, 0, n, less);
  h.pop_back();
}

// sort.Sort(sort.Reverse(h)): Go sorts short slices by insertion sort
// (stable); longer ones are sorted stably here as the closest match.
template <typename Less>
void ReverseSort(std::vector<HeapItem>& h, Less less) {
  auto rev = [&](const HeapItem& a, const HeapItem& b) { return less(b, a); };
  if (h.size() <= 12) {
    for (size_t i = 1; i < h.size(); ++i) {
      for (size_t j = i; j > 0 && rev(h[j], h[j - 1]); --j) {
        std::swap(h[j], h[j - 1]);
      }
    }
  } else {
    std::stable_sort(h.begin(), h.end(), rev);
  }
}

bool TopLess(const HeapItem& a, const HeapItem& b) {
  return std::isnan(a.v) || a.v < b.v;
}
bool BottomLess(const HeapItem& a, const HeapItem& b) {
  return std::isnan(a.v) || a.v > b.v;
}

struct Group {
  SeriesId out = kNoSeries;
  int64_t step = -1;  // The last step this group was started at.
  double value = 0;
  double mean = 0;
  double count = 0;
  std::vector<HeapItem> heap;
  std::vector<double> values;
};

std::string GoFloatString(double v) {
  // Go's %v for float64 (strconv 'g' with the shortest representation).
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

}  // namespace

Result<Value> Evaluator::EvalAggregate(const AggregateExpr& agg,
                                       const EvalRange& r) {
  const AggOp op = agg.op;
  std::vector<double> param;
  std::string value_label;
  if (op == AggOp::kCountValues) {
    const auto* s = As<StringLiteral>(Unwrap(agg.param.get()));
    if (s == nullptr) return InternalError("count_values without a label");
    value_label = s->value;
  } else if (agg.param != nullptr) {
    ASSIGN_OR_RETURN(Value pv, Eval(*agg.param, r));
    param = ScalarSteps(pv.matrix, r);
    Release(CountPoints(pv.matrix));
  }
  std::vector<std::string> grouping = agg.grouping;
  std::sort(grouping.begin(), grouping.end());
  if (op == AggOp::kCountValues && !agg.without) {
    grouping.push_back(value_label);
  }
  ASSIGN_OR_RETURN(Value in, Eval(*agg.expr, r));

  // Output label set of an input label set.
  auto group_labels = [&](const Labels& l) {
    Labels out;
    for (const Label& x : l) {
      const bool listed =
          std::find(grouping.begin(), grouping.end(), x.name) != grouping.end();
      if (agg.without ? (!listed && x.name != kMetricNameLabel) : listed) {
        out.push_back(x);
      }
    }
    return out;
  };

  std::vector<Group> groups;
  std::vector<int32_t> group_of_id;  // Input id -> group index.
  std::unordered_map<SeriesId, int32_t> group_of_out;
  auto group_for = [&](SeriesId in_id) -> int32_t {
    if (in_id < group_of_id.size() && group_of_id[in_id] >= 0) {
      return group_of_id[in_id];
    }
    SeriesId out = pool_.Intern(group_labels(pool_.Get(in_id)));
    auto [it, inserted] =
        group_of_out.emplace(out, static_cast<int32_t>(groups.size()));
    if (inserted) {
      Group g;
      g.out = out;
      groups.push_back(std::move(g));
    }
    if (group_of_id.size() <= in_id) group_of_id.resize(in_id + 1, -1);
    group_of_id[in_id] = it->second;
    return it->second;
  };

  std::vector<int32_t> order;
  int64_t step = -1;
  auto fn = [&](int64_t, std::span<const StepVector> a,
                StepVector* out) -> Status {
    ++step;
    if (op == AggOp::kCountValues && !IsValidLabelName(value_label)) {
      return FailedPreconditionError("invalid label name \"" + value_label +
                                     "\"");
    }
    int64_t k = 0;
    double q = 0;
    if (op == AggOp::kTopK || op == AggOp::kBottomK) {
      const double f = param[step];
      if (!(f >= -9.223372036854775808e18 && f <= 9.223372036854775807e18)) {
        return FailedPreconditionError("Scalar value " + GoFloatString(f) +
                                       " overflows int64");
      }
      k = static_cast<int64_t>(f);
      if (k < 1) return Status::Ok();
    } else if (op == AggOp::kQuantile) {
      q = param[step];
    }
    const StepVector& vec = a[0];
    order.clear();
    for (const Sample& s : vec) {
      int32_t gi;
      if (op == AggOp::kCountValues) {
        Labels l = pool_.Get(s.id);
        SetLabel(&l, value_label, FormatFloatF(s.v));
        gi = group_for(pool_.Intern(std::move(l)));
      } else {
        gi = group_for(s.id);
      }
      Group& g = groups[gi];
      if (g.step != step) {
        g.step = step;
        order.push_back(gi);
        g.value = s.v;
        g.mean = s.v;
        g.count = 1;
        switch (op) {
          case AggOp::kStddev:
          case AggOp::kStdvar:
            g.value = 0;
            break;
          case AggOp::kTopK:
          case AggOp::kBottomK:
            g.heap.clear();
            g.heap.push_back(HeapItem{s.v, s.id});
            break;
          case AggOp::kQuantile:
            g.values.clear();
            g.values.push_back(s.v);
            break;
          case AggOp::kGroup:
            g.value = 1;
            break;
          default:
            break;
        }
        continue;
      }
      switch (op) {
        case AggOp::kSum:
          g.value += s.v;
          break;
        case AggOp::kAvg:
          g.count += 1;
          if (std::isinf(g.mean)) {
            // Keep an infinite mean unless the new value is an opposite
            // infinity or NaN (Inf - Inf would make it NaN needlessly).
            if (std::isinf(s.v) && (g.mean > 0) == (s.v > 0)) break;
            if (!std::isinf(s.v) && !std::isnan(s.v)) break;
          }
          // Divided separately to avoid overflowing.
          g.mean += s.v / g.count - g.mean / g.count;
          break;
        case AggOp::kGroup:
          break;
        case AggOp::kMax:
          if (g.value < s.v || std::isnan(g.value)) g.value = s.v;
          break;
        case AggOp::kMin:
          if (g.value > s.v || std::isnan(g.value)) g.value = s.v;
          break;
        case AggOp::kCount:
        case AggOp::kCountValues:
          g.count += 1;
          break;
        case AggOp::kStddev:
        case AggOp::kStdvar: {
          g.count += 1;
          const double delta = s.v - g.mean;
          g.mean += delta / g.count;
          g.value += delta * (s.v - g.mean);
          break;
        }
        case AggOp::kTopK:
          if (static_cast<int64_t>(g.heap.size()) < k || g.heap[0].v < s.v ||
              std::isnan(g.heap[0].v)) {
            if (static_cast<int64_t>(g.heap.size()) == k) {
              HeapPop(g.heap, TopLess);
            }
            HeapPush(g.heap, HeapItem{s.v, s.id}, TopLess);
          }
          break;
        case AggOp::kBottomK:
          if (static_cast<int64_t>(g.heap.size()) < k || g.heap[0].v > s.v ||
              std::isnan(g.heap[0].v)) {
            if (static_cast<int64_t>(g.heap.size()) == k) {
              HeapPop(g.heap, BottomLess);
            }
            HeapPush(g.heap, HeapItem{s.v, s.id}, BottomLess);
          }
          break;
        case AggOp::kQuantile:
          g.values.push_back(s.v);
          break;
      }
    }
    for (int32_t gi : order) {
      Group& g = groups[gi];
      double v = g.value;
      switch (op) {
        case AggOp::kAvg:
          v = g.mean;
          break;
        case AggOp::kCount:
        case AggOp::kCountValues:
          v = g.count;
          break;
        case AggOp::kStdvar:
          v = g.value / g.count;
          break;
        case AggOp::kStddev:
          v = std::sqrt(g.value / g.count);
          break;
        case AggOp::kTopK:
        case AggOp::kBottomK:
          if (g.heap.size() > 1) {
            if (op == AggOp::kTopK) {
              ReverseSort(g.heap, TopLess);
            } else {
              ReverseSort(g.heap, BottomLess);
            }
          }
          for (const HeapItem& h : g.heap) out->push_back(Sample{h.id, h.v});
          continue;
        case AggOp::kQuantile:
          v = Quantile(q, &g.values);
          break;
        default:
          break;
      }
      out->push_back(Sample{g.out, v});
    }
    return Status::Ok();
  };
  const StepMatrix* args[] = {&in.matrix};
  ASSIGN_OR_RETURN(StepMatrix m, RangeEval(r, args, fn));
  Release(CountPoints(in.matrix));
  Value v;
  v.type = ValueType::kVector;
  v.matrix = std::move(m);
  return v;
}

}  // namespace tend::promql
