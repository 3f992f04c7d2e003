// Snapshot: one published collection, immutable once published, shared by
// HTTP handler threads. Rendering to an exposition format happens lazily on
// the first scrape that asks for it and is cached, so a cycle nobody scrapes
// costs no formatting.
#ifndef TEND_AGENT_SNAPSHOT_H_
#define TEND_AGENT_SNAPSHOT_H_

#include <cstdint>
#include <mutex>
#include <string>

#include "http/exposition.h"
#include "metrics/metric.h"

namespace tend {

class Snapshot {
 public:
  Snapshot(MetricSet metrics, int64_t collected_unix_nanos);

  const MetricSet& metrics() const { return metrics_; }
  int64_t collected_unix_nanos() const { return collected_unix_nanos_; }

  // The metrics rendered in `format`. Thread-safe; renders once per format.
  const std::string& Rendered(ExpositionFormat format) const;

  // The value of the first sample of `name` whose labels include all of
  // `match` (name=value pairs), or `fallback`.
  double Value(std::string_view name, const Labels& match = {},
               double fallback = 0) const;

 private:
  MetricSet metrics_;  // Sorted by name.
  int64_t collected_unix_nanos_;
  mutable std::mutex mu_;
  mutable std::string text_;         // Guarded by mu_; empty until rendered.
  mutable std::string openmetrics_;  // Guarded by mu_.
};

}  // namespace tend

#endif  // TEND_AGENT_SNAPSHOT_H_
