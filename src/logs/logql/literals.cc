// Literal values of LogQL (literals.h).
#include "logs/logql/literals.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace tend::logql {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

char Lower(char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

}  // namespace

std::optional<double> ParseNumberLiteral(std::string_view text) {
  if (text.empty()) return std::nullopt;
  // from_chars accepts "inf", "nan" and hex only with options we do not
  // use; require a digit or '.' first so "inf"/"nan" are refused.
  if (!IsDigit(text[0]) && text[0] != '.') return std::nullopt;
  double v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || p != end || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<int64_t> ParseGoDuration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (s == "0") return 0;
  double total = 0;
  size_t i = 0;
  while (i < s.size()) {
    const size_t start = i;
    while (i < s.size() && (IsDigit(s[i]) || s[i] == '.')) ++i;
    if (i == start) return std::nullopt;
    const auto num = ParseNumberLiteral(s.substr(start, i - start));
    if (!num) return std::nullopt;
    const size_t ustart = i;
    while (i < s.size() && !IsDigit(s[i]) && s[i] != '.') ++i;
    const std::string_view unit = s.substr(ustart, i - ustart);
    double mult;
    if (unit == "ns") {
      mult = 1;
    } else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") {
      mult = 1e3;
    } else if (unit == "ms") {
      mult = 1e6;
    } else if (unit == "s") {
      mult = 1e9;
    } else if (unit == "m") {
      mult = 60e9;
    } else if (unit == "h") {
      mult = 3600e9;
    } else {
      return std::nullopt;
    }
    total += *num * mult;
    if (total > 9.2e18) return std::nullopt;
  }
  return static_cast<int64_t>(std::llround(total));
}

std::optional<uint64_t> ParseBytes(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (IsDigit(s[i]) || s[i] == '.')) ++i;
  const auto num = ParseNumberLiteral(s.substr(0, i));
  if (!num) return std::nullopt;
  std::string unit;
  for (char c : s.substr(i)) unit += Lower(c);
  struct Unit {
    const char* name;
    double mult;
  };
  static constexpr Unit kUnits[] = {
      {"b", 1},
      {"kb", 1e3},
      {"kib", 1024.0},
      {"mb", 1e6},
      {"mib", 1048576.0},
      {"gb", 1e9},
      {"gib", 1073741824.0},
      {"tb", 1e12},
      {"tib", 1099511627776.0},
      {"pb", 1e15},
      {"pib", 1125899906842624.0},
      {"eb", 1e18},
      {"eib", 1152921504606846976.0},
  };
  for (const Unit& u : kUnits) {
    if (unit == u.name) {
      const double v = *num * u.mult;
      if (v >= 18446744073709551615.0) return std::nullopt;
      return static_cast<uint64_t>(v);
    }
  }
  return std::nullopt;
}

std::string FormatNumber(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) return "0";
  return std::string(buf, end);
}

std::string Quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (u < 0x20 || u == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", u);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace tend::logql
