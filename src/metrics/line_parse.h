// Walking the lines of a /proc or /sys file and gathering what went wrong
// in one Collect call into one Status, without allocating when nothing goes
// wrong. Shared by every collector that parses a text file.
#ifndef TEND_METRICS_LINE_PARSE_H_
#define TEND_METRICS_LINE_PARSE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "base/env.h"
#include "base/status.h"

namespace tend {

// The problems found during one Collect call, over one file or several: the
// first in full, and how many more there were, so a file full of bad lines
// gives one readable message instead of thousands. A collector skips a bad
// line, keeps going, and returns ToStatus() at the end. Allocates only when
// a problem is added.
//
// A collector that reads one file may bind its path at construction and use
// the overloads without a path; the bound path is not owned and must
// outlive this object.
class ParseErrors {
 public:
  ParseErrors() = default;
  explicit ParseErrors(std::string_view path) : path_(path) {}

  // Line `line_no` (1-based) of `path` was skipped because of `why`. The
  // message quotes the line (shortened, quotes and backslashes escaped,
  // tabs as spaces, other non-printable bytes as '?'), so the reader sees
  // what the kernel printed.
  void AddLine(std::string_view path, size_t line_no, std::string_view line,
               std::string_view why);
  void AddLine(size_t line_no, std::string_view line, std::string_view why) {
    AddLine(path_, line_no, line, why);
  }

  // A problem with `path` as a whole ("file is empty", "no ctxt line").
  void AddFile(std::string_view path, std::string_view why);
  void AddFile(std::string_view why) { AddFile(path_, why); }

  // A problem reported by someone else (e.g. an unreadable file); its code
  // is kept if it is the first problem. Ignores OK.
  void Add(const Status& status);

  bool empty() const { return count_ == 0; }

  // The path bound at construction (empty if none).
  std::string_view path() const { return path_; }

  // OK when nothing was added. Otherwise the first problem's status
  // (kInvalidArgument for AddLine/AddFile, e.g. "/proc/stat:4: bad number:
  // \"ctxt x\""), with " (and N more problems)" appended when there were
  // more.
  Status ToStatus() const;

 private:
  std::string_view path_;  // Bound path; not owned.
  size_t count_ = 0;
  Status first_;
};

// Iterates over the lines of a /proc or /sys file's content, counting them.
// The kernel ends every line with '\n', so a final line without one is a
// read cut short (or a damaged copy): Next() does not return it, and
// Finish() reports it, since a cut number would look valid but be wrong.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : rest_(text) {}

  // Sets *line to the next complete line (without '\n') and returns true;
  // returns false at the end of the text or at a final incomplete line.
  bool Next(std::string_view* line);

  // The 1-based number of the line Next() returned last.
  size_t line_number() const { return line_no_; }

  // Call after Next() returned false. Reports a final incomplete line to
  // *errors as a problem of `path`, and an empty text as "file is empty"
  // when `empty_is_error`. The overload without a path uses the path bound
  // to *errors.
  void Finish(std::string_view path, ParseErrors* errors,
              bool empty_is_error = true) const;
  void Finish(ParseErrors* errors, bool empty_is_error = true) const;

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

#endif  // TEND_METRICS_LINE_PARSE_H_
