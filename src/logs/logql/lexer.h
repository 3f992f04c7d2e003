// The LogQL lexer: query text to tokens.
//
// Keywords (json, by, and, unwrap, ...) are plain identifiers here; the
// parser gives them meaning by context, so a label may be named like a
// keyword (`| duration > 1s`, `| bytes > 10KB`). A number-like token is
// a digit (or '.' and a digit) followed by letters, digits and dots
// ("5", "0.5", "1e+06", "5m", "1h30m", "250ms", "10KB"); the parser decides
// whether it is a number, a duration or a byte size. '#' starts a comment
// that runs to the end of the line.
//
// The whole input is tokenized up front. A lexical error ends the stream
// with a kError token whose `error` is the message.
#ifndef TEND_LOGS_LOGQL_LEXER_H_
#define TEND_LOGS_LOGQL_LEXER_H_

#include <string>
#include <string_view>
#include <vector>

namespace tend::logql {

enum class Tok {
  kEof,
  kError,
  kIdent,
  kNumber,      // Number-like, see above.
  kString,      // "..." or `...`; `value` holds the unquoted bytes.
  kParserFlag,  // --strict
  kLParen,
  kRParen,
  kLBrace,
  kRBrace,
  kLBracket,
  kRBracket,
  kComma,
  kEq,           // =
  kNeq,          // !=
  kRe,           // =~
  kNre,          // !~
  kPipe,         // |
  kPipeExact,    // |=
  kPipeMatch,    // |~
  kPipePattern,  // |>
  kNotPattern,   // !>
  kCmpEq,        // ==
  kGt,
  kGte,
  kLt,
  kLte,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
};

struct Token {
  Tok type = Tok::kEof;
  int pos = 0;            // Byte offset of the token's first byte.
  std::string_view text;  // The token's bytes as written.
  std::string value;      // kString: unquoted value; kError: the message.
};

// Tokenizes `input`, which must outlive the result. The result always ends
// with exactly one kEof or kError token.
std::vector<Token> Lex(std::string_view input);

// How errors name a token: `"|="`, `identifier "foo"`, `number "5m"`,
// `string "abc"`, `end of input`.
std::string DescribeToken(const Token& t);

}  // namespace tend::logql

#endif  // TEND_LOGS_LOGQL_LEXER_H_
