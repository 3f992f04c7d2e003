// ParseDuration/FormatDuration for PromQL: the shared duration syntax
// (base/duration.h, which is Prometheus's model.Duration) with Prometheus's
// error messages and its range (Go's time.Duration, about 292 years).
#include "base/duration.h"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "promql/parser.h"

namespace tend::promql {
namespace {

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
  if (text.empty()) return InvalidArgumentError("empty duration string");
  Result<int64_t> ms = tend::ParseDuration(text);
  if (!ms.ok()) {
    if (ms.status().code() == StatusCode::kOutOfRange) {
      return InvalidArgumentError("duration out of range");
    }
    return NotValid(text);
  }
  if (*ms > kMaxMs) return InvalidArgumentError("duration out of range");
  return ms;
}

std::string FormatDuration(int64_t ms) { return tend::FormatDuration(ms); }

}  // namespace tend::promql
