#include "metrics/cycle_errors.h"

namespace tend {

void CycleErrors::AddLine(std::string_view path, size_t line_no,
                          std::string_view line, std::string_view why) {
  if (count_++ > 0) return;
  constexpr size_t kMaxQuoted = 80;
  std::string msg;
  msg.reserve(path.size() + why.size() + kMaxQuoted + 32);
  msg.append(path);
  msg.push_back(':');
  msg.append(std::to_string(line_no));
  msg.append(": ");
  msg.append(why);
  msg.append(": \"");
  for (size_t i = 0; i < line.size() && i < kMaxQuoted; ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    msg.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  }
  if (line.size() > kMaxQuoted) msg.append("...");
  msg.push_back('"');
  first_ = InvalidArgumentError(std::move(msg));
}

void CycleErrors::Add(const Status& status) {
  if (status.ok()) return;
  if (count_++ == 0) first_ = status;
}

Status CycleErrors::ToStatus() const {
  if (count_ <= 1) return first_;
  return Status(first_.code(), first_.message() + " (and " +
                                   std::to_string(count_ - 1) +
                                   " more problems)");
}

bool TextLines::Next(std::string_view* line) {
  if (rest_.empty()) return false;
  size_t eol = rest_.find('\n');
  if (eol == std::string_view::npos) {
    cut_ = rest_;
    rest_ = {};
    return false;
  }
  *line = rest_.substr(0, eol);
  rest_.remove_prefix(eol + 1);
  ++line_no_;
  return true;
}

}  // namespace tend
