// Web server error logs.
//
// apache (2.2 and 2.4):
//   [Www Mmm dd hh:mm:ss[.uuuuuu] yyyy] [level] [client addr] message
//   [Www Mmm dd hh:mm:ss.uuuuuu yyyy] [module:level] [pid N:tid M]
//       [client addr:port] message
// The bracket groups after the time are read while they are known: the
// first is the level ("module:" prefix into field "module"; trace1..8 are
// debug), then "pid N[:tid M]" (pid, field tid), "client X" / "remote X"
// (field client). Fields: module, tid, client when present. App unset.
//
// nginx:
//   yyyy/mm/dd hh:mm:ss [level] pid#tid: [*connection ]message
// pid, field tid, field connection; the trailing ", client: X, server: Y,
// request: "...", upstream: "...", host: "..."" pairs nginx appends also
// become fields (client, server, request, upstream, host, referrer). The
// message keeps the whole text after "pid#tid: ".
//
// Times have no offset: options.zone applies. Thread-safe.
#ifndef TEND_LOGS_PARSE_ERROR_LOG_H_
#define TEND_LOGS_PARSE_ERROR_LOG_H_

#include <string_view>

#include "logs/parse/parse_options.h"
#include "logs/parse/record.h"

namespace tend::logs {

bool ParseApacheErrorLog(std::string_view line, const ParseOptions& options,
                         LogRecord* out);
bool ParseNginxErrorLog(std::string_view line, const ParseOptions& options,
                        LogRecord* out);

}  // namespace tend::logs

#endif  // TEND_LOGS_PARSE_ERROR_LOG_H_
