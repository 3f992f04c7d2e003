// The metric store's own health as tend_tsdb_* metrics (named after
// Prometheus's prometheus_tsdb_* ones), so that a full disk, a cardinality
// explosion or failing compactions show up where everything else does.
#ifndef TEND_AGENT_STORE_METRICS_H_
#define TEND_AGENT_STORE_METRICS_H_

#include <nlohmann/json.hpp>

#include "metrics/metric.h"
#include "tsdb/db.h"

namespace tend {

// What the agent knows about its writes beyond Db::stats().
struct StoreWriteHealth {
  bool last_commit_ok = true;
  uint64_t commit_failures = 0;  // Cycles whose batch was lost.
  uint64_t rejected_samples = 0;
  uint64_t stale_markers = 0;
};

void AddStoreMetrics(const DbStats& st, const StoreWriteHealth& w,
                     MetricSet* out);

// The store's figures for /api/v1/status and `tend tsdb stats`: series,
// samples, bytes on disk, bytes per sample of the blocks.
nlohmann::json StoreStatsJson(const DbStats& st);

}  // namespace tend

#endif  // TEND_AGENT_STORE_METRICS_H_
