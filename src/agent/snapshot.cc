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
    // About 190 bytes per sample in node_exporter-like output (HELP and
    // TYPE lines included); reserving a bit more avoids a regrow and copy.
    out.reserve(4096 + 256 * metrics_.SampleCount());
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
