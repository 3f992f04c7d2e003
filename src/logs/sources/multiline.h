// Multiline records (stack traces, wrapped messages): which lines continue
// the record before them, and the record being assembled.
#ifndef TEND_LOGS_SOURCES_MULTILINE_H_
#define TEND_LOGS_SOURCES_MULTILINE_H_

#include <re2/re2.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace tend::logs {

enum class MultilineMode {
  kNone,          // Every line is a record.
  kStartPattern,  // A line matching `start_pattern` starts a record; any
                  // other line continues the pending one.
  kIndented,      // A line starting with a space or tab, or with one of the
                  // usual stack-trace continuations ("Caused by:",
                  // "Traceback (most recent call last):", "During handling
                  // of the above exception", "The above exception was",
                  // "... N more"), continues the pending record.
};

struct MultilineOptions {
  MultilineMode mode = MultilineMode::kNone;
  std::string start_pattern;  // RE2, unanchored search; kStartPattern only.
  // A pending record is handed out this long after its last line arrived
  // (the next record's first line may never come).
  int64_t flush_timeout_ns = 1'000'000'000;
  // A record is handed out when it reaches this many lines; the next line
  // starts a new record.
  size_t max_lines = 500;
};

// Decides continuation. Immutable after Create: thread-compatible.
class MultilineMatcher {
 public:
  // Fails (kInvalidArgument) on a bad pattern, an empty pattern with
  // kStartPattern, or max_lines == 0.
  static Result<std::unique_ptr<MultilineMatcher>> Create(
      const MultilineOptions& options);

  bool enabled() const { return options_.mode != MultilineMode::kNone; }
  const MultilineOptions& options() const { return options_; }

  // True when `line` (without its newline) continues the pending record.
  bool IsContinuation(std::string_view line) const;

 private:
  explicit MultilineMatcher(const MultilineOptions& options)
      : options_(options) {}
  MultilineOptions options_;
  std::unique_ptr<RE2> start_;
};

// The record being assembled for one file. Its text is capped at
// `max_bytes`; beyond it lines are counted but their bytes dropped and the
// record is marked truncated. Reuses its buffer between records.
class PendingRecord {
 public:
  bool active() const { return active_; }
  // File offset of the record's first byte: the file's checkpoint position
  // while the record is pending (it has not been handed out).
  uint64_t start_offset() const { return start_offset_; }
  size_t lines() const { return lines_; }
  int64_t last_line_ns() const { return last_line_ns_; }
  bool truncated() const { return truncated_; }
  std::string_view text() const { return text_; }

  void Start(std::string_view line, bool truncated, uint64_t start_offset,
             int64_t now_ns, size_t max_bytes);
  void Append(std::string_view line, bool truncated, int64_t now_ns,
              size_t max_bytes);
  // Forgets the record (after it was handed out, or discarded).
  void Clear();

 private:
  bool active_ = false;
  bool truncated_ = false;
  uint64_t start_offset_ = 0;
  size_t lines_ = 0;
  int64_t last_line_ns_ = 0;
  std::string text_;
};

}  // namespace tend::logs

#endif  // TEND_LOGS_SOURCES_MULTILINE_H_
