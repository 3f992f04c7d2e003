// Collection: runs the enabled collectors once per cycle and adds tend's own
// health metrics (tend_collector_*, tend_collection_*, tend_process_*).
//
// Threads: RunCycle() is called from one thread at a time (the agent's
// collection worker); Health() may be called from any thread.
#ifndef TEND_AGENT_COLLECTION_H_
#define TEND_AGENT_COLLECTION_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/env.h"
#include "config/tend_config.h"
#include "metrics/collector.h"
#include "metrics/metric.h"

namespace tend {

struct CollectorHealth {
  std::string name;
  int64_t interval_ms = 0;  // 0: every cycle.
  uint64_t runs = 0;
  uint64_t errors = 0;  // Runs that returned an error.
  int64_t last_duration_ns = 0;
  int64_t last_run_unix_nanos = 0;  // 0: never ran.
  bool last_ok = false;
  std::string last_error;  // Of the most recent failed run.
};

class Collection {
 public:
  // Builds every collector enabled in `config` (from the collector table),
  // reading through `env` and `clock` (not owned; must outlive this).
  Collection(const TendConfig& config, Env* env, Clock* clock);
  // For tests: runs exactly `collectors`, each every cycle.
  Collection(std::vector<std::unique_ptr<Collector>> collectors, Clock* clock);

  // Runs one cycle: every collector whose interval has elapsed; the others
  // contribute the samples of their last run. Never fails: a collector's
  // error is counted, logged when it first appears or changes, and what it
  // produced before failing is kept.
  MetricSet RunCycle();

  // Called by the agent when a tick is dropped because the previous cycle
  // was still running. Thread-safe.
  void CountDroppedCycle();

  std::vector<CollectorHealth> Health() const;
  uint64_t cycles() const;
  uint64_t dropped_cycles() const;
  int64_t last_cycle_duration_ns() const;

 private:
  struct Entry {
    std::unique_ptr<Collector> collector;
    int64_t interval_ns = 0;
    int64_t next_due_mono = 0;
    MetricSet last;  // Samples of the last run, re-exposed until the next.
  };
  void AddSelfMetrics(MetricSet* out);

  Clock* clock_;
  std::vector<Entry> entries_;  // Only touched by RunCycle's thread.
  std::string self_stat_buf_;

  mutable std::mutex mu_;
  std::vector<CollectorHealth>
      health_;                 // Guarded by mu_; parallel to entries_.
  uint64_t cycles_ = 0;        // Guarded by mu_.
  uint64_t dropped_ = 0;       // Guarded by mu_.
  int64_t last_cycle_ns_ = 0;  // Guarded by mu_.
};

}  // namespace tend

#endif  // TEND_AGENT_COLLECTION_H_
