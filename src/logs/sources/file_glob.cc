#include "logs/sources/file_glob.h"

#include <fnmatch.h>
#include <glob.h>

#include <algorithm>

namespace tend::logs {
namespace {

void GlobInto(const std::string& pattern, int flags,
              std::vector<std::string>* out) {
  glob_t g{};
  if (glob(pattern.c_str(), flags, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) out->emplace_back(g.gl_pathv[i]);
  }
  globfree(&g);
}

void SortUnique(std::vector<std::string>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

}  // namespace

Status ValidateGlobs(const std::vector<std::string>& include,
                     const std::vector<std::string>& exclude) {
  if (include.empty()) {
    return InvalidArgumentError("file source: no include patterns");
  }
  for (const auto* list : {&include, &exclude}) {
    for (const std::string& p : *list) {
      if (p.empty() || p[0] != '/') {
        return InvalidArgumentError("file source: pattern \"" + p +
                                    "\" is not an absolute path");
      }
      if (p.back() == '/') {
        return InvalidArgumentError("file source: pattern \"" + p +
                                    "\" names a directory, not files");
      }
    }
  }
  return Status::Ok();
}

bool MatchesAnyGlob(std::string_view path,
                    const std::vector<std::string>& patterns) {
  std::string p(path);
  for (const std::string& pattern : patterns) {
    if (fnmatch(pattern.c_str(), p.c_str(), FNM_PATHNAME) == 0) return true;
  }
  return false;
}

void ExpandGlobs(const std::vector<std::string>& include,
                 const std::vector<std::string>& exclude,
                 std::vector<std::string>* out) {
  size_t first = out->size();
  for (const std::string& pattern : include) {
    GlobInto(pattern, GLOB_NOSORT, out);
  }
  auto excluded = [&](const std::string& p) {
    return MatchesAnyGlob(p, exclude);
  };
  out->erase(std::remove_if(out->begin() + static_cast<ptrdiff_t>(first),
                            out->end(), excluded),
             out->end());
  std::vector<std::string> mine(out->begin() + static_cast<ptrdiff_t>(first),
                                out->end());
  SortUnique(&mine);
  out->resize(first);
  out->insert(out->end(), mine.begin(), mine.end());
}

std::string DirName(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::vector<std::string> GlobDirectories(
    const std::vector<std::string>& include) {
  std::vector<std::string> dirs;
  for (const std::string& pattern : include) {
    GlobInto(DirName(pattern), GLOB_ONLYDIR | GLOB_NOSORT, &dirs);
  }
  SortUnique(&dirs);
  return dirs;
}

}  // namespace tend::logs
