// The filesystem and processes collectors (see filesystem.cc and
// processes.cc for what each reports and how).
#ifndef TEND_METRICS_COLLECTORS_FS_PROC_H_
#define TEND_METRICS_COLLECTORS_FS_PROC_H_

#include <memory>

#include "metrics/collector.h"

namespace tend {

// name() "filesystem": node_exporter's node_filesystem_* metrics, one set per
// mounted filesystem, from <proc>/1/mounts (or <proc>/self/mounts) and
// statvfs() through options.env, each call bounded by
// options.filesystem.stat_timeout_ms. An invalid exclude pattern makes every
// Collect() fail with kInvalidArgument naming the option.
std::unique_ptr<Collector> NewFilesystemCollector(
    const CollectorOptions& options);

// name() "processes": process-exporter's namedprocess_namegroup_* metrics,
// with processes grouped by their command name (comm).
std::unique_ptr<Collector> NewProcessesCollector(
    const CollectorOptions& options);

}  // namespace tend

#endif  // TEND_METRICS_COLLECTORS_FS_PROC_H_
