// Small helpers shared by the parsers (internal to src/logs/parse).
#ifndef TEND_LOGS_PARSE_TEXT_UTIL_H_
#define TEND_LOGS_PARSE_TEXT_UTIL_H_

#include <cstdint>
#include <string_view>

#include "logs/parse/record.h"

namespace tend::logs::internal {

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// Parses all of `s` as a non-negative decimal int64 (at most 18 digits).
inline bool ParseInt(std::string_view s, int64_t* v) {
  if (s.empty() || s.size() > 18) return false;
  int64_t r = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    r = r * 10 + (c - '0');
  }
  *v = r;
  return true;
}

inline std::string_view SkipSpaces(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsSpace(s[i])) ++i;
  return s.substr(i);
}

// The token up to the first space or tab (or all of s).
inline std::string_view Token(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && !IsSpace(s[i])) ++i;
  return s.substr(0, i);
}

// Enforces "message never empty for a non-empty line": when a parser found
// an empty message part, the whole line stands in for it.
inline void EnsureMessage(std::string_view line, LogRecord* out) {
  if (out->message.empty()) out->message.assign(line);
}

}  // namespace tend::logs::internal

#endif  // TEND_LOGS_PARSE_TEXT_UTIL_H_
