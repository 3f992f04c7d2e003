#include "promql/eval_labels.h"

#include <algorithm>
#include <utility>

namespace tend::promql {

LabelsPool::LabelsPool() { Add(Labels{}, HashLabels(Labels{})); }

SeriesId LabelsPool::Find(const Labels& labels, uint64_t hash) const {
  auto [begin, end] = index_.equal_range(hash);
  for (auto it = begin; it != end; ++it) {
    if (labels_[it->second] == labels) return it->second;
  }
  return kNoSeries;
}

SeriesId LabelsPool::Add(Labels&& labels, uint64_t hash) {
  auto id = static_cast<SeriesId>(labels_.size());
  labels_.push_back(std::move(labels));
  index_.emplace(hash, id);
  return id;
}

SeriesId LabelsPool::Intern(const Labels& labels) {
  uint64_t h = HashLabels(labels);
  SeriesId id = Find(labels, h);
  if (id != kNoSeries) return id;
  return Add(Labels(labels), h);
}

SeriesId LabelsPool::Intern(Labels&& labels) {
  uint64_t h = HashLabels(labels);
  SeriesId id = Find(labels, h);
  if (id != kNoSeries) return id;
  return Add(std::move(labels), h);
}

SeriesId LabelsPool::DropName(SeriesId id) {
  if (drop_name_.size() <= id) drop_name_.resize(labels_.size(), kNoSeries);
  if (drop_name_[id] != kNoSeries) return drop_name_[id];
  const Labels& in = labels_[id];
  SeriesId out = id;
  if (!GetLabel(in, kMetricNameLabel).empty()) {
    Labels l;
    l.reserve(in.size());
    for (const Label& x : in) {
      if (x.name != kMetricNameLabel) l.push_back(x);
    }
    out = Intern(std::move(l));
  }
  if (drop_name_.size() <= id) drop_name_.resize(labels_.size(), kNoSeries);
  drop_name_[id] = out;
  return out;
}

std::string LabelsToBraces(const Labels& labels) {
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ", ";
    out += labels[i].name;
    out += "=\"";
    for (char c : labels[i].value) {
      if (c == '"' || c == '\\') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

Labels MatchingLabels(const Labels& labels,
                      const std::vector<std::string>& names, bool on) {
  Labels out;
  for (const Label& l : labels) {
    bool listed = std::find(names.begin(), names.end(), l.name) != names.end();
    if (on ? listed : (!listed && l.name != kMetricNameLabel)) {
      out.push_back(l);
    }
  }
  return out;
}

}  // namespace tend::promql
