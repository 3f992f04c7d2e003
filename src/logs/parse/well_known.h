// Well-known keys of structured lines (JSON, logfmt, pattern captures) that
// fill the record itself. Matching is case-insensitive; the first key of a
// kind in the line wins:
//   time:    time ts timestamp @timestamp @t
//   level:   level lvl severity loglevel log_level priority @l
//   message: msg message log @m
//   host:    host hostname
//   app:     app application service program unit
//   pid:     pid
// The key/value pair is also kept in fields by the caller, so nothing of the
// line is lost.
#ifndef TEND_LOGS_PARSE_WELL_KNOWN_H_
#define TEND_LOGS_PARSE_WELL_KNOWN_H_

#include <string_view>

#include "logs/parse/parse_options.h"
#include "logs/parse/record.h"

namespace tend::logs {

enum class WellKnown : uint8_t {
  kNone,
  kTime,
  kLevel,
  kMessage,
  kHost,
  kApp,
  kPid
};

WellKnown ClassifyKey(std::string_view key);

// Applies `value` under key kind `kind` to `out` unless already set. A time
// that does not parse (ParseAnyTimestamp) or a pid that is not a number is
// left out of the record (it stays in fields). Returns true if applied.
bool ApplyWellKnown(WellKnown kind, std::string_view value,
                    const ParseOptions& options, LogRecord* out);

}  // namespace tend::logs

#endif  // TEND_LOGS_PARSE_WELL_KNOWN_H_
