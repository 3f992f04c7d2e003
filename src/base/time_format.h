// RFC 3339 times in UTC from Unix milliseconds, as the APIs tend speaks
// print them.
#ifndef TEND_BASE_TIME_FORMAT_H_
#define TEND_BASE_TIME_FORMAT_H_

#include <cstdint>
#include <string>

namespace tend {

// Go's time.Time in JSON (RFC3339Nano): "2024-01-01T00:00:00Z",
// "...:00.5Z" (trailing zeros of the fraction dropped); 0 is Go's zero
// time "0001-01-01T00:00:00Z". Prometheus's and Alertmanager's APIs.
std::string FormatGoTime(int64_t unix_ms);

// Always three fraction digits: "2026-11-26T03:10:00.120Z" (tend's own
// event listings, which line up in columns).
std::string FormatRfc3339Millis(int64_t unix_ms);

}  // namespace tend

#endif  // TEND_BASE_TIME_FORMAT_H_
