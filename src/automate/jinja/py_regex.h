// Python `re` patterns on RE2: compiling (with a small shared cache),
// re.match / re.search / re.findall / re.sub semantics for the regex
// filters and tests.
//
// RE2 accepts Python's syntax for what playbooks use (classes, groups,
// (?P<name>...), (?i), non-greedy repeats, \d \w \s \b); it has no
// backreferences inside patterns and no lookaround, which are errors here.
// \Z is translated to RE2's \z. \d, \w and \s match ASCII only.
#ifndef TEND_AUTOMATE_JINJA_PY_REGEX_H_
#define TEND_AUTOMATE_JINJA_PY_REGEX_H_

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "automate/value.h"
#include "base/status.h"

namespace tend::automate::jinja {

// Compiled pattern; shared and immutable. Errors name the pattern and
// RE2's complaint.
Result<std::shared_ptr<const RE2>> CompilePyRegex(std::string_view pattern,
                                                  bool ignorecase,
                                                  bool multiline);

// re.match (anchored at the start) / re.search. On a match fills
// `groups` (group 0 first; absent groups are empty views with null data).
bool PyReMatch(const RE2& re, std::string_view text, bool anchored,
               std::vector<std::string_view>* groups);

// re.findall: the whole matches when the pattern has no group, the
// group's text with one group, a list of the groups with several.
Value PyReFindAll(const RE2& re, std::string_view text);

// re.sub with Python's replacement syntax (\1, \g<1>, \g<name>, \n, \\);
// count 0 replaces all. Error on a bad group reference.
Result<std::string> PyReSub(const RE2& re, std::string_view text,
                            std::string_view replacement, int64_t count);

// Expands a replacement template for one match (also used by
// regex_search's '\\1' arguments).
Result<std::string> ExpandReplacement(const RE2& re,
                                      std::string_view replacement,
                                      const std::vector<std::string_view>& g);

}  // namespace tend::automate::jinja

#endif  // TEND_AUTOMATE_JINJA_PY_REGEX_H_
