// Fuzz target: every log line parser (src/logs/parse) and `auto`.
//
// Arbitrary bytes must never crash or hang any parser, and nothing may be
// dropped: for a non-empty line the record's message is never empty, and a
// line a parser rejects is kept whole (message == line, parse_error set, a
// reason given, time = receive time).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "logs/parse/line_parser.h"

namespace {

using tend::logs::LineParser;
using tend::logs::LogRecord;
using tend::logs::ParseOptions;
using tend::logs::ParserConfig;
using tend::logs::ParserKind;

struct Parsers {
  std::unique_ptr<LineParser> all[11];
  size_t n = 0;

  Parsers() {
    for (ParserKind k :
         {ParserKind::kAuto, ParserKind::kSyslog, ParserKind::kJson,
          ParserKind::kLogfmt, ParserKind::kAccess, ParserKind::kApacheError,
          ParserKind::kNginxError, ParserKind::kRaw}) {
      Add(ParserConfig{k, {}});
    }
    for (auto engine :
         {tend::logs::RegexEngine::kPcre2, tend::logs::RegexEngine::kRe2}) {
      ParserConfig c{ParserKind::kPattern, {}};
      c.pattern.engine = engine;
      c.pattern.pattern =
          R"(^(?P<time>\S+ \S+) (?P<level>\w+)? *(?:(?P<app>[\w.-]+)(?:\[(?P<pid>\d+)\])?:)? ?(?P<message>.*)$)";
      Add(c);
    }
  }
  void Add(const ParserConfig& c) {
    auto p = LineParser::Create(c);
    if (!p.ok()) __builtin_trap();
    all[n++] = std::move(*p);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Parsers* parsers = new Parsers();
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  ParseOptions options;
  options.receive_time_ns = 1'700'000'000'000'000'000;
  options.zone = (size & 1) ? tend::logs::TimeZone::Utc()
                            : tend::logs::TimeZone::Fixed(-5 * 3600);
  LogRecord record;
  for (size_t i = 0; i < parsers->n; ++i) {
    const bool ok = parsers->all[i]->Parse(line, options, &record);
    if (ok == record.parse_error) __builtin_trap();
    if (!line.empty() && record.message.empty()) __builtin_trap();
    if (!ok) {
      if (record.message != line) __builtin_trap();
      if (record.error_reason.empty()) __builtin_trap();
      if (record.time_from_line) __builtin_trap();
      if (record.time_ns != options.receive_time_ns) __builtin_trap();
    }
  }
  return 0;
}
