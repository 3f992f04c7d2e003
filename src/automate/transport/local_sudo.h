// The local transport's file primitives for become to another user: each
// is a short POSIX sh script run as `sudo -n -u USER -- /bin/sh -c SCRIPT
// sh ARGS...`, so it acts with that user's rights. Paths travel as
// positional arguments, never spliced into the script text, so no quoting
// of user data is needed. Internal to local_connection.cc.
//
// How each primitive maps (coreutils/findutils on the target):
//   Stat      [ -e ] test, then `stat [-L] -c FORMAT`, plus `readlink`
//   ReadFile  `head -c MAX+1` (the +1 detects a file over the limit)
//   WriteFile `mktemp` in the same directory (mode 0600), `cat` from stdin,
//             chown/chmod (given, or the old file's with --reference, or
//             0666 & ~umask for a new file), `sync FILE` (fsync), `mv -f`;
//             an EXIT trap removes the temporary on any failure
//   SetAttrs  `chown [-h] +UID:+GID`, `chmod` (skipped on a symlink when
//             not following: Linux has no lchmod)
//   MakeDir   `mkdir -m (MODE & ~umask)`; AlreadyExists when present
//   Symlink   `ln -s` to a temporary name, `mv -Tf` over the path
//   HardLink  `ln` to a temporary name, `mv -Tf` (nothing when the two
//             are already the same file)
//   Remove    `rm -f`, `rmdir`, or `rm -rf`
//   Rename    `mv -Tf`
//   SetTimes  `touch -c -a|-m -d @SEC.NSEC`
//   ListDir   `find DIR -mindepth 1 -maxdepth 1 -printf '%y%f\0'`
#ifndef TEND_AUTOMATE_TRANSPORT_LOCAL_SUDO_H_
#define TEND_AUTOMATE_TRANSPORT_LOCAL_SUDO_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "automate/transport/connection.h"

namespace tend::automate::sudo_files {

// Runs a script as the become user; an error when it exits non-zero
// (the message is `what: STDERR`, the code derived from the text).
using ScriptRunner = std::function<Result<ExecResult>(
    std::string_view what, const std::string& script,
    std::vector<std::string> args, std::string stdin_data)>;

// The runner every connection uses: `/bin/sh -c SCRIPT sh ARGS...` through
// conn->Exec with `priv` (so through sudo when the connection needs it),
// a non-zero exit being ScriptError(what, ...). `conn` must outlive it.
ScriptRunner RunnerFor(Connection* conn, const Privilege& priv);

Result<FileStat> Stat(const ScriptRunner& run, const std::string& path,
                      bool follow);
Result<std::string> ReadFile(const ScriptRunner& run, const std::string& path,
                             size_t max_bytes);
Status WriteFile(const ScriptRunner& run, const std::string& path,
                 std::string content, const FileAttrs& attrs);
Status SetAttrs(const ScriptRunner& run, const std::string& path,
                const FileAttrs& attrs, bool follow);
Status MakeDir(const ScriptRunner& run, const std::string& path, uint32_t mode);
Status Symlink(const ScriptRunner& run, const std::string& target,
               const std::string& path);
Status HardLink(const ScriptRunner& run, const std::string& target,
                const std::string& path);
Status Remove(const ScriptRunner& run, const std::string& path, bool recursive);
Status Rename(const ScriptRunner& run, const std::string& from,
              const std::string& to);
Status SetTimes(const ScriptRunner& run, const std::string& path,
                int64_t atime_ns, int64_t mtime_ns);
Result<std::vector<DirEntry>> ListDir(const ScriptRunner& run,
                                      const std::string& path);
// Connection::Upload as the become user: the controller reads its file
// (the become user may not be able to) and the write script takes it on
// stdin, held in memory (the subprocess layers take stdin as a string).
Status UploadFile(const ScriptRunner& run, const std::string& local_path,
                  const std::string& path, const FileAttrs& attrs);

// The status for a failed script from its stderr: "No such file" ->
// kNotFound, "Permission denied"/"not permitted" -> kPermissionDenied,
// "File exists" -> kAlreadyExists, else kFailedPrecondition.
Status ScriptError(std::string_view what, const ExecResult& r);

}  // namespace tend::automate::sudo_files

#endif  // TEND_AUTOMATE_TRANSPORT_LOCAL_SUDO_H_
