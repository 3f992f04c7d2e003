// Helpers for the disk and network collectors (collectors_net.h): walking
// the lines of a /proc file and gathering what went wrong in one Collect
// call into one Status, without allocating when nothing goes wrong.
#ifndef TEND_METRICS_CYCLE_ERRORS_H_
#define TEND_METRICS_CYCLE_ERRORS_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace tend {

// The problems found during one Collect call: the first in full, and how
// many more there were, so a file full of bad lines gives one readable
// message instead of thousands.
class CycleErrors {
 public:
  // Line `line_no` (1-based) of `path` was skipped because of `why`. The
  // message quotes the line (shortened, non-printable bytes as '?').
  void AddLine(std::string_view path, size_t line_no, std::string_view line,
               std::string_view why);

  // A problem with a whole file (unreadable, empty). Ignores OK.
  void Add(const Status& status);

  bool empty() const { return count_ == 0; }

  // OK when nothing was added; otherwise the first problem's status with
  // " (and N more problems)" appended when there were more.
  Status ToStatus() const;

 private:
  size_t count_ = 0;
  Status first_;
};

// Iterates over the lines of a file's content. The kernel ends every line
// with '\n': a final line without one is a cut read (or a damaged copy),
// whose last number may look valid but be wrong, so it is not returned as
// a line; cut() tells whether there was one.
class TextLines {
 public:
  explicit TextLines(std::string_view text) : rest_(text) {}

  // Sets *line to the next complete line without its '\n'.
  bool Next(std::string_view* line);

  // The 1-based number of the line Next() returned last.
  size_t line_number() const { return line_no_; }

  // After Next() returned false: true if the text ended in a cut line, which
  // is then in *line (for the error message), numbered line_number() + 1.
  bool cut(std::string_view* line) const {
    *line = cut_;
    return !cut_.empty();
  }

 private:
  std::string_view rest_;
  std::string_view cut_;
  size_t line_no_ = 0;
};

}  // namespace tend

#endif  // TEND_METRICS_CYCLE_ERRORS_H_
