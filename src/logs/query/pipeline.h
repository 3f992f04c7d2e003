// PipelineRunner: runs a LogQL pipeline (`|= "x" | json | status >= 500 |
// line_format ...`) on one log line at a time, with Loki's semantics.
//
//   PipelineRunner run(expr.pipeline);
//   while (it->Next()) {
//     if (!run.Run(it->labels(), it->line())) continue;   // dropped
//     Use(run.line(), run.labels_touched() ? run.labels() : it->labels());
//   }
//
// Stages run in order. Line filters are memmem / RE2 partial matches on the
// current line; parsers add labels (extract.h); label filters use
// logql::EvalLabelFilter; line_format rewrites the line (the original is
// kept, with TemplateFormatErr, when the template fails); label_format,
// drop, keep and decolorize as in Loki. A line with `__error__` is kept
// (only a label filter on `__error__` drops it); metric evaluation decides
// what an error means there.
//
// Allocation: labels and line buffers are reused, so once warm a line that
// only passes line filters and parsers allocates nothing (RE2 capture
// matching in `| regexp` may). The runner borrows `pipeline`, which must
// outlive it. Not thread-safe: one runner per evaluating thread.
#ifndef TEND_LOGS_QUERY_PIPELINE_H_
#define TEND_LOGS_QUERY_PIPELINE_H_

#include <string>
#include <string_view>
#include <vector>

#include "logs/logql/ast.h"
#include "logs/query/extract.h"
#include "logs/query/line_labels.h"
#include "logs/query/template_exec.h"
#include "model/labels.h"

namespace tend::logql {

class PipelineRunner {
 public:
  explicit PipelineRunner(const Pipeline& pipeline);

  // Runs every stage on `line` of stream `stream` (which must stay valid
  // until the next Run). Returns false when a stage drops the line.
  bool Run(const Labels& stream, std::string_view line);

  // The line after the stages; valid until the next Run.
  std::string_view line() const { return line_; }
  // Whether any stage may change labels (parsers, label stages). When not,
  // the line's labels are the stream's and labels() is not maintained.
  bool labels_touched() const { return needs_labels_; }
  // The line's labels after the stages (only when labels_touched(), or
  // after EnsureLabels()).
  LineLabels& labels() { return labels_; }
  // Fills labels() from the stream when the stages did not (unwrap needs
  // them even after a pipeline of line filters only).
  void EnsureLabels();

 private:
  bool LineFilterKeeps(const LineFilter& f) const;
  void RunParser(const ParserStage& p, size_t stage_index);
  void RunLineFormat(const LineFormat& f);
  void RunLabelFormat(const LabelFormat& f);
  void RunDropKeep(const DropKeep& d);
  void Decolorize();
  // Makes `out` the other line buffer than the one line_ points into.
  std::string& SpareBuffer();

  const Pipeline& pipeline_;
  bool needs_labels_ = false;
  bool labels_ready_ = false;
  const Labels* stream_ = nullptr;
  std::vector<std::vector<std::string>> json_pointers_;  // Per stage.
  Extractor extractor_;
  TemplateRunner templates_;
  LineLabels labels_;
  std::string_view line_;
  std::string bufs_[2];
  std::string error_;
  std::vector<std::string> label_scratch_;
};

}  // namespace tend::logql

#endif  // TEND_LOGS_QUERY_PIPELINE_H_
