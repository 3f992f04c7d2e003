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
  DiskstatsSection diskstats;
  NetDevSection netdev;
  CollectorToggle netstat;
  CollectorToggle sockstat;
  FilesystemSection filesystem;
  ProcessesSection processes;
};

struct TendConfig {
  AgentSection agent;
  LogSection log;
  HostPaths paths;
  CollectorsSection collectors;
};

}  // namespace tend

#endif  // TEND_CONFIG_TEND_CONFIG_H_
