#include "probe/probe_service.h"

#include <algorithm>
#include <chrono>
#include <unordered_set>
#include <utility>

#include "base/log.h"
#include "probe/probe_table.h"

namespace tend {

struct ProbeService::Entry {
  std::string name;
  ProbeKind kind;
  std::string target;
  int64_t interval_ns;
  int64_t timeout_ns;
  std::unique_ptr<Probe> probe;
  Labels labels;  // probe, type (canonical order).

  // Guarded by mu_.
  int64_t next_due_ns = 0;
  bool in_flight = false;      // A scheduled run is queued or running.
  int64_t run_started_ns = 0;  // 0 while queued.
  uint64_t seq = 0;            // Of the latest scheduled run.
  bool abandoned = false;      // The in-flight run was given up.
  bool has_result = false;
  ProbeResult last;
  int64_t last_run_unix_ms = 0;
  int64_t consecutive_failures = 0;
  uint64_t runs = 0, failures = 0, overruns = 0, skipped = 0;
};

ProbeService::ProbeService(const ProbeDeps& deps,
                           const ProbeServiceOptions& options)
    : deps_(deps), options_(options) {}

Result<std::unique_ptr<ProbeService>> ProbeService::Create(
    const std::vector<ProbeSpec>& specs, const ProbeDeps& deps,
    const ProbeServiceOptions& options) {
  std::unique_ptr<ProbeService> s(new ProbeService(deps, options));
  std::unordered_set<std::string> names;
  for (const ProbeSpec& spec : specs) {
    ASSIGN_OR_RETURN(std::unique_ptr<Probe> probe, MakeProbe(spec, deps));
    if (!names.insert(spec.name).second) {
      return InvalidArgumentError("probe \"" + spec.name +
                                  "\": name used more than once");
    }
    auto e = std::make_unique<Entry>();
    e->name = spec.name;
    e->kind = spec.kind;
    e->target = ProbeTarget(spec);
    e->interval_ns = spec.interval_ms * kNanosPerMilli;
    e->timeout_ns = EffectiveTimeoutMs(spec) * kNanosPerMilli;
    e->probe = std::move(probe);
    e->labels = {{"probe", spec.name},
                 {"type", std::string(ProbeKindName(spec.kind))}};
    s->entries_.push_back(std::move(e));
  }
  return s;
}

ProbeService::~ProbeService() { Stop(); }

void ProbeService::SetResultCallback(ProbeResultCallback cb) {
  std::lock_guard<std::mutex> lock(mu_);
  callback_ = std::move(cb);
}

void ProbeService::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_ || stopping_) return;
  started_ = true;
  int64_t now = deps_.clock->MonotonicNanos();
  for (auto& e : entries_) {
    int64_t offset = 0;
    if (options_.spread_start) {
      offset = static_cast<int64_t>(std::hash<std::string>()(e->name) %
                                    static_cast<uint64_t>(e->interval_ns));
    }
    e->next_due_ns = now + offset;
  }
  pool_ = std::make_unique<WorkerPool>(options_.threads,
                                       std::max<size_t>(1, entries_.size()));
  scheduler_ = std::thread([this] { SchedulerMain(); });
}

void ProbeService::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (scheduler_.joinable()) scheduler_.join();
  if (pool_ != nullptr) pool_->Shutdown();
}

void ProbeService::SchedulerMain() {
  std::unique_lock<std::mutex> lock(mu_);
  const int64_t grace_ns = options_.abandon_grace_ms * kNanosPerMilli;
  while (!stopping_) {
    int64_t now = deps_.clock->MonotonicNanos();
    int64_t wake_at = now + 3600 * kNanosPerSecond;
    std::vector<std::pair<std::string, ProbeResult>> abandoned;
    for (size_t i = 0; i < entries_.size(); ++i) {
      Entry& e = *entries_[i];
      if (e.in_flight && !e.abandoned && e.run_started_ns != 0) {
        int64_t give_up = e.run_started_ns + e.timeout_ns + grace_ns;
        if (now >= give_up) {
          e.abandoned = true;
          e.overruns++;
          ProbeResult r;
          r.duration_s = static_cast<double>(now - e.run_started_ns) / 1e9;
          r.error = "probe did not finish within its timeout of " +
                    std::to_string(e.timeout_ns / kNanosPerMilli) +
                    " ms; abandoned";
          Record(e, r,
                 deps_.clock->NowUnixNanos() / kNanosPerMilli -
                     (now - e.run_started_ns) / kNanosPerMilli);
          abandoned.emplace_back(e.name, std::move(r));
          LogWarn("probe abandoned", {{"probe", e.name}});
        } else {
          wake_at = std::min(wake_at, give_up);
        }
      }
      if (now >= e.next_due_ns) {
        if (e.in_flight) {
          e.skipped++;
        } else {
          uint64_t seq = ++e.seq;
          e.in_flight = true;
          e.abandoned = false;
          e.run_started_ns = 0;
          if (!pool_->Submit([this, i, seq] { RunScheduled(i, seq); })) {
            e.in_flight = false;
            e.skipped++;
          }
        }
        // Keep the phase; skip ticks that were missed.
        int64_t missed = (now - e.next_due_ns) / e.interval_ns + 1;
        e.next_due_ns += missed * e.interval_ns;
      }
      wake_at = std::min(wake_at, e.next_due_ns);
    }
    if (!abandoned.empty()) {
      lock.unlock();
      for (const auto& [name, r] : abandoned) Notify(name, r);
      lock.lock();
      continue;  // Time has passed; look again before sleeping.
    }
    int64_t wait = wake_at - deps_.clock->MonotonicNanos();
    if (wait > 0) {
      wake_.wait_for(lock, std::chrono::nanoseconds(wait));
    }
  }
}

ProbeResult ProbeService::RunProbe(Entry& e, int64_t start_ns) {
  ProbeResult r = e.probe->Run(start_ns + e.timeout_ns);
  r.duration_s =
      static_cast<double>(deps_.clock->MonotonicNanos() - start_ns) / 1e9;
  if (r.success) r.error.clear();
  if (!r.success && r.error.empty()) r.error = "probe failed";
  return r;
}

void ProbeService::RunScheduled(size_t i, uint64_t seq) {
  Entry& e = *entries_[i];
  int64_t start = deps_.clock->MonotonicNanos();
  int64_t start_unix_ms = deps_.clock->NowUnixNanos() / kNanosPerMilli;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      e.in_flight = false;
      return;
    }
    e.run_started_ns = start;
  }
  wake_.notify_all();  // The scheduler learns the new give-up time.
  ProbeResult r = RunProbe(e, start);
  {
    std::lock_guard<std::mutex> lock(mu_);
    bool dropped = e.seq == seq && e.abandoned;
    e.in_flight = false;
    e.run_started_ns = 0;
    if (dropped) return;
    Record(e, r, start_unix_ms);
  }
  Notify(e.name, r);
}

void ProbeService::Record(Entry& e, const ProbeResult& r,
                          int64_t started_unix_ms) {
  e.runs++;
  if (r.success) {
    e.consecutive_failures = 0;
  } else {
    e.failures++;
    e.consecutive_failures++;
  }
  e.has_result = true;
  e.last = r;
  e.last_run_unix_ms = started_unix_ms;
}

void ProbeService::Notify(const std::string& name, const ProbeResult& r) {
  ProbeResultCallback cb;
  {
    std::lock_guard<std::mutex> lock(mu_);
    cb = callback_;
  }
  if (cb) cb(name, r);
}

Result<ProbeResult> ProbeService::RunNow(const std::string& name) {
  for (auto& ep : entries_) {
    Entry& e = *ep;
    if (e.name != name) continue;
    int64_t start = deps_.clock->MonotonicNanos();
    int64_t start_unix_ms = deps_.clock->NowUnixNanos() / kNanosPerMilli;
    ProbeResult r = RunProbe(e, start);
    {
      std::lock_guard<std::mutex> lock(mu_);
      Record(e, r, start_unix_ms);
    }
    Notify(e.name, r);
    return r;
  }
  return NotFoundError("no probe named \"" + name + "\"");
}

namespace {

// base (canonical) plus the sample's own labels, canonical.
Labels Merge(const Labels& base, const Labels& own) {
  Labels out = base;
  out.insert(out.end(), own.begin(), own.end());
  if (!own.empty()) CanonicalizeLabels(&out);
  return out;
}

}  // namespace

void ProbeService::Collect(MetricSet* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& ep : entries_) {
    const Entry& e = *ep;
    if (e.has_result) {
      out->Gauge("probe_success", ProbeMetricHelp("probe_success"),
                 e.last.success ? 1 : 0, e.labels);
      out->Gauge("probe_duration_seconds",
                 ProbeMetricHelp("probe_duration_seconds"), e.last.duration_s,
                 e.labels);
      for (const ProbeSample& s : e.last.samples) {
        out->Gauge(s.name, ProbeMetricHelp(s.name), s.value,
                   Merge(e.labels, s.labels));
      }
    }
    out->Counter("tend_probe_runs_total", "Probe runs recorded.",
                 static_cast<double>(e.runs), e.labels);
    out->Counter("tend_probe_failures_total", "Probe runs that failed.",
                 static_cast<double>(e.failures), e.labels);
    out->Counter("tend_probe_overruns_total",
                 "Probe runs abandoned past their timeout.",
                 static_cast<double>(e.overruns), e.labels);
    out->Counter("tend_probe_skipped_total",
                 "Scheduled runs skipped because the previous run was still "
                 "going or the pool was full.",
                 static_cast<double>(e.skipped), e.labels);
    out->Gauge("tend_probe_consecutive_failures",
               "Failed runs since the last success.",
               static_cast<double>(e.consecutive_failures), e.labels);
  }
}

std::vector<ProbeStatus> ProbeService::Results() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ProbeStatus> out;
  out.reserve(entries_.size());
  for (const auto& ep : entries_) {
    const Entry& e = *ep;
    ProbeStatus s;
    s.name = e.name;
    s.kind = e.kind;
    s.target = e.target;
    s.interval_ms = e.interval_ns / kNanosPerMilli;
    s.timeout_ms = e.timeout_ns / kNanosPerMilli;
    s.has_run = e.has_result;
    s.last_success = e.last.success;
    s.last_error = e.last.error;
    s.last_run_unix_ms = e.last_run_unix_ms;
    s.last_duration_s = e.last.duration_s;
    s.consecutive_failures = e.consecutive_failures;
    s.runs = e.runs;
    s.failures = e.failures;
    s.overruns = e.overruns;
    s.skipped = e.skipped;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace tend
