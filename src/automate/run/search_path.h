// Where a task's relative file names are looked for (copy/template src,
// include_tasks, include_vars, the file lookups), Ansible's search path in
// one place.
#ifndef TEND_AUTOMATE_RUN_SEARCH_PATH_H_
#define TEND_AUTOMATE_RUN_SEARCH_PATH_H_

#include <string>
#include <string_view>
#include <vector>

#include "automate/playbook/playbook.h"

namespace tend::automate {

struct SearchDirs {
  std::string role_path;     // "" outside roles
  std::string base_dir;      // the directory of the task's file
  std::string playbook_dir;  // "" when unknown
};

// The search dirs of `task` (its role, its file's directory) in a
// playbook at `playbook_dir`; a null task has only the playbook dir.
SearchDirs DirsOf(const Task* task, const std::string& playbook_dir);

// The places `rel` may be, in order: ROLE/SUBDIR/rel, ROLE/rel,
// BASE/SUBDIR/rel, BASE/rel, PLAYBOOK/SUBDIR/rel, PLAYBOOK/rel (SUBDIR is
// files, templates, vars or tasks). An absolute `rel` is its only place.
std::vector<std::string> SearchCandidates(std::string_view rel,
                                          std::string_view subdir,
                                          const SearchDirs& dirs);

// The first candidate that exists, or "" (with every candidate in *tried
// when tried is non-null).
std::string FindInSearchPath(std::string_view rel, std::string_view subdir,
                             const SearchDirs& dirs,
                             std::vector<std::string>* tried = nullptr);

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_RUN_SEARCH_PATH_H_
