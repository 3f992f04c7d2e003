// Web server access logs: the common and combined log formats of apache
// and nginx, with nginx's usual extras appended.
//
//   common:   addr ident user [dd/Mmm/yyyy:hh:mm:ss +zzzz] "request" status
//   bytes combined: common + ` "referer" "user_agent"` extras:   further
//   tokens; a bare decimal number (nginx's $request_time
//             appended to the format) becomes request_time, other tokens
//             extra_1, extra_2, ... (quoted ones unquoted).
//
// Fields, in this order: remote_addr, user, method, path, protocol (or
// request when the request is not "METHOD PATH PROTOCOL", e.g. "-" or a
// TLS handshake sent to a plain port), status, bytes, then referer and
// user_agent (combined), request_time and extras. Values are as written
// ("-" stays "-"); quoted values have \" and \\ unescaped. Level follows
// status: 5xx error, 4xx warn, else info. The message is the whole line;
// host, app and pid stay unset. Thread-safe.
#ifndef TEND_LOGS_PARSE_ACCESS_LOG_H_
#define TEND_LOGS_PARSE_ACCESS_LOG_H_

#include <string_view>

#include "logs/parse/parse_options.h"
#include "logs/parse/record.h"

namespace tend::logs {

bool ParseAccessLog(std::string_view line, const ParseOptions& options,
                    LogRecord* out);

}  // namespace tend::logs

#endif  // TEND_LOGS_PARSE_ACCESS_LOG_H_
