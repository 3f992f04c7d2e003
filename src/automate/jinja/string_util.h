// Python str operations the filters and methods share.
#ifndef TEND_AUTOMATE_JINJA_STRING_UTIL_H_
#define TEND_AUTOMATE_JINJA_STRING_UTIL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automate/value.h"
#include "base/status.h"

namespace tend::automate::jinja {

inline constexpr std::string_view kPyWhitespace = " \t\n\r\f\v";

std::string AsciiLower(std::string s);
std::string AsciiUpper(std::string s);

// str.replace(old, new, count); count < 0 replaces all.
std::string PyReplace(std::string_view s, std::string_view from,
                      std::string_view to, int64_t count);
// str.strip/lstrip/rstrip(chars).
std::string PyStrip(std::string_view s, std::string_view chars, bool left,
                    bool right);
// str.split()/rsplit() on runs of whitespace, and split(sep)/rsplit(sep);
// maxsplit < 0 means no limit. Returns a list Value.
Value PySplitWhitespace(std::string_view s, int64_t maxsplit, bool from_right);
Value PySplit(std::string_view s, std::string_view sep, int64_t maxsplit,
              bool from_right);

// int(s, base) as Python parses it (surrounding whitespace, sign, '_'
// between digits, 0x/0o/0b prefixes matching the base or base 0).
std::optional<int64_t> ParsePyInt(std::string_view s, int base);
// float(s): decimal and exponent forms, inf, nan, surrounding whitespace.
std::optional<double> ParsePyFloat(std::string_view s);

// shlex.quote.
std::string ShellQuote(std::string_view s);

// "%s %d %05.2f %x %r %%" % values (the `format` filter).
Result<std::string> PyPercentFormat(std::string_view fmt,
                                    const std::vector<Value>& values);

}  // namespace tend::automate::jinja

#endif  // TEND_AUTOMATE_JINJA_STRING_UTIL_H_
