#include "api/prom_params.h"

#include <charconv>
#include <cmath>
#include <ctime>
#include <string>

#include "promql/parser.h"

namespace tend {

namespace {

// strtod-compatible float parse of the whole string (from_chars does not
// accept a leading '+', "Inf" spelled in other cases, or hex the way Go's
// ParseFloat does; those are rare in API parameters and rejected here).
bool ParseWholeDouble(std::string_view s, double* out) {
  if (s.empty()) return false;
  if (s.front() == '+') s.remove_prefix(1);
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// RFC 3339 with optional fraction (nanosecond precision accepted, truncated
// to ms) and a Z or +-hh:mm offset.
bool ParseRfc3339(std::string_view s, int64_t* ms) {
  int year, mon, day, hour, min, sec;
  if (!Digits(s, 0, 4, &year) || s.size() < 20 || s[4] != '-' ||
      !Digits(s, 5, 2, &mon) || s[7] != '-' || !Digits(s, 8, 2, &day) ||
      (s[10] != 'T' && s[10] != 't') || !Digits(s, 11, 2, &hour) ||
      s[13] != ':' || !Digits(s, 14, 2, &min) || s[16] != ':' ||
      !Digits(s, 17, 2, &sec)) {
    return false;
  }
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 ||
      sec > 60) {
    return false;
  }
  size_t pos = 19;
  int64_t frac_ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      frac_ms += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start || pos - start > 9) return false;
  }
  if (pos >= s.size()) return false;
  int64_t offset_s = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!Digits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() ||
        s[pos + 3] != ':' || !Digits(s, pos + 4, 2, &om) || oh > 23 ||
        om > 59) {
      return false;
    }
    offset_s = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return false;
  }
  if (pos != s.size()) return false;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  int64_t secs = timegm(&tm);
  *ms = (secs - offset_s) * 1000 + frac_ms;
  return true;
}

}  // namespace

Result<int64_t> ParseApiTime(std::string_view s) {
  double f;
  if (ParseWholeDouble(s, &f) && std::isfinite(f)) {
    // As Prometheus: whole seconds, then the fraction rounded to ms.
    double whole;
    double frac = std::modf(f, &whole);
    if (std::fabs(whole) < 9.2e15) {
      return static_cast<int64_t>(whole) * 1000 +
             static_cast<int64_t>(std::round(frac * 1000));
    }
  }
  int64_t ms;
  if (ParseRfc3339(s, &ms)) return ms;
  // The formatted forms of minTime/maxTime clients echo back.
  if (s == "-292273086-05-16T16:47:06Z") return kApiMinTimeMs;
  if (s == "292277025-08-18T07:12:54.999999999Z") return kApiMaxTimeMs;
  return InvalidArgumentError("cannot parse \"" + std::string(s) +
                              "\" to a valid timestamp");
}

Result<int64_t> ParseApiDuration(std::string_view s) {
  double f;
  if (ParseWholeDouble(s, &f)) {
    double ms = f * 1000;
    if (!std::isfinite(ms) || ms > 9.2e18 || ms < -9.2e18) {
      return InvalidArgumentError("cannot parse \"" + std::string(s) +
                                  "\" to a valid duration. It overflows int64");
    }
    return static_cast<int64_t>(ms);
  }
  auto d = promql::ParseDuration(s);
  if (d.ok()) return *d;
  return InvalidArgumentError("cannot parse \"" + std::string(s) +
                              "\" to a valid duration");
}

}  // namespace tend
