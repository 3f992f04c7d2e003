// The PromQL parser: query text to syntax tree (ast.h), with Prometheus
// 2.42's grammar, precedence, associativity and type checks.
#ifndef TEND_PROMQL_PARSER_H_
#define TEND_PROMQL_PARSER_H_

#include <string_view>

#include "base/status.h"
#include "model/matcher.h"
#include "promql/ast.h"

namespace tend::promql {

// Parses and type-checks a whole expression. On failure returns
// kInvalidArgument whose message has Prometheus's shape,
// "<line>:<col>: parse error: <what>" (1-based; col counts bytes), e.g.
// "1:8: parse error: unexpected <by> in aggregation, expected ...".
Result<ExprPtr> ParseExpr(std::string_view query);

// Parses a series selector such as `up{job="x"}` or `{__name__=~"a.*"}`
// (the match[] parameter of the HTTP API). Same error shape; a selector
// whose every matcher matches the empty string is rejected as Prometheus
// does ("vector selector must contain at least one non-empty matcher").
Result<Matchers> ParseMetricSelector(std::string_view selector);

// Prometheus duration syntax ("1h30m", "5m", "10s", "1.5" is not allowed,
// units y w d h m s ms, each at most once, in decreasing order) to
// milliseconds. kInvalidArgument on anything else.
Result<int64_t> ParseDuration(std::string_view text);

// The inverse of ParseDuration, as Prometheus prints durations ("1h30m",
// "0s").
std::string FormatDuration(int64_t ms);

}  // namespace tend::promql

#endif  // TEND_PROMQL_PARSER_H_
