// Internal to the parser (parser.cc, parser_check.cc, parser_tokens.cc):
// token classes of the grammar, the type checks Prometheus runs on a tree
// that parsed (its checkAST), and the error shape they share.
#ifndef TEND_PROMQL_PARSER_INTERNAL_H_
#define TEND_PROMQL_PARSER_INTERNAL_H_

#include <string>
#include <string_view>
#include <unordered_map>

#include "base/status.h"
#include "promql/ast.h"
#include "promql/lexer.h"

namespace tend::promql {

// Binding power of a binary operator token (1 for `or` .. 6 for `^`); 0
// when the token is no binary operator.
int Precedence(TokenType t);
inline constexpr int kPowPrecedence = 6;

// The operator of a binary-operator / aggregator token.
BinOp ToBinOp(TokenType t);
AggOp ToAggOp(TokenType t);

// Tokens that may name a metric (the grammar's metric_identifier):
// identifiers and the keywords that are not only operators.
bool IsMetricIdentifier(TokenType t);
// Tokens that may name a label in a grouping list (maybe_label).
bool IsMaybeLabel(TokenType t);
// Tokens that may begin an expression.
bool CanStartExpr(TokenType t);

// The message for a regex matcher LabelMatcher::Create refused, worded as
// Go's regexp package words it for Prometheus ("error parsing regexp:
// missing closing ): `^(?:()$`"); `create_error`'s own when RE2 gives no
// code.
std::string RegexError(const Status& create_error, const std::string& value);
// "" when `pattern` compiles on its own, else Go's wording of the error
// (Prometheus parses the bare pattern too, which rejects an unbalanced ')'
// that the anchoring group would absorb).
std::string StandaloneRegexError(const std::string& pattern);

// Byte offset of each binary expression's operator token (errors about the
// operator point at it, as Prometheus's do).
using OpPositions = std::unordered_map<const BinaryExpr*, int>;

// kInvalidArgument "<line>:<col>: parse error: <msg>" for byte offset `pos`
// of `query` (clamped into it).
Status ParseError(std::string_view query, int pos, std::string_view msg);

// Type-checks `e` (parsed from `query`) and returns the first problem in
// Prometheus's order. Also finishes the tree: set operators get
// Cardinality::kManyToMany and `matching` is dropped unless both operands
// are instant vectors.
Status CheckAst(Expr& e, std::string_view query, const OpPositions& ops);

}  // namespace tend::promql

#endif  // TEND_PROMQL_PARSER_INTERNAL_H_
