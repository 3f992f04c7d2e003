// Prometheus 2.42's checkAST: the type rules of PromQL, checked bottom-up
// in the same order so that the first error is the one Prometheus reports.
#include <string>

#include "model/labels.h"
#include "promql/parser_internal.h"

namespace tend::promql {
namespace {

// ValueType's own name ("vector", "matrix"), which a few of Prometheus's
// messages use instead of the documented one.
const char* RawTypeName(ValueType t) {
  switch (t) {
    case ValueType::kNone:
      return "none";
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kVector:
      return "vector";
    case ValueType::kMatrix:
      return "matrix";
    case ValueType::kString:
      return "string";
  }
  return "none";
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

class Checker {
 public:
  Checker(std::string_view query, const OpPositions& ops)
      : query_(query), ops_(ops) {}

  Result<ValueType> Check(Expr& node) {
    switch (node.kind) {
      case NodeKind::kNumberLiteral:
      case NodeKind::kStringLiteral:
        break;
      case NodeKind::kVectorSelector:
        RETURN_IF_ERROR(CheckSelector(static_cast<VectorSelector&>(node)));
        break;
      case NodeKind::kMatrixSelector: {
        auto& ms = static_cast<MatrixSelector&>(node);
        RETURN_IF_ERROR(Check(*ms.vector_selector));
        break;
      }
      case NodeKind::kSubquery: {
        auto& sq = static_cast<SubqueryExpr&>(node);
        ASSIGN_OR_RETURN(ValueType t, Check(*sq.expr));
        if (t != ValueType::kVector) {
          return Error(node.pos.start,
                       std::string("subquery is only allowed on instant "
                                   "vector, got ") +
                           RawTypeName(t) + " instead");
        }
        break;
      }
      case NodeKind::kCall:
        RETURN_IF_ERROR(CheckCall(static_cast<Call&>(node)));
        break;
      case NodeKind::kAggregate: {
        auto& agg = static_cast<AggregateExpr&>(node);
        RETURN_IF_ERROR(ExpectType(*agg.expr, ValueType::kVector,
                                   "aggregation expression"));
        if (agg.op == AggOp::kTopK || agg.op == AggOp::kBottomK ||
            agg.op == AggOp::kQuantile) {
          RETURN_IF_ERROR(ExpectType(*agg.param, ValueType::kScalar,
                                     "aggregation parameter"));
        }
        if (agg.op == AggOp::kCountValues) {
          RETURN_IF_ERROR(ExpectType(*agg.param, ValueType::kString,
                                     "aggregation parameter"));
        }
        break;
      }
      case NodeKind::kBinary:
        RETURN_IF_ERROR(CheckBinary(static_cast<BinaryExpr&>(node)));
        break;
      case NodeKind::kUnary: {
        auto& u = static_cast<UnaryExpr&>(node);
        ASSIGN_OR_RETURN(ValueType t, Check(*u.expr));
        if (t != ValueType::kScalar && t != ValueType::kVector) {
          return Error(node.pos.start,
                       std::string("unary expression only allowed on "
                                   "expressions of type scalar or instant "
                                   "vector, got \"") +
                           DocumentedType(t) + "\"");
        }
        break;
      }
      case NodeKind::kParen:
        RETURN_IF_ERROR(Check(*static_cast<ParenExpr&>(node).expr));
        break;
      case NodeKind::kStepInvariant:
        RETURN_IF_ERROR(Check(*static_cast<StepInvariantExpr&>(node).expr));
        break;
    }
    return node.type();
  }

 private:
  Status Error(int pos, const std::string& msg) const {
    return ParseError(query_, pos, msg);
  }

  Status ExpectType(Expr& e, ValueType want, const std::string& context) {
    ASSIGN_OR_RETURN(ValueType t, Check(e));
    if (t != want) {
      return Error(e.pos.start, std::string("expected type ") +
                                    DocumentedType(want) + " in " + context +
                                    ", got " + DocumentedType(t));
    }
    return Status::Ok();
  }

  Status CheckSelector(const VectorSelector& vs) {
    if (!vs.name.empty()) {
      // matchers[0] is the name written before the braces.
      for (size_t i = 1; i < vs.matchers.size(); ++i) {
        if (vs.matchers[i].name() == kMetricNameLabel) {
          return Error(vs.pos.start,
                       "metric name must not be set twice: " + Quote(vs.name) +
                           " or " + Quote(vs.matchers[i].value()));
        }
      }
      return Status::Ok();
    }
    // Matching everything by accident (a typo) is refused.
    for (const LabelMatcher& m : vs.matchers) {
      if (!m.MatchesEmpty()) return Status::Ok();
    }
    return Error(vs.pos.start,
                 "vector selector must contain at least one non-empty matcher");
  }

  Status CheckCall(Call& call) {
    const FunctionSignature& f = *call.func;
    const int nargs = static_cast<int>(f.arg_types.size());
    const int got = static_cast<int>(call.args.size());
    const std::string name = Quote(f.name);
    if (f.variadic == 0) {
      if (nargs != got) {
        return Error(call.pos.start, "expected " + std::to_string(nargs) +
                                         " argument(s) in call to " + name +
                                         ", got " + std::to_string(got));
      }
    } else {
      const int min = nargs - 1;
      if (min > got) {
        return Error(call.pos.start, "expected at least " +
                                         std::to_string(min) +
                                         " argument(s) in call to " + name +
                                         ", got " + std::to_string(got));
      }
      if (f.variadic > 0 && min + f.variadic < got) {
        return Error(call.pos.start, "expected at most " +
                                         std::to_string(min + f.variadic) +
                                         " argument(s) in call to " + name +
                                         ", got " + std::to_string(got));
      }
    }
    for (int i = 0; i < got; ++i) {
      int k = i;
      if (k >= nargs) {
        if (f.variadic == 0) break;
        k = nargs - 1;
      }
      ASSIGN_OR_RETURN(ValueType t, Check(*call.args[i]));
      if (t != f.arg_types[k]) {
        return Error(
            call.args[i]->pos.start,
            std::string("expected type ") + DocumentedType(f.arg_types[k]) +
                " in call to function " + name + ", got " + DocumentedType(t));
      }
    }
    return Status::Ok();
  }

  Status CheckBinary(BinaryExpr& b) {
    ASSIGN_OR_RETURN(ValueType lt, Check(*b.lhs));
    ASSIGN_OR_RETURN(ValueType rt, Check(*b.rhs));
    auto it = ops_.find(&b);
    const int op_pos = it != ops_.end() ? it->second : b.pos.start;
    const bool cmp = IsComparisonOp(b.op);
    const bool set = IsSetOp(b.op);
    if (b.return_bool && !cmp) {
      return Error(op_pos,
                   "bool modifier can only be used on comparison operators");
    }
    if (cmp && !b.return_bool && lt == ValueType::kScalar &&
        rt == ValueType::kScalar) {
      return Error(op_pos,
                   "comparisons between scalars must use BOOL modifier");
    }
    if (!b.matching) b.matching.emplace();
    VectorMatching& vm = *b.matching;
    if (set && vm.card == Cardinality::kOneToOne) {
      vm.card = Cardinality::kManyToMany;
    }
    if (vm.on) {
      for (const std::string& l1 : vm.matching_labels) {
        for (const std::string& l2 : vm.include) {
          if (l1 == l2) {
            return Error(op_pos, "label " + Quote(l1) +
                                     " must not occur in ON and GROUP clause "
                                     "at once");
          }
        }
      }
    }
    if (lt != ValueType::kScalar && lt != ValueType::kVector) {
      return Error(b.lhs->pos.start,
                   "binary expression must contain only scalar and instant "
                   "vector types");
    }
    if (rt != ValueType::kScalar && rt != ValueType::kVector) {
      return Error(b.rhs->pos.start,
                   "binary expression must contain only scalar and instant "
                   "vector types");
    }
    const std::string op_name = Quote(BinOpName(b.op));
    if (lt != ValueType::kVector || rt != ValueType::kVector) {
      if (!vm.matching_labels.empty()) {
        return Error(b.pos.start,
                     "vector matching only allowed between instant vectors");
      }
      b.matching.reset();
    } else if (set) {
      if (vm.card == Cardinality::kOneToMany ||
          vm.card == Cardinality::kManyToOne) {
        return Error(b.pos.start,
                     "no grouping allowed for " + op_name + " operation");
      }
    }
    if ((lt == ValueType::kScalar || rt == ValueType::kScalar) && set) {
      return Error(b.pos.start, "set operator " + op_name +
                                    " not allowed in binary scalar expression");
    }
    return Status::Ok();
  }

  std::string_view query_;
  const OpPositions& ops_;
};

}  // namespace

Status CheckAst(Expr& e, std::string_view query, const OpPositions& ops) {
  return Checker(query, ops).Check(e).status();
}

}  // namespace tend::promql
