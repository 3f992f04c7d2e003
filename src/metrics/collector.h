// Collector: one source of host metrics (/proc/stat, /proc/meminfo, ...).
//
// Collectors are listed in one table (collectors.cc), not self-registered.
// Each is constructed from CollectorOptions and then called once per
// collection cycle, always from the same thread (the collection worker).
#ifndef TEND_METRICS_COLLECTOR_H_
#define TEND_METRICS_COLLECTOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/env.h"
#include "base/status.h"
#include "metrics/metric.h"

namespace tend {

// Where the host's pseudo-filesystems are (node_exporter's --path.procfs,
// --path.sysfs, --path.rootfs), for running inside a container with the
// host's mounted elsewhere.
struct HostPaths {
  std::string proc = "/proc";
  std::string sys = "/sys";
  std::string root = "/";
};

struct FilesystemOptions {
  // RE2 patterns, fully anchored; matching mounts are not reported.
  // Defaults are node_exporter's.
  std::string mount_points_exclude =
      "/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/"
      "containers/storage/.+)(|/.*)";
  std::string fs_types_exclude =
      "autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|"
      "fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|"
      "rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs";
  // A statvfs that takes longer marks the mount stuck: it is reported with
  // node_filesystem_device_error 1 and not stat'ed again until the blocked
  // call returns.
  int64_t stat_timeout_ms = 1000;
};

struct NetDevOptions {
  std::string device_exclude;  // RE2, fully anchored; empty: none.
};

struct NetClassOptions {
  std::string device_exclude;  // RE2, fully anchored; empty: none.
  // Leave out node_network_speed_bytes when the kernel reports a negative
  // speed (-1: unknown, e.g. virtio). node_exporter 1.5 reports it as
  // -125000 unless --collector.netclass.ignore-invalid-speed; the default
  // here matches that.
  bool ignore_invalid_speed = false;
};

struct DiskstatsOptions {
  // node_exporter's default: partitions and pseudo devices.
  std::string device_exclude =
      "(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+";
};

struct ProcessOptions {
  // Report only the N process groups that used the most CPU since the last
  // scan (0: all groups).
  int top_n = 20;
};

struct CollectorOptions {
  Env* env = Env::Default();
  Clock* clock = Clock::Real();
  HostPaths paths;
  FilesystemOptions filesystem;
  NetDevOptions netdev;
  NetClassOptions netclass;
  DiskstatsOptions diskstats;
  ProcessOptions processes;
};

class Collector {
 public:
  virtual ~Collector() = default;

  // The collector's name: its key under `collectors:` in the configuration
  // and its `collector` label in tend_collector_* metrics.
  virtual std::string_view name() const = 0;

  // Appends this cycle's samples to *out. On failure returns what went
  // wrong; samples it appended before the failure are kept (a partial read
  // is still data). Must not crash or hang on malformed, missing or
  // unreadable input.
  virtual Status Collect(MetricSet* out) = 0;
};

}  // namespace tend

#endif  // TEND_METRICS_COLLECTOR_H_
