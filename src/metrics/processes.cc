// The processes collector: process-exporter's namedprocess_namegroup_*
// metrics, with processes grouped by command name (comm, as process-exporter
// configured with `name: "{{.Comm}}"` does).
//
// Per group, label groupname (types as process-exporter declares them):
//   num_procs, num_threads, open_filedesc, oldest_start_time_seconds,
//   memory_bytes{memtype=resident|virtual|swapped}            gauges
//   cpu_seconds_total{mode=user|system}, read_bytes_total,
//   write_bytes_total, major_page_faults_total,
//   minor_page_faults_total,
//   context_switches_total{ctxswitchtype=voluntary|nonvoluntary}  counters
// Sources: /proc/PID/stat (comm, faults, CPU, threads, start, vsize, rss),
// /proc/PID/status (VmSwap, context switches of the main thread), /proc/PID/io
// (read_bytes, write_bytes), the entries of /proc/PID/fd, and btime from
// /proc/stat.
//
// Counters. A group's counters must never go down although its processes
// come and go, so they are accumulated: the collector remembers each
// process's last values, keyed by (pid, starttime) so a reused pid is a new
// process, and adds what each process used since the previous scan to its
// group. A process that exits contributes nothing more (what it used after
// the last scan is lost, as in process-exporter); the group keeps its total.
//
// First sight. Like process-exporter (tracker.go: a process counts its full
// usage only when it started after the exporter's first update), processes
// already running at the collector's first scan are a baseline and
// contribute only what they use afterwards, while a process first seen in a
// later scan started since the previous scan, so its whole usage happened
// in this interval and all of it counts. Why the baseline: if the
// first scan added lifetime totals, every agent restart would make each
// group's counter jump to the lifetime usage of its running processes;
// Prometheus reads a counter that went down as a reset and counts the whole
// new value as increase, so rate() would spike by days of CPU. Starting
// from zero keeps rate() right across restarts. A field that becomes
// readable later (e.g. io) starts its own baseline then.
//
// A process that changes its comm (exec) is counted in its current group from
// then on; only its usage after the change goes there.
//
// Groups without processes keep being reported (num_procs 0, counters at
// their totals, no oldest_start_time_seconds) for kDeadGroupRetention (an
// hour of options.clock's monotonic time), then are forgotten, so that
// short-lived names do not accumulate forever (process-exporter keeps them
// for its lifetime); if the name comes back its counters restart from zero,
// which Prometheus handles as a counter reset.
//
// top_n > 0 reports only the N groups that used the most CPU (user+system)
// since the previous scan, ties broken by name; at the first scan, where no
// previous scan exists, lifetime CPU ranks them.
//
// Vanishing processes: a process whose files are gone (ENOENT, ESRCH) while
// it is read is skipped silently. /proc/PID/io and /proc/PID/fd of other
// users' processes are unreadable without privileges: those fields are
// skipped for that process. Other failures (a malformed stat, an I/O error)
// skip the process and make Collect() return an error after reporting the
// rest.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "metrics/collectors_fs_proc.h"
#include "metrics/parse.h"
#include "metrics/processes_pid.h"

namespace tend {
namespace {

constexpr int64_t kDeadGroupRetention = 3600 * kNanosPerSecond;

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const {
    return std::hash<std::string_view>()(s);
  }
};

// The usage counters a process reports and a group accumulates.
struct Usage {
  uint64_t utime = 0;  // Clock ticks.
  uint64_t stime = 0;
  uint64_t minflt = 0;
  uint64_t majflt = 0;
  uint64_t voluntary = 0;
  uint64_t nonvoluntary = 0;
  uint64_t read_bytes = 0;
  uint64_t write_bytes = 0;
};

// What the collector remembers of a process between scans.
struct ProcState {
  uint64_t seen_scan = 0;  // The last scan that read it.
  Usage last;
  bool has_io = false;  // last.read_bytes/write_bytes are valid.
};

struct ProcKey {
  uint64_t pid;
  uint64_t starttime;
  friend bool operator==(const ProcKey&, const ProcKey&) = default;
};
struct ProcKeyHash {
  size_t operator()(const ProcKey& k) const {
    return std::hash<uint64_t>()(k.pid * 0x9E3779B97F4A7C15ull ^ k.starttime);
  }
};

struct GroupState {
  Usage total;                  // Accumulated counters.
  int64_t last_live_nanos = 0;  // Monotonic time it last had a process.
  // This scan's values; valid when live_scan equals the current scan.
  uint64_t live_scan = 0;
  uint64_t procs = 0;
  uint64_t threads = 0;
  uint64_t rss_bytes = 0;
  uint64_t vsize_bytes = 0;
  uint64_t swap_bytes = 0;
  uint64_t open_fds = 0;
  uint64_t oldest_starttime = 0;     // Clock ticks after boot.
  uint64_t cpu_ticks_this_scan = 0;  // For top_n.
};

// The delta of a counter, never negative.
uint64_t Delta(uint64_t now, uint64_t before) {
  return now >= before ? now - before : 0;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

class ProcessesCollector : public Collector {
 public:
  explicit ProcessesCollector(const CollectorOptions& options)
      : env_(options.env),
        clock_(options.clock),
        proc_(options.paths.proc),
        top_n_(options.processes.top_n),
        ticks_per_second_(SysconfOr(_SC_CLK_TCK, 100)),
        page_size_(SysconfOr(_SC_PAGESIZE, 4096)) {}

  std::string_view name() const override { return "processes"; }
  Status Collect(MetricSet* out) override;

 private:
  enum class ReadOutcome { kOk, kVanished, kFailed };

  static uint64_t SysconfOr(int name, uint64_t fallback) {
    long v = ::sysconf(name);
    return v > 0 ? static_cast<uint64_t>(v) : fallback;
  }

  Status ReadBootTime();
  ReadOutcome ReadProcess(std::string_view pid, Status* error);
  void Account(uint64_t pid);
  void Sweep();
  void Report(MetricSet* out);

  Env* const env_;
  Clock* const clock_;
  const std::string proc_;
  const int top_n_;
  const uint64_t ticks_per_second_;
  const uint64_t page_size_;
  int64_t btime_ = 0;
  bool have_btime_ = false;

  uint64_t scan_ = 0;          // Number of the current scan, from 1.
  bool baseline_scan_ = true;  // No scan has completed yet.
  std::unordered_map<ProcKey, ProcState, ProcKeyHash> procs_;
  std::unordered_map<std::string, GroupState, StringHash, std::equal_to<>>
      groups_;

  // Buffers reused from scan to scan.
  std::vector<std::string> names_;
  std::string path_;
  std::string stat_text_;
  std::string status_text_;
  std::string io_text_;
  PidStat stat_;
  PidStatus status_;
  PidIo io_;
  bool has_io_ = false;
  uint64_t fds_ = 0;
  bool has_fds_ = false;
  std::vector<std::pair<const std::string*, GroupState*>> report_;
};

Status ProcessesCollector::ReadBootTime() {
  if (have_btime_) return Status::Ok();
  path_ = proc_ + "/stat";
  RETURN_IF_ERROR(env_->ReadFile(path_, &stat_text_));
  if (!ParseBootTime(stat_text_, &btime_)) {
    return DataLossError("processes: " + path_ +
                         ": no \"btime N\" line (boot time)");
  }
  have_btime_ = true;
  return Status::Ok();
}

// Reads one process's files into stat_, status_, io_/has_io_, fds_/has_fds_.
ProcessesCollector::ReadOutcome ProcessesCollector::ReadProcess(
    std::string_view pid, Status* error) {
  path_.assign(proc_);
  path_.push_back('/');
  path_.append(pid);
  path_.push_back('/');
  const size_t base = path_.size();

  path_.append("stat");
  Status s = env_->ReadFile(path_, &stat_text_);
  if (s.code() == StatusCode::kNotFound) return ReadOutcome::kVanished;
  if (!s.ok()) {
    *error = s;
    return ReadOutcome::kFailed;
  }
  if (!ParsePidStat(stat_text_, &stat_)) {
    // A process being torn down can leave an empty stat behind.
    if (stat_text_.empty()) return ReadOutcome::kVanished;
    *error = DataLossError(path_ + ": malformed stat line");
    return ReadOutcome::kFailed;
  }

  path_.resize(base);
  path_.append("status");
  s = env_->ReadFile(path_, &status_text_);
  if (s.code() == StatusCode::kNotFound) return ReadOutcome::kVanished;
  if (!s.ok()) {
    *error = s;
    return ReadOutcome::kFailed;
  }
  if (!ParsePidStatus(status_text_, &status_)) {
    if (status_text_.empty()) return ReadOutcome::kVanished;
    *error = DataLossError(path_ + ": no voluntary/nonvoluntary_ctxt_switches");
    return ReadOutcome::kFailed;
  }

  path_.resize(base);
  path_.append("io");
  s = env_->ReadFile(path_, &io_text_);
  has_io_ = s.ok();
  if (has_io_ && !ParsePidIo(io_text_, &io_)) {
    *error = DataLossError(path_ + ": no read_bytes/write_bytes lines");
    return ReadOutcome::kFailed;
  }
  if (s.code() == StatusCode::kNotFound) {
    // Gone, or a kernel without task I/O accounting (no io file at all):
    // tell them apart by whether stat is still there.
    path_.resize(base);
    path_.append("stat");
    Result<FileTimes> t = env_->Stat(path_);
    if (!t.ok() && t.status().code() == StatusCode::kNotFound) {
      return ReadOutcome::kVanished;
    }
  }
  // kPermissionDenied: another user's process; the io fields are skipped.

  path_.resize(base);
  path_.append("fd");
  Result<uint64_t> fds = env_->CountDirEntries(path_);
  if (!fds.ok() && fds.status().code() == StatusCode::kNotFound) {
    return ReadOutcome::kVanished;
  }
  has_fds_ = fds.ok();
  fds_ = fds.value_or(0);
  return ReadOutcome::kOk;
}

// Adds the process just read (stat_, status_, ...) to its group.
void ProcessesCollector::Account(uint64_t pid) {
  Usage now;
  now.utime = stat_.utime;
  now.stime = stat_.stime;
  now.minflt = stat_.minflt;
  now.majflt = stat_.majflt;
  now.voluntary = status_.voluntary_ctxt_switches;
  now.nonvoluntary = status_.nonvoluntary_ctxt_switches;
  if (has_io_) {
    now.read_bytes = io_.read_bytes;
    now.write_bytes = io_.write_bytes;
  }

  auto [pit, first_sight] =
      procs_.try_emplace(ProcKey{pid, stat_.starttime}, ProcState{});
  ProcState& p = pit->second;

  auto git = groups_.find(stat_.comm);
  if (git == groups_.end()) {
    git = groups_.emplace(std::string(stat_.comm), GroupState{}).first;
  }
  GroupState& g = git->second;
  if (g.live_scan != scan_) {
    g.live_scan = scan_;
    g.procs = g.threads = g.rss_bytes = g.vsize_bytes = g.swap_bytes = 0;
    g.open_fds = g.cpu_ticks_this_scan = 0;
    g.oldest_starttime = stat_.starttime;
  }
  ++g.procs;
  g.threads += stat_.num_threads;
  g.rss_bytes += stat_.rss_pages * page_size_;
  g.vsize_bytes += stat_.vsize;
  g.swap_bytes += status_.swap_bytes;
  if (has_fds_) g.open_fds += fds_;
  g.oldest_starttime = std::min(g.oldest_starttime, stat_.starttime);

  // What the process used since the previous scan: everything it ever used
  // when it is new.
  Usage d;
  if (first_sight) {
    d = now;
  } else {
    d.utime = Delta(now.utime, p.last.utime);
    d.stime = Delta(now.stime, p.last.stime);
    d.minflt = Delta(now.minflt, p.last.minflt);
    d.majflt = Delta(now.majflt, p.last.majflt);
    d.voluntary = Delta(now.voluntary, p.last.voluntary);
    d.nonvoluntary = Delta(now.nonvoluntary, p.last.nonvoluntary);
    if (has_io_ && p.has_io) {
      d.read_bytes = Delta(now.read_bytes, p.last.read_bytes);
      d.write_bytes = Delta(now.write_bytes, p.last.write_bytes);
    }
  }
  g.cpu_ticks_this_scan += d.utime + d.stime;
  if (!(first_sight && baseline_scan_)) {
    g.total.utime += d.utime;
    g.total.stime += d.stime;
    g.total.minflt += d.minflt;
    g.total.majflt += d.majflt;
    g.total.voluntary += d.voluntary;
    g.total.nonvoluntary += d.nonvoluntary;
    g.total.read_bytes += d.read_bytes;
    g.total.write_bytes += d.write_bytes;
  }

  p.seen_scan = scan_;
  if (has_io_) {
    p.last = now;
    p.has_io = true;
  } else {
    // Keep the last io values: if io becomes readable again, the delta is
    // taken against them only if they were valid.
    Usage keep = p.last;
    p.last = now;
    p.last.read_bytes = keep.read_bytes;
    p.last.write_bytes = keep.write_bytes;
  }
}

// Forgets exited processes and long-dead groups.
void ProcessesCollector::Sweep() {
  std::erase_if(
      procs_, [this](const auto& kv) { return kv.second.seen_scan != scan_; });
  const int64_t now = clock_->MonotonicNanos();
  for (auto it = groups_.begin(); it != groups_.end();) {
    GroupState& g = it->second;
    if (g.live_scan == scan_) {
      g.last_live_nanos = now;
    } else {
      g.cpu_ticks_this_scan = 0;
      if (now - g.last_live_nanos > kDeadGroupRetention) {
        it = groups_.erase(it);
        continue;
      }
    }
    ++it;
  }
}

void ProcessesCollector::Report(MetricSet* out) {
  report_.clear();
  for (auto& [name, g] : groups_) report_.emplace_back(&name, &g);
  if (report_.empty()) return;
  auto by_cpu = [](const auto& a, const auto& b) {
    if (a.second->cpu_ticks_this_scan != b.second->cpu_ticks_this_scan) {
      return a.second->cpu_ticks_this_scan > b.second->cpu_ticks_this_scan;
    }
    return *a.first < *b.first;
  };
  if (top_n_ > 0 && report_.size() > static_cast<size_t>(top_n_)) {
    std::partial_sort(report_.begin(), report_.begin() + top_n_, report_.end(),
                      by_cpu);
    report_.resize(static_cast<size_t>(top_n_));
  }
  std::sort(report_.begin(), report_.end(),
            [](const auto& a, const auto& b) { return *a.first < *b.first; });

  // Families are created first, in a fixed order, so the pointers below stay
  // valid while samples are added.
  struct Spec {
    const char* name;
    MetricType type;
    const char* help;
  };
  static constexpr Spec kSpecs[] = {
      {"namedprocess_namegroup_num_procs", MetricType::kGauge,
       "number of processes in this group"},
      {"namedprocess_namegroup_cpu_seconds_total", MetricType::kCounter,
       "Cpu user usage in seconds"},
      {"namedprocess_namegroup_memory_bytes", MetricType::kGauge,
       "number of bytes of memory in use"},
      {"namedprocess_namegroup_read_bytes_total", MetricType::kCounter,
       "number of bytes read by this group"},
      {"namedprocess_namegroup_write_bytes_total", MetricType::kCounter,
       "number of bytes written by this group"},
      {"namedprocess_namegroup_num_threads", MetricType::kGauge,
       "Number of threads"},
      {"namedprocess_namegroup_open_filedesc", MetricType::kGauge,
       "number of open file descriptors for this group"},
      {"namedprocess_namegroup_oldest_start_time_seconds", MetricType::kGauge,
       "start time in seconds since 1970/01/01 of oldest process in group"},
      {"namedprocess_namegroup_major_page_faults_total", MetricType::kCounter,
       "Major page faults"},
      {"namedprocess_namegroup_minor_page_faults_total", MetricType::kCounter,
       "Minor page faults"},
      {"namedprocess_namegroup_context_switches_total", MetricType::kCounter,
       "Context switches"},
  };
  constexpr size_t kCount = sizeof(kSpecs) / sizeof(kSpecs[0]);
  for (const Spec& s : kSpecs) out->Family(s.name, s.type, s.help);
  MetricFamily* f[kCount];
  for (size_t i = 0; i < kCount; ++i) {
    f[i] = out->Family(kSpecs[i].name, kSpecs[i].type, kSpecs[i].help);
  }
  enum {
    kProcs,
    kCpu,
    kMemory,
    kRead,
    kWrite,
    kThreads,
    kFds,
    kStart,
    kMajor,
    kMinor,
    kCtx
  };

  const double tps = static_cast<double>(ticks_per_second_);
  for (const auto& [name_ptr, gp] : report_) {
    const std::string& name = *name_ptr;
    const GroupState& g = *gp;
    const bool live = g.live_scan == scan_;
    auto add = [&](int family, double v) {
      f[family]->samples.push_back({Labels{{"groupname", name}}, v});
    };
    auto add2 = [&](int family, const char* label, bool label_first,
                    const char* value, double v) {
      Labels labels;
      if (label_first) {
        labels = {{label, value}, {"groupname", name}};
      } else {
        labels = {{"groupname", name}, {label, value}};
      }
      f[family]->samples.push_back({std::move(labels), v});
    };
    add(kProcs, live ? static_cast<double>(g.procs) : 0);
    add2(kCpu, "mode", false, "user", static_cast<double>(g.total.utime) / tps);
    add2(kCpu, "mode", false, "system",
         static_cast<double>(g.total.stime) / tps);
    add2(kMemory, "memtype", false, "resident",
         live ? static_cast<double>(g.rss_bytes) : 0);
    add2(kMemory, "memtype", false, "virtual",
         live ? static_cast<double>(g.vsize_bytes) : 0);
    add2(kMemory, "memtype", false, "swapped",
         live ? static_cast<double>(g.swap_bytes) : 0);
    add(kRead, static_cast<double>(g.total.read_bytes));
    add(kWrite, static_cast<double>(g.total.write_bytes));
    add(kThreads, live ? static_cast<double>(g.threads) : 0);
    add(kFds, live ? static_cast<double>(g.open_fds) : 0);
    if (live) {
      // Whole seconds, as process-exporter reports it.
      add(kStart, static_cast<double>(btime_ +
                                      static_cast<int64_t>(g.oldest_starttime /
                                                           ticks_per_second_)));
    }
    add(kMajor, static_cast<double>(g.total.majflt));
    add(kMinor, static_cast<double>(g.total.minflt));
    add2(kCtx, "ctxswitchtype", true, "voluntary",
         static_cast<double>(g.total.voluntary));
    add2(kCtx, "ctxswitchtype", true, "nonvoluntary",
         static_cast<double>(g.total.nonvoluntary));
  }
}

Status ProcessesCollector::Collect(MetricSet* out) {
  RETURN_IF_ERROR(ReadBootTime());
  Status s = env_->ListDir(proc_, &names_);
  if (!s.ok()) return s.WithContext("processes");
  ++scan_;
  size_t failed = 0;
  Status first_error;
  for (const std::string& name : names_) {
    if (!AllDigits(name)) continue;
    uint64_t pid;
    if (!ParseUint64(name, &pid)) continue;
    Status error;
    switch (ReadProcess(name, &error)) {
      case ReadOutcome::kOk:
        Account(pid);
        break;
      case ReadOutcome::kVanished:
        break;
      case ReadOutcome::kFailed:
        if (failed++ == 0) first_error = std::move(error);
        break;
    }
  }
  Sweep();
  baseline_scan_ = false;
  Report(out);
  if (failed > 0) {
    return Status(first_error.code(),
                  "processes: " + std::to_string(failed) +
                      " process(es) could not be read and were skipped; "
                      "first: " +
                      first_error.message());
  }
  return Status::Ok();
}

}  // namespace

std::unique_ptr<Collector> NewProcessesCollector(
    const CollectorOptions& options) {
  return std::make_unique<ProcessesCollector>(options);
}

}  // namespace tend
