// The LogQL syntax tree, as the parser (parser.h) builds it and the printer
// (printer.h) writes it back. It covers the subset of Loki's LogQL that tend
// supports (docs/logql.md).
//
// Evaluation contract: everything an evaluator needs per log line is
// prepared at parse time. Regular expressions are compiled (RE2) and held in
// the nodes, patterns are split into literal and capture parts, JSON paths
// are split into keys and indexes, and line_format / label_format templates
// are parsed into pipelines of known functions. A pipeline is a flat vector
// of Stage values (a std::variant), so running it is a switch per stage with
// no virtual calls and no re-parsing.
//
// Ownership: every node owns its children; RE2 objects are shared (cheap to
// copy, immutable after construction, safe to use from several threads).
// Durations are int64 milliseconds unless a name says otherwise.
#ifndef TEND_LOGS_LOGQL_AST_H_
#define TEND_LOGS_LOGQL_AST_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "logs/logql/template.h"
#include "model/matcher.h"

namespace re2 {
class RE2;
}

namespace tend::logql {

using RegexPtr = std::shared_ptr<const re2::RE2>;

// ---------------------------------------------------------------- Pipeline.

// `|= "a"`, `!= "a"`, `|~ "re"`, `!~ "re"`; `|= "a" or "b"` has two values.
// Positive ops keep a line when ANY value matches; negative ops keep it when
// NONE does (Loki's semantics). Regexes are unanchored (a partial match).
enum class LineFilterOp { kContains, kNotContains, kRegex, kNotRegex };

struct LineFilter {
  LineFilterOp op = LineFilterOp::kContains;
  std::vector<std::string> values;  // At least one.
  std::vector<RegexPtr> regexes;    // Regex ops only: one per value.
};

enum class ParserKind { kJson, kLogfmt, kRegexp, kPattern, kUnpack };

// One step of a JSON path: an object key, or an array index when
// `index >= 0`.
struct JsonPathStep {
  std::string key;
  int64_t index = -1;
};

// `label="expression"` of `| json ...` / `| logfmt ...`. For json, `path`
// is the parsed expression (`servers[0].name`, `headers["User-Agent"]`);
// for logfmt the expression is a key and `path` is empty.
struct Extraction {
  std::string label;
  std::string expression;
  std::vector<JsonPathStep> path;
};

// A piece of a `| pattern` expression: literal text, or a capture `<name>`
// (`<_>` captures and discards; its name is "_").
struct PatternPart {
  bool capture = false;
  std::string text;  // The literal bytes or the capture name.
};

struct ParserStage {
  ParserKind kind = ParserKind::kJson;
  // kRegexp / kPattern: the expression as written.
  std::string source;
  // kRegexp: the compiled regex (unanchored) and, for each capture group
  // (1-based index - 1), the label it sets ("" for unnamed groups).
  RegexPtr regex;
  std::vector<std::string> group_labels;
  // kPattern: literal/capture parts; never two captures in a row.
  std::vector<PatternPart> pattern;
  // kJson / kLogfmt with expressions: only these labels are extracted.
  std::vector<Extraction> extractions;
  // kLogfmt flags --strict and --keep-empty.
  bool strict = false;
  bool keep_empty = false;
};

enum class CmpOp { kEq, kNeq, kGt, kGte, kLt, kLte };

// A label filter expression tree. kAnd / kOr hold two or more children (a
// chain `a and b and c` is one node); leaves compare one label.
struct LabelFilter {
  enum class Kind { kAnd, kOr, kString, kNumber, kDuration, kBytes };
  Kind kind = Kind::kString;
  std::vector<LabelFilter> children;  // kAnd / kOr.
  // kString: the matcher (`=~` / `!~` fully anchored, as in selectors).
  std::optional<LabelMatcher> matcher;
  // kNumber / kDuration / kBytes.
  std::string name;
  CmpOp op = CmpOp::kEq;
  double number = 0;        // kNumber.
  int64_t duration_ns = 0;  // kDuration (Go time.ParseDuration units).
  uint64_t bytes = 0;       // kBytes.
  std::string literal;      // kDuration / kBytes: the value as written.
};

// `line_format "template"`.
struct LineFormat {
  std::string source;
  Template tmpl;
};

// One `dst=src` (rename) or `dst="template"` of label_format.
struct LabelFormatItem {
  std::string dst;
  bool rename = false;
  std::string src;  // rename: the source label; else the template text.
  Template tmpl;    // Template form only.
};

struct LabelFormat {
  std::vector<LabelFormatItem> items;
};

// `| drop a, b="x"` / `| keep ...`: a bare name or a matcher per item.
struct DropKeepItem {
  std::string name;                     // Bare name form.
  std::optional<LabelMatcher> matcher;  // Matcher form.
};

struct DropKeep {
  bool keep = false;
  std::vector<DropKeepItem> items;
};

struct Decolorize {};

using Stage = std::variant<LineFilter, ParserStage, LabelFilter, LineFormat,
                           LabelFormat, DropKeep, Decolorize>;
using Pipeline = std::vector<Stage>;

enum class UnwrapConv { kNone, kBytes, kDuration, kDurationSeconds };

// `| unwrap [conv(]label[)]` and the label filters that follow it (applied
// after the conversion, e.g. `| __error__=""`).
struct Unwrap {
  std::string label;
  UnwrapConv conv = UnwrapConv::kNone;
  std::vector<LabelFilter> post_filters;
};

// -------------------------------------------------------------- Expressions.

enum class ExprKind {
  kLogQuery,
  kRangeAggregation,
  kVectorAggregation,
  kBinary,
  kLiteral
};

struct Expr {
  explicit Expr(ExprKind k) : kind(k) {}
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  bool is_metric() const { return kind != ExprKind::kLogQuery; }

  ExprKind kind;
  int pos = 0;  // Byte offset of the node's first token.
};

using ExprPtr = std::unique_ptr<Expr>;

// A log query: `{selector} pipeline`. Returns log lines, not samples.
struct LogQueryExpr : Expr {
  LogQueryExpr() : Expr(ExprKind::kLogQuery) {}
  Matchers selector;
  Pipeline pipeline;
};

// `{selector} pipeline [unwrap] [range] [offset]`, the argument of a range
// aggregation.
struct LogRange {
  Matchers selector;
  Pipeline pipeline;
  std::optional<Unwrap> unwrap;
  int64_t range_ms = 0;
  int64_t offset_ms = 0;
};

enum class RangeOp {
  kCountOverTime,
  kRate,
  kBytesOverTime,
  kBytesRate,
  kSumOverTime,
  kAvgOverTime,
  kMinOverTime,
  kMaxOverTime,
  kStddevOverTime,
  kStdvarOverTime,
  kQuantileOverTime,
  kFirstOverTime,
  kLastOverTime,
  kAbsentOverTime,
};

// `by (a, b)` / `without (a)`.
struct Grouping {
  bool without = false;
  std::vector<std::string> labels;
};

struct RangeAggregationExpr : Expr {
  RangeAggregationExpr() : Expr(ExprKind::kRangeAggregation) {}
  RangeOp op = RangeOp::kCountOverTime;
  std::optional<double> param;  // quantile_over_time's φ.
  LogRange range;
  std::optional<Grouping> grouping;  // Unwrapped aggregations only.
};

enum class VectorOp {
  kSum,
  kAvg,
  kMin,
  kMax,
  kCount,
  kStddev,
  kStdvar,
  kTopK,
  kBottomK
};

struct VectorAggregationExpr : Expr {
  VectorAggregationExpr() : Expr(ExprKind::kVectorAggregation) {}
  VectorOp op = VectorOp::kSum;
  std::optional<int64_t> param;  // topk / bottomk's k (> 0).
  std::optional<Grouping> grouping;
  ExprPtr inner;  // A metric expression.
};

enum class BinOp {
  kOr,
  kAnd,
  kUnless,
  kEql,
  kNeq,
  kGtr,
  kGte,
  kLss,
  kLte,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow
};

struct BinaryExpr : Expr {
  BinaryExpr() : Expr(ExprKind::kBinary) {}
  BinOp op = BinOp::kAdd;
  bool return_bool = false;  // Comparison with `bool`.
  ExprPtr lhs;
  ExprPtr rhs;
};

struct LiteralExpr : Expr {
  LiteralExpr() : Expr(ExprKind::kLiteral) {}
  double value = 0;  // Always finite.
  // `vector(N)`: a vector of one series without labels, N at every step
  // (Grafana's data source health check sends `vector(1)+vector(1)`).
  bool is_vector = false;
};

// Names as written in queries ("count_over_time", "topk", "+", "unless").
const char* RangeOpName(RangeOp op);
const char* VectorOpName(VectorOp op);
const char* BinOpName(BinOp op);
const char* CmpOpName(CmpOp op);

// Binding power of a binary operator, PromQL's: 1 `or` .. 6 `^`.
int BinOpPrecedence(BinOp op);
bool IsComparison(BinOp op);
bool IsSetOp(BinOp op);

}  // namespace tend::logql

#endif  // TEND_LOGS_LOGQL_AST_H_
