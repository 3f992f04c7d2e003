#include "logs/parse/timestamp.h"

#include <cstdint>
#include <ctime>

namespace tend::logs {
namespace {

constexpr int64_t kNs = 1'000'000'000;
constexpr int64_t kDaySeconds = 86400;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly n digits at s[pos]; returns false if they are not there.
bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// Reads a fraction's digits at s[pos] (after the point) into nanoseconds;
// digits past the ninth are consumed and ignored. Returns bytes consumed.
size_t Fraction(std::string_view s, size_t pos, int64_t* frac_ns) {
  size_t i = pos;
  int64_t v = 0;
  int n = 0;
  while (i < s.size() && IsDigit(s[i])) {
    if (n < 9) {
      v = v * 10 + (s[i] - '0');
      ++n;
    }
    ++i;
  }
  for (; n < 9; ++n) v *= 10;
  *frac_ns = v;
  return i - pos;
}

bool ValidClock(int hour, int minute, int second) {
  // Second 60 is a leap second; it is kept (rolls into the next minute).
  return hour <= 23 && minute <= 59 && second <= 60;
}

bool ValidDate(int month, int day) {
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// Offset of local time at the civil time whose "as if UTC" seconds are
// `naive`, cached per hour in a small hashed table: zone transitions fall on
// hour boundaries in practically every zone, mktime takes a lock and
// re-reads TZ on each call, and syslog year inference asks for the same
// hour in two or three different years per line.
int64_t LocalOffsetForNaive(int64_t naive) {
  struct Entry {
    int64_t hour = INT64_MIN;
    int64_t offset = 0;
  };
  thread_local Entry cache[64];
  const int64_t hour = naive >= 0 ? naive / 3600 : (naive - 3599) / 3600;
  Entry& e = cache[(static_cast<uint64_t>(hour) * 0x9E3779B97F4A7C15ULL) >> 58];
  if (e.hour == hour) return e.offset;
  const int64_t base = hour * 3600;
  const time_t t = static_cast<time_t>(base);
  struct tm tm_utc;
  if (gmtime_r(&t, &tm_utc) == nullptr) return 0;
  tm_utc.tm_isdst = -1;
  const time_t local = mktime(&tm_utc);
  if (local == static_cast<time_t>(-1)) return 0;
  e.hour = hour;
  e.offset = base - static_cast<int64_t>(local);
  return e.offset;
}

// Offset of local time at UTC instant `unix_seconds`, cached per hour.
int64_t LocalOffsetAtInstant(int64_t unix_seconds) {
  thread_local int64_t cached_hour = INT64_MIN;
  thread_local int64_t cached_offset = 0;
  const int64_t hour =
      unix_seconds >= 0 ? unix_seconds / 3600 : (unix_seconds - 3599) / 3600;
  if (hour == cached_hour) return cached_offset;
  const time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm_local;
  if (localtime_r(&t, &tm_local) == nullptr) return 0;
  cached_hour = hour;
  cached_offset = tm_local.tm_gmtoff;
  return cached_offset;
}

// Offset east of UTC of `zone` at the instant `unix_seconds`.
int64_t ZoneOffsetAt(int64_t unix_seconds, const TimeZone& zone) {
  switch (zone.kind) {
    case TimeZone::Kind::kUtc:
      return 0;
    case TimeZone::Kind::kFixed:
      return zone.offset_seconds;
    case TimeZone::Kind::kLocal:
      break;
  }
  return LocalOffsetAtInstant(unix_seconds);
}

// Reads "Z", "+hh:mm", "+hhmm" or "+hh" at s[pos]; returns bytes consumed
// (0 if none) and the offset east of UTC in seconds.
size_t Offset(std::string_view s, size_t pos, int64_t* offset) {
  if (pos >= s.size()) return 0;
  const char c = s[pos];
  if (c == 'Z' || c == 'z') {
    *offset = 0;
    return 1;
  }
  if (c != '+' && c != '-') return 0;
  int hh = 0, mm = 0;
  if (!Digits(s, pos + 1, 2, &hh)) return 0;
  size_t n = 3;
  if (pos + n < s.size() && s[pos + n] == ':') {
    if (!Digits(s, pos + n + 1, 2, &mm)) return 0;
    n += 3;
  } else if (Digits(s, pos + n, 2, &mm)) {
    n += 2;
  }
  if (hh > 23 || mm > 59) return 0;
  const int64_t v = hh * 3600 + mm * 60;
  *offset = c == '-' ? -v : v;
  return n;
}

// Finishes a civil time: with an explicit offset, or in `zone`. Returns
// false when the time does not fit int64 nanoseconds (years 1678..2261).
bool Finish(int64_t year, int month, int day, int hour, int minute, int second,
            int64_t frac_ns, bool has_offset, int64_t offset,
            const TimeZone& zone, int64_t* ns) {
  if (year < 1678 || year > 2261) return false;
  int64_t secs;
  if (has_offset) {
    secs = CivilToUnixSeconds(year, month, day, hour, minute, second) - offset;
  } else {
    secs =
        ZonedCivilToUnixSeconds(year, month, day, hour, minute, second, zone);
  }
  *ns = secs * kNs + frac_ns;
  return true;
}

}  // namespace

int MonthFromAbbrev(std::string_view s) {
  if (s.size() < 3) return 0;
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr",
                                                 "May", "Jun", "Jul", "Aug",
                                                 "Sep", "Oct", "Nov", "Dec"};
  const std::string_view m = s.substr(0, 3);
  for (int i = 0; i < 12; ++i) {
    if (m == kMonths[i]) return i + 1;
  }
  return 0;
}

int64_t CivilToUnixSeconds(int64_t year, int month, int day, int hour,
                           int minute, int second) {
  // Days from 1970-01-01 of a proleptic Gregorian date, counting in eras of
  // 400 years that start on March 1 so that leap days fall at an era's end.
  const int64_t y = year - (month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t mp = (month + 9) % 12;  // March = 0.
  const int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = era * 146097 + doe - 719468;
  return days * kDaySeconds + hour * 3600 + minute * 60 + second;
}

int64_t ZonedCivilToUnixSeconds(int64_t year, int month, int day, int hour,
                                int minute, int second, const TimeZone& zone) {
  const int64_t naive =
      CivilToUnixSeconds(year, month, day, hour, minute, second);
  switch (zone.kind) {
    case TimeZone::Kind::kUtc:
      return naive;
    case TimeZone::Kind::kFixed:
      return naive - zone.offset_seconds;
    case TimeZone::Kind::kLocal:
      break;
  }
  return naive - LocalOffsetForNaive(naive);
}

int64_t YearAt(int64_t unix_seconds, const TimeZone& zone) {
  int64_t offset = 0;
  switch (zone.kind) {
    case TimeZone::Kind::kUtc:
      break;
    case TimeZone::Kind::kFixed:
      offset = zone.offset_seconds;
      break;
    case TimeZone::Kind::kLocal:
      offset = LocalOffsetAtInstant(unix_seconds);
      break;
  }
  const int64_t t = unix_seconds + offset;
  int64_t days = t >= 0 ? t / kDaySeconds : (t - kDaySeconds + 1) / kDaySeconds;
  // Inverse of the era arithmetic in CivilToUnixSeconds.
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  return yoe + era * 400 + (month <= 2 ? 1 : 0);
}

size_t ParseRfc3339(std::string_view s, const TimeZone& zone, int64_t* ns) {
  int year, month, day, hour, minute, second;
  if (!Digits(s, 0, 4, &year) || s.size() < 19 || s[4] != '-' ||
      !Digits(s, 5, 2, &month) || s[7] != '-' || !Digits(s, 8, 2, &day)) {
    return 0;
  }
  const char t = s[10];
  if (t != 'T' && t != 't' && t != ' ') return 0;
  if (!Digits(s, 11, 2, &hour) || s[13] != ':' || !Digits(s, 14, 2, &minute) ||
      s[16] != ':' || !Digits(s, 17, 2, &second)) {
    return 0;
  }
  if (!ValidDate(month, day) || !ValidClock(hour, minute, second)) return 0;
  size_t pos = 19;
  int64_t frac = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    const size_t n = Fraction(s, pos + 1, &frac);
    if (n == 0) return 0;
    pos += 1 + n;
  }
  int64_t offset = 0;
  const size_t n = Offset(s, pos, &offset);
  pos += n;
  if (!Finish(year, month, day, hour, minute, second, frac, n > 0, offset, zone,
              ns))
    return 0;
  return pos;
}

size_t ParseSyslogTime(std::string_view s, int64_t reference_ns,
                       const TimeZone& zone, int64_t* ns) {
  // "Mmm dd hh:mm:ss": 15 bytes at least.
  if (s.size() < 15 || s[3] != ' ') return 0;
  const int month = MonthFromAbbrev(s);
  if (month == 0) return 0;
  int day;
  if (s[4] == ' ') {
    if (!Digits(s, 5, 1, &day)) return 0;
  } else if (!Digits(s, 4, 2, &day)) {
    return 0;
  }
  int hour, minute, second;
  if (s[6] != ' ' || !Digits(s, 7, 2, &hour) || s[9] != ':' ||
      !Digits(s, 10, 2, &minute) || s[12] != ':' ||
      !Digits(s, 13, 2, &second)) {
    return 0;
  }
  if (!ValidDate(month, day) || !ValidClock(hour, minute, second)) return 0;
  size_t pos = 15;
  int64_t frac = 0;
  if (pos < s.size() && s[pos] == '.') {
    const size_t n = Fraction(s, pos + 1, &frac);
    if (n > 0) pos += 1 + n;
  }
  const int64_t ref_s =
      reference_ns >= 0 ? reference_ns / kNs : (reference_ns - kNs + 1) / kNs;
  // Choose the year on civil ("as if UTC") seconds against the reference's
  // civil time, then convert once: a DST shift cannot move a line across
  // the one-day limit by more than an hour, and one zone lookup per line
  // is much cheaper than three.
  const int64_t ref_civil = ref_s + ZoneOffsetAt(ref_s, zone);
  const int64_t limit = ref_civil + kDaySeconds;
  int64_t year = YearAt(ref_s, zone);
  const int64_t t = CivilToUnixSeconds(year, month, day, hour, minute, second);
  if (t > limit) {
    --year;
  } else if (CivilToUnixSeconds(year + 1, month, day, hour, minute, second) <=
             limit) {
    ++year;
  }
  if (year < 1678 || year > 2261) return 0;
  const int64_t secs =
      ZonedCivilToUnixSeconds(year, month, day, hour, minute, second, zone);
  *ns = secs * kNs + frac;
  return pos;
}

size_t ParseClfTime(std::string_view s, const TimeZone& zone, int64_t* ns) {
  // "dd/Mmm/yyyy:hh:mm:ss"
  int day, year, hour, minute, second;
  if (s.size() < 20 || !Digits(s, 0, 2, &day) || s[2] != '/' || s[6] != '/' ||
      !Digits(s, 7, 4, &year) || s[11] != ':' || !Digits(s, 12, 2, &hour) ||
      s[14] != ':' || !Digits(s, 15, 2, &minute) || s[17] != ':' ||
      !Digits(s, 18, 2, &second)) {
    return 0;
  }
  const int month = MonthFromAbbrev(s.substr(3, 3));
  if (month == 0 || !ValidDate(month, day) ||
      !ValidClock(hour, minute, second)) {
    return 0;
  }
  size_t pos = 20;
  int64_t frac = 0;
  if (pos < s.size() && s[pos] == '.') {
    const size_t n = Fraction(s, pos + 1, &frac);
    if (n > 0) pos += 1 + n;
  }
  int64_t offset = 0;
  size_t n = 0;
  if (pos + 1 < s.size() && s[pos] == ' ') {
    n = Offset(s, pos + 1, &offset);
    if (n > 0) pos += 1 + n;
  }
  if (!Finish(year, month, day, hour, minute, second, frac, n > 0, offset, zone,
              ns))
    return 0;
  return pos;
}

size_t ParseCtimeTime(std::string_view s, const TimeZone& zone, int64_t* ns) {
  // "Www Mmm dd hh:mm:ss[.uuuuuu] yyyy"
  if (s.size() < 24 || s[3] != ' ' || s[7] != ' ') return 0;
  for (int i = 0; i < 3; ++i) {
    const char c = s[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return 0;
  }
  const int month = MonthFromAbbrev(s.substr(4, 3));
  if (month == 0) return 0;
  int day;
  if (s[8] == ' ') {
    if (!Digits(s, 9, 1, &day)) return 0;
  } else if (!Digits(s, 8, 2, &day)) {
    return 0;
  }
  int hour, minute, second, year;
  if (s[10] != ' ' || !Digits(s, 11, 2, &hour) || s[13] != ':' ||
      !Digits(s, 14, 2, &minute) || s[16] != ':' ||
      !Digits(s, 17, 2, &second)) {
    return 0;
  }
  size_t pos = 19;
  int64_t frac = 0;
  if (pos < s.size() && s[pos] == '.') {
    const size_t n = Fraction(s, pos + 1, &frac);
    if (n == 0) return 0;
    pos += 1 + n;
  }
  if (pos >= s.size() || s[pos] != ' ' || !Digits(s, pos + 1, 4, &year)) {
    return 0;
  }
  pos += 5;
  if (!ValidDate(month, day) || !ValidClock(hour, minute, second)) return 0;
  if (!Finish(year, month, day, hour, minute, second, frac, false, 0, zone, ns))
    return 0;
  return pos;
}

size_t ParseSlashTime(std::string_view s, const TimeZone& zone, int64_t* ns) {
  int year, month, day, hour, minute, second;
  if (s.size() < 19 || !Digits(s, 0, 4, &year) || s[4] != '/' ||
      !Digits(s, 5, 2, &month) || s[7] != '/' || !Digits(s, 8, 2, &day) ||
      s[10] != ' ' || !Digits(s, 11, 2, &hour) || s[13] != ':' ||
      !Digits(s, 14, 2, &minute) || s[16] != ':' ||
      !Digits(s, 17, 2, &second)) {
    return 0;
  }
  if (!ValidDate(month, day) || !ValidClock(hour, minute, second)) return 0;
  size_t pos = 19;
  int64_t frac = 0;
  if (pos < s.size() && s[pos] == '.') {
    const size_t n = Fraction(s, pos + 1, &frac);
    if (n > 0) pos += 1 + n;
  }
  if (!Finish(year, month, day, hour, minute, second, frac, false, 0, zone, ns))
    return 0;
  return pos;
}

bool ParseEpoch(std::string_view s, int64_t* ns) {
  size_t i = 0;
  int64_t whole = 0;
  while (i < s.size() && IsDigit(s[i])) {
    if (i >= 18) return false;  // Beyond int64 nanoseconds (or near it).
    whole = whole * 10 + (s[i] - '0');
    ++i;
  }
  if (i == 0) return false;
  int64_t frac = 0;  // Fraction of the unit, in 1e-9 of it.
  if (i < s.size() && s[i] == '.') {
    const size_t n = Fraction(s, i + 1, &frac);
    if (n == 0) return false;
    i += 1 + n;
  }
  if (i != s.size()) return false;
  int64_t unit_ns;
  if (whole < 100'000'000'000LL) {
    unit_ns = kNs;
  } else if (whole < 100'000'000'000'000LL) {
    unit_ns = 1'000'000;
  } else if (whole < 100'000'000'000'000'000LL) {
    unit_ns = 1'000;
  } else {
    unit_ns = 1;
  }
  if (whole > INT64_MAX / unit_ns - 1) return false;
  *ns = whole * unit_ns + frac / (kNs / unit_ns);
  return true;
}

bool ParseAnyTimestamp(std::string_view s, int64_t reference_ns,
                       const TimeZone& zone, int64_t* ns) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return false;
  if (ParseEpoch(s, ns)) return true;
  int64_t v = 0;
  if (ParseRfc3339(s, zone, &v) == s.size() ||
      ParseClfTime(s, zone, &v) == s.size() ||
      ParseSlashTime(s, zone, &v) == s.size() ||
      ParseCtimeTime(s, zone, &v) == s.size() ||
      ParseSyslogTime(s, reference_ns, zone, &v) == s.size()) {
    *ns = v;
    return true;
  }
  return false;
}

bool ParseZoneName(std::string_view tz, TimeZone* out) {
  if (tz == "local") {
    *out = TimeZone::Local();
    return true;
  }
  if (tz == "UTC" || tz == "utc") {
    *out = TimeZone::Utc();
    return true;
  }
  if (tz.size() != 6 || (tz[0] != '+' && tz[0] != '-') || tz[3] != ':') {
    return false;
  }
  for (size_t i : {1, 2, 4, 5}) {
    if (tz[i] < '0' || tz[i] > '9') return false;
  }
  const int h = (tz[1] - '0') * 10 + (tz[2] - '0');
  const int m = (tz[4] - '0') * 10 + (tz[5] - '0');
  if (h > 14 || m >= 60) return false;
  const int secs = h * 3600 + m * 60;
  *out = TimeZone::Fixed(tz[0] == '-' ? -secs : secs);
  return true;
}

}  // namespace tend::logs
