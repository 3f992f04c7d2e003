// The PromQL function table: every function of Prometheus 2.42 with its
// argument and return types (promql/parser/functions.go). The parser checks
// calls against it; the engine dispatches on FunctionSignature::name.
#ifndef TEND_PROMQL_FUNCTIONS_TABLE_H_
#define TEND_PROMQL_FUNCTIONS_TABLE_H_

#include <span>
#include <string_view>

#include "promql/ast.h"

namespace tend::promql {

// The signature named `name` (case-sensitive, as Prometheus), or nullptr.
// The pointer stays valid for the life of the program.
const FunctionSignature* FindFunction(std::string_view name);

// All signatures, sorted by name.
std::span<const FunctionSignature> AllFunctions();

}  // namespace tend::promql

#endif  // TEND_PROMQL_FUNCTIONS_TABLE_H_
