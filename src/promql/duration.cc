// ParseDuration/FormatDuration: Prometheus's duration syntax
// (prometheus/common model.Duration).
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "promql/parser.h"

namespace tend::promql {
namespace {

struct Unit {
  std::string_view name;
  int64_t ms;
};
// In the order they must appear.
constexpr Unit kUnits[] = {
    {"y", 365LL * 24 * 3600 * 1000},
    {"w", 7LL * 24 * 3600 * 1000},
    {"d", 24LL * 3600 * 1000},
    {"h", 3600LL * 1000},
    {"m", 60LL * 1000},
    {"s", 1000},
    {"ms", 1},
};
constexpr int kNumUnits = sizeof(kUnits) / sizeof(kUnits[0]);

// Prometheus holds durations as Go time.Duration (nanoseconds), so anything
// past ~292 years is out of range.
constexpr int64_t kMaxMs = std::numeric_limits<int64_t>::max() / 1000000;

Status NotValid(std::string_view text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  quoted += '"';
  return InvalidArgumentError("not a valid duration string: " + quoted);
}

}  // namespace

Result<int64_t> ParseDuration(std::string_view text) {
  if (text == "0") return int64_t{0};
  if (text.empty()) return InvalidArgumentError("empty duration string");
  size_t i = 0;
  int next_unit = 0;  // Units must appear in decreasing order, once each.
  int64_t total = 0;
  bool overflow = false;
  while (i < text.size()) {
    const size_t digits_start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == digits_start) return NotValid(text);
    std::string_view digits = text.substr(digits_start, i - digits_start);
    // The longest unit name that matches: "ms" before "m".
    int unit = -1;
    for (int u = next_unit; u < kNumUnits; ++u) {
      const std::string_view name = kUnits[u].name;
      if (text.substr(i, name.size()) != name) continue;
      // "m" must not be taken when "ms" follows.
      if (name == "m" && text.substr(i, 2) == "ms") continue;
      unit = u;
      break;
    }
    if (unit < 0) return NotValid(text);
    i += kUnits[unit].name.size();
    next_unit = unit + 1;
    int64_t n = 0;
    for (char c : digits) {
      if (n > (std::numeric_limits<int64_t>::max() - 9) / 10) {
        overflow = true;
        break;
      }
      n = n * 10 + (c - '0');
    }
    if (overflow || n > kMaxMs / kUnits[unit].ms) {
      overflow = true;
      continue;
    }
    total += n * kUnits[unit].ms;
    if (total > kMaxMs) overflow = true;
  }
  if (overflow) return InvalidArgumentError("duration out of range");
  return total;
}

std::string FormatDuration(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  uint64_t rest;
  if (ms < 0) {
    out = "-";
    rest = static_cast<uint64_t>(-(ms + 1)) + 1;
  } else {
    rest = static_cast<uint64_t>(ms);
  }
  for (int u = 0; u < kNumUnits; ++u) {
    const auto mult = static_cast<uint64_t>(kUnits[u].ms);
    // Years and weeks only when exact: "90d" reads better than "12w6d".
    if (u < 2 && rest % mult != 0) continue;
    const uint64_t v = rest / mult;
    if (v > 0) {
      out += std::to_string(v);
      out += kUnits[u].name;
      rest -= v * mult;
    }
  }
  return out;
}

}  // namespace tend::promql
