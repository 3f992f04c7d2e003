#include "agent/snapshot.h"

namespace tend {

Snapshot::Snapshot(MetricSet metrics, int64_t collected_unix_nanos)
    : metrics_(std::move(metrics)),
      collected_unix_nanos_(collected_unix_nanos) {
  metrics_.SortByName();
}

const std::string& Snapshot::Rendered(ExpositionFormat format) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string& out =
      format == ExpositionFormat::kOpenMetrics ? openmetrics_ : text_;
  if (out.empty()) {
    out.reserve(64 * 1024);
    WriteExposition(metrics_.families(), format, &out);
  }
  return out;
}

double Snapshot::Value(std::string_view name, const Labels& match,
                       double fallback) const {
  const MetricFamily* f = metrics_.Find(name);
  if (f == nullptr) return fallback;
  for (const Sample& s : f->samples) {
    bool all = true;
    for (const Label& m : match) {
      bool found = false;
      for (const Label& l : s.labels) {
        if (l == m) {
          found = true;
          break;
        }
      }
      if (!found) {
        all = false;
        break;
      }
    }
    if (all) return s.value;
  }
  return fallback;
}

}  // namespace tend
