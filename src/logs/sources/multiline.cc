#include "logs/sources/multiline.h"

#include <cctype>

namespace tend::logs {

Result<std::unique_ptr<MultilineMatcher>> MultilineMatcher::Create(
    const MultilineOptions& options) {
  if (options.max_lines == 0) {
    return InvalidArgumentError("multiline: max_lines must be at least 1");
  }
  if (options.flush_timeout_ns <= 0) {
    return InvalidArgumentError("multiline: flush timeout must be positive");
  }
  std::unique_ptr<MultilineMatcher> m(new MultilineMatcher(options));
  if (options.mode == MultilineMode::kStartPattern) {
    if (options.start_pattern.empty()) {
      return InvalidArgumentError("multiline: start pattern is empty");
    }
    RE2::Options re_options;
    re_options.set_log_errors(false);
    m->start_ = std::make_unique<RE2>(options.start_pattern, re_options);
    if (!m->start_->ok()) {
      return InvalidArgumentError("multiline: bad start pattern \"" +
                                  options.start_pattern +
                                  "\": " + m->start_->error());
    }
  }
  return m;
}

bool MultilineMatcher::IsContinuation(std::string_view line) const {
  switch (options_.mode) {
    case MultilineMode::kNone:
      return false;
    case MultilineMode::kStartPattern:
      return !RE2::PartialMatch(line, *start_);
    case MultilineMode::kIndented: {
      if (line.empty()) return false;
      if (line[0] == ' ' || line[0] == '\t') return true;
      static constexpr std::string_view kPrefixes[] = {
          "Caused by:",
          "Traceback (most recent call last):",
          "During handling of the above exception",
          "The above exception was the direct cause",
          "... ",
      };
      for (std::string_view p : kPrefixes) {
        if (line.starts_with(p)) return true;
      }
      return false;
    }
  }
  return false;
}

void PendingRecord::Start(std::string_view line, bool truncated,
                          uint64_t start_offset, int64_t now_ns,
                          size_t max_bytes) {
  active_ = true;
  truncated_ = false;
  start_offset_ = start_offset;
  lines_ = 0;
  text_.clear();
  Append(line, truncated, now_ns, max_bytes);
}

void PendingRecord::Append(std::string_view line, bool truncated,
                           int64_t now_ns, size_t max_bytes) {
  truncated_ |= truncated;
  size_t need = line.size() + (lines_ > 0 ? 1 : 0);
  if (text_.size() + need > max_bytes) {
    truncated_ = true;
    if (text_.size() < max_bytes) {
      if (lines_ > 0) text_.push_back('\n');
      text_.append(line.substr(0, max_bytes - text_.size()));
    }
  } else {
    if (lines_ > 0) text_.push_back('\n');
    text_.append(line);
  }
  ++lines_;
  last_line_ns_ = now_ns;
}

void PendingRecord::Clear() {
  active_ = false;
  truncated_ = false;
  lines_ = 0;
  text_.clear();
}

}  // namespace tend::logs
