// histogram_quantile() over classic histograms (one series per `le`
// bucket), as Prometheus 2.42's funcHistogramQuantile and bucketQuantile.
#include <algorithm>
#include <cmath>
#include <limits>

#include "promql/eval_instant_fn.h"

namespace tend::promql {

double BucketQuantile(double q, std::vector<std::pair<double, double>>* b) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (std::isnan(q)) return kNaN;
  if (q < 0) return -std::numeric_limits<double>::infinity();
  if (q > 1) return std::numeric_limits<double>::infinity();
  std::vector<std::pair<double, double>>& buckets = *b;
  std::stable_sort(
      buckets.begin(), buckets.end(),
      [](const auto& x, const auto& y) { return x.first < y.first; });
  if (!std::isinf(buckets.back().first) || buckets.back().first < 0) {
    return kNaN;
  }
  // Merge buckets with equal bounds (e.g. le="1" and le="1.0").
  size_t n = 0;
  for (size_t i = 1; i < buckets.size(); ++i) {
    if (buckets[i].first == buckets[n].first) {
      buckets[n].second += buckets[i].second;
    } else {
      buckets[++n] = buckets[i];
    }
  }
  buckets.resize(n + 1);
  // Counts must not decrease with the bound (scrapes are not atomic).
  double max = -std::numeric_limits<double>::infinity();
  for (auto& bk : buckets) {
    if (bk.second > max) {
      max = bk.second;
    } else if (bk.second < max) {
      bk.second = max;
    }
  }
  if (buckets.size() < 2) return kNaN;
  const double observations = buckets.back().second;
  if (observations == 0) return kNaN;
  double rank = q * observations;
  // The first bucket (excluding +Inf) whose count reaches the rank.
  size_t idx = 0;
  const size_t last = buckets.size() - 1;
  {
    size_t lo = 0, hi = last;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (buckets[mid].second >= rank) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    idx = lo;
  }
  if (idx == last) return buckets[last - 1].first;
  if (idx == 0 && buckets[0].first <= 0) return buckets[0].first;
  double start = 0;
  const double end = buckets[idx].first;
  double count = buckets[idx].second;
  if (idx > 0) {
    start = buckets[idx - 1].first;
    count -= buckets[idx - 1].second;
    rank -= buckets[idx - 1].second;
  }
  return start + (end - start) * (rank / count);
}

void InstantFn::HistogramQuantileStep(double q, const StepVector& in,
                                      StepVector* out) {
  std::vector<int32_t>& touched = touched_;
  touched.clear();
  for (const Sample& s : in) {
    if (bucket_info_.size() <= s.id) bucket_info_.resize(s.id + 1);
    BucketInfo& info = bucket_info_[s.id];
    if (info.group == -2) {
      const Labels& l = pool_->Get(s.id);
      double upper;
      if (!ParseGoFloat(GetLabel(l, "le"), &upper)) {
        info.group = -1;  // No or malformed bucket label: skipped.
      } else {
        info.upper = upper;
        Labels sig = l;
        RemoveLabel(&sig, "le");
        SeriesId sig_id = pool_->Intern(sig);
        auto [it, inserted] = group_by_signature_.emplace(
            sig_id, static_cast<int32_t>(group_labels_.size()));
        if (inserted) {
          RemoveLabel(&sig, kMetricNameLabel);
          group_labels_.push_back(pool_->Intern(std::move(sig)));
          group_buckets_.emplace_back();
        }
        info.group = it->second;
      }
      // Interning may have grown the pool; `info` stays valid because
      // bucket_info_ was sized before.
    }
    if (info.group < 0) continue;
    auto& buckets = group_buckets_[info.group];
    if (buckets.empty()) touched.push_back(info.group);
    buckets.emplace_back(info.upper, s.v);
  }
  for (int32_t g : touched) {
    out->push_back(
        Sample{group_labels_[g], BucketQuantile(q, &group_buckets_[g])});
    group_buckets_[g].clear();
  }
}

}  // namespace tend::promql
