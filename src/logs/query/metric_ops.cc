// Vector aggregations and binary operators over step vectors, with
// PromQL's semantics (LogQL's are the same): one-to-one matching on all
// labels, comparisons filter unless `bool`, `and`/`or`/`unless` as sets.
#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "logs/query/query_internal.h"

namespace tend::logql::internal {

namespace {

struct Group {
  Labels labels;
  std::vector<size_t> members;  // Indexes into the inner series.
};

std::vector<Group> MakeGroups(const std::vector<StepSeries>& in,
                              const std::optional<Grouping>& grouping) {
  std::vector<Group> groups;
  std::unordered_map<uint64_t, std::vector<size_t>> index;
  for (size_t i = 0; i < in.size(); ++i) {
    Labels key =
        grouping.has_value() ? GroupLabels(in[i].labels, *grouping) : Labels{};
    auto& cands = index[HashLabels(key)];
    size_t g = SIZE_MAX;
    for (size_t c : cands) {
      if (groups[c].labels == key) g = c;
    }
    if (g == SIZE_MAX) {
      g = groups.size();
      groups.push_back({std::move(key), {}});
      cands.push_back(g);
    }
    groups[g].members.push_back(i);
  }
  return groups;
}

double Arith(BinOp op, double a, double b) {
  switch (op) {
    case BinOp::kAdd:
      return a + b;
    case BinOp::kSub:
      return a - b;
    case BinOp::kMul:
      return a * b;
    case BinOp::kDiv:
      return a / b;
    case BinOp::kMod:
      return std::fmod(a, b);
    case BinOp::kPow:
      return std::pow(a, b);
    default:
      return 0;
  }
}

bool Compare(BinOp op, double a, double b) {
  switch (op) {
    case BinOp::kEql:
      return a == b;
    case BinOp::kNeq:
      return a != b;
    case BinOp::kGtr:
      return a > b;
    case BinOp::kGte:
      return a >= b;
    case BinOp::kLss:
      return a < b;
    case BinOp::kLte:
      return a <= b;
    default:
      return false;
  }
}

// Applies op to (a, b); false when a comparison without bool filters the
// sample out. `keep_lhs`: a comparison keeps the left value (vector op
// scalar), else the right one (scalar op vector).
bool Apply(const BinaryExpr& e, double a, double b, bool keep_lhs,
           double* out) {
  if (IsComparison(e.op)) {
    const bool r = Compare(e.op, a, b);
    if (e.return_bool) {
      *out = r ? 1 : 0;
      return true;
    }
    *out = keep_lhs ? a : b;
    return r;
  }
  *out = Arith(e.op, a, b);
  return true;
}

}  // namespace

Result<MetricValue> EvalVectorAggregation(const VectorAggregationExpr& e,
                                          MetricValue inner, const Steps& steps,
                                          Budget* budget) {
  MetricValue out;
  std::vector<Group> groups = MakeGroups(inner.series, e.grouping);
  const size_t n = steps.n;
  if (e.op == VectorOp::kTopK || e.op == VectorOp::kBottomK) {
    const size_t k = static_cast<size_t>(e.param.value_or(1));
    std::vector<uint8_t> chosen_any(inner.series.size(), 0);
    std::vector<std::vector<uint8_t>> chosen(inner.series.size(),
                                             std::vector<uint8_t>(n, 0));
    std::vector<size_t> cand;
    for (const Group& g : groups) {
      for (size_t i = 0; i < n; ++i) {
        cand.clear();
        for (size_t m : g.members) {
          if (inner.series[m].has[i]) cand.push_back(m);
        }
        auto better = [&](size_t a, size_t b) {
          const double va = inner.series[a].v[i], vb = inner.series[b].v[i];
          if (std::isnan(va) != std::isnan(vb)) return std::isnan(vb);
          if (va != vb) {
            return e.op == VectorOp::kTopK ? va > vb : va < vb;
          }
          return CompareLabels(inner.series[a].labels, inner.series[b].labels) <
                 0;
        };
        const size_t take = std::min(k, cand.size());
        std::partial_sort(cand.begin(), cand.begin() + take, cand.end(),
                          better);
        for (size_t c = 0; c < take; ++c) {
          chosen[cand[c]][i] = 1;
          chosen_any[cand[c]] = 1;
        }
      }
    }
    for (size_t m = 0; m < inner.series.size(); ++m) {
      if (!chosen_any[m]) continue;
      StepSeries s = std::move(inner.series[m]);
      for (size_t i = 0; i < n; ++i) s.has[i] = s.has[i] && chosen[m][i];
      out.series.push_back(std::move(s));
    }
    RETURN_IF_ERROR(budget->CheckSeries(out.series.size()));
    return out;
  }
  for (Group& g : groups) {
    StepSeries s{std::move(g.labels), std::vector<double>(n, 0),
                 std::vector<uint8_t>(n, 0)};
    bool any = false;
    for (size_t i = 0; i < n; ++i) {
      double acc = 0, mean = 0, m2 = 0;
      size_t count = 0;
      for (size_t m : g.members) {
        const StepSeries& in = inner.series[m];
        if (!in.has[i]) continue;
        const double v = in.v[i];
        ++count;
        switch (e.op) {
          case VectorOp::kSum:
          case VectorOp::kAvg:
            acc += v;
            break;
          case VectorOp::kMin:
            if (count == 1 || v < acc || std::isnan(acc)) acc = v;
            break;
          case VectorOp::kMax:
            if (count == 1 || v > acc || std::isnan(acc)) acc = v;
            break;
          case VectorOp::kStddev:
          case VectorOp::kStdvar: {
            const double d = v - mean;
            mean += d / static_cast<double>(count);
            m2 += d * (v - mean);
            break;
          }
          default:
            break;
        }
      }
      if (count == 0) continue;
      double v = acc;
      switch (e.op) {
        case VectorOp::kAvg:
          v = acc / static_cast<double>(count);
          break;
        case VectorOp::kCount:
          v = static_cast<double>(count);
          break;
        case VectorOp::kStdvar:
          v = m2 / static_cast<double>(count);
          break;
        case VectorOp::kStddev:
          v = std::sqrt(m2 / static_cast<double>(count));
          break;
        default:
          break;
      }
      s.v[i] = v;
      s.has[i] = 1;
      any = true;
    }
    if (any) out.series.push_back(std::move(s));
  }
  RETURN_IF_ERROR(budget->CheckSeries(out.series.size()));
  return out;
}

Result<MetricValue> EvalBinary(const BinaryExpr& e, MetricValue lhs,
                               MetricValue rhs, const Steps& steps,
                               Budget* budget) {
  MetricValue out;
  const size_t n = steps.n;
  if (lhs.is_scalar && rhs.is_scalar) {
    out.is_scalar = true;
    double v = 0;
    (void)Apply(e, lhs.scalar, rhs.scalar, true, &v);
    out.scalar = v;
    return out;
  }
  if (lhs.is_scalar || rhs.is_scalar) {
    if (IsSetOp(e.op)) {
      return InvalidArgumentError(std::string("set operator \"") +
                                  BinOpName(e.op) +
                                  "\" not allowed between a vector and a "
                                  "scalar");
    }
    const bool vec_left = !lhs.is_scalar;
    MetricValue& vec = vec_left ? lhs : rhs;
    const double sc = vec_left ? rhs.scalar : lhs.scalar;
    for (StepSeries& s : vec.series) {
      bool any = false;
      for (size_t i = 0; i < n; ++i) {
        if (!s.has[i]) continue;
        double v = 0;
        const bool keep = vec_left ? Apply(e, s.v[i], sc, true, &v)
                                   : Apply(e, sc, s.v[i], false, &v);
        s.has[i] = keep;
        s.v[i] = v;
        any = any || keep;
      }
      if (any) out.series.push_back(std::move(s));
    }
    return out;
  }
  // Vector op vector: match on the full label set.
  std::unordered_map<uint64_t, std::vector<size_t>> rindex;
  for (size_t i = 0; i < rhs.series.size(); ++i) {
    rindex[HashLabels(rhs.series[i].labels)].push_back(i);
  }
  auto find_rhs = [&](const Labels& labels) -> StepSeries* {
    auto it = rindex.find(HashLabels(labels));
    if (it == rindex.end()) return nullptr;
    for (size_t i : it->second) {
      if (rhs.series[i].labels == labels) return &rhs.series[i];
    }
    return nullptr;
  };
  if (e.op == BinOp::kOr) {
    // PromQL's `or` on a step: all of lhs, plus rhs series whose labels are
    // not in lhs at that step.
    std::unordered_map<uint64_t, std::vector<size_t>> lindex;
    for (size_t i = 0; i < lhs.series.size(); ++i) {
      lindex[HashLabels(lhs.series[i].labels)].push_back(i);
    }
    for (StepSeries& r : rhs.series) {
      StepSeries* l = nullptr;
      auto it = lindex.find(HashLabels(r.labels));
      if (it != lindex.end()) {
        for (size_t i : it->second) {
          if (lhs.series[i].labels == r.labels) l = &lhs.series[i];
        }
      }
      if (l != nullptr) {
        // Same labels: lhs wins where it has a sample, rhs fills the rest.
        for (size_t i = 0; i < n; ++i) {
          if (!l->has[i] && r.has[i]) {
            l->has[i] = 1;
            l->v[i] = r.v[i];
          }
        }
        continue;
      }
      out.series.push_back(std::move(r));
    }
    for (StepSeries& s : lhs.series) out.series.push_back(std::move(s));
  } else {
    for (StepSeries& l : lhs.series) {
      StepSeries* r = find_rhs(l.labels);
      bool any = false;
      for (size_t i = 0; i < n; ++i) {
        if (!l.has[i]) continue;
        const bool rhas = r != nullptr && r->has[i];
        bool keep = false;
        double v = l.v[i];
        if (e.op == BinOp::kAnd) {
          keep = rhas;
        } else if (e.op == BinOp::kUnless) {
          keep = !rhas;
        } else if (rhas) {
          keep = Apply(e, l.v[i], r->v[i], true, &v);
        }
        l.has[i] = keep;
        l.v[i] = v;
        any = any || keep;
      }
      if (any) out.series.push_back(std::move(l));
    }
  }
  RETURN_IF_ERROR(budget->CheckSeries(out.series.size()));
  return out;
}

}  // namespace tend::logql::internal
