// Canonical LogQL text for a syntax tree (ast.h).
//
// Contract: for every tree ParseLogQL returns, ParseLogQL(ToString(tree))
// succeeds and prints to the same text (tested in printer_test.cc and the
// logql_parser fuzz target). The canonical form: matchers `{a="b", c=~"d"}`
// in the order written, strings double-quoted with Go escapes, one space
// around pipes and binary operators, label filter `and`/`,`/juxtaposition
// printed as `and`, `==` for numeric equality, parentheses only where
// precedence needs them, `sum by (a) (x)` with the grouping first,
// `[5m]` right after the selector when there is no pipeline.
#ifndef TEND_LOGS_LOGQL_PRINTER_H_
#define TEND_LOGS_LOGQL_PRINTER_H_

#include <string>

#include "logs/logql/ast.h"

namespace tend::logql {

std::string ToString(const Expr& e);
std::string SelectorToString(const Matchers& selector);
std::string PipelineToString(const Pipeline& pipeline);  // Leading space.
std::string LabelFilterToString(const LabelFilter& f);

}  // namespace tend::logql

#endif  // TEND_LOGS_LOGQL_PRINTER_H_
