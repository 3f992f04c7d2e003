// Syslog lines: RFC 3164 (BSD, as written to /var/log/syslog) and RFC 5424.
//
// Both functions fill `out` and return true when the line is in the format;
// otherwise they fill `out` as unparsed (message = whole line, parse_error)
// and return false. Thread-safe; no allocation once `out` has grown.
//
// RFC 3164: "[<PRI>]TIMESTAMP HOST TAG[PID]: MSG", where TIMESTAMP is
// "Mmm dd hh:mm:ss" (year inferred, ParseSyslogTime) or RFC 3339 (rsyslog's
// high-precision format); HOST may be absent ("Mmm dd hh:mm:ss app: msg");
// TAG is everything up to "[" or ":" ("sshd(pam_unix)" is an app name). A
// line with <PRI> but no timestamp is accepted (time = receive time). A line
// whose tag has no ":" keeps app empty and the rest as message.
//
// RFC 5424: "<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG" with "-" for
// nil; structured data becomes fields "sd.<id>.<param>"; a numeric PROCID
// becomes pid, another one the field "procid"; MSGID the field "msgid"; a
// UTF-8 BOM before MSG is dropped.
//
// With a PRI, level comes from the severity and the field "facility" holds
// the facility's name (kern, user, ..., local7).
#ifndef TEND_LOGS_PARSE_SYSLOG_H_
#define TEND_LOGS_PARSE_SYSLOG_H_

#include <string_view>

#include "logs/parse/parse_options.h"
#include "logs/parse/record.h"

namespace tend::logs {

// Either format: RFC 5424 when the line starts "<PRI>1 ", else RFC 3164.
bool ParseSyslog(std::string_view line, const ParseOptions& options,
                 LogRecord* out);
bool ParseSyslog3164(std::string_view line, const ParseOptions& options,
                     LogRecord* out);
bool ParseSyslog5424(std::string_view line, const ParseOptions& options,
                     LogRecord* out);

}  // namespace tend::logs

#endif  // TEND_LOGS_PARSE_SYSLOG_H_
