// Python `re` patterns and replacement templates on RE2 (linear time: no
// catastrophic backtracking on a pattern from a playbook), for the Jinja
// filters and tests (regex_replace, regex_search, match, search ...) and
// the modules (lineinfile, replace, blockinfile, wait_for).
//
// Differences from Python are compile errors rather than silently
// different matches: no lookahead/lookbehind ((?=, (?!, (?<=, (?<!) and
// no backreferences inside the pattern (\1, (?P=name)). \Z is translated
// to RE2's \z. Patterns are matched as UTF-8.
#ifndef TEND_AUTOMATE_PY_REGEX_H_
#define TEND_AUTOMATE_PY_REGEX_H_

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "automate/value.h"
#include "base/status.h"

namespace tend::automate {

struct PyRegexFlags {
  bool ignorecase = false;  // re.IGNORECASE
  bool multiline = false;   // re.MULTILINE
  bool dotall = false;      // re.DOTALL
};

// Compiles `pattern` (cached: the same pattern and flags give the same
// compiled object, shared and immutable). Errors (kInvalidArgument) start
// with `what` and name the pattern: "regexp: invalid regular expression
// '(?<=a)b': invalid perl operator: (?< (RE2 syntax: no lookaround or
// backreferences)".
Result<std::shared_ptr<const RE2>> CompilePyRegex(std::string_view pattern,
                                                  PyRegexFlags flags = {},
                                                  std::string_view what = "");

// re.match (anchored at the start) or re.search; fills every group (an
// unmatched group is an empty view with a null data pointer).
bool PyReMatch(const RE2& re, std::string_view text, bool anchored,
               std::vector<std::string_view>* groups);

// re.findall: strings (no group or one) or lists of group strings.
Value PyReFindAll(const RE2& re, std::string_view text);

// Python's match.expand(template): \1..\99, \g<1>, \g<name>, the escapes
// \n \t \r \f \v \a \b \\ and \0oo; an unknown escape of an ASCII letter is
// an error (as in Python); others stay as written. `groups` holds
// 1 + NumberOfCapturingGroups() pieces; an unmatched group expands empty.
Result<std::string> ExpandReplacement(
    const RE2& re, std::string_view tmpl,
    const std::vector<std::string_view>& groups);

// re.sub(pattern, repl, text, count): non-overlapping matches replaced
// (empty matches included, as Python 3.7+), at most `count` when > 0; the
// number replaced in *replaced when non-null. Results over 64 MiB are an
// error.
Result<std::string> PyReSub(const RE2& re, std::string_view text,
                            std::string_view repl, int64_t count = 0,
                            int64_t* replaced = nullptr);

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_PY_REGEX_H_
