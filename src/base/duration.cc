#include "base/duration.h"

#include <array>
#include <limits>

namespace tend {
namespace {

struct Unit {
  std::string_view suffix;
  int64_t ms;
};

// Largest first: the order they must appear in, and the order FormatDuration
// writes them.
constexpr std::array<Unit, 7> kUnits = {{
    {"y", 365LL * 24 * 3600 * 1000},
    {"w", 7LL * 24 * 3600 * 1000},
    {"d", 24LL * 3600 * 1000},
    {"h", 3600LL * 1000},
    {"m", 60LL * 1000},
    {"s", 1000},
    {"ms", 1},
}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<int64_t> ParseDuration(std::string_view text) {
  if (text.empty()) return InvalidArgumentError("empty duration");
  if (text == "0") return int64_t{0};
  int64_t total = 0;
  size_t next_unit =
      0;  // Index into kUnits of the smallest unit still allowed.
  size_t i = 0;
  while (i < text.size()) {
    if (!IsDigit(text[i])) {
      return InvalidArgumentError("expected a number at \"" +
                                  std::string(text.substr(i)) + "\"");
    }
    int64_t n = 0;
    while (i < text.size() && IsDigit(text[i])) {
      int d = text[i] - '0';
      if (n > (std::numeric_limits<int64_t>::max() - d) / 10) {
        return OutOfRangeError("duration too large");
      }
      n = n * 10 + d;
      ++i;
    }
    size_t start = i;
    while (i < text.size() && !IsDigit(text[i])) ++i;
    std::string_view suffix = text.substr(start, i - start);
    if (suffix.empty()) {
      return InvalidArgumentError("missing unit after " + std::to_string(n) +
                                  " (ms, s, m, h, d, w or y)");
    }
    size_t u = 0;
    while (u < kUnits.size() && kUnits[u].suffix != suffix) ++u;
    if (u == kUnits.size()) {
      return InvalidArgumentError("unknown unit \"" + std::string(suffix) +
                                  "\" (ms, s, m, h, d, w or y)");
    }
    if (u < next_unit) {
      return InvalidArgumentError(
          "units must go from largest to smallest, each once (1h30m, not "
          "30m1h)");
    }
    next_unit = u + 1;
    if (n > (std::numeric_limits<int64_t>::max() - total) / kUnits[u].ms) {
      return OutOfRangeError("duration too large");
    }
    total += n * kUnits[u].ms;
  }
  return total;
}

std::string FormatDuration(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  uint64_t rest;
  if (ms < 0) {
    out = "-";
    rest = static_cast<uint64_t>(-(ms + 1)) + 1;  // No overflow at INT64_MIN.
  } else {
    rest = static_cast<uint64_t>(ms);
  }
  for (const Unit& unit : kUnits) {
    uint64_t size = static_cast<uint64_t>(unit.ms);
    // As Prometheus prints: years and weeks only when they divide exactly
    // ("15d", not "2w1d").
    if ((unit.suffix == "y" || unit.suffix == "w") && rest % size != 0) {
      continue;
    }
    if (rest >= size) {
      out += std::to_string(rest / size);
      out += unit.suffix;
      rest %= size;
    }
  }
  return out;
}

}  // namespace tend
