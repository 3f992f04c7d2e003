// Fixtures for the backup tests: temporary directories, a sample tree
// with files, symlinks, a hard link and odd modes, and a snapshot of a
// tree to compare after a restore.
#ifndef TEND_AUTOMATE_BACKUP_BACKUP_TEST_UTIL_H_
#define TEND_AUTOMATE_BACKUP_BACKUP_TEST_UTIL_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "automate/modules/module.h"
#include "automate/value.h"

namespace tend::automate::backup::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents
// when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const {
    return path_ + "/" + rel;
  }

 private:
  std::string path_;
};

// Fills `root` (created) with: nested directories (one 0750), text and
// binary files, a 0600 file, a 0755 script, a setgid directory, an empty
// file, a file with a space and a newline in its name, relative and
// absolute and dangling symlinks, and a hard link.
void MakeSampleTree(const std::string& root);

// Every entry below `root` as "relpath type mode content-or-target" lines,
// sorted; files by content (sha-like hash not needed: the content itself
// for small files).
std::string SnapshotTree(const std::string& root);

// Names in a directory, sorted, "." and ".." left out.
std::vector<std::string> ListNames(const std::string& dir);

void WriteFile(const std::string& path, const std::string& content,
               int mode = 0644);

// The archive times GFS retention keeps, computed independently of the
// module (day arithmetic; 1970-01-01 was a Thursday): for each kind, the
// newest archive in each of the N newest periods that have archives.
std::set<int64_t> ExpectedKept(const std::vector<int64_t>& times, int daily,
                               int weekly, int monthly);

// Runs the backup module (validated args, local connection).
Result<ModuleResult> RunBackupModule(const Value& args, bool check = false);

}  // namespace tend::automate::backup::testing

#endif  // TEND_AUTOMATE_BACKUP_BACKUP_TEST_UTIL_H_
