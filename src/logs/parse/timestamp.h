// Timestamp formats found in logs, parsed without allocation.
//
// Every Parse* function below reads a timestamp at the start of `s` and
// returns the number of bytes it consumed, or 0 when `s` does not start with
// that format (then *ns is unchanged). Results are nanoseconds since the Unix
// epoch. Formats that carry no offset are read in `zone` (TimeZone below):
// the machine's local time from the TZ database, UTC, or a fixed offset.
// Functions are thread-safe (the local-time cache is thread_local).
#ifndef TEND_LOGS_PARSE_TIMESTAMP_H_
#define TEND_LOGS_PARSE_TIMESTAMP_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tend::logs {

// The zone of timestamps that do not say theirs.
struct TimeZone {
  enum class Kind : uint8_t {
    kLocal,  // The machine's zone (TZ / /etc/localtime), DST-aware.
    kUtc,
    kFixed,  // offset_seconds east of UTC.
  };
  Kind kind = Kind::kLocal;
  int32_t offset_seconds = 0;

  static TimeZone Local() { return {}; }
  static TimeZone Utc() { return {Kind::kUtc, 0}; }
  static TimeZone Fixed(int32_t seconds) { return {Kind::kFixed, seconds}; }
};

// Timestamps outside int64 nanoseconds (before 1678, after 2261) do not
// parse.

// Seconds since the epoch of a civil UTC time. Months 1..12; out-of-range
// days roll over arithmetically (Feb 30 = Mar 2).
int64_t CivilToUnixSeconds(int64_t year, int month, int day, int hour,
                           int minute, int second);

// Seconds since the epoch of a civil time in `zone`. For kLocal, a time that
// does not exist (spring-forward gap) or exists twice (fall-back) resolves
// as mktime does.
int64_t ZonedCivilToUnixSeconds(int64_t year, int month, int day, int hour,
                                int minute, int second, const TimeZone& zone);

// The civil year, in `zone`, of the instant `unix_seconds`.
int64_t YearAt(int64_t unix_seconds, const TimeZone& zone);

// RFC 3339 / ISO 8601: "2024-01-02T03:04:05[.frac][Z|+hh:mm|+hhmm|+hh]".
// Also accepts a space for "T", a comma for the fraction point (Python's
// logging), and a lower-case "t"/"z". Without an offset, `zone` applies.
size_t ParseRfc3339(std::string_view s, const TimeZone& zone, int64_t* ns);

// Syslog RFC 3164: "Mmm dd hh:mm:ss[.frac]" (day space- or zero-padded) with
// no year. The year is inferred from `reference_ns` (normally the receive
// time): the year that puts the time closest to the reference but not more
// than one day after it. So "Dec 31 23:59:59" read on Jan 1 is last year's,
// and "Jan 1 00:00:10" read on Dec 31 at 23:59:59 (a clock slightly ahead)
// is next year's.
size_t ParseSyslogTime(std::string_view s, int64_t reference_ns,
                       const TimeZone& zone, int64_t* ns);

// Common log format (apache/nginx access logs):
// "dd/Mmm/yyyy:hh:mm:ss +zzzz"; without the offset, `zone` applies.
size_t ParseClfTime(std::string_view s, const TimeZone& zone, int64_t* ns);

// ctime-like (apache error log): "Www Mmm dd hh:mm:ss[.uuuuuu] yyyy".
size_t ParseCtimeTime(std::string_view s, const TimeZone& zone, int64_t* ns);

// nginx error log: "yyyy/mm/dd hh:mm:ss".
size_t ParseSlashTime(std::string_view s, const TimeZone& zone, int64_t* ns);

// The whole of `s` as a Unix epoch number, optionally with a fraction. The
// unit follows the integer part's magnitude: < 1e11 seconds, < 1e14 millis,
// < 1e17 micros, else nanos (the usual `ts` conventions). Returns false for
// anything else.
bool ParseEpoch(std::string_view s, int64_t* ns);

// The whole of `s` (surrounding spaces ignored) in any format above, tried
// in the order: epoch, RFC 3339, CLF, slash, ctime, syslog. Returns false
// when none reads all of it.
bool ParseAnyTimestamp(std::string_view s, int64_t reference_ns,
                       const TimeZone& zone, int64_t* ns);

// Month from its English three-letter abbreviation (case-sensitive first
// letter upper, as logs write it): 1..12, or 0.
int MonthFromAbbrev(std::string_view s);

// A configured zone name: "local", "UTC" (or "utc"), or a fixed offset
// "+HH:MM" / "-HH:MM" up to 14 hours; false for anything else.
bool ParseZoneName(std::string_view name, TimeZone* out);

}  // namespace tend::logs

#endif  // TEND_LOGS_PARSE_TIMESTAMP_H_
