// The `backup` module: tar+zstd archives of paths on the target, written
// atomically, verified by restoring a sample, pruned by
// grandfather-father-son retention, and restored on request.
//
// Everything runs on the target through the task's Connection: `tar` and
// `zstd` (and `sha256sum`, `mktemp`, `sync`) do the work there, so a
// backup over SSH moves no file data through the controller.
#ifndef TEND_AUTOMATE_BACKUP_BACKUP_MODULE_H_
#define TEND_AUTOMATE_BACKUP_BACKUP_MODULE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "automate/modules/module.h"
#include "base/status.h"

namespace tend::automate::backup {

std::unique_ptr<Module> NewBackupModule();

// One archive of a set found in the destination directory.
struct SetArchive {
  std::string file;  // "NAME-20240501T120000Z.tar.zst"
  int64_t time = 0;  // from the name
};

// The archives of set `name` in `dest`, oldest first; empty when `dest`
// does not exist. Temporary files and other sets are not listed.
Result<std::vector<SetArchive>> ListSetArchives(Connection* conn,
                                                const Privilege& priv,
                                                const std::string& dest,
                                                const std::string& name);

// Creates `path` and its missing parents with `mode` (mkdir -p).
Status MakeDirs(Connection* conn, const std::string& path, uint32_t mode,
                const Privilege& priv);

// The set name: `name` when given, else the basename of the first src
// ("/var/www/" -> "www"); "" when neither is usable.
std::string SetName(const Value& args);

// state=present and state=restored (backup_run.cc, restore_run.cc).
// Parameter problems are failed results whose msg says what to fix.
Result<ModuleResult> RunBackup(const Value& args, ModuleContext& ctx);
Result<ModuleResult> RunRestore(const Value& args, ModuleContext& ctx);

}  // namespace tend::automate::backup

#endif  // TEND_AUTOMATE_BACKUP_BACKUP_MODULE_H_
