// Unified diffs of two texts (what --diff prints), with 3 lines of
// context, as `diff -u` and Python's difflib.unified_diff write them.
#ifndef TEND_AUTOMATE_RUN_UNIFIED_DIFF_H_
#define TEND_AUTOMATE_RUN_UNIFIED_DIFF_H_

#include <string>
#include <string_view>

namespace tend::automate {

// The hunks ("@@ -a,b +c,d @@" and their lines) of the change from
// `before` to `after`, without the ---/+++ header; "" when they are equal.
// Texts of more than 20,000 lines each are shown as a whole replacement
// (bounded work on huge files).
std::string UnifiedDiffHunks(std::string_view before, std::string_view after,
                             int context = 3);

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_RUN_UNIFIED_DIFF_H_
