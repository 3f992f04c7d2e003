// LineLabels: the label set of one log line while a LogQL pipeline runs on
// it: the stream's labels plus the labels parsers extract, minus what
// drop/keep removes, plus the line's error (`__error__`,
// `__error_details__`).
//
// Reuse contract: one LineLabels per evaluating loop. Reset() per line keeps
// every slot's string capacity, so after a few lines running a pipeline
// allocates nothing. Not thread-safe.
#ifndef TEND_LOGS_QUERY_LINE_LABELS_H_
#define TEND_LOGS_QUERY_LINE_LABELS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logs/logql/label_filter_eval.h"
#include "model/labels.h"

namespace tend::logql {

inline constexpr std::string_view kErrorLabel = "__error__";
inline constexpr std::string_view kErrorDetailsLabel = "__error_details__";

class LineLabels {
 public:
  // Starts a line whose stream labels are `stream` (canonical; must outlive
  // the line's processing: only BaseHas reads it afterwards).
  void Reset(const Labels& stream);

  // The value of `name` (`__error__` / `__error_details__` included), or
  // nullopt when absent. The view is valid until the next change.
  std::optional<std::string_view> Get(std::string_view name) const;
  // Whether the stream labels (not the extracted ones) have `name`.
  bool BaseHas(std::string_view name) const;
  // Sets or replaces `name` (setting `__error__` sets the error).
  void Set(std::string_view name, std::string_view value);
  void Del(std::string_view name);

  std::string_view error() const { return error_; }
  bool has_error() const { return !error_.empty(); }
  // Sets the error (Loki keeps the first details when several stages fail;
  // here the last error wins for both, which matches a single failure).
  void SetError(std::string_view error, std::string_view details);

  // Live labels, unsorted (without the error labels).
  size_t size() const { return n_; }
  const Label& at(size_t i) const { return slots_[i]; }

  // The canonical (sorted) label set including the error labels.
  void ToLabels(Labels* out) const;
  // A hash of ToLabels() without building it (equal sets hash equal).
  uint64_t Hash() const;
  // Whether ToLabels() would equal `labels` (canonical), without building it.
  bool Equals(const Labels& labels) const;

 private:
  std::vector<Label> slots_;  // slots_[0, n_) are live.
  size_t n_ = 0;
  const Labels* stream_ = nullptr;
  std::string error_;
  std::string details_;
  bool has_details_ = false;
  mutable std::vector<uint32_t> order_;  // Scratch for Hash().
};

// Adapts a LineLabels for logql::EvalLabelFilter.
class LineLabelsFilterContext final : public LabelFilterContext {
 public:
  explicit LineLabelsFilterContext(LineLabels* labels) : labels_(labels) {}
  std::optional<std::string_view> Get(std::string_view name) override {
    return labels_->Get(name);
  }
  std::string_view error() override { return labels_->error(); }
  void SetError(std::string_view error, std::string_view details) override {
    labels_->SetError(error, details);
  }

 private:
  LineLabels* labels_;
};

}  // namespace tend::logql

#endif  // TEND_LOGS_QUERY_LINE_LABELS_H_
