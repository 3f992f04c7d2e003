// Execution of line_format / label_format templates (logql/template.h)
// against one line's labels, with Go text/template's output for the subset
// the parser accepts: a field is the label's value ("" when absent, as
// Loki's missingkey=zero), functions as in Loki (ToUpper/ToLower/TrimSpace
// ASCII-only here, default, printf, __line__).
//
// Not thread-safe: one TemplateRunner per evaluating thread; it keeps its
// scratch buffers between lines.
#ifndef TEND_LOGS_QUERY_TEMPLATE_EXEC_H_
#define TEND_LOGS_QUERY_TEMPLATE_EXEC_H_

#include <string>
#include <string_view>
#include <vector>

#include "logs/logql/template.h"
#include "logs/query/line_labels.h"

namespace tend::logql {

inline constexpr std::string_view kTemplateFormatErr = "TemplateFormatErr";

class TemplateRunner {
 public:
  // Appends the expansion of `tmpl` to *out. `line` is __line__; `out`
  // must not alias `line` or any label value. Returns false with *error
  // set when the template cannot execute (a function given the wrong
  // number of arguments); *out then holds a partial expansion.
  bool Run(const Template& tmpl, const LineLabels& labels,
           std::string_view line, std::string* out, std::string* error);

 private:
  struct Value {
    std::string_view text;
    bool number = false;
  };
  bool Command(const TemplateCommand& cmd, const LineLabels& labels,
               std::string_view line, const Value* piped, Value* result,
               std::string* error);
  void Printf(std::string_view format, const Value* args, size_t n,
              std::string* out);

  std::vector<Value> args_;
  std::string bufs_[2];  // Command results alternate between these.
  int next_buf_ = 0;
};

}  // namespace tend::logql

#endif  // TEND_LOGS_QUERY_TEMPLATE_EXEC_H_
