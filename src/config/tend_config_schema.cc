// The field tables of TendConfig: every key of tend.yml, its type, range and
// documentation. Defaults come from the structs' member initializers.
#include "config/tend_config_schema.h"

#include "config/alerting_config_schema.h"
#include "config/byte_size.h"
#include "config/logs_config_schema.h"
#include "config/probes_config_schema.h"
#include "config/remedy_config_schema.h"
#include "config/yaml_text.h"

namespace tend {
namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

Status ValidateAbsolutePath(std::string_view path) {
  if (path.empty() || path[0] != '/') {
    return InvalidArgumentError("want an absolute path, got " +
                                QuoteForMessage(path));
  }
  return Status::Ok();
}

Schema<AgentSection> AgentSchema() {
  Schema<AgentSection> s;
  s.String("listen", &AgentSection::listen,
           "Address of the HTTP API (metrics, queries, dashboard), as "
           "host:port or [ipv6]:port. Only loopback addresses are accepted "
           "until the API has authentication.",
           ValidateListenAddress)
      .Duration("interval", &AgentSection::interval_ms,
                "How often the agent runs a collection cycle: the resolution "
                "of every stored metric.",
                100, kHour);
  return s;
}

Schema<StorageSection> StorageSchema() {
  Schema<StorageSection> s;
  s.Bool("enabled", &StorageSection::enabled,
         "Keep every collected sample in the metric store, so that PromQL "
         "queries and the Prometheus API can answer about the past.")
      .Duration("retention", &StorageSection::retention_ms,
                "Delete persisted blocks whose samples are all older than "
                "this.",
                kHour, 100 * 365 * kDay)
      .String("retention_size", &StorageSection::retention_size,
              "Delete the oldest blocks while the blocks take more than "
              "this on disk (\"512MB\", \"10GiB\"; \"0\": no limit).",
              ValidateByteSize)
      .Duration("wal_fsync", &StorageSection::wal_fsync_ms,
                "fsync the write-ahead log this often: a crash of the "
                "machine loses at most this much. 0s fsyncs every "
                "collection cycle.",
                0, kMinute)
      .Int("max_series", &StorageSection::max_series,
           "The most series the store keeps in memory at once. Samples of "
           "new series beyond it are refused, counted in "
           "tend_tsdb_series_limit_rejections_total and logged, so a "
           "cardinality explosion cannot exhaust memory.",
           1, 100000000)
      .Duration("block_duration", &StorageSection::block_duration_ms,
                "How much of the in-memory head is cut into each persisted "
                "block.",
                kMinute, kDay);
  return s;
}

Schema<QuerySection> QuerySchema() {
  Schema<QuerySection> s;
  s.Duration("lookback_delta", &QuerySection::lookback_delta_ms,
             "How far back an instant selector looks for a sample "
             "(Prometheus's --query.lookback-delta).",
             kSecond, kDay)
      .Int("max_samples", &QuerySection::max_samples,
           "The most samples one query may hold in memory at once "
           "(Prometheus's --query.max-samples).",
           1, 1000000000000)
      .Duration("timeout", &QuerySection::timeout_ms,
                "Queries running longer are cancelled.", kSecond, kHour);
  return s;
}

Schema<LogSection> LogSchema() {
  Schema<LogSection> s;
  s.Enum("level", &LogSection::level,
         "The least severe messages written to the log.",
         {"debug", "info", "warn", "error"})
      .Enum("format", &LogSection::format,
            "human: one readable line per event, with key=value fields; "
            "json: one JSON object per line, for log shippers.",
            {"human", "json"});
  return s;
}

Schema<HostPaths> PathsSchema() {
  Schema<HostPaths> s;
  s.String("proc", &HostPaths::proc,
           "Where the host's procfs is mounted (node_exporter's "
           "`--path.procfs`). Change it when tend runs in a container with "
           "the host's /proc mounted elsewhere.",
           ValidateAbsolutePath)
      .String("sys", &HostPaths::sys,
              "Where the host's sysfs is mounted (node_exporter's "
              "`--path.sysfs`).",
              ValidateAbsolutePath)
      .String("root", &HostPaths::root,
              "Where the host's root filesystem is mounted (node_exporter's "
              "`--path.rootfs`); mount points are reported relative to it.",
              ValidateAbsolutePath);
  return s;
}

Schema<CollectorToggle> ToggleSchema() {
  Schema<CollectorToggle> s;
  s.Bool("enabled", &CollectorToggle::enabled, "Run this collector.")
      .Duration("interval", &CollectorToggle::interval_ms,
                "Run this collector only this often (0s: every agent "
                "cycle). In between, its last samples are exposed again.",
                0, kDay);
  return s;
}

Schema<DiskstatsSection> DiskstatsSchema(const Schema<CollectorToggle>& t) {
  Schema<DiskstatsOptions> options;
  options.Regex("device_exclude", &DiskstatsOptions::device_exclude,
                "Block devices not to report, as an RE2 pattern matched "
                "against the whole device name. The default skips "
                "partitions and RAM, loop and floppy devices, as "
                "node_exporter does.");
  Schema<DiskstatsSection> s;
  s.InlineBase(t).Inline(&DiskstatsSection::options, options);
  return s;
}

Schema<NetDevSection> NetDevSchema(const Schema<CollectorToggle>& t) {
  Schema<NetDevOptions> options;
  options.Regex("device_exclude", &NetDevOptions::device_exclude,
                "Network interfaces not to report, as an RE2 pattern "
                "matched against the whole interface name (for example "
                "`veth.+|docker0`). Empty: report every interface.");
  Schema<NetDevSection> s;
  s.InlineBase(t).Inline(&NetDevSection::options, options);
  return s;
}

Schema<NetClassSection> NetClassSchema(const Schema<CollectorToggle>& t) {
  Schema<NetClassOptions> options;
  options
      .Regex("device_exclude", &NetClassOptions::device_exclude,
             "Network interfaces not to report, as an RE2 pattern matched "
             "against the whole interface name (node_exporter's "
             "`--collector.netclass.ignored-devices`; independent of "
             "`netdev.device_exclude`, as there). Empty: report every "
             "interface.")
      .Bool("ignore_invalid_speed", &NetClassOptions::ignore_invalid_speed,
            "Leave out `node_network_speed_bytes` for interfaces whose "
            "speed the kernel reports as -1 (unknown, as virtual NICs do). "
            "Off by default, as in node_exporter 1.5, which then reports "
            "-125000.");
  Schema<NetClassSection> s;
  s.InlineBase(t).Inline(&NetClassSection::options, options);
  return s;
}

Schema<FilesystemSection> FilesystemSchema(const Schema<CollectorToggle>& t) {
  Schema<FilesystemOptions> options;
  options
      .Regex("mount_points_exclude", &FilesystemOptions::mount_points_exclude,
             "Mount points not to report, as an RE2 pattern matched against "
             "the whole mount point. The default is node_exporter's: "
             "pseudo filesystems and container storage.")
      .Regex("fs_types_exclude", &FilesystemOptions::fs_types_exclude,
             "Filesystem types not to report, as an RE2 pattern matched "
             "against the whole type name. The default is node_exporter's.")
      .Duration("stat_timeout", &FilesystemOptions::stat_timeout_ms,
                "How long a statfs call on one mount may take. A mount that "
                "does not answer in time (a dead NFS server) is reported "
                "with `node_filesystem_device_error` 1 and not asked again "
                "until the blocked call returns.",
                10, kMinute);
  Schema<FilesystemSection> s;
  s.InlineBase(t).Inline(&FilesystemSection::options, options);
  return s;
}

Schema<ProcessesSection> ProcessesSchema(const Schema<CollectorToggle>& t) {
  Schema<ProcessOptions> options;
  options.Int("top_n", &ProcessOptions::top_n,
              "Report only the N process groups (processes grouped by "
              "command name) that used the most CPU since the previous "
              "scan; 0 reports every group. Bounds the number of series on "
              "busy hosts.",
              0, 100000);
  Schema<ProcessesSection> s;
  s.InlineBase(t).Inline(&ProcessesSection::options, options);
  return s;
}

Schema<CollectorsSection> CollectorsSchema() {
  Schema<CollectorToggle> t = ToggleSchema();
  using C = CollectorsSection;
  Schema<C> s;
  s.Section("cpu", &C::cpu, t,
            "Time each CPU spent in each mode, from /proc/stat "
            "(`node_cpu_seconds_total`).")
      .Section("stat", &C::stat, t,
               "Boot time, context switches, interrupts, forks and "
               "running/blocked processes, from /proc/stat "
               "(`node_boot_time_seconds`, `node_context_switches_total`, "
               "`node_intr_total`, `node_forks_total`, `node_procs_*`).")
      .Section("meminfo", &C::meminfo, t,
               "Memory use, from /proc/meminfo (`node_memory_*_bytes`).")
      .Section("loadavg", &C::loadavg, t,
               "Load averages, from /proc/loadavg (`node_load1`, `node_load5`, "
               "`node_load15`).")
      .Section("pressure", &C::pressure, t,
               "Pressure stall information for CPU, memory and I/O, from "
               "/proc/pressure (`node_pressure_*`). Kernels without PSI "
               "report nothing.")
      .Section("vmstat", &C::vmstat, t,
               "Paging and swapping counters, from /proc/vmstat "
               "(`node_vmstat_*`).")
      .Section("entropy", &C::entropy, t,
               "Available entropy, from /proc/sys/kernel/random "
               "(`node_entropy_available_bits`).")
      .Section("filefd", &C::filefd, t,
               "Allocated and maximum file handles, from "
               "/proc/sys/fs/file-nr (`node_filefd_allocated`, "
               "`node_filefd_maximum`).")
      .Section("uname", &C::uname, t,
               "Kernel name, release, version and machine "
               "(`node_uname_info`).")
      .Section("time", &C::time, t,
               "The host's clock (`node_time_seconds`), to spot clock skew "
               "between hosts.")
      .Section("timex", &C::timex, t,
               "The kernel's clock discipline state from adjtimex(2): "
               "whether the clock is synchronized, its offset, frequency "
               "adjustment and error bounds (`node_timex_*`).")
      .Section("diskstats", &C::diskstats, DiskstatsSchema(t),
               "Block device I/O, from /proc/diskstats (`node_disk_*`).")
      .Section("netdev", &C::netdev, NetDevSchema(t),
               "Network interface traffic and errors, from /proc/net/dev "
               "(`node_network_*`).")
      .Section("netclass", &C::netclass, NetClassSchema(t),
               "Network interface state from /sys/class/net: up, carrier, "
               "speed, MTU, addresses and carrier changes "
               "(`node_network_up`, `node_network_info`, ...). It reads "
               "about 22 files per interface, which costs more than the "
               "other collectors together, hence its longer default "
               "interval; `node_network_carrier_changes_total` still counts "
               "every link flap in between.")
      .Section("netstat", &C::netstat, t,
               "Protocol counters (TCP, UDP, IP, ICMP), from "
               "/proc/net/netstat and /proc/net/snmp (`node_netstat_*`).")
      .Section("sockstat", &C::sockstat, t,
               "Sockets in use per protocol, from /proc/net/sockstat "
               "(`node_sockstat_*`).")
      .Section("conntrack", &C::conntrack, t,
               "Connection tracking table use and limit, and its "
               "statistics summed over CPUs, from "
               "/proc/sys/net/netfilter and /proc/net/stat/nf_conntrack "
               "(`node_nf_conntrack_*`). Hosts without the nf_conntrack "
               "module report nothing.")
      .Section("filesystem", &C::filesystem, FilesystemSchema(t),
               "Size, free space and inodes of mounted filesystems, from "
               "/proc/mounts and statfs (`node_filesystem_*`).")
      .Section("processes", &C::processes, ProcessesSchema(t),
               "CPU, memory and I/O of process groups, from /proc/[pid]. "
               "Scanning every process costs more than the other "
               "collectors, hence its longer default interval.");
  return s;
}

Schema<TendConfig> BuildTendConfigSchema() {
  Schema<TendConfig> s;
  s.Section("agent", &TendConfig::agent, AgentSchema(),
            "The agent: where its API listens and how often it collects.")
      .Section("storage", &TendConfig::storage, StorageSchema(),
               "The metric store: how long samples are kept and how "
               "they are made durable.")
      .Section("query", &TendConfig::query, QuerySchema(),
               "Limits of the PromQL engine.")
      .Section("log", &TendConfig::log, LogSchema(),
               "tend's own log, written to standard error.")
      .Section("paths", &TendConfig::paths, PathsSchema(),
               "Where the host's pseudo-filesystems are, for running in a "
               "container.")
      .Section("collectors", &TendConfig::collectors, CollectorsSchema(),
               "The metric collectors, one section each. Every collector "
               "has `enabled` and `interval`; some have options of their "
               "own.")
      .Section("logs", &TendConfig::logs, LogsSchema(),
               "Logs: the log store, where logs come from, how they are "
               "processed and which metrics are derived from them "
               "(docs/logs.md).")
      .Section("alerting", &TendConfig::alerting, AlertingSchema(),
               "Alerting: Prometheus rule files, where notifications go "
               "(Alertmanager's configuration format) and how long events "
               "are kept (docs/alerting.md).")
      .SectionList("probes", &TendConfig::probes, ProbeSchema(),
                   "Service checks: http, tcp, exec, process, systemd unit "
                   "and file, with blackbox_exporter's metric names "
                   "(docs/probes.md).")
      .SectionList("supervise", &TendConfig::supervise, SuperviseSchema(),
                   "Processes tend starts, watches and restarts the moment "
                   "they die (docs/remedies.md).")
      .SectionList("remedies", &TendConfig::remedies, RemedySchema(),
                   "What tend does by itself when an alert fires or a probe "
                   "fails, within budgets (docs/remedies.md).")
      .Validate([](const TendConfig& c) -> Status {
        RETURN_IF_ERROR(CheckProbeList(c.probes));
        std::vector<std::string> probe_names;
        for (const ProbeConfig& p : c.probes) probe_names.push_back(p.name);
        return CheckRemedyLists(c.supervise, c.remedies, probe_names);
      });
  return s;
}

}  // namespace

const Schema<TendConfig>& TendConfigSchema() {
  // Never destroyed, so it stays usable during static destruction.
  static const Schema<TendConfig>* const schema =
      new Schema<TendConfig>(BuildTendConfigSchema());
  return *schema;
}

}  // namespace tend
