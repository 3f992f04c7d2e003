// The PromQL lexer: query text to tokens, with Prometheus 2.42's lexical
// rules (promql/parser/lex.go): keywords are case-insensitive, identifiers
// inside braces are never keywords, a duration must directly follow '[',
// and '#' starts a comment that runs to the end of the line.
//
// The lexer is independent of the parser's state, so the whole input is
// tokenized up front. A lexical error ends the stream with a kError token
// whose text is the message; the parser reports it only when it reaches
// that token, as Prometheus's lazily pulling parser does.
#ifndef TEND_PROMQL_LEXER_H_
#define TEND_PROMQL_LEXER_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/utf8.h"

namespace tend::promql {

enum class TokenType {
  kEof,
  kError,
  kIdentifier,
  kMetricIdentifier,
  kNumber,
  kString,
  kDuration,
  kLeftParen,
  kRightParen,
  kLeftBrace,
  kRightBrace,
  kLeftBracket,
  kRightBracket,
  kComma,
  kEql,  // '=' (label matchers).
  kColon,
  // Operators.
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kEqlc,  // '=='
  kNeq,
  kLss,
  kLte,
  kGtr,
  kGte,
  kEqlRegex,
  kNeqRegex,
  kAt,
  kLand,
  kLor,
  kLunless,
  kAtan2,
  // Aggregators.
  kAvg,
  kBottomK,
  kCount,
  kCountValues,
  kGroup,
  kMax,
  kMin,
  kQuantile,
  kStddev,
  kStdvar,
  kSum,
  kTopK,
  // Keywords.
  kBool,
  kBy,
  kGroupLeft,
  kGroupRight,
  kIgnoring,
  kOffset,
  kOn,
  kWithout,
  // @ modifier preprocessors.
  kStart,
  kEnd,
};

struct Token {
  TokenType type = TokenType::kEof;
  int pos = 0;            // Byte offset of the token's first byte.
  std::string_view text;  // The token's bytes (empty for kError/kEof).
  std::string error;      // kError only: the message.
};

// Tokenizes `input`. The result always ends with exactly one kEof or kError
// token; comments and whitespace are dropped. Token texts view `input`,
// which must outlive the result.
std::vector<Token> Lex(std::string_view input);

bool IsAggregatorToken(TokenType t);
bool IsOperatorToken(TokenType t);
bool IsKeywordToken(TokenType t);

// How Prometheus names a token in "unexpected ..." messages: `<op:+>`,
// `<aggr:sum>`, `<by>`, `identifier "foo"`, `number "1"`, `"("`,
// `end of input`.
std::string DescribeToken(const Token& t);

// Resolves the escapes of a string token's text (quotes included), as Go's
// strconv.Unquote does. The lexer has already validated the escapes, so this
// fails only for text that did not come from a kString token.
Result<std::string> UnquoteString(std::string_view quoted);

// The value of a number token's text, as Prometheus reads it: Go's
// strconv.ParseInt(text, 0, 64) first (so "0x1f" is hex and "017" octal),
// then strconv.ParseFloat ("1.5e3", ".5", "Inf", "nan"). On failure the
// message is Prometheus's, e.g. `strconv.ParseFloat: parsing "1e400": value
// out of range`.
Result<double> ParseNumber(std::string_view text);

// UTF-8 helpers (base/utf8.h), used by the lexer, parser and printer.
using ::tend::AppendUtf8;
using ::tend::DecodeRune;
using ::tend::kRuneError;

}  // namespace tend::promql

#endif  // TEND_PROMQL_LEXER_H_
