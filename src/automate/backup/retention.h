// Grandfather-father-son retention: which archives of a set to keep.
#ifndef TEND_AUTOMATE_BACKUP_RETENTION_H_
#define TEND_AUTOMATE_BACKUP_RETENTION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "automate/value.h"
#include "base/status.h"

namespace tend::automate::backup {

// How many periods of each kind keep an archive. 0 keeps none for that
// kind.
struct Retention {
  int daily = 0;
  int weekly = 0;
  int monthly = 0;
};

// The module's `retention` mapping ({daily: 7, weekly: 4, monthly: 6});
// missing kinds are 0. kInvalidArgument for an unknown key (with a
// suggestion) or a value that is not a non-negative integer.
Result<Retention> ParseRetention(const Value& v);

// For archive times `unix_seconds` (any order), which to keep: for each
// kind, going from the newest archive to the oldest, the newest archive of
// each of the last N periods (UTC days; ISO 8601 weeks, Monday to Sunday;
// calendar months) that have an archive. An archive may count for several
// kinds; it is kept when any kind keeps it. Periods without an archive do
// not count, so a host that was down for a week still keeps N daily
// archives (restic's `forget --keep-daily` rule). The result is parallel
// to the input.
std::vector<bool> SelectKept(const std::vector<int64_t>& unix_seconds,
                             const Retention& r);

}  // namespace tend::automate::backup

#endif  // TEND_AUTOMATE_BACKUP_RETENTION_H_
