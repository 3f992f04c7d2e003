// LineParser: the configured parser of a source, including `auto`.
//
// Parser names (ParserKindFromName): auto, syslog, json, logfmt, access
// (also "nginx", "apache", "combined", "common"), apache_error, nginx_error,
// pattern (needs PatternOptions), raw (message = line, never an error).
//
// `auto` decides by the line's shape, cheapest checks first, and always in
// this order, so the same line always gets the same parser:
//   1. empty line (after removing "\r\n")  -> unparsed ("empty line")
//   2. first non-blank byte '{'            -> json
//   3. '<'                                 -> syslog (5424 if "<PRI>1 ")
//   4. '['                                 -> apache error log
//   5. "Mmm " (an English month)           -> syslog 3164
//   6. "dddd/"                             -> nginx error log
//   7. "dddd-dd-dd[T ]..." (ISO time)      -> syslog 3164 when a host and
//                                             tag follow, else timestamped
//   8. a line with ` [` and `] "`          -> access log
//   9. a line with '='                     -> logfmt
//  10. any line starting with a timestamp  -> timestamped
//  11. otherwise                           -> unparsed ("no parser matched")
// A step whose parser rejects the line falls through to steps 8..11.
// "timestamped" is auto's own fallback for the common "TIME [LEVEL] message"
// shape (Python, Go, Java loggers): a timestamp in any format of
// timestamp.h, then an optional level word (bare, bracketed, or followed by
// ':'), then the message.
//
// Not thread-safe (JSON and pattern scratch space): one per thread.
#ifndef TEND_LOGS_PARSE_LINE_PARSER_H_
#define TEND_LOGS_PARSE_LINE_PARSER_H_

#include <memory>
#include <string_view>

#include "base/status.h"
#include "logs/parse/json.h"
#include "logs/parse/parse_options.h"
#include "logs/parse/pattern.h"
#include "logs/parse/record.h"

namespace tend::logs {

enum class ParserKind : uint8_t {
  kAuto,
  kSyslog,
  kJson,
  kLogfmt,
  kAccess,
  kApacheError,
  kNginxError,
  kPattern,
  kRaw,
};

// kInvalidArgument naming the accepted names when `name` is unknown.
Result<ParserKind> ParserKindFromName(std::string_view name);
std::string_view ParserKindName(ParserKind kind);

struct ParserConfig {
  ParserKind kind = ParserKind::kAuto;
  PatternOptions pattern;  // kPattern only.
};

class LineParser {
 public:
  // Fails only for kPattern with a pattern that does not compile.
  static Result<std::unique_ptr<LineParser>> Create(const ParserConfig& config);

  // Parses one line (a trailing "\n" or "\r\n" is ignored). Returns true
  // when the line parsed; false when `out` holds it as unparsed (message =
  // the line, parse_error set). Either way the line is in `out`.
  bool Parse(std::string_view line, const ParseOptions& options,
             LogRecord* out);

  ParserKind kind() const { return kind_; }

 private:
  LineParser() = default;
  bool Auto(std::string_view line, const ParseOptions& options, LogRecord* out);

  ParserKind kind_ = ParserKind::kAuto;
  std::unique_ptr<JsonParser> json_;
  std::unique_ptr<PatternParser> pattern_;
};

// auto's "timestamped" fallback (see above), exposed for tests.
bool ParseTimestamped(std::string_view line, const ParseOptions& options,
                      LogRecord* out);

}  // namespace tend::logs

#endif  // TEND_LOGS_PARSE_LINE_PARSER_H_
