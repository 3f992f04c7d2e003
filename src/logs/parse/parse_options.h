// ParseOptions: what every parser needs besides the line.
#ifndef TEND_LOGS_PARSE_PARSE_OPTIONS_H_
#define TEND_LOGS_PARSE_PARSE_OPTIONS_H_

#include <cstdint>
#include <string_view>

#include "logs/parse/record.h"
#include "logs/parse/timestamp.h"

namespace tend::logs {

struct ParseOptions {
  // The time the line was read, nanoseconds since the epoch. Becomes the
  // record's time (time_from_line = false) when the line carries none.
  int64_t receive_time_ns = 0;
  // The reference for syslog year inference; 0 means receive_time_ns. When
  // importing an old file, set it to the file's modification time.
  int64_t reference_time_ns = 0;
  // The zone of timestamps that do not carry an offset (syslog 3164, apache
  // and nginx error logs, ISO times without offset). Default: local time.
  TimeZone zone = TimeZone::Local();

  int64_t Reference() const {
    return reference_time_ns != 0 ? reference_time_ns : receive_time_ns;
  }
};

// Fills `out` as a line no parser understood: Reset(), time = receive time,
// message = the whole line, parse_error = true with `reason` (static text).
// Always returns false so parsers can `return SetUnparsed(...)`.
bool SetUnparsed(std::string_view line, std::string_view reason,
                 const ParseOptions& options, LogRecord* out);

// Resets `out` and sets the receive time: the first step of every parser.
void BeginRecord(const ParseOptions& options, LogRecord* out);

// Removes one trailing "\r" and "\n" (in either order of presence) so that
// CRLF files parse like LF files.
std::string_view TrimLineEnd(std::string_view line);

}  // namespace tend::logs

#endif  // TEND_LOGS_PARSE_PARSE_OPTIONS_H_
