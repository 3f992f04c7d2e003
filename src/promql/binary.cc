// Binary operators: arithmetic, comparisons (filtering or `bool`), atan2
// and the set operators, between scalars and instant vectors, with
// Prometheus 2.42's vector matching (on/ignoring, group_left/group_right,
// the many-to-many and duplicate-match errors) and metric-name rules.
#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "promql/eval_core.h"

namespace tend::promql {

namespace {

bool DropsName(BinOp op) {
  switch (op) {
    case BinOp::kAdd:
    case BinOp::kSub:
    case BinOp::kMul:
    case BinOp::kDiv:
    case BinOp::kPow:
    case BinOp::kMod:
      return true;
    default:
      return false;
  }
}

// vectorElemBinop: the value and whether a filtering comparison keeps it.
double ElemBinop(BinOp op, double l, double r, bool* keep) {
  *keep = true;
  switch (op) {
    case BinOp::kAdd:
      return l + r;
    case BinOp::kSub:
      return l - r;
    case BinOp::kMul:
      return l * r;
    case BinOp::kDiv:
      return l / r;
    case BinOp::kPow:
      return std::pow(l, r);
    case BinOp::kMod:
      return std::fmod(l, r);
    case BinOp::kAtan2:
      return std::atan2(l, r);
    case BinOp::kEql:
      *keep = l == r;
      return l;
    case BinOp::kNeq:
      *keep = l != r;
      return l;
    case BinOp::kGtr:
      *keep = l > r;
      return l;
    case BinOp::kLss:
      *keep = l < r;
      return l;
    case BinOp::kGte:
      *keep = l >= r;
      return l;
    case BinOp::kLte:
      *keep = l <= r;
      return l;
    default:
      *keep = false;
      return 0;
  }
}

double ScalarBinop(BinOp op, double l, double r) {
  bool keep;
  double v = ElemBinop(op, l, r, &keep);
  return IsComparisonOp(op) ? (keep ? 1.0 : 0.0) : v;
}

}  // namespace

Result<Value> Evaluator::EvalBinary(const BinaryExpr& bin, const EvalRange& r) {
  ASSIGN_OR_RETURN(Value lv, Eval(*bin.lhs, r));
  ASSIGN_OR_RETURN(Value rv, Eval(*bin.rhs, r));
  const StepMatrix* args[] = {&lv.matrix, &rv.matrix};
  const BinOp op = bin.op;
  const bool lscalar = lv.type == ValueType::kScalar;
  const bool rscalar = rv.type == ValueType::kScalar;
  Value out;
  out.type = lscalar && rscalar ? ValueType::kScalar : ValueType::kVector;

  if (lscalar && rscalar) {
    ASSIGN_OR_RETURN(
        out.matrix,
        RangeEval(
            r, args,
            [&](int64_t, std::span<const StepVector> a,
                StepVector* o) -> Status {
              const double x = a[0].empty() ? NAN : a[0][0].v;
              const double y = a[1].empty() ? NAN : a[1][0].v;
              o->push_back(Sample{LabelsPool::kEmpty, ScalarBinop(op, x, y)});
              return Status::Ok();
            }));
  } else if (lscalar || rscalar) {
    // Vector-scalar: the vector's samples, filtered or transformed.
    const bool swap = lscalar;
    const size_t vi = swap ? 1 : 0;
    ASSIGN_OR_RETURN(out.matrix,
                     RangeEval(r, args,
                               [&](int64_t, std::span<const StepVector> a,
                                   StepVector* o) -> Status {
                                 const StepVector& sv = a[1 - vi];
                                 const double s = sv.empty() ? NAN : sv[0].v;
                                 for (const Sample& smp : a[vi]) {
                                   double lval = smp.v, rval = s;
                                   if (swap) std::swap(lval, rval);
                                   bool keep;
                                   double v = ElemBinop(op, lval, rval, &keep);
                                   // The vector's value is the result of a
                                   // comparison, whichever side it is on.
                                   if (IsComparisonOp(op) && swap) v = rval;
                                   if (bin.return_bool) {
                                     v = keep ? 1.0 : 0.0;
                                     keep = true;
                                   }
                                   if (!keep) continue;
                                   SeriesId id = smp.id;
                                   if (DropsName(op) || bin.return_bool) {
                                     id = pool_.DropName(id);
                                   }
                                   o->push_back(Sample{id, v});
                                 }
                                 return Status::Ok();
                               }));
  } else {
    VectorMatching matching;
    if (bin.matching) matching = *bin.matching;
    if (IsSetOp(op)) matching.card = Cardinality::kManyToMany;
    // Matching signature (an interned label subset) per input series.
    std::vector<SeriesId> sig;
    auto sig_of = [&](SeriesId id) -> SeriesId {
      if (id < sig.size() && sig[id] != kNoSeries) return sig[id];
      SeriesId s = pool_.Intern(
          MatchingLabels(pool_.Get(id), matching.matching_labels, matching.on));
      if (sig.size() <= id) sig.resize(id + 1, kNoSeries);
      sig[id] = s;
      return s;
    };
    for (const StepMatrix* m : args) {
      for (const SeriesPoints& s : *m) sig_of(s.id);
    }
    // Per-step scratch, indexed by signature id, cleared by step stamps.
    struct Slot {
      int64_t step = -1;
      int32_t index = -1;
      int64_t matched_step = -1;
    };
    std::vector<Slot> slots(pool_.size());
    int64_t step = -1;
    std::unordered_map<uint64_t, SeriesId> result_memo;
    std::unordered_set<uint64_t> many_matched;

    // Result labels of a match (resultMetric): lhs labels, minus the name
    // for arithmetic, reduced to/without the matching labels for one-to-one
    // matching, plus group_x's included labels from the "one" side.
    // The last (rhs, result) pair per lhs id: the partner of a series
    // rarely changes between steps, so this avoids the hash map.
    std::vector<std::pair<SeriesId, SeriesId>> last_result;
    auto result_id = [&](SeriesId l, SeriesId rr) -> SeriesId {
      if (l < last_result.size() && last_result[l].first == rr) {
        return last_result[l].second;
      }
      const uint64_t key = (static_cast<uint64_t>(l) << 32) | rr;
      auto it = result_memo.find(key);
      if (it != result_memo.end()) {
        if (last_result.size() <= l) {
          last_result.resize(l + 1, {kNoSeries, kNoSeries});
        }
        last_result[l] = {rr, it->second};
        return it->second;
      }
      Labels out = pool_.Get(l);
      if (DropsName(op)) RemoveLabel(&out, kMetricNameLabel);
      if (matching.card == Cardinality::kOneToOne) {
        const auto& names = matching.matching_labels;
        std::erase_if(out, [&](const Label& x) {
          const bool listed =
              std::find(names.begin(), names.end(), x.name) != names.end();
          return matching.on ? !listed : listed;
        });
      } else {
        const Labels& one = pool_.Get(rr);
        for (const std::string& n : matching.include) {
          SetLabel(&out, n, GetLabel(one, n));
        }
      }
      SeriesId id = pool_.Intern(std::move(out));
      result_memo.emplace(key, id);
      if (last_result.size() <= l) {
        last_result.resize(l + 1, {kNoSeries, kNoSeries});
      }
      last_result[l] = {rr, id};
      return id;
    };

    auto fn = [&](int64_t, std::span<const StepVector> a,
                  StepVector* o) -> Status {
      ++step;
      if (slots.size() < pool_.size()) slots.resize(pool_.size());
      const StepVector& lhs = a[0];
      const StepVector& rhs = a[1];
      switch (op) {
        case BinOp::kAnd:
          if (lhs.empty() || rhs.empty()) return Status::Ok();
          for (const Sample& s : rhs) slots[sig[s.id]].step = step;
          for (const Sample& s : lhs) {
            if (slots[sig[s.id]].step == step) o->push_back(s);
          }
          return Status::Ok();
        case BinOp::kOr:
          for (const Sample& s : lhs) {
            slots[sig[s.id]].step = step;
            o->push_back(s);
          }
          for (const Sample& s : rhs) {
            if (slots[sig[s.id]].step != step) o->push_back(s);
          }
          return Status::Ok();
        case BinOp::kUnless:
          for (const Sample& s : rhs) slots[sig[s.id]].step = step;
          for (const Sample& s : lhs) {
            if (slots[sig[s.id]].step != step) o->push_back(s);
          }
          return Status::Ok();
        default:
          break;
      }
      if (lhs.empty() || rhs.empty()) return Status::Ok();
      const bool one_to_many = matching.card == Cardinality::kOneToMany;
      const StepVector& many = one_to_many ? rhs : lhs;
      const StepVector& one = one_to_many ? lhs : rhs;
      for (size_t i = 0; i < one.size(); ++i) {
        Slot& slot = slots[sig[one[i].id]];
        if (slot.step == step) {
          const Labels& a_l = pool_.Get(one[i].id);
          const Labels& b_l = pool_.Get(one[slot.index].id);
          return FailedPreconditionError(
              "found duplicate series for the match group " +
              LabelsToBraces(
                  MatchingLabels(a_l, matching.matching_labels, matching.on)) +
              " on the " + (one_to_many ? "left" : "right") +
              " hand-side of the operation: [" + LabelsToBraces(a_l) + ", " +
              LabelsToBraces(b_l) +
              "];many-to-many matching not allowed: matching labels must be "
              "unique on one side");
        }
        slot.step = step;
        slot.index = static_cast<int32_t>(i);
      }
      many_matched.clear();
      for (const Sample& ls : many) {
        const SeriesId sg = sig[ls.id];
        Slot& slot = slots[sg];
        if (slot.step != step) continue;
        const Sample& rs = one[slot.index];
        double vl = ls.v, vr = rs.v;
        if (one_to_many) std::swap(vl, vr);
        bool keep;
        double v = ElemBinop(op, vl, vr, &keep);
        if (bin.return_bool) {
          v = keep ? 1.0 : 0.0;
        } else if (!keep) {
          continue;
        }
        SeriesId id = result_id(ls.id, rs.id);
        if (bin.return_bool) id = pool_.DropName(id);
        if (matching.card == Cardinality::kOneToOne) {
          if (slot.matched_step == step) {
            return FailedPreconditionError(
                "multiple matches for labels: many-to-one matching must be "
                "explicit (group_left/group_right)");
          }
          slot.matched_step = step;
        } else {
          const uint64_t key = (static_cast<uint64_t>(sg) << 32) | id;
          if (!many_matched.insert(key).second) {
            return FailedPreconditionError(
                "multiple matches for matching labels; grouping labels must "
                "ensure unique results");
          }
        }
        o->push_back(Sample{id, v});
      }
      return Status::Ok();
    };
    ASSIGN_OR_RETURN(out.matrix, RangeEval(r, args, fn));
  }
  Release(CountPoints(lv.matrix) + CountPoints(rv.matrix));
  return out;
}

}  // namespace tend::promql
