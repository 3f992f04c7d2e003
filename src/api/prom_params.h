// Parsing of the HTTP API's time and duration parameters, accepting what
// Prometheus's API accepts.
#ifndef TEND_API_PROM_PARAMS_H_
#define TEND_API_PROM_PARAMS_H_

#include <cstdint>
#include <string_view>

#include "base/status.h"

namespace tend {

// The widest range the API accepts for start/end defaults (Prometheus's
// minTime/maxTime, in ms): used when a parameter is absent.
inline constexpr int64_t kApiMinTimeMs = -9223309901257974;  // ~ -292e6 years
inline constexpr int64_t kApiMaxTimeMs = 9223309901257974;

// A Unix timestamp in seconds with an optional fraction ("1435781451.781"),
// or RFC 3339 ("2015-07-01T20:10:51.781Z", "...+02:00"), to milliseconds.
// kInvalidArgument: `cannot parse "X" to a valid timestamp`.
Result<int64_t> ParseApiTime(std::string_view s);

// Seconds as a float ("15", "0.5") or a Prometheus duration ("5m", "1h30m"),
// to milliseconds. kInvalidArgument: `cannot parse "X" to a valid duration`.
Result<int64_t> ParseApiDuration(std::string_view s);

}  // namespace tend

#endif  // TEND_API_PROM_PARAMS_H_
