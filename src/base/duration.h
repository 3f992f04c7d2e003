// Durations as Prometheus writes them (configuration files, PromQL, the API):
// "1s", "500ms", "2m", "1h30m", "1d", "2w", "1y" and the bare "0".
//
// Units, largest first: y (365 days), w (7 days), d, h, m, s, ms. Each unit
// appears at most once and in that order ("1h30m", never "30m1h"); the
// numbers are non-negative integers (no fractions, signs or spaces). Values
// are held as int64 milliseconds.
#ifndef TEND_BASE_DURATION_H_
#define TEND_BASE_DURATION_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace tend {

// Parses `text` into milliseconds. Fails with kInvalidArgument saying what is
// wrong (unknown unit, units out of order, ...) and with kOutOfRange when the
// value does not fit in int64 milliseconds.
Result<int64_t> ParseDuration(std::string_view text);

// `ms` as Prometheus prints it (model.Duration): 1500 -> "1s500ms",
// 5400000 -> "1h30m", 15 days -> "15d" (years and weeks only when exact),
// 0 -> "0s"; ParseDuration reads it back. Negative values (never produced by
// ParseDuration) are written as "-" followed by the magnitude.
std::string FormatDuration(int64_t ms);

}  // namespace tend

#endif  // TEND_BASE_DURATION_H_
