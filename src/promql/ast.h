// The PromQL syntax tree, as the parser (parser.h) builds it and the engine
// (engine.h) evaluates it. It mirrors Prometheus 2.42's promql/parser AST so
// that semantics carry over one node at a time.
//
// Ownership: every node owns its children through ExprPtr. A tree is
// immutable after parsing except for the engine's preprocessing pass, which
// may resolve @ start()/end() into timestamps on its own copy.
//
// Times and durations are int64 milliseconds.
#ifndef TEND_PROMQL_AST_H_
#define TEND_PROMQL_AST_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/matcher.h"

namespace tend::promql {

enum class ValueType { kNone, kScalar, kVector, kMatrix, kString };

// "scalar", "instant vector", "range vector", "string" (Prometheus's
// DocumentedType, used in error messages).
const char* DocumentedType(ValueType t);

// Byte offsets [start, end) of a node in the query text.
struct PosRange {
  int start = 0;
  int end = 0;
};

enum class NodeKind {
  kNumberLiteral,
  kStringLiteral,
  kVectorSelector,
  kMatrixSelector,
  kSubquery,
  kCall,
  kAggregate,
  kBinary,
  kUnary,
  kParen,
  // Wraps a subtree whose value is the same at every step (the engine's
  // optimisation, as Prometheus's StepInvariantExpr); never made by the
  // parser.
  kStepInvariant,
};

struct Expr {
  explicit Expr(NodeKind k) : kind(k) {}
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  // The type this node evaluates to.
  virtual ValueType type() const = 0;

  const NodeKind kind;
  PosRange pos;
};
using ExprPtr = std::unique_ptr<Expr>;

struct NumberLiteral : Expr {
  static constexpr NodeKind kKind = NodeKind::kNumberLiteral;
  NumberLiteral() : Expr(NodeKind::kNumberLiteral) {}
  ValueType type() const override { return ValueType::kScalar; }
  double value = 0;
};

struct StringLiteral : Expr {
  static constexpr NodeKind kKind = NodeKind::kStringLiteral;
  StringLiteral() : Expr(NodeKind::kStringLiteral) {}
  ValueType type() const override { return ValueType::kString; }
  std::string value;  // Unquoted, escapes resolved.
};

// The @ modifier of a selector or subquery.
enum class AtKind {
  kNone,
  kTimestamp,  // @ <number>: at_ms holds it.
  kStart,      // @ start(): the query's start.
  kEnd,        // @ end(): the query's end.
};

struct VectorSelector : Expr {
  static constexpr NodeKind kKind = NodeKind::kVectorSelector;
  VectorSelector() : Expr(NodeKind::kVectorSelector) {}
  ValueType type() const override { return ValueType::kVector; }

  std::string name;  // The metric name written before '{', or "".
  // All matchers, including __name__="name" when a name was written (first),
  // in the order written.
  Matchers matchers;
  int64_t original_offset_ms = 0;  // offset modifier; negative allowed.
  AtKind at = AtKind::kNone;
  int64_t at_ms = 0;  // With AtKind::kTimestamp (and after the engine
                      // resolves start()/end()).
};

struct MatrixSelector : Expr {
  static constexpr NodeKind kKind = NodeKind::kMatrixSelector;
  MatrixSelector() : Expr(NodeKind::kMatrixSelector) {}
  ValueType type() const override { return ValueType::kMatrix; }

  ExprPtr vector_selector;  // Always a VectorSelector.
  int64_t range_ms = 0;
};

struct SubqueryExpr : Expr {
  static constexpr NodeKind kKind = NodeKind::kSubquery;
  SubqueryExpr() : Expr(NodeKind::kSubquery) {}
  ValueType type() const override { return ValueType::kMatrix; }

  ExprPtr expr;
  int64_t range_ms = 0;
  int64_t step_ms = 0;  // 0: the engine's default evaluation interval.
  int64_t original_offset_ms = 0;
  AtKind at = AtKind::kNone;
  int64_t at_ms = 0;
};

// A function's signature (the table is in functions_table.h).
struct FunctionSignature {
  const char* name;
  std::vector<ValueType> arg_types;
  // 0: exactly arg_types.size() arguments. >0: up to this many trailing
  // arguments may be omitted. -1: the last argument type repeats any number
  // of times (label_join).
  int variadic = 0;
  ValueType return_type;
};

struct Call : Expr {
  static constexpr NodeKind kKind = NodeKind::kCall;
  Call() : Expr(NodeKind::kCall) {}
  ValueType type() const override { return func->return_type; }

  const FunctionSignature* func = nullptr;  // Points into the static table.
  std::vector<ExprPtr> args;
};

enum class AggOp {
  kSum,
  kAvg,
  kCount,
  kMin,
  kMax,
  kGroup,
  kStddev,
  kStdvar,
  kTopK,
  kBottomK,
  kCountValues,
  kQuantile,
};
const char* AggOpName(AggOp op);  // "sum", "count_values", ...

struct AggregateExpr : Expr {
  static constexpr NodeKind kKind = NodeKind::kAggregate;
  AggregateExpr() : Expr(NodeKind::kAggregate) {}
  ValueType type() const override { return ValueType::kVector; }

  AggOp op = AggOp::kSum;
  ExprPtr expr;
  ExprPtr param;  // topk/bottomk/quantile: scalar; count_values: string.
  std::vector<std::string> grouping;  // Label names in by (...)/without (...).
  bool without = false;
};

enum class BinOp {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kAtan2,
  kEql,
  kNeq,
  kGtr,
  kLss,
  kGte,
  kLte,
  kAnd,
  kOr,
  kUnless,
};
const char* BinOpName(BinOp op);  // "+", "==", "and", "atan2", ...
bool IsComparisonOp(BinOp op);    // == != > < >= <=
bool IsSetOp(BinOp op);           // and or unless

enum class Cardinality { kOneToOne, kManyToOne, kOneToMany, kManyToMany };

struct VectorMatching {
  Cardinality card = Cardinality::kOneToOne;
  // on(...) labels when `on`, else ignoring(...) labels.
  std::vector<std::string> matching_labels;
  bool on = false;
  // group_left(...)/group_right(...) extra labels to copy from the "one"
  // side.
  std::vector<std::string> include;
};

struct BinaryExpr : Expr {
  static constexpr NodeKind kKind = NodeKind::kBinary;
  BinaryExpr() : Expr(NodeKind::kBinary) {}
  ValueType type() const override;

  BinOp op = BinOp::kAdd;
  ExprPtr lhs;
  ExprPtr rhs;
  // Set when both operands are instant vectors (set operators get
  // kManyToMany); absent for scalar-vector and scalar-scalar.
  std::optional<VectorMatching> matching;
  bool return_bool = false;  // The `bool` modifier of a comparison.
};

struct UnaryExpr : Expr {
  static constexpr NodeKind kKind = NodeKind::kUnary;
  UnaryExpr() : Expr(NodeKind::kUnary) {}
  ValueType type() const override { return expr->type(); }

  bool negate = false;  // '-' (drops the metric name); '+' is identity.
  ExprPtr expr;
};

struct ParenExpr : Expr {
  static constexpr NodeKind kKind = NodeKind::kParen;
  ParenExpr() : Expr(NodeKind::kParen) {}
  ValueType type() const override { return expr->type(); }

  ExprPtr expr;
};

struct StepInvariantExpr : Expr {
  static constexpr NodeKind kKind = NodeKind::kStepInvariant;
  StepInvariantExpr() : Expr(NodeKind::kStepInvariant) {}
  ValueType type() const override { return expr->type(); }

  ExprPtr expr;
};

// Checked downcasts: `As<VectorSelector>(e)` returns nullptr when `e` is of
// another kind.
template <typename T>
const T* As(const Expr* e) {
  return e != nullptr && e->kind == T::kKind ? static_cast<const T*>(e)
                                             : nullptr;
}
template <typename T>
T* As(Expr* e) {
  return e != nullptr && e->kind == T::kKind ? static_cast<T*>(e) : nullptr;
}

// Prometheus's canonical text of a tree (as `promtool` and the API's
// format_query print it), used in error messages and tests.
std::string ExprToString(const Expr& e);

}  // namespace tend::promql

#endif  // TEND_PROMQL_AST_H_
