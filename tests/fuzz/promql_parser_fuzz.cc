// Fuzz target: the PromQL parser (src/promql/parser.h).
//
// Arbitrary bytes must parse or fail with a kInvalidArgument "parse error"
// message, never crash, hang or exhaust memory. A query that parses must
// print (ExprToString) to text that parses again and prints identically, so
// the printed form is a faithful serialization of the tree. The same bytes
// go through ParseMetricSelector and ParseDuration, which must not crash
// either.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "promql/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view query(reinterpret_cast<const char*>(data), size);
  auto expr = tend::promql::ParseExpr(query);
  if (!expr.ok()) {
    if (expr.status().code() != tend::StatusCode::kInvalidArgument) {
      __builtin_trap();
    }
    if (expr.status().message().find("parse error: ") == std::string::npos) {
      __builtin_trap();
    }
  } else {
    const std::string printed = tend::promql::ExprToString(**expr);
    auto again = tend::promql::ParseExpr(printed);
    if (!again.ok()) __builtin_trap();
    if (tend::promql::ExprToString(**again) != printed) __builtin_trap();
    if ((*again)->type() != (*expr)->type()) __builtin_trap();
  }
  auto matchers = tend::promql::ParseMetricSelector(query);
  if (!matchers.ok() &&
      matchers.status().code() != tend::StatusCode::kInvalidArgument) {
    __builtin_trap();
  }
  auto duration = tend::promql::ParseDuration(query);
  if (duration.ok()) {
    auto back =
        tend::promql::ParseDuration(tend::promql::FormatDuration(*duration));
    if (!back.ok() || *back != *duration) __builtin_trap();
  }
  return 0;
}
