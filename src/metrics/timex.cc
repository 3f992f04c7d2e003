// The timex collector: the kernel's NTP clock discipline state, as
// node_exporter 1.5 reports it (names, help, types and unit conversions).
#include "metrics/timex.h"

#include <sys/timex.h>

#include <cerrno>
#include <memory>
#include <string_view>
#include <utility>

#include "metrics/collectors_system.h"

namespace tend {
namespace {

// adjtimex(2)'s return value when the clock is not synchronized (the kernel
// returns it when STA_UNSYNC is set, or on a PPS signal error).
constexpr int kTimeError = 5;
// status bit: offset and jitter are in nanoseconds, not microseconds.
constexpr int64_t kStaNano = 0x2000;
constexpr double kNanosPerSecond = 1e9;
constexpr double kMicrosPerSecond = 1e6;
// freq, ppsfreq and stabil are ppm scaled by 2^16 (adjtimex(2), NOTES).
constexpr double kPpm16Frac = 1000000.0 * 65536.0;

class TimexCollector : public Collector {
 public:
  explicit TimexCollector(TimexReader read) : read_(std::move(read)) {}

  std::string_view name() const override { return "timex"; }

  // A kernel or sandbox that refuses the call with EPERM yields no samples
  // and no error, as in node_exporter: there is nothing to fix on the host.
  Status Collect(MetricSet* out) override {
    Result<TimexReading> r = read_();
    if (!r.ok()) {
      if (r.status().code() == StatusCode::kPermissionDenied) {
        return Status::Ok();
      }
      return r.status();
    }
    const TimexReading& t = *r;
    const double divisor =
        (t.status & kStaNano) != 0 ? kNanosPerSecond : kMicrosPerSecond;
    auto d = [](int64_t v) { return static_cast<double>(v); };
    out->Gauge("node_timex_sync_status",
               "Is clock synchronized to a reliable server (1 = yes, 0 = no).",
               t.state == kTimeError ? 0.0 : 1.0);
    out->Gauge("node_timex_offset_seconds",
               "Time offset in between local system and reference clock.",
               d(t.offset) / divisor);
    out->Gauge("node_timex_frequency_adjustment_ratio",
               "Local clock frequency adjustment.", 1 + d(t.freq) / kPpm16Frac);
    out->Gauge("node_timex_maxerror_seconds", "Maximum error in seconds.",
               d(t.maxerror) / kMicrosPerSecond);
    out->Gauge("node_timex_estimated_error_seconds",
               "Estimated error in seconds.", d(t.esterror) / kMicrosPerSecond);
    out->Gauge("node_timex_status", "Value of the status array bits.",
               d(t.status));
    out->Gauge("node_timex_loop_time_constant",
               "Phase-locked loop time constant.", d(t.constant));
    out->Gauge("node_timex_tick_seconds", "Seconds between clock ticks.",
               d(t.tick) / kMicrosPerSecond);
    out->Gauge("node_timex_pps_frequency_hertz", "Pulse per second frequency.",
               d(t.ppsfreq) / kPpm16Frac);
    out->Gauge("node_timex_pps_jitter_seconds", "Pulse per second jitter.",
               d(t.jitter) / divisor);
    // node_exporter exposes the PPS interval's log2 exponent as is, despite
    // the "_seconds" name.
    out->Gauge("node_timex_pps_shift_seconds",
               "Pulse per second interval duration.", d(t.shift));
    out->Gauge("node_timex_pps_stability_hertz",
               "Pulse per second stability, average of recent frequency "
               "changes.",
               d(t.stabil) / kPpm16Frac);
    out->Counter("node_timex_pps_jitter_total",
                 "Pulse per second count of jitter limit exceeded events.",
                 d(t.jitcnt));
    out->Counter("node_timex_pps_calibration_total",
                 "Pulse per second count of calibration intervals.",
                 d(t.calcnt));
    out->Counter("node_timex_pps_error_total",
                 "Pulse per second count of calibration errors.", d(t.errcnt));
    out->Counter("node_timex_pps_stability_exceeded_total",
                 "Pulse per second count of stability limit exceeded events.",
                 d(t.stbcnt));
    out->Gauge("node_timex_tai_offset_seconds",
               "International Atomic Time (TAI) offset.", d(t.tai));
    return Status::Ok();
  }

 private:
  TimexReader read_;
};

}  // namespace

Result<TimexReading> ReadKernelTimex() {
  struct timex tx = {};  // modes 0: read only.
  int state = ::adjtimex(&tx);
  if (state < 0) return ErrnoError("adjtimex", errno);
  TimexReading r;
  r.state = state;
  r.offset = tx.offset;
  r.freq = tx.freq;
  r.maxerror = tx.maxerror;
  r.esterror = tx.esterror;
  r.status = tx.status;
  r.constant = tx.constant;
  r.tick = tx.tick;
  r.ppsfreq = tx.ppsfreq;
  r.jitter = tx.jitter;
  r.shift = tx.shift;
  r.stabil = tx.stabil;
  r.jitcnt = tx.jitcnt;
  r.calcnt = tx.calcnt;
  r.errcnt = tx.errcnt;
  r.stbcnt = tx.stbcnt;
  r.tai = tx.tai;
  return r;
}

std::unique_ptr<Collector> NewTimexCollectorWithReader(
    const CollectorOptions& options, TimexReader read) {
  (void)options;
  return std::make_unique<TimexCollector>(std::move(read));
}

std::unique_ptr<Collector> NewTimexCollector(const CollectorOptions& options) {
  return NewTimexCollectorWithReader(options, ReadKernelTimex);
}

}  // namespace tend
