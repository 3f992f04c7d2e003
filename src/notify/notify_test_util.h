// Helpers shared by the notification tests.
#ifndef TEND_NOTIFY_NOTIFY_TEST_UTIL_H_
#define TEND_NOTIFY_NOTIFY_TEST_UTIL_H_

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "alert/alert.h"

namespace tend::notify {

// A fresh directory under TMPDIR, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string base = std::filesystem::temp_directory_path() / "notify.XXXXXX";
    char* p = mkdtemp(base.data());
    path_ = p != nullptr ? p : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline alert::Alert MakeAlert(Labels labels, int64_t starts_ms,
                              int64_t ends_ms = 0) {
  alert::Alert a;
  CanonicalizeLabels(&labels);
  a.labels = std::move(labels);
  a.annotations = {{"summary", "something is wrong"}};
  a.starts_at_ms = starts_ms;
  a.ends_at_ms = ends_ms;
  a.generator = "rules.yml:g:r";
  return a;
}

}  // namespace tend::notify

#endif  // TEND_NOTIFY_NOTIFY_TEST_UTIL_H_
