// Token classes of the PromQL grammar and Go-worded regex errors for the
// parser (parser_internal.h).
#include <re2/re2.h>

#include <string>

#include "promql/parser_internal.h"

namespace tend::promql {
namespace {

// Go's regexp/syntax wording for an RE2 error code.
const char* GoRegexpError(re2::RE2::ErrorCode code) {
  switch (code) {
    case re2::RE2::ErrorBadEscape:
      return "invalid escape sequence";
    case re2::RE2::ErrorBadCharClass:
      return "invalid character class";
    case re2::RE2::ErrorBadCharRange:
      return "invalid character class range";
    case re2::RE2::ErrorMissingBracket:
      return "missing closing ]";
    case re2::RE2::ErrorMissingParen:
      return "missing closing )";
    case re2::RE2::ErrorUnexpectedParen:
      return "unexpected )";
    case re2::RE2::ErrorTrailingBackslash:
      return "trailing backslash at end of expression";
    case re2::RE2::ErrorRepeatArgument:
      return "missing argument to repetition operator";
    case re2::RE2::ErrorRepeatSize:
      return "invalid repeat count";
    case re2::RE2::ErrorRepeatOp:
      return "invalid nested repetition operator";
    case re2::RE2::ErrorBadPerlOp:
      return "invalid or unsupported Perl syntax";
    case re2::RE2::ErrorBadUTF8:
      return "invalid UTF-8";
    case re2::RE2::ErrorBadNamedCapture:
      return "invalid named capture";
    default:
      return nullptr;
  }
}

}  // namespace

// Binding power of a binary operator token; 0 when it is none.
int Precedence(TokenType t) {
  switch (t) {
    case TokenType::kLor:
      return 1;
    case TokenType::kLand:
    case TokenType::kLunless:
      return 2;
    case TokenType::kEqlc:
    case TokenType::kNeq:
    case TokenType::kLte:
    case TokenType::kLss:
    case TokenType::kGte:
    case TokenType::kGtr:
      return 3;
    case TokenType::kAdd:
    case TokenType::kSub:
      return 4;
    case TokenType::kMul:
    case TokenType::kDiv:
    case TokenType::kMod:
    case TokenType::kAtan2:
      return 5;
    case TokenType::kPow:
      return 6;
    default:
      return 0;
  }
}

BinOp ToBinOp(TokenType t) {
  switch (t) {
    case TokenType::kAdd:
      return BinOp::kAdd;
    case TokenType::kSub:
      return BinOp::kSub;
    case TokenType::kMul:
      return BinOp::kMul;
    case TokenType::kDiv:
      return BinOp::kDiv;
    case TokenType::kMod:
      return BinOp::kMod;
    case TokenType::kPow:
      return BinOp::kPow;
    case TokenType::kAtan2:
      return BinOp::kAtan2;
    case TokenType::kEqlc:
      return BinOp::kEql;
    case TokenType::kNeq:
      return BinOp::kNeq;
    case TokenType::kGtr:
      return BinOp::kGtr;
    case TokenType::kLss:
      return BinOp::kLss;
    case TokenType::kGte:
      return BinOp::kGte;
    case TokenType::kLte:
      return BinOp::kLte;
    case TokenType::kLand:
      return BinOp::kAnd;
    case TokenType::kLor:
      return BinOp::kOr;
    default:
      return BinOp::kUnless;
  }
}

AggOp ToAggOp(TokenType t) {
  switch (t) {
    case TokenType::kSum:
      return AggOp::kSum;
    case TokenType::kAvg:
      return AggOp::kAvg;
    case TokenType::kCount:
      return AggOp::kCount;
    case TokenType::kMin:
      return AggOp::kMin;
    case TokenType::kMax:
      return AggOp::kMax;
    case TokenType::kGroup:
      return AggOp::kGroup;
    case TokenType::kStddev:
      return AggOp::kStddev;
    case TokenType::kStdvar:
      return AggOp::kStdvar;
    case TokenType::kTopK:
      return AggOp::kTopK;
    case TokenType::kBottomK:
      return AggOp::kBottomK;
    case TokenType::kCountValues:
      return AggOp::kCountValues;
    default:
      return AggOp::kQuantile;
  }
}

// Tokens that may name a metric (the grammar's metric_identifier): plain
// identifiers and the keywords that are not operators-only.
bool IsMetricIdentifier(TokenType t) {
  switch (t) {
    case TokenType::kIdentifier:
    case TokenType::kMetricIdentifier:
    case TokenType::kBy:
    case TokenType::kLand:
    case TokenType::kLor:
    case TokenType::kLunless:
    case TokenType::kOffset:
    case TokenType::kWithout:
    case TokenType::kStart:
    case TokenType::kEnd:
      return true;
    default:
      return IsAggregatorToken(t);
  }
}

// Tokens that may name a label in by/without/on/ignoring/group_x lists
// (the grammar's maybe_label).
bool IsMaybeLabel(TokenType t) {
  switch (t) {
    case TokenType::kIdentifier:
    case TokenType::kMetricIdentifier:
    case TokenType::kBool:
    case TokenType::kBy:
    case TokenType::kGroupLeft:
    case TokenType::kGroupRight:
    case TokenType::kIgnoring:
    case TokenType::kLand:
    case TokenType::kLor:
    case TokenType::kLunless:
    case TokenType::kOffset:
    case TokenType::kOn:
    case TokenType::kStart:
    case TokenType::kEnd:
    case TokenType::kAtan2:
      return true;
    default:
      return IsAggregatorToken(t);
  }
}

bool CanStartExpr(TokenType t) {
  switch (t) {
    case TokenType::kNumber:
    case TokenType::kString:
    case TokenType::kLeftParen:
    case TokenType::kLeftBrace:
    case TokenType::kAdd:
    case TokenType::kSub:
      return true;
    default:
      return IsMetricIdentifier(t);
  }
}

// The message for a regex matcher that failed to compile, worded as Go's
// regexp package words it for Prometheus ("error parsing regexp: missing
// closing ): `...`"); LabelMatcher's own message when RE2 has no code.
std::string RegexError(const Status& create_error, const std::string& value) {
  re2::RE2::Options opts;
  opts.set_log_errors(false);
  re2::RE2 re("^(?:" + value + ")$", opts);
  const char* what = re.ok() ? nullptr : GoRegexpError(re.error_code());
  if (what == nullptr) return create_error.message();
  return std::string("error parsing regexp: ") + what + ": `" + re.error_arg() +
         "`";
}

// "" when `pattern` compiles on its own, else Go's wording of the error.
std::string StandaloneRegexError(const std::string& pattern) {
  re2::RE2::Options opts;
  opts.set_log_errors(false);
  re2::RE2 re(pattern, opts);
  if (re.ok()) return "";
  const char* what = GoRegexpError(re.error_code());
  if (what == nullptr) return "error parsing regexp: " + re.error();
  return std::string("error parsing regexp: ") + what + ": `" + re.error_arg() +
         "`";
}

}  // namespace tend::promql
