// UTF-8 encoding and decoding with Go's rules (the PromQL and LogQL lexers
// and the PromQL test-script reader follow Go's string handling), and hex
// digits for escape sequences.
#ifndef TEND_BASE_UTF8_H_
#define TEND_BASE_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace tend {

// The replacement character invalid UTF-8 decodes to.
inline constexpr char32_t kRuneError = 0xFFFD;

// Appends code point `r` as UTF-8; a surrogate or a value past U+10FFFF
// is written as U+FFFD, as Go's utf8.AppendRune does.
void AppendUtf8(char32_t r, std::string* out);

// Decodes the UTF-8 sequence at s[i] (i < s.size()) as Go's
// utf8.DecodeRuneInString does: an invalid, overlong, surrogate or
// truncated sequence is kRuneError with *width 1 (a real U+FFFD has
// width 3).
char32_t DecodeRune(std::string_view s, size_t i, int* width);

// The value of hex digit c (0-9, a-f, A-F), or -1.
inline int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace tend

#endif  // TEND_BASE_UTF8_H_
