#include "metrics/line_parse.h"

#include <utility>

namespace tend {
namespace {

// Long enough to recognise a line, short enough to keep a log line readable.
constexpr size_t kMaxQuoted = 80;

void AppendQuoted(std::string_view text, std::string* out) {
  out->push_back('"');
  size_t n = text.size() < kMaxQuoted ? text.size() : kMaxQuoted;
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c == '\t') {
      out->push_back(' ');
    } else if (c < 0x20 || c >= 0x7f) {
      out->push_back('?');
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  if (n < text.size()) out->append("...");
  out->push_back('"');
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

void ParseErrors::AddLine(std::string_view path, size_t line_no,
                          std::string_view line, std::string_view why) {
  if (count_++ > 0) return;
  std::string msg;
  msg.reserve(path.size() + why.size() + kMaxQuoted + 32);
  msg.append(path);
  msg.push_back(':');
  msg.append(std::to_string(line_no));
  msg.append(": ");
  msg.append(why);
  msg.append(": ");
  AppendQuoted(line, &msg);
  first_ = InvalidArgumentError(std::move(msg));
}

void ParseErrors::AddFile(std::string_view path, std::string_view why) {
  if (count_++ > 0) return;
  std::string msg(path);
  msg.append(": ");
  msg.append(why);
  first_ = InvalidArgumentError(std::move(msg));
}

void ParseErrors::Add(const Status& status) {
  if (status.ok()) return;
  if (count_++ == 0) first_ = status;
}

Status ParseErrors::ToStatus() const {
  if (count_ <= 1) return first_;
  return Status(first_.code(), first_.message() + " (and " +
                                   std::to_string(count_ - 1) +
                                   " more problems)");
}

bool LineReader::Next(std::string_view* line) {
  if (rest_.empty()) return false;
  saw_any_ = true;
  size_t eol = rest_.find('\n');
  if (eol == std::string_view::npos) {
    partial_ = rest_;
    rest_ = std::string_view();
    return false;
  }
  *line = rest_.substr(0, eol);
  rest_.remove_prefix(eol + 1);
  ++line_no_;
  return true;
}

void LineReader::Finish(std::string_view path, ParseErrors* errors,
                        bool empty_is_error) const {
  if (!saw_any_) {
    if (empty_is_error) errors->AddFile(path, "file is empty");
    return;
  }
  if (!partial_.empty()) {
    errors->AddLine(path, line_no_ + 1, partial_,
                    "incomplete last line (no newline; file cut short?)");
  }
}

void LineReader::Finish(ParseErrors* errors, bool empty_is_error) const {
  Finish(errors->path(), errors, empty_is_error);
}

Status ReadValueFile(Env* env, const std::string& path, std::string* buf,
                     std::string_view* value) {
  RETURN_IF_ERROR(env->ReadFile(path, buf));
  if (buf->empty()) return InvalidArgumentError(path + ": file is empty");
  if (buf->back() != '\n') {
    return InvalidArgumentError(
        path + ": incomplete value (no newline; file cut short?)");
  }
  *value = std::string_view(*buf).substr(0, buf->size() - 1);
  return Status::Ok();
}

std::string_view FirstField(std::string_view line, std::string_view* rest) {
  size_t i = 0;
  while (i < line.size() && !IsBlank(line[i])) ++i;
  std::string_view first = line.substr(0, i);
  while (i < line.size() && IsBlank(line[i])) ++i;
  *rest = line.substr(i);
  return first;
}

}  // namespace tend
