// Glob expansion for the file source: which paths match the include
// patterns and none of the exclude patterns, and which directories to
// watch for new files.
#ifndef TEND_LOGS_SOURCES_FILE_GLOB_H_
#define TEND_LOGS_SOURCES_FILE_GLOB_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace tend::logs {

// Checks that every pattern is an absolute path (glob(3) syntax). Errors
// name the pattern.
Status ValidateGlobs(const std::vector<std::string>& include,
                     const std::vector<std::string>& exclude);

// Appends to `out` the paths matching any `include` pattern and no
// `exclude` pattern (fnmatch with FNM_PATHNAME), sorted, without
// duplicates. Only names are matched; the caller stats them. A pattern
// whose directory does not exist matches nothing (not an error).
void ExpandGlobs(const std::vector<std::string>& include,
                 const std::vector<std::string>& exclude,
                 std::vector<std::string>* out);

// True when `path` matches one of `patterns`.
bool MatchesAnyGlob(std::string_view path,
                    const std::vector<std::string>& patterns);

// The existing directories in which files matching `include` appear (the
// directory part of each pattern, itself glob-expanded), sorted, unique.
std::vector<std::string> GlobDirectories(
    const std::vector<std::string>& include);

// "/a/b/c.log" -> "/a/b"; "/c.log" -> "/".
std::string DirName(std::string_view path);

}  // namespace tend::logs

#endif  // TEND_LOGS_SOURCES_FILE_GLOB_H_
