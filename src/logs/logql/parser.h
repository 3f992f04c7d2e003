// The LogQL parser: query text to syntax tree (ast.h), for the subset of
// Loki's LogQL that docs/logql.md describes.
#ifndef TEND_LOGS_LOGQL_PARSER_H_
#define TEND_LOGS_LOGQL_PARSER_H_

#include <memory>
#include <string_view>

#include "base/status.h"
#include "logs/logql/ast.h"
#include "model/matcher.h"

namespace tend::logql {

// Parses a log query (`{app="sshd"} |= "Failed"`) or a metric query
// (`sum by (host) (rate({app="sshd"}[5m]))`). Regexes, patterns, JSON paths
// and templates are compiled and validated here. On failure returns
// kInvalidArgument with a message of the form
//   parse error at line 1, col 14: unexpected "]", expected a duration
// (1-based line and byte column of the offending token). Constructs outside
// the subset are rejected with a message naming them.
Result<std::unique_ptr<Expr>> ParseLogQL(std::string_view query);

// Parses a bare stream selector (`{app="sshd", host=~"web.*"}`), the
// match[] parameter of /loki/api/v1/series. Same errors; like a query's
// selector it needs at least one matcher that does not match the empty
// string.
Result<Matchers> ParseLogSelector(std::string_view selector);

}  // namespace tend::logql

#endif  // TEND_LOGS_LOGQL_PARSER_H_
