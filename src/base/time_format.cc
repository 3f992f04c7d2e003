#include "base/time_format.h"

#include <cstdio>
#include <ctime>

namespace tend {
namespace {

// "YYYY-MM-DDTHH:MM:SS" of `unix_ms` and its milliseconds (0..999), also
// for times before 1970.
std::string Seconds(int64_t unix_ms, int* ms) {
  int64_t secs = unix_ms / 1000;
  int64_t rem = unix_ms % 1000;
  if (rem < 0) {
    rem += 1000;
    --secs;
  }
  *ms = static_cast<int>(rem);
  const time_t t = static_cast<time_t>(secs);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[48];
  int n = std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d",
                        tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                        tm.tm_hour, tm.tm_min, tm.tm_sec);
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace

std::string FormatGoTime(int64_t unix_ms) {
  if (unix_ms == 0) return "0001-01-01T00:00:00Z";
  int ms = 0;
  std::string out = Seconds(unix_ms, &ms);
  if (ms != 0) {
    char frac[8];
    std::snprintf(frac, sizeof(frac), ".%03d", ms);
    std::string f(frac);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  out += 'Z';
  return out;
}

std::string FormatRfc3339Millis(int64_t unix_ms) {
  int ms = 0;
  std::string out = Seconds(unix_ms, &ms);
  char frac[8];
  std::snprintf(frac, sizeof(frac), ".%03dZ", ms);
  return out + frac;
}

}  // namespace tend
