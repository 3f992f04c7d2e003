// The values of literal tokens (lexer.h): Go's string unquoting and
// Prometheus's number parsing.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "promql/lexer.h"

namespace tend::promql {
namespace {

// Number texts are ASCII without quotes or backslashes.
std::string Quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

}  // namespace

Result<std::string> UnquoteString(std::string_view q) {
  if (q.size() < 2 || q.front() != q.back()) {
    return InvalidArgumentError("invalid syntax");
  }
  const char quote = q.front();
  std::string_view s = q.substr(1, q.size() - 2);
  if (quote == '`') return std::string(s);
  if (quote != '"' && quote != '\'') {
    return InvalidArgumentError("invalid syntax");
  }
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c != '\\') {
      out.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= s.size()) return InvalidArgumentError("invalid syntax");
    const char e = s[i + 1];
    i += 2;
    switch (e) {
      case 'a':
        out.push_back('\a');
        continue;
      case 'b':
        out.push_back('\b');
        continue;
      case 'f':
        out.push_back('\f');
        continue;
      case 'n':
        out.push_back('\n');
        continue;
      case 'r':
        out.push_back('\r');
        continue;
      case 't':
        out.push_back('\t');
        continue;
      case 'v':
        out.push_back('\v');
        continue;
      case '\\':
        out.push_back('\\');
        continue;
      default:
        break;
    }
    if (e == quote) {
      out.push_back(e);
      continue;
    }
    int n = 0;
    uint32_t base = 16;
    if (e >= '0' && e <= '7') {
      n = 3;
      base = 8;
      --i;  // The first octal digit is part of the value.
    } else if (e == 'x') {
      n = 2;
    } else if (e == 'u') {
      n = 4;
    } else if (e == 'U') {
      n = 8;
    } else {
      return InvalidArgumentError("invalid syntax");
    }
    if (i + n > s.size()) return InvalidArgumentError("invalid syntax");
    uint32_t x = 0;
    for (int k = 0; k < n; ++k) {
      const char d = s[i + k];
      uint32_t v = 16;
      if (d >= '0' && d <= '9') {
        v = d - '0';
      } else if (d >= 'a' && d <= 'f') {
        v = d - 'a' + 10;
      } else if (d >= 'A' && d <= 'F') {
        v = d - 'A' + 10;
      }
      if (v >= base) return InvalidArgumentError("invalid syntax");
      x = x * base + v;
    }
    i += n;
    if (e == 'x' || base == 8) {
      if (x > 255) return InvalidArgumentError("invalid syntax");
      out.push_back(static_cast<char>(x));  // A raw byte, as Go.
    } else {
      if (x > 0x10FFFF || (x >= 0xD800 && x < 0xE000)) {
        return InvalidArgumentError("invalid syntax");
      }
      AppendUtf8(x, &out);
    }
  }
  return out;
}

Result<double> ParseNumber(std::string_view text) {
  auto syntax = [&]() {
    return InvalidArgumentError("strconv.ParseFloat: parsing " + Quoted(text) +
                                ": invalid syntax");
  };
  if (text.empty()) return syntax();
  // strconv.ParseInt(text, 0, 64): 0x hex, leading-0 octal, else decimal.
  int base = 10;
  std::string_view digits = text;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    digits = text.substr(2);
  } else if (text.size() > 1 && text[0] == '0') {
    base = 8;
    digits = text.substr(1);
  }
  int64_t n = 0;
  auto [p, ec] =
      std::from_chars(digits.data(), digits.data() + digits.size(), n, base);
  if (ec == std::errc() && p == digits.data() + digits.size()) {
    return static_cast<double>(n);
  }
  // Go's ParseFloat wants a 'p' exponent in hex floats, which the lexer never
  // produces, so a hex text that is no int64 fails.
  if (base == 16 || text[0] == '+' || text[0] == '-') return syntax();
  double d = 0;
  auto [q, fec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (q != text.data() + text.size()) return syntax();
  if (fec == std::errc::result_out_of_range) {
    // from_chars reports underflow and overflow alike; Go only fails on
    // overflow. The text is a valid float literal, so strtod (C locale)
    // tells them apart.
    const std::string copy(text);
    d = std::strtod(copy.c_str(), nullptr);
    if (std::isinf(d)) {
      return InvalidArgumentError("strconv.ParseFloat: parsing " +
                                  Quoted(text) + ": value out of range");
    }
  } else if (fec != std::errc()) {
    return syntax();
  }
  return d;
}

}  // namespace tend::promql
