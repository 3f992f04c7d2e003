// JSON lines: one object per line (simdjson On-Demand).
//
// Fields: every member, nested objects flattened with "_" joining the keys
// ({"http":{"status":200}} gives http_status=200, the same names as LogQL's
// `| json`); arrays are kept as their JSON text; strings unescaped; numbers
// as written; true/false as "true"/"false"; null as "". Nesting deeper than
// 32 levels is kept as JSON text. The well-known keys (well_known.h) also
// fill time, level, message, host, app and pid. Without a message key the
// message is the whole line.
//
// Not thread-safe: one JsonParser per thread; it keeps a padded copy buffer
// and simdjson's parser between lines, so parsing does not allocate once
// warm.
#ifndef TEND_LOGS_PARSE_JSON_H_
#define TEND_LOGS_PARSE_JSON_H_

#include <memory>
#include <string>
#include <string_view>

#include "logs/parse/parse_options.h"
#include "logs/parse/record.h"

namespace tend::logs {

class JsonParser {
 public:
  JsonParser();
  ~JsonParser();
  JsonParser(const JsonParser&) = delete;
  JsonParser& operator=(const JsonParser&) = delete;

  // Returns true when `line` is one JSON object (surrounding whitespace
  // allowed); otherwise fills `out` as unparsed and returns false.
  bool Parse(std::string_view line, const ParseOptions& options,
             LogRecord* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tend::logs

#endif  // TEND_LOGS_PARSE_JSON_H_
