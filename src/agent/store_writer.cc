#include "agent/store_writer.h"

#include "model/point.h"

namespace tend {

namespace {

uint64_t KeyOf(const std::string& name, const Labels& labels) {
  Labels tmp;
  tmp.reserve(labels.size() + 1);
  tmp.push_back({std::string(kMetricNameLabel), name});
  // HashLabels only needs a stable order, which the collector gives.
  tmp.insert(tmp.end(), labels.begin(), labels.end());
  return HashLabels(tmp);
}

}  // namespace

StoreWriteResult StoreWriter::Write(const MetricSet& metrics, int64_t t_ms) {
  StoreWriteResult result;
  ++cycle_;
  created_.clear();
  stale_.clear();
  std::unique_ptr<Head::Appender> app = head_->NewAppender();
  for (const MetricFamily& f : metrics.families()) {
    for (const Sample& s : f.samples) {
      uint64_t key = KeyOf(f.name, s.labels);
      Entry& e = cache_[key];
      if (e.seen == cycle_) continue;  // Same series twice in one cycle.
      scratch_.clear();
      scratch_.push_back({std::string(kMetricNameLabel), f.name});
      scratch_.insert(scratch_.end(), s.labels.begin(), s.labels.end());
      Result<SeriesRef> ref = app->Append(e.ref, scratch_, t_ms, s.value);
      if (!ref.ok()) {
        ++result.rejected;
        if (e.ref == 0) cache_.erase(key);
        continue;
      }
      if (e.ref != *ref) created_.push_back(key);
      e.ref = *ref;
      e.seen = cycle_;
      ++result.appended;
    }
  }
  // Series not seen this cycle have disappeared: mark them stale once.
  for (auto& [key, e] : cache_) {
    if (e.seen == cycle_) continue;
    stale_.push_back(key);
    Result<SeriesRef> ref = app->Append(e.ref, {}, t_ms, StaleNaN());
    if (ref.ok()) {
      ++result.appended;
      ++result.stale_markers;
    }
  }
  result.status = app->Commit();
  if (!result.status.ok()) {
    // Nothing of the batch exists. Series created by it have no ref (the
    // head may hand their numbers out again), and the ended series stay
    // tracked so the next successful cycle marks them.
    for (uint64_t key : created_) cache_[key].ref = 0;
    result.appended = 0;
    result.stale_markers = 0;
    return result;
  }
  for (uint64_t key : stale_) cache_.erase(key);
  return result;
}

}  // namespace tend
