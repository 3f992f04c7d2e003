#include "alert/rules/scalar_pos.h"

#include <algorithm>

namespace tend::alert {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

FileText::FileText(std::string_view text) : text_(text) {
  line_starts_.push_back(0);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') line_starts_.push_back(i + 1);
  }
}

void FileText::LineColumn(size_t pos, int* line, int* column) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), pos);
  const size_t idx = static_cast<size_t>(it - line_starts_.begin()) - 1;
  *line = static_cast<int>(idx) + 1;
  *column = static_cast<int>(pos - line_starts_[idx]) + 1;
}

bool FileText::MapOffset(size_t start, std::string_view value, size_t offset,
                         int* line, int* column) const {
  if (start >= text_.size()) return false;
  size_t p = start;
  const char first = text_[p];
  if (first == '|' || first == '>') {
    const size_t nl = text_.find('\n', p);
    if (nl == std::string_view::npos) return false;
    p = nl + 1;
  } else if (first == '"' || first == '\'') {
    // Escapes ("\n", '') would break the character alignment.
    const size_t end = text_.find(first, p + 1);
    if (end == std::string_view::npos) return false;
    if (first == '"' &&
        text_.substr(p + 1, end - p - 1).find('\\') != std::string_view::npos) {
      return false;
    }
    if (first == '\'' && value.find('\'') != std::string_view::npos) {
      return false;
    }
    ++p;
  }
  offset = std::min(offset, value.size());
  // The target is the k-th non-blank character of the value (0-based), or
  // just past the last one when the offset is at the end.
  size_t k = 0;
  for (size_t i = 0; i < offset; ++i) k += !IsBlank(value[i]);
  bool past_end = true;
  for (size_t i = offset; i < value.size(); ++i) {
    if (!IsBlank(value[i])) {
      past_end = false;
      break;
    }
  }
  size_t seen = 0;
  size_t last = std::string_view::npos;
  for (size_t i = p; i < text_.size(); ++i) {
    if (IsBlank(text_[i])) continue;
    if (!past_end && seen == k) {
      LineColumn(i, line, column);
      return true;
    }
    last = i;
    if (++seen == k && past_end) {
      LineColumn(last + 1, line, column);
      return true;
    }
  }
  if (k == 0 && past_end) {
    LineColumn(p, line, column);
    return true;
  }
  return false;
}

size_t OffsetOf(std::string_view s, int line, int column) {
  size_t pos = 0;
  for (int l = 1; l < line && pos < s.size(); ++l) {
    const size_t nl = s.find('\n', pos);
    if (nl == std::string_view::npos) return s.size();
    pos = nl + 1;
  }
  if (column > 1) pos += static_cast<size_t>(column - 1);
  return std::min(pos, s.size());
}

}  // namespace tend::alert
