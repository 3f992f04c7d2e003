// Internal to the LogQL parser: the recursive-descent Parser shared by
// parser.cc (queries, metric expressions, ranges) and parser_stages.cc
// (pipeline stages and label filters).
#ifndef TEND_LOGS_LOGQL_PARSER_INTERNAL_H_
#define TEND_LOGS_LOGQL_PARSER_INTERNAL_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "logs/logql/ast.h"
#include "logs/logql/lexer.h"

namespace tend::logql {

// Nesting deeper than this (parentheses, binary operator chains, label
// filter groups) is rejected: the printer, evaluator and destructors
// recurse over the tree.
inline constexpr int kMaxDepth = 256;

// kInvalidArgument "parse error at line L, col C: msg" for byte offset `pos`
// of `query` (1-based line and column; the column counts bytes).
Status ParseError(std::string_view query, int pos, std::string_view msg);

class Parser {
 public:
  explicit Parser(std::string_view input) : input_(input), toks_(Lex(input)) {}

  Result<ExprPtr> ParseQuery();
  Result<Matchers> ParseSelectorOnly();

 private:
  // A metric subtree and its height (nodes on the longest root-to-leaf
  // path), to bound recursion.
  struct Parsed {
    ExprPtr e;
    int height = 1;
  };

  // ---- Tokens and errors (parser.cc).
  const Token& Peek(size_t k = 0) const;
  const Token& Next();
  bool PeekIdent(std::string_view word, size_t k = 0) const;
  Status Error(int pos, const std::string& msg) const;
  // "unexpected <token>, expected <what>" about the next token (the lexer's
  // message when the next token is a lexical error).
  Status Unexpected(const std::string& expected) const;
  // Consumes the next token when it has `type`, else "unexpected ...".
  Status ExpectTok(Tok type, const char* expected);
  Result<std::string> ExpectIdent(const char* expected);
  Result<std::string> ExpectString(const char* expected, int* pos = nullptr);
  // The byte offset of `offset` into the value of string token `t`: exact
  // when the string has no escapes, else the token's own position.
  static int PosInString(const Token& t, size_t offset);

  // ---- Queries (parser.cc).
  Result<Parsed> ParseExpr(int min_prec, int depth);
  Result<Parsed> ParseUnary(int depth);
  Result<Parsed> ParsePrimary(int depth);
  Result<Parsed> ParseRangeAggregation(RangeOp op, int depth);
  Result<Parsed> ParseVectorAggregation(VectorOp op, int depth);
  Result<Grouping> ParseGrouping();
  Result<LogRange> ParseLogRange(int depth, bool inner);
  Result<int64_t> ParseRangeDuration();
  Result<int64_t> ParseOffset();
  Result<Matchers> ParseSelector();
  Result<LabelMatcher> ParseMatcher();

  // ---- Pipelines (parser_stages.cc).
  // Whether the next tokens begin a pipeline stage.
  bool AtStage() const;
  // Parses stages while AtStage(). With `unwrap` non-null an `| unwrap`
  // stage ends the pipeline and is stored there (a range context);
  // otherwise `| unwrap` is an error.
  Status ParsePipeline(Pipeline* out, std::optional<Unwrap>* unwrap, int depth);
  Result<LineFilter> ParseLineFilter();
  Result<ParserStage> ParseParserStage(std::string_view kind);
  Result<std::vector<Extraction>> ParseExtractions(bool json);
  Result<LineFormat> ParseLineFormat();
  Result<LabelFormat> ParseLabelFormat();
  Result<DropKeep> ParseDropKeep(bool keep);
  Result<Unwrap> ParseUnwrap(int depth);
  Result<LabelFilter> ParseLabelFilterOr(int depth);
  Result<LabelFilter> ParseLabelFilterAnd(int depth);
  Result<LabelFilter> ParseLabelFilterPrimary(int depth);
  bool AtLabelFilterPrimary() const;

  std::string_view input_;
  std::vector<Token> toks_;
  size_t next_ = 0;
};

}  // namespace tend::logql

#endif  // TEND_LOGS_LOGQL_PARSER_INTERNAL_H_
