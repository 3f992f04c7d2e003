// The seam around adjtimex(2) for the "timex" collector, so its unit
// conversions can be tested with chosen kernel values.
#ifndef TEND_METRICS_TIMEX_H_
#define TEND_METRICS_TIMEX_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "base/status.h"
#include "metrics/collector.h"

namespace tend {

// What adjtimex(2) with modes 0 returns: the clock state (its return value:
// TIME_OK, TIME_INS, ..., TIME_ERROR) and the fields of struct timex, in the
// kernel's units (offset and jitter in microseconds, or nanoseconds when
// status has STA_NANO; freq, ppsfreq and stabil in ppm with a 16-bit
// fraction; maxerror, esterror and tick in microseconds).
struct TimexReading {
  int state = 0;
  int64_t offset = 0;
  int64_t freq = 0;
  int64_t maxerror = 0;
  int64_t esterror = 0;
  int64_t status = 0;
  int64_t constant = 0;
  int64_t tick = 0;
  int64_t ppsfreq = 0;
  int64_t jitter = 0;
  int64_t shift = 0;
  int64_t stabil = 0;
  int64_t jitcnt = 0;
  int64_t calcnt = 0;
  int64_t errcnt = 0;
  int64_t stbcnt = 0;
  int64_t tai = 0;
};

// Reads the clock state; an error carries the errno's status (EPERM ->
// kPermissionDenied, as under a seccomp filter that forbids adjtimex).
using TimexReader = std::function<Result<TimexReading>()>;

// adjtimex(2) with modes 0 (reads only; needs no privilege).
Result<TimexReading> ReadKernelTimex();

// The "timex" collector (see NewTimexCollector in collectors_system.h) with
// `read` in place of the system call. Called from the collector's thread.
std::unique_ptr<Collector> NewTimexCollectorWithReader(
    const CollectorOptions& options, TimexReader read);

}  // namespace tend

#endif  // TEND_METRICS_TIMEX_H_
