// The parser stages of a LogQL pipeline (`| json`, `| logfmt`, `| regexp`,
// `| pattern`, `| unpack`) with Loki's semantics: they add labels to a
// LineLabels and, on malformed input, set `__error__` (JSONParserErr,
// LogfmtParserErr) with `__error_details__` instead of dropping the line.
//
// Label names: extracted keys are sanitized as Loki does (every byte or
// UTF-8 character outside [A-Za-z0-9_] becomes "_", a leading digit gets a
// "_" prefix) and a key equal to one of the stream's labels gets the suffix
// "_extracted". A key extracted twice in one line keeps the last value.
//
// Allocation: a Extractor keeps its scratch buffers (and simdjson's parser)
// between lines. Not thread-safe: one per evaluating thread.
#ifndef TEND_LOGS_QUERY_EXTRACT_H_
#define TEND_LOGS_QUERY_EXTRACT_H_

#include <re2/stringpiece.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "logs/logql/ast.h"
#include "logs/query/line_labels.h"

namespace tend::logql {

inline constexpr std::string_view kJsonParserErr = "JSONParserErr";
inline constexpr std::string_view kLogfmtParserErr = "LogfmtParserErr";

// Loki's sanitizeLabelKey: appends the sanitized `key` to `out`.
// `is_prefix`: the key starts a label name (a leading digit gets "_").
void AppendSanitizedKey(std::string_view key, bool is_prefix, std::string* out);

// JSON pointer (RFC 6901) for a parsed `| json label="path"` expression.
std::string JsonPointer(const std::vector<JsonPathStep>& path);

class Extractor {
 public:
  Extractor();
  ~Extractor();
  Extractor(const Extractor&) = delete;
  Extractor& operator=(const Extractor&) = delete;

  // `| json` without expressions: every member, nested object keys joined
  // with "_", arrays skipped (as Loki), strings unescaped, numbers as
  // written, booleans "true"/"false", null "".
  void JsonAll(std::string_view line, LineLabels* labels);
  // `| json a="x.y", b="z[0]"`: `pointers[i]` (JsonPointer of the i-th
  // extraction) sets `stage.extractions[i].label`; a missing path sets "".
  // Objects and arrays give their JSON text.
  void JsonPaths(const ParserStage& stage,
                 const std::vector<std::string>& pointers,
                 std::string_view line, LineLabels* labels);
  // `| unpack`: top-level string members become labels; the member
  // `_entry` replaces the line: then *new_line is set and true returned.
  bool Unpack(std::string_view line, LineLabels* labels, std::string* new_line);
  // `| logfmt [--strict] [--keep-empty] [a="key", ...]` (go-logfmt's
  // syntax). Without --strict a malformed pair is skipped; with it parsing
  // stops with LogfmtParserErr.
  void Logfmt(const ParserStage& stage, std::string_view line,
              LineLabels* labels);
  // `| regexp "re"`: the named groups of the first match; no match adds
  // nothing.
  void Regexp(const ParserStage& stage, std::string_view line,
              LineLabels* labels);
  // `| pattern "..."`: Loki's matcher (literals found left to right; a
  // capture before a missing literal takes the rest of the line).
  void Pattern(const ParserStage& stage, std::string_view line,
               LineLabels* labels);

 private:
  struct Json;
  // Adds an extracted label whose name is already sanitized.
  void Add(std::string_view name, std::string_view value, LineLabels* labels);

  std::unique_ptr<Json> json_;
  std::string name_;      // Sanitized name being built.
  std::string value_;     // Unescaped value scratch.
  std::string suffixed_;  // Name + "_extracted".
  std::vector<re2::StringPiece> groups_;
};

}  // namespace tend::logql

#endif  // TEND_LOGS_QUERY_EXTRACT_H_
