// Maps a byte offset inside a YAML scalar's value back to a line and column
// of the file (internal to src/alert/rules), so that an error found by the
// PromQL, LogQL or template parser inside a multi-line expr points at the
// right character of the rule file.
#ifndef TEND_ALERT_RULES_SCALAR_POS_H_
#define TEND_ALERT_RULES_SCALAR_POS_H_

#include <string_view>
#include <vector>

namespace tend::alert {

class FileText {
 public:
  explicit FileText(std::string_view text);

  // 1-based line and column of byte `pos`.
  void LineColumn(size_t pos, int* line, int* column) const;

  // Where byte `offset` of `value` (the parsed scalar that starts at byte
  // `start` of the file) is written in the file. Works for plain, block
  // (| and >) and quoted scalars without escapes: the scalar's non-blank
  // characters are those of the file in order. False when the scalar's
  // text cannot be aligned (escapes); callers then use the value's start.
  bool MapOffset(size_t start, std::string_view value, size_t offset, int* line,
                 int* column) const;

  std::string_view text() const { return text_; }

 private:
  std::string_view text_;
  std::vector<size_t> line_starts_;
};

// Converts a 1-based line and column inside `s` into a byte offset (clamped
// to s.size()).
size_t OffsetOf(std::string_view s, int line, int column);

}  // namespace tend::alert

#endif  // TEND_ALERT_RULES_SCALAR_POS_H_
