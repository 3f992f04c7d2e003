// Fuzz target: the LogQL parser (src/logs/logql/parser.h).
//
// Arbitrary bytes must parse or fail with a kInvalidArgument "parse error"
// message, never crash, hang or exhaust memory. A query that parses must
// print (ToString) to text that parses again and prints identically, so the
// printed form is a faithful serialization of the tree. The same bytes go
// through ParseLogSelector, whose result must print and parse back too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "logs/logql/parser.h"
#include "logs/logql/printer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view query(reinterpret_cast<const char*>(data), size);
  auto expr = tend::logql::ParseLogQL(query);
  if (!expr.ok()) {
    if (expr.status().code() != tend::StatusCode::kInvalidArgument) {
      __builtin_trap();
    }
    if (expr.status().message().rfind("parse error at line ", 0) != 0) {
      __builtin_trap();
    }
  } else {
    const std::string printed = tend::logql::ToString(**expr);
    auto again = tend::logql::ParseLogQL(printed);
    if (!again.ok()) __builtin_trap();
    if (tend::logql::ToString(**again) != printed) __builtin_trap();
    if ((*again)->kind != (*expr)->kind) __builtin_trap();
  }
  auto sel = tend::logql::ParseLogSelector(query);
  if (!sel.ok()) {
    if (sel.status().code() != tend::StatusCode::kInvalidArgument) {
      __builtin_trap();
    }
  } else {
    const std::string printed = tend::logql::SelectorToString(*sel);
    auto again = tend::logql::ParseLogSelector(printed);
    if (!again.ok()) __builtin_trap();
    if (tend::logql::SelectorToString(*again) != printed) __builtin_trap();
  }
  return 0;
}
