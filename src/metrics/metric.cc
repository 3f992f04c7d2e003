#include "metrics/metric.h"

#include <algorithm>

namespace tend {

std::string_view MetricTypeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kUntyped:
      return "untyped";
  }
  return "untyped";
}

MetricFamily* MetricSet::Family(std::string_view name, MetricType type,
                                std::string_view help) {
  auto it = index_.find(name);
  if (it != index_.end()) return &families_[it->second];
  families_.push_back(
      MetricFamily{std::string(name), std::string(help), type, {}});
  index_.emplace(std::string(name), families_.size() - 1);
  return &families_.back();
}

void MetricSet::Merge(MetricSet&& other) {
  for (MetricFamily& f : other.families_) {
    auto it = index_.find(f.name);
    if (it == index_.end()) {
      index_.emplace(f.name, families_.size());
      families_.push_back(std::move(f));
      continue;
    }
    std::vector<Sample>& dst = families_[it->second].samples;
    dst.insert(dst.end(), std::make_move_iterator(f.samples.begin()),
               std::make_move_iterator(f.samples.end()));
  }
  other.families_.clear();
  other.index_.clear();
}

void MetricSet::SortByName() {
  std::sort(families_.begin(), families_.end(),
            [](const MetricFamily& a, const MetricFamily& b) {
              return a.name < b.name;
            });
  index_.clear();
  for (size_t i = 0; i < families_.size(); ++i) {
    index_.emplace(families_[i].name, i);
  }
}

size_t MetricSet::SampleCount() const {
  size_t n = 0;
  for (const MetricFamily& f : families_) n += f.samples.size();
  return n;
}

const MetricFamily* MetricSet::Find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &families_[it->second];
}

}  // namespace tend
