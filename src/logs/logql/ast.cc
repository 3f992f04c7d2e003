// Names and operator properties of the LogQL syntax tree (ast.h).
#include "logs/logql/ast.h"

namespace tend::logql {

const char* RangeOpName(RangeOp op) {
  switch (op) {
    case RangeOp::kCountOverTime:
      return "count_over_time";
    case RangeOp::kRate:
      return "rate";
    case RangeOp::kBytesOverTime:
      return "bytes_over_time";
    case RangeOp::kBytesRate:
      return "bytes_rate";
    case RangeOp::kSumOverTime:
      return "sum_over_time";
    case RangeOp::kAvgOverTime:
      return "avg_over_time";
    case RangeOp::kMinOverTime:
      return "min_over_time";
    case RangeOp::kMaxOverTime:
      return "max_over_time";
    case RangeOp::kStddevOverTime:
      return "stddev_over_time";
    case RangeOp::kStdvarOverTime:
      return "stdvar_over_time";
    case RangeOp::kQuantileOverTime:
      return "quantile_over_time";
    case RangeOp::kFirstOverTime:
      return "first_over_time";
    case RangeOp::kLastOverTime:
      return "last_over_time";
    case RangeOp::kAbsentOverTime:
      return "absent_over_time";
  }
  return "?";
}

const char* VectorOpName(VectorOp op) {
  switch (op) {
    case VectorOp::kSum:
      return "sum";
    case VectorOp::kAvg:
      return "avg";
    case VectorOp::kMin:
      return "min";
    case VectorOp::kMax:
      return "max";
    case VectorOp::kCount:
      return "count";
    case VectorOp::kStddev:
      return "stddev";
    case VectorOp::kStdvar:
      return "stdvar";
    case VectorOp::kTopK:
      return "topk";
    case VectorOp::kBottomK:
      return "bottomk";
  }
  return "?";
}

const char* BinOpName(BinOp op) {
  switch (op) {
    case BinOp::kOr:
      return "or";
    case BinOp::kAnd:
      return "and";
    case BinOp::kUnless:
      return "unless";
    case BinOp::kEql:
      return "==";
    case BinOp::kNeq:
      return "!=";
    case BinOp::kGtr:
      return ">";
    case BinOp::kGte:
      return ">=";
    case BinOp::kLss:
      return "<";
    case BinOp::kLte:
      return "<=";
    case BinOp::kAdd:
      return "+";
    case BinOp::kSub:
      return "-";
    case BinOp::kMul:
      return "*";
    case BinOp::kDiv:
      return "/";
    case BinOp::kMod:
      return "%";
    case BinOp::kPow:
      return "^";
  }
  return "?";
}

const char* CmpOpName(CmpOp op) {
  switch (op) {
    case CmpOp::kEq:
      return "==";
    case CmpOp::kNeq:
      return "!=";
    case CmpOp::kGt:
      return ">";
    case CmpOp::kGte:
      return ">=";
    case CmpOp::kLt:
      return "<";
    case CmpOp::kLte:
      return "<=";
  }
  return "?";
}

int BinOpPrecedence(BinOp op) {
  switch (op) {
    case BinOp::kOr:
      return 1;
    case BinOp::kAnd:
    case BinOp::kUnless:
      return 2;
    case BinOp::kEql:
    case BinOp::kNeq:
    case BinOp::kGtr:
    case BinOp::kGte:
    case BinOp::kLss:
    case BinOp::kLte:
      return 3;
    case BinOp::kAdd:
    case BinOp::kSub:
      return 4;
    case BinOp::kMul:
    case BinOp::kDiv:
    case BinOp::kMod:
      return 5;
    case BinOp::kPow:
      return 6;
  }
  return 0;
}

bool IsComparison(BinOp op) { return BinOpPrecedence(op) == 3; }

bool IsSetOp(BinOp op) {
  return op == BinOp::kOr || op == BinOp::kAnd || op == BinOp::kUnless;
}

}  // namespace tend::logql
