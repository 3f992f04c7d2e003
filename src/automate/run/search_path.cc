#include "automate/run/search_path.h"

#include <unistd.h>

namespace tend::automate {

SearchDirs DirsOf(const Task* task, const std::string& playbook_dir) {
  SearchDirs d;
  d.playbook_dir = playbook_dir;
  if (task != nullptr) {
    d.base_dir = task->base_dir;
    if (task->role != nullptr) d.role_path = task->role->path;
  }
  if (d.base_dir.empty())
    d.base_dir = playbook_dir.empty() ? "." : playbook_dir;
  return d;
}

std::vector<std::string> SearchCandidates(std::string_view rel,
                                          std::string_view subdir,
                                          const SearchDirs& dirs) {
  const std::string r(rel);
  if (!r.empty() && r[0] == '/') return {r};
  std::vector<std::string> out;
  for (const std::string* dir :
       {&dirs.role_path, &dirs.base_dir, &dirs.playbook_dir}) {
    if (dir->empty()) continue;
    out.push_back(*dir + "/" + std::string(subdir) + "/" + r);
    out.push_back(*dir + "/" + r);
  }
  return out;
}

std::string FindInSearchPath(std::string_view rel, std::string_view subdir,
                             const SearchDirs& dirs,
                             std::vector<std::string>* tried) {
  for (const std::string& c : SearchCandidates(rel, subdir, dirs)) {
    if (::access(c.c_str(), F_OK) == 0) return c;
    if (tried != nullptr) tried->push_back(c);
  }
  return "";
}

}  // namespace tend::automate
