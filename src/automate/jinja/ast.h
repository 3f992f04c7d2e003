// The syntax tree of a compiled template: statements (text, output, if,
// for, set) holding expressions. Nodes are immutable after parsing; byte
// offsets point into the template's text for error positions.
#ifndef TEND_AUTOMATE_JINJA_AST_H_
#define TEND_AUTOMATE_JINJA_AST_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "automate/value.h"

namespace tend::automate::jinja {

struct FilterDef;  // builtins.h
struct TestDef;

enum class ExprKind : uint8_t {
  kLiteral,  // literal
  kName,     // name
  kAttr,     // kids[0].name (name; an int name indexes a list)
  kItem,     // kids[0][kids[1]]
  kSlice,    // kids[0][kids[1]:kids[2]:kids[3]] (null kids when omitted)
  kNeg,
  kPos,
  kNot,
  kBinary,  // kids[0] bin kids[1]
  kAnd,
  kOr,
  kCompare,  // kids[0] cmps[0] kids[1] cmps[1] kids[2] ... (chained)
  kCond,     // kids[1] if kids[0] else kids[2] (kids[2] may be null)
  kList,
  kTuple,   // evaluates to a list
  kDict,    // kids: key, value, key, value ...
  kFilter,  // kids[0] | filter(kids[1..], kwargs)
  kTest,    // kids[0] is [not] test(kids[1..], kwargs)
  kCall,    // kids[0](kids[1..], kwargs); kids[0] a kName or kAttr
};

enum class BinOp : uint8_t {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kFloorDiv,
  kMod,
  kPow,
  kConcat
};
enum class CmpOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe, kIn, kNotIn };

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  BinOp bin = BinOp::kAdd;
  bool negate = false;  // kTest: "is not"
  uint32_t offset = 0;  // byte offset of the node's first token
  Value literal;        // kLiteral
  std::string name;     // kName, kAttr, kFilter, kTest, kCall on a name
  std::vector<CmpOp> cmps;
  std::vector<std::unique_ptr<Expr>> kids;
  std::vector<std::string> kwnames;  // keyword arguments, in order
  std::vector<std::unique_ptr<Expr>> kwargs;
  const FilterDef* filter = nullptr;  // kFilter, resolved when compiling
  const TestDef* test = nullptr;      // kTest
};

enum class StmtKind : uint8_t { kText, kOutput, kIf, kFor, kSet, kSetBlock };

struct Stmt {
  StmtKind kind = StmtKind::kText;
  uint32_t tag_begin = 0;  // span of the tag in the text, for messages
  uint32_t tag_end = 0;
  std::string text;                  // kText
  std::unique_ptr<Expr> expr;        // kOutput, kFor iterable, kSet value
  std::vector<std::string> targets;  // kFor, kSet, kSetBlock names
  std::unique_ptr<Expr> filter;      // kFor "if" clause
  std::vector<std::unique_ptr<Expr>> conds;  // kIf: if, elif, elif...
  std::vector<std::vector<Stmt>> bodies;     // kIf: one per cond
  std::vector<Stmt> body;                    // kFor, kSetBlock
  std::vector<Stmt> else_body;               // kIf else, kFor else
};

}  // namespace tend::automate::jinja

#endif  // TEND_AUTOMATE_JINJA_AST_H_
