// Python `re` patterns and replacement templates on RE2 (linear time, no
// catastrophic backtracking on the controller), for lineinfile, replace
// and blockinfile.
//
// Differences from Python, reported as compile errors rather than silently
// different matches: no lookahead/lookbehind ((?=, (?!, (?<=, (?<!) and
// no backreferences inside the pattern (\1, (?P=name)). \Z is translated
// to RE2's \z. Patterns are matched as UTF-8 when valid, else as bytes.
#ifndef TEND_AUTOMATE_MODULES_FILES_PY_REGEX_H_
#define TEND_AUTOMATE_MODULES_FILES_PY_REGEX_H_

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "base/status.h"

namespace tend::automate::filemod {

struct PyRegexFlags {
  bool multiline = false;  // re.MULTILINE
  bool dotall = false;     // re.DOTALL
};

// Compiles `pattern`; errors name the parameter: "regexp: cannot compile
// '(?<=a)b': invalid perl operator: (?<  (RE2 syntax: no lookaround or
// backreferences)".
Result<std::unique_ptr<RE2>> CompilePy(std::string_view pattern,
                                       PyRegexFlags flags,
                                       std::string_view param);

// Python's match.expand(template): \1..\99, \g<1>, \g<name>, the escapes
// \n \t \r \f \v \a \b \\ and \0oo; an unknown escape of an ASCII letter is
// an error (as in Python); others stay as written. `groups` holds
// 1 + NumberOfCapturingGroups() pieces; an unmatched group expands empty.
Result<std::string> ExpandPy(const RE2& re, std::string_view tmpl,
                             const re2::StringPiece* groups);

// re.subn(pattern, repl, text): every non-overlapping match replaced
// (empty matches included, as Python 3.7+); returns the text and the count.
Result<std::pair<std::string, int>> SubnPy(const RE2& re, std::string_view text,
                                           std::string_view repl);

}  // namespace tend::automate::filemod

#endif  // TEND_AUTOMATE_MODULES_FILES_PY_REGEX_H_
