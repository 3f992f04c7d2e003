// ProbeService: runs every configured probe on its interval and keeps the
// latest result of each for metrics, listings and reactions.
//
// Scheduling. Each probe first runs at an offset within its interval
// derived from its name (so probes configured together do not all fire at
// once; ProbeServiceOptions::spread_start=false starts them at once), then
// every interval, keeping that phase; missed ticks are skipped, not
// replayed. Runs execute on the service's own pool of `threads` threads.
// A probe is never run twice at once by the scheduler: when its previous
// run is still going at the next tick, that tick is skipped and counted.
//
// Timeouts. A run gets the deadline start + timeout, which every kind
// honours in practice (curl timeouts, poll, a killed process group). A run
// still going `abandon_grace_ms` after its deadline is abandoned: a failed
// result ("did not finish within ...") is recorded and reported at once,
// the overrun counted, and whatever the run returns later is dropped. Its
// thread stays busy until the probe returns, so a hung probe holds at most
// one thread; other probes are delayed only once every thread is held.
//
// Threads. Every public member may be called from any thread. The result
// callback runs on a pool thread (scheduled runs), on the scheduler thread
// (abandoned runs) or on the caller's thread (RunNow); it must be
// thread-safe and quick (hand work to the event loop with Post()).
#ifndef TEND_PROBE_PROBE_SERVICE_H_
#define TEND_PROBE_PROBE_SERVICE_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "loop/worker_pool.h"
#include "metrics/metric.h"
#include "probe/probe.h"

namespace tend {

struct ProbeServiceOptions {
  int threads = 4;
  bool spread_start = true;
  int64_t abandon_grace_ms = 1000;
};

// One probe as listings show it (API, `tend probes`).
struct ProbeStatus {
  std::string name;
  ProbeKind kind = ProbeKind::kHttp;
  std::string target;  // ProbeTarget(spec).
  int64_t interval_ms = 0;
  int64_t timeout_ms = 0;
  bool has_run = false;  // False until the first result.
  bool last_success = false;
  std::string last_error;
  int64_t last_run_unix_ms = 0;  // When the last recorded run started.
  double last_duration_s = 0;
  int64_t consecutive_failures = 0;
  uint64_t runs = 0, failures = 0, overruns = 0, skipped = 0;
};

// Called with every recorded result: the probe's name and the result.
using ProbeResultCallback =
    std::function<void(const std::string& name, const ProbeResult& result)>;

class ProbeService {
 public:
  // Validates and builds every probe (MakeProbe); the first invalid spec
  // or a repeated name fails the whole set. Nothing runs before Start().
  static Result<std::unique_ptr<ProbeService>> Create(
      const std::vector<ProbeSpec>& specs, const ProbeDeps& deps,
      const ProbeServiceOptions& options = {});

  ~ProbeService();  // Stop().
  ProbeService(const ProbeService&) = delete;
  ProbeService& operator=(const ProbeService&) = delete;

  // Set before Start(); replaces any earlier callback.
  void SetResultCallback(ProbeResultCallback cb);

  // Starts the scheduler. Calling it twice is a no-op.
  void Start();
  // Stops scheduling and waits for runs in progress (bounded by their
  // deadlines; a probe hung in the kernel delays this). Idempotent.
  void Stop();

  // Appends, for every probe with a result, probe_success,
  // probe_duration_seconds and its kind's samples labelled probe=NAME,
  // type=KIND; and for every probe tend_probe_runs_total,
  // tend_probe_failures_total, tend_probe_overruns_total,
  // tend_probe_skipped_total and tend_probe_consecutive_failures.
  void Collect(MetricSet* out) const;

  // A snapshot of every probe, in configuration order.
  std::vector<ProbeStatus> Results() const;

  // Runs the named probe now on the calling thread (blocking for up to its
  // timeout), records the result like a scheduled run and reports it to the
  // callback. kNotFound for an unknown name. May overlap a scheduled run of
  // the same probe.
  Result<ProbeResult> RunNow(const std::string& name);

  size_t size() const { return entries_.size(); }

 private:
  struct Entry;
  ProbeService(const ProbeDeps& deps, const ProbeServiceOptions& options);

  void SchedulerMain();
  // Runs one scheduled run of entries_[i] on a pool thread.
  void RunScheduled(size_t i, uint64_t seq);
  ProbeResult RunProbe(Entry& e, int64_t start_ns);
  // Updates counters and the latest result. Requires mu_.
  void Record(Entry& e, const ProbeResult& r, int64_t started_unix_ms);
  void Notify(const std::string& name, const ProbeResult& r);

  const ProbeDeps deps_;
  const ProbeServiceOptions options_;
  std::vector<std::unique_ptr<Entry>> entries_;  // Fixed after Create.

  // Guards the mutable fields of every Entry and the flags below. A
  // std::mutex rather than tend::Mutex because the scheduler needs a timed
  // wait, which tend::CondVar does not offer.
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool started_ = false;
  bool stopping_ = false;
  ProbeResultCallback callback_;  // Written before Start() only.

  std::unique_ptr<WorkerPool> pool_;
  std::thread scheduler_;
};

}  // namespace tend

#endif  // TEND_PROBE_PROBE_SERVICE_H_
