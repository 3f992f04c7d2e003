// Small, allocation-free helpers for parsing /proc and /sys text.
//
// All functions take string_views into a buffer the caller owns and never
// read past its end. Parse* functions return false (leaving *out unchanged)
// on anything that is not entirely a number of the wanted kind.
#ifndef TEND_METRICS_PARSE_H_
#define TEND_METRICS_PARSE_H_

#include <cstdint>
#include <string_view>
#include <vector>

namespace tend {

// Removes and returns the first line of *text (without its '\n'). Returns an
// empty view and leaves *text empty at the end.
std::string_view NextLine(std::string_view* text);

// Splits `line` on runs of spaces and tabs into *fields (cleared first).
void SplitFields(std::string_view line, std::vector<std::string_view>* fields);

// Removes leading and trailing spaces, tabs and newlines.
std::string_view Trim(std::string_view s);

bool ParseUint64(std::string_view s, uint64_t* out);
bool ParseInt64(std::string_view s, int64_t* out);
// Accepts what strtod accepts, but the whole view must be consumed.
bool ParseDouble(std::string_view s, double* out);

// Splits "key: value" style lines (meminfo, /proc/PID/status): returns false
// if there is no ':' in `line`.
bool SplitKeyValue(std::string_view line, std::string_view* key,
                   std::string_view* value);

}  // namespace tend

#endif  // TEND_METRICS_PARSE_H_
