// TendConfig: the whole configuration of `tend agent`, as typed values.
//
// The default member initializers below ARE the built-in defaults: the field
// tables (tend_config.cc) read them to print `tend config default` and the
// generated reference (docs/configuration.md), so a default is written once.
#ifndef TEND_CONFIG_TEND_CONFIG_H_
#define TEND_CONFIG_TEND_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "config/alerting_config.h"
#include "config/logs_config.h"
#include "config/probes_config.h"
#include "config/remedy_config.h"
#include "metrics/collector.h"

namespace tend {

struct AgentSection {
  // host:port of the HTTP API. Anything but loopback needs a token (a later
  // feature); until then tend refuses to listen elsewhere.
  std::string listen = "127.0.0.1:9955";
  int64_t interval_ms = 1000;  // Collection interval.
};

struct LogSection {
  std::string level = "info";    // debug, info, warn, error
  std::string format = "human";  // human, json
};

// Common to every collector section.
struct CollectorToggle {
  bool enabled = true;
  // Run this collector only every `interval_ms` (0: every agent cycle); the
  // samples of its last run are re-exposed in between.
  int64_t interval_ms = 0;
};

struct FilesystemSection : CollectorToggle {
  FilesystemOptions options;
};
struct NetDevSection : CollectorToggle {
  NetDevOptions options;
};
// Reading ~22 sysfs files per interface costs more than a whole cycle of
// the other collectors (about 7 us per file), for values that rarely
// change: hence the longer default interval.
struct NetClassSection : CollectorToggle {
  NetClassSection() { interval_ms = 5000; }
  NetClassOptions options;
};
struct DiskstatsSection : CollectorToggle {
  DiskstatsOptions options;
};
struct ProcessesSection : CollectorToggle {
  ProcessesSection() { interval_ms = 5000; }
  ProcessOptions options;
};

struct CollectorsSection {
  CollectorToggle cpu;
  CollectorToggle stat;
  CollectorToggle meminfo;
  CollectorToggle loadavg;
  CollectorToggle pressure;
  CollectorToggle vmstat;
  CollectorToggle entropy;
  CollectorToggle filefd;
  CollectorToggle uname;
  CollectorToggle time;
  CollectorToggle timex;
  DiskstatsSection diskstats;
  NetDevSection netdev;
  NetClassSection netclass;
  CollectorToggle netstat;
  CollectorToggle sockstat;
  CollectorToggle conntrack;
  FilesystemSection filesystem;
  ProcessesSection processes;
};

// The metric store (src/tsdb) under <data-dir>/tsdb.
struct StorageSection {
  bool enabled = true;
  int64_t retention_ms = 15LL * 24 * 3600 * 1000;
  // Total size of the persisted blocks, e.g. "10GB"; "0" is unlimited.
  // Parsed with ParseByteSize (config/byte_size.h).
  std::string retention_size = "0";
  // fsync the write-ahead log this often; 0 fsyncs every commit.
  int64_t wal_fsync_ms = 1000;
  // The most active series the head holds (the cardinality limit).
  int64_t max_series = 500000;
  // The time span of the head cut into a block, and of the smallest blocks.
  int64_t block_duration_ms = 2LL * 3600 * 1000;
};

// The PromQL engine behind /api/v1/query* and `tend query`.
struct QuerySection {
  int64_t lookback_delta_ms = 5 * 60 * 1000;
  int64_t max_samples = 50000000;
  int64_t timeout_ms = 2 * 60 * 1000;
};

struct TendConfig {
  AgentSection agent;
  StorageSection storage;
  QuerySection query;
  LogSection log;
  HostPaths paths;
  CollectorsSection collectors;
  LogsSection logs;
  AlertingSection alerting;
  std::vector<ProbeConfig> probes;
  std::vector<SuperviseConfig> supervise;
  std::vector<RemedyConfig> remedies;
};

}  // namespace tend

#endif  // TEND_CONFIG_TEND_CONFIG_H_
