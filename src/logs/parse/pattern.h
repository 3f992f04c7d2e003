// Custom patterns: a regular expression with named groups.
//
// The pattern is searched in the line (not anchored: write ^...$ to anchor).
// Named groups become fields in group order, except the special names time,
// level, message, host, app and pid, which fill the record instead (time
// via ParseAnyTimestamp, level via LevelFromWord, pid as a number; a value
// that does not convert is kept as a field under its name). Groups that did
// not take part in the match are left out. Without a `message` group the
// message is the whole line.
//
// Engines: PCRE2 (default) compiled with UTF and MATCH_INVALID_UTF (invalid
// UTF-8 input never errors, but an invalid
// byte matches no pattern item, so such a line is usually kept unparsed) and
// JIT when available, with a match limit and a depth limit so a pathological
// pattern/line pair costs bounded work: an exhausted limit makes the line
// unparsed ("pattern: match limit exceeded"), never a hang. RE2 (`engine: re2`)
// runs in linear time and needs no limit, but has no backreferences or
// lookaround.
//
// A PatternParser is immutable after Create except for its match scratch
// space: not thread-safe, use one per thread.
#ifndef TEND_LOGS_PARSE_PATTERN_H_
#define TEND_LOGS_PARSE_PATTERN_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "logs/parse/parse_options.h"
#include "logs/parse/record.h"

namespace tend::logs {

enum class RegexEngine : uint8_t { kPcre2, kRe2 };

struct PatternOptions {
  std::string pattern;
  RegexEngine engine = RegexEngine::kPcre2;
  // PCRE2 only: backtracking steps and nesting depth allowed per line.
  uint32_t match_limit = 100'000;
  uint32_t depth_limit = 10'000;
};

class PatternParser {
 public:
  // Compiles the pattern. Errors (kInvalidArgument) read
  // "pattern: offset N: REASON" with N the byte offset in the pattern.
  static Result<std::unique_ptr<PatternParser>> Create(
      const PatternOptions& options);

  virtual ~PatternParser() = default;

  // Fills `out` from a match and returns true; on no match (or an exhausted
  // limit) fills `out` as unparsed and returns false.
  virtual bool Parse(std::string_view line, const ParseOptions& options,
                     LogRecord* out) = 0;

 protected:
  PatternParser() = default;
};

}  // namespace tend::logs

#endif  // TEND_LOGS_PARSE_PATTERN_H_
