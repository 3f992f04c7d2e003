// Point: one stored float sample, and Prometheus's staleness marker.
#ifndef TEND_MODEL_POINT_H_
#define TEND_MODEL_POINT_H_

#include <bit>
#include <cstdint>

namespace tend {

// t is milliseconds since the Unix epoch, as everywhere in the store.
struct Point {
  int64_t t = 0;
  double v = 0;
  friend bool operator==(const Point&, const Point&) = default;
};

// The NaN bit pattern Prometheus writes when a series disappears from a
// scrape ("stale marker"). It is distinct from the ordinary NaN a sample may
// carry; readers must compare bits, never values.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ull;

inline double StaleNaN() { return std::bit_cast<double>(kStaleNaNBits); }
inline bool IsStaleNaN(double v) {
  return std::bit_cast<uint64_t>(v) == kStaleNaNBits;
}

}  // namespace tend

#endif  // TEND_MODEL_POINT_H_
