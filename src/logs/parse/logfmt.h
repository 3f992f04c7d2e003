// logfmt lines: `key=value key2="quoted value" flag`.
//
// Keys run to "=" or whitespace; a bare key is a field with an empty value.
// Values are bare (to the next space or tab) or double-quoted with the
// escapes \" \\ \n \t \r (any other escaped byte is kept as is). Fields in
// line order; well-known keys (well_known.h) also fill the record. Without a
// message key the message is the whole line. A line is logfmt when it has at
// least one key=value pair and every token is well-formed (an unterminated
// quote or a token starting with "=" or a quote is not). Thread-safe.
#ifndef TEND_LOGS_PARSE_LOGFMT_H_
#define TEND_LOGS_PARSE_LOGFMT_H_

#include <string_view>

#include "logs/parse/parse_options.h"
#include "logs/parse/record.h"

namespace tend::logs {

bool ParseLogfmt(std::string_view line, const ParseOptions& options,
                 LogRecord* out);

}  // namespace tend::logs

#endif  // TEND_LOGS_PARSE_LOGFMT_H_
