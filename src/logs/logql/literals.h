// Literal values of LogQL: numbers, Go durations and byte sizes in label
// filters, and the quoting and number formatting the printer uses.
#ifndef TEND_LOGS_LOGQL_LITERALS_H_
#define TEND_LOGS_LOGQL_LITERALS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tend::logql {

// A finite decimal number ("5", "0.5", ".5", "1e+06"); nullopt for anything
// else, including hex, "Inf", "NaN" and values out of double range.
std::optional<double> ParseNumberLiteral(std::string_view text);

// Go's time.ParseDuration without sign ("1.5s", "250ms", "1h30m", "10us",
// "3µs", "5ns") to nanoseconds; nullopt when malformed or out of range.
std::optional<int64_t> ParseGoDuration(std::string_view text);

// A byte size as Loki reads it (go-humanize): a decimal number and a unit
// among B, kB, KiB, MB, MiB, GB, GiB, TB, TiB, PB, PiB, EB, EiB (case does
// not matter); nullopt when malformed or above 2^64-1.
std::optional<uint64_t> ParseBytes(std::string_view text);

// The shortest text that reads back as `v` ("5", "0.5", "1e+06", "-2").
std::string FormatNumber(double v);

// `s` in double quotes with Go escapes for '"', '\\' and control bytes; the
// lexer reads it back to `s`.
std::string Quote(std::string_view s);

}  // namespace tend::logql

#endif  // TEND_LOGS_LOGQL_LITERALS_H_
