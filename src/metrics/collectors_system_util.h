// Helpers shared by the system-wide /proc collectors (collectors_system.h):
// walking the lines of a /proc file and turning the malformed ones into one
// Status, without allocating on the success path.
#ifndef TEND_METRICS_COLLECTORS_SYSTEM_UTIL_H_
#define TEND_METRICS_COLLECTORS_SYSTEM_UTIL_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "base/env.h"
#include "base/status.h"

namespace tend {

// Collects the problems found while parsing one file in one Collect call, so
// a collector can skip a bad line, keep going, and report at the end.
// Allocates only when a problem is added.
class LineErrors {
 public:
  explicit LineErrors(std::string_view path) : path_(path) {}

  // Line `line_no` (1-based) was skipped: `why` says what is wrong with it.
  // The line's text is quoted in the message (shortened, non-printable bytes
  // replaced), so the reader sees what the kernel printed.
  void AddLine(size_t line_no, std::string_view line, std::string_view why);

  // A problem with the file as a whole ("file is empty", "no ctxt line").
  void AddFile(std::string_view why);

  bool empty() const { return count_ == 0; }

  // OK when nothing was added. Otherwise kInvalidArgument with the first
  // problem ("/proc/stat:4: bad number: \"ctxt x\"") and how many more
  // there were.
  Status ToStatus() const;

 private:
  std::string_view path_;  // Not owned; outlives this object.
  size_t count_ = 0;
  std::string first_;
};

// Iterates over the lines of a /proc or /sys file's content, counting them.
// The kernel ends every line with '\n', so a final line without one is a
// read cut short (or a hand-edited file): Next() does not return it, and
// Finish() reports it, since a cut number would look valid but be wrong.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : rest_(text) {}

  // Sets *line to the next complete line (without '\n') and returns true;
  // returns false at the end of the text or at a final incomplete line.
  bool Next(std::string_view* line);

  // The 1-based number of the line Next() returned last.
  size_t line_number() const { return line_no_; }

  // Reports a final incomplete line to *errors, and an empty text as
  // "file is empty" when `empty_is_error`. Call after Next() returned false.
  void Finish(LineErrors* errors, bool empty_is_error = true) const;

 private:
  std::string_view rest_;
  std::string_view partial_;
  size_t line_no_ = 0;
  bool saw_any_ = false;
};

// Reads a file that holds one value on one line (/proc/sys/...), into *buf.
// On success *value is the line without its '\n'. Fails with the Env's
// status when the file cannot be read, and with kInvalidArgument when it is
// empty or lacks the final '\n' (a cut read).
Status ReadValueFile(Env* env, const std::string& path, std::string* buf,
                     std::string_view* value);

// The first field of `line` (up to the first space or tab) and, in *rest,
// what follows it with leading blanks removed.
std::string_view FirstField(std::string_view line, std::string_view* rest);

}  // namespace tend

#endif  // TEND_METRICS_COLLECTORS_SYSTEM_UTIL_H_
