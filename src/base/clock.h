// Clock: the seam around time, so tests can move time by hand.
#ifndef TEND_BASE_CLOCK_H_
#define TEND_BASE_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace tend {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (CLOCK_REALTIME) in nanoseconds since the Unix epoch.
  virtual int64_t NowUnixNanos() const = 0;
  // Monotonic time (CLOCK_MONOTONIC) in nanoseconds; only differences count.
  virtual int64_t MonotonicNanos() const = 0;

  // The process-wide real clock. Never null, never freed.
  static Clock* Real();
};

// A clock that only moves when told to. Thread-safe.
class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t unix_nanos = 1'700'000'000'000'000'000)
      : unix_(unix_nanos), mono_(1'000'000'000) {}
  int64_t NowUnixNanos() const override { return unix_.load(); }
  int64_t MonotonicNanos() const override { return mono_.load(); }
  void Advance(int64_t nanos) {
    unix_ += nanos;
    mono_ += nanos;
  }

 private:
  std::atomic<int64_t> unix_;
  std::atomic<int64_t> mono_;
};

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr int64_t kNanosPerMilli = 1'000'000;

}  // namespace tend

#endif  // TEND_BASE_CLOCK_H_
