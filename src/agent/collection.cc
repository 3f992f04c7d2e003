#include "agent/collection.h"

#include <unistd.h>

#include "agent/collector_table.h"
#include "base/log.h"
#include "metrics/parse.h"

namespace tend {

Collection::Collection(const TendConfig& config, Env* env, Clock* clock)
    : clock_(clock) {
  CollectorOptions options = MakeCollectorOptions(config, env, clock);
  for (const CollectorSpec& spec : CollectorTable()) {
    const CollectorToggle& t = spec.section(config.collectors);
    if (!t.enabled) continue;
    Entry e;
    e.collector = spec.make(options);
    e.interval_ns = t.interval_ms * kNanosPerMilli;
    entries_.push_back(std::move(e));
    CollectorHealth h;
    h.name = std::string(spec.name);
    h.interval_ms = t.interval_ms;
    health_.push_back(std::move(h));
  }
}

Collection::Collection(std::vector<std::unique_ptr<Collector>> collectors,
                       Clock* clock)
    : clock_(clock) {
  for (auto& c : collectors) {
    CollectorHealth h;
    h.name = std::string(c->name());
    health_.push_back(std::move(h));
    Entry e;
    e.collector = std::move(c);
    entries_.push_back(std::move(e));
  }
}

MetricSet Collection::RunCycle() {
  const int64_t cycle_start = clock_->MonotonicNanos();
  // Collectors that run every cycle append straight into `out` (Collect's
  // contract is to append), so the common path builds one set and merges
  // nothing.
  MetricSet out;
  for (size_t i = 0; i < entries_.size(); ++i) {
    Entry& e = entries_[i];
    const int64_t now = clock_->MonotonicNanos();
    if (e.interval_ns > 0 && now < e.next_due_mono) {
      // Not due: re-expose the last run's samples.
      out.MergeCopy(e.last);
      continue;
    }
    Status s;
    if (e.interval_ns > 0) {
      // Keep this run's samples to re-expose until the next run.
      e.last = MetricSet();
      s = e.collector->Collect(&e.last);
    } else {
      s = e.collector->Collect(&out);
    }
    const int64_t end = clock_->MonotonicNanos();
    if (e.interval_ns > 0) {
      // Stay on the original phase: skip whole intervals that were missed.
      if (e.next_due_mono == 0) e.next_due_mono = now;
      while (e.next_due_mono <= now) e.next_due_mono += e.interval_ns;
      out.MergeCopy(e.last);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      CollectorHealth& h = health_[i];
      ++h.runs;
      h.last_duration_ns = end - now;
      h.last_run_unix_nanos = clock_->NowUnixNanos();
      if (s.ok()) {
        if (!h.last_ok && h.errors > 0) {
          LogInfo("collector recovered", {{"collector", h.name}});
        }
        h.last_ok = true;
      } else {
        ++h.errors;
        if (h.last_ok || h.last_error != s.ToString() || h.errors == 1) {
          LogWarn("collector failed",
                  {{"collector", h.name}, {"err", s.ToString()}});
        }
        h.last_ok = false;
        h.last_error = s.ToString();
      }
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++cycles_;
    last_cycle_ns_ = clock_->MonotonicNanos() - cycle_start;
  }
  AddSelfMetrics(&out);
  return out;
}

void Collection::AddSelfMetrics(MetricSet* out) {
  std::vector<CollectorHealth> health;
  uint64_t cycles, dropped;
  int64_t cycle_ns;
  {
    std::lock_guard<std::mutex> lock(mu_);
    health = health_;
    cycles = cycles_;
    dropped = dropped_;
    cycle_ns = last_cycle_ns_;
  }
  for (const CollectorHealth& h : health) {
    Labels l = {{"collector", h.name}};
    out->Gauge("tend_collector_duration_seconds",
               "Duration of the collector's last run.",
               static_cast<double>(h.last_duration_ns) / 1e9, l);
    out->Gauge("tend_collector_success",
               "Whether the collector's last run succeeded (1) or not (0).",
               h.last_ok ? 1 : 0, l);
    out->Counter("tend_collector_errors_total",
                 "Runs of the collector that returned an error.",
                 static_cast<double>(h.errors), l);
    out->Counter("tend_collector_runs_total", "Runs of the collector.",
                 static_cast<double>(h.runs), std::move(l));
  }
  out->Gauge("tend_collection_duration_seconds",
             "Duration of the last whole collection cycle.",
             static_cast<double>(cycle_ns) / 1e9);
  out->Counter("tend_collection_cycles_total", "Collection cycles run.",
               static_cast<double>(cycles));
  out->Counter("tend_collection_dropped_total",
               "Collection ticks dropped because the previous cycle was "
               "still running (their samples are not collected).",
               static_cast<double>(dropped));

  // tend's own CPU and memory, from /proc/self/stat (fields after the
  // command name: utime is the 12th, stime 13th, starttime 20th, vsize 21st,
  // rss 22nd).
  if (Env::Default()->ReadFile("/proc/self/stat", &self_stat_buf_).ok()) {
    size_t paren = self_stat_buf_.rfind(')');
    if (paren != std::string::npos) {
      std::vector<std::string_view> f;
      SplitFields(std::string_view(self_stat_buf_).substr(paren + 1), &f);
      static const double kTicks = static_cast<double>(sysconf(_SC_CLK_TCK));
      static const double kPage = static_cast<double>(sysconf(_SC_PAGESIZE));
      uint64_t utime, stime, vsize, rss;
      if (f.size() > 22 && ParseUint64(f[11], &utime) &&
          ParseUint64(f[12], &stime) && ParseUint64(f[20], &vsize) &&
          ParseUint64(f[21], &rss)) {
        out->Counter("tend_process_cpu_seconds_total",
                     "User and system CPU time tend has used.",
                     static_cast<double>(utime + stime) / kTicks);
        out->Gauge("tend_process_resident_memory_bytes",
                   "Resident memory of the tend process.",
                   static_cast<double>(rss) * kPage);
        out->Gauge("tend_process_virtual_memory_bytes",
                   "Virtual memory of the tend process.",
                   static_cast<double>(vsize));
      }
    }
  }
  Result<uint64_t> fds = Env::Default()->CountDirEntries("/proc/self/fd");
  if (fds.ok()) {
    out->Gauge("tend_process_open_fds", "Open file descriptors of tend.",
               static_cast<double>(*fds));
  }
}

void Collection::CountDroppedCycle() {
  std::lock_guard<std::mutex> lock(mu_);
  ++dropped_;
}

std::vector<CollectorHealth> Collection::Health() const {
  std::lock_guard<std::mutex> lock(mu_);
  return health_;
}

uint64_t Collection::cycles() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cycles_;
}

uint64_t Collection::dropped_cycles() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

int64_t Collection::last_cycle_duration_ns() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_cycle_ns_;
}

}  // namespace tend
