// The system-wide collectors: one per /proc (or /sys) source describing the
// whole host, with node_exporter 1.5's metric names, types, labels and HELP
// texts so existing dashboards and alerts work unchanged.
//
// Common contract (see Collector in collector.h):
// - Files are read through options.env at paths built from options.paths,
//   into a buffer the collector keeps across cycles.
// - A file that cannot be read fails Collect with the Env's status (kNotFound,
//   kPermissionDenied, ... naming the path), except where a collector below
//   documents a source that some kernels simply lack.
// - A malformed line is skipped; everything that did parse is emitted, and
//   Collect then returns kInvalidArgument naming the file and the first bad
//   line. A final line without its '\n' counts as malformed (a cut read would
//   otherwise yield a wrong number), and so does an empty file.
// - Counters are parsed as uint64 and exposed as read: no state is kept
//   between cycles apart from buffers (and the fixed facts uname and time
//   note below), except in cpu, which holds each CPU's last values so a
//   counter the kernel moves backwards (iowait) never decreases.
// Each collector is used from one thread at a time.
#ifndef TEND_METRICS_COLLECTORS_SYSTEM_H_
#define TEND_METRICS_COLLECTORS_SYSTEM_H_

#include <memory>

#include "metrics/collector.h"

namespace tend {

// "cpu": node_cpu_seconds_total{cpu,mode} and
// node_cpu_guest_seconds_total{cpu,mode} from the cpuN lines of /proc/stat
// (USER_HZ ticks / 100). Only the columns the kernel prints are emitted; the
// cpu label is the kernel's CPU number, so offline CPUs are absent.
std::unique_ptr<Collector> NewCpuCollector(const CollectorOptions& options);

// "stat": boot time, context switches, forks, interrupts, running and blocked
// processes from /proc/stat. A missing line is reported as kInvalidArgument.
std::unique_ptr<Collector> NewStatCollector(const CollectorOptions& options);

// "meminfo": node_memory_<Field>_bytes (kB fields * 1024) and
// node_memory_<Field> (unitless fields) from /proc/meminfo, with
// "Active(anon)" named "Active_anon".
std::unique_ptr<Collector> NewMeminfoCollector(const CollectorOptions& options);

// "loadavg": node_load1, node_load5, node_load15 from /proc/loadavg.
std::unique_ptr<Collector> NewLoadavgCollector(const CollectorOptions& options);

// "pressure": node_pressure_{cpu,io,memory}_*_seconds_total from
// /proc/pressure/{cpu,io,memory}. A kernel without PSI (no such file) is not
// an error: that resource yields no samples and Collect succeeds.
std::unique_ptr<Collector> NewPressureCollector(
    const CollectorOptions& options);

// "vmstat": node_vmstat_<field> (untyped) for the /proc/vmstat fields
// node_exporter exports by default: oom_kill*, pgpg*, pswp*, pg*fault*.
std::unique_ptr<Collector> NewVmstatCollector(const CollectorOptions& options);

// "entropy": node_entropy_available_bits and node_entropy_pool_size_bits from
// /proc/sys/kernel/random/{entropy_avail,poolsize}.
std::unique_ptr<Collector> NewEntropyCollector(const CollectorOptions& options);

// "filefd": node_filefd_allocated and node_filefd_maximum from
// /proc/sys/fs/file-nr.
std::unique_ptr<Collector> NewFilefdCollector(const CollectorOptions& options);

// "uname": node_uname_info{domainname,machine,nodename,release,sysname,
// version} 1 from /proc/sys/kernel/{domainname,hostname,osrelease,ostype,
// version}; machine from /proc/sys/kernel/arch, or uname(2) on kernels
// without that file. The sample is emitted only when every field was read:
// an info metric with a missing label would start a new series. hostname and
// domainname are read every cycle; the others describe the running kernel
// and are read until they succeed once, then kept.
std::unique_ptr<Collector> NewUnameCollector(const CollectorOptions& options);

// "time": node_time_seconds from options.clock,
// node_time_zone_offset_seconds{time_zone} from the process's local time zone
// (TZ, /etc/localtime), and node_time_clocksource_{available,current}_info
// {clocksource,device} from /sys/devices/system/clocksource/clocksourceN. A
// host without that directory (no sysfs) yields no clocksource samples and
// is not an error, as in node_exporter. The directory is listed until that
// succeeds once (the kernel never adds clocksources later); the files in it
// are read every cycle, since the current clocksource can change (e.g. tsc
// found unstable).
std::unique_ptr<Collector> NewTimeCollector(const CollectorOptions& options);

// "timex": node_timex_* from adjtimex(2) (read only): sync_status (0 when
// the call returns TIME_ERROR, i.e. STA_UNSYNC or a PPS error),
// offset_seconds and pps_jitter_seconds (nanoseconds when status has
// STA_NANO, else microseconds), frequency_adjustment_ratio (1 + freq / 2^16
// ppm), maxerror, estimated_error and tick in seconds, status, the PLL time
// constant, the PPS figures and the TAI offset, with node_exporter's units.
// A kernel or sandbox that refuses the call (EPERM) yields no samples and is
// not an error. See metrics/timex.h for the seam tests use.
std::unique_ptr<Collector> NewTimexCollector(const CollectorOptions& options);

}  // namespace tend

#endif  // TEND_METRICS_COLLECTORS_SYSTEM_H_
