// How modules reach a host: run commands and handle files there.
//
// Modules are tend code running in the controlling process; they act on
// the target only through these primitives, so the same module works
// locally and over SSH and nothing is installed on the target (see
// docs/decisions.md, "Modules run in the controller"). A Connection is
// one host's: opened once, reused by every task, used by one thread at a
// time (the executor runs a host's tasks in order).
//
// Paths are the target's. Become (sudo) is a property of each call's
// Privilege: a connection logged in as the wanted user acts directly;
// otherwise it runs the primitive through `sudo -n -u USER` (files via a
// shell command, so they are created with the become user's rights).
#ifndef TEND_AUTOMATE_TRANSPORT_CONNECTION_H_
#define TEND_AUTOMATE_TRANSPORT_CONNECTION_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace tend::automate {

struct Privilege {
  bool become = false;
  std::string user = "root";  // become_user
};

struct ExecRequest {
  // Run without a shell (argv[0] looked up in PATH) ...
  std::vector<std::string> argv;
  // ... or, when argv is empty, through `/bin/sh -c shell`.
  std::string shell;
  std::string stdin_data;
  std::string chdir;                       // "" = the login's default
  std::map<std::string, std::string> env;  // added to the environment
  int timeout_ms = 0;                      // 0 = none; else killed after
  Privilege priv;
};

struct ExecResult {
  int exit_code = -1;  // -1 when killed by a signal or timed out
  int signal = 0;      // the signal that ended it, 0 when none
  bool timed_out = false;
  std::string out;
  std::string err;
};

enum class FileType { kMissing, kFile, kDirectory, kSymlink, kOther };

struct FileStat {
  FileType type = FileType::kMissing;
  uint32_t mode = 0;  // permission bits incl. setuid/setgid/sticky (07777)
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t atime_ns = 0;
  uint64_t inode = 0;
  uint64_t dev = 0;
  uint32_t nlink = 0;
  std::string link_target;  // for kSymlink (lstat)
  bool exists() const { return type != FileType::kMissing; }
};

// Attributes to give a file or directory; unset fields are left as they
// are (a new file gets the umask's default mode and the caller's owner).
struct FileAttrs {
  std::optional<uint32_t> mode;
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
};

struct DirEntry {
  std::string name;
  FileType type = FileType::kOther;
};

class Connection {
 public:
  virtual ~Connection() = default;

  // The inventory name of the host this connection reaches.
  virtual const std::string& host() const = 0;
  // True for the local transport (the controller itself).
  virtual bool is_local() const = 0;

  // Runs a command. A command that runs and fails is an ok Result with its
  // exit code; an error means it could not be run (connection lost, no
  // such program when argv is used, timeout setup failure).
  virtual Result<ExecResult> Exec(const ExecRequest& req) = 0;

  // lstat (follow=false) or stat (follow=true). A missing path is an ok
  // FileStat with type kMissing, not an error.
  virtual Result<FileStat> Stat(const std::string& path, bool follow,
                                const Privilege& priv) = 0;

  // The whole file; an error when it is missing or larger than max_bytes.
  virtual Result<std::string> ReadFile(const std::string& path,
                                       size_t max_bytes,
                                       const Privilege& priv) = 0;

  // Writes `content` to a new temporary file in path's directory, applies
  // attrs to it, then renames it over `path` (so readers see the old or the
  // new file, never a partial one, and a failure leaves `path` untouched).
  // When `path` exists and attrs leave mode/owner unset, the new file
  // takes the old file's mode and owner.
  virtual Status WriteFile(const std::string& path, std::string_view content,
                           const FileAttrs& attrs, const Privilege& priv) = 0;

  // Sets the attrs that are set (chmod/chown; follow=false acts on a
  // symlink itself where the system allows).
  virtual Status SetAttrs(const std::string& path, const FileAttrs& attrs,
                          bool follow, const Privilege& priv) = 0;

  // Creates one directory (its parent must exist); kAlreadyExists when it
  // does.
  virtual Status MakeDir(const std::string& path, uint32_t mode,
                         const Privilege& priv) = 0;

  // Makes `path` a symlink to `target`, replacing whatever non-directory
  // is there atomically (a new link renamed over it).
  virtual Status Symlink(const std::string& target, const std::string& path,
                         const Privilege& priv) = 0;

  // A hard link `path` to `target` (replacing a file at path).
  virtual Status HardLink(const std::string& target, const std::string& path,
                          const Privilege& priv) = 0;

  // Removes a file, symlink, or (recursive) a directory tree. A missing
  // path is ok.
  virtual Status Remove(const std::string& path, bool recursive,
                        const Privilege& priv) = 0;

  // rename(2) on the target.
  virtual Status Rename(const std::string& from, const std::string& to,
                        const Privilege& priv) = 0;

  // Sets access and modification times (nanoseconds; -1 = now).
  virtual Status SetTimes(const std::string& path, int64_t atime_ns,
                          int64_t mtime_ns, const Privilege& priv) = 0;

  // Entries of a directory, without "." and "..", in name order.
  virtual Result<std::vector<DirEntry>> ListDir(const std::string& path,
                                                const Privilege& priv) = 0;

  // Copies a local file (on the controller) to `path` with WriteFile's
  // atomicity; for large files (get_url, unarchive, deploy artifacts).
  virtual Status Upload(const std::string& local_path, const std::string& path,
                        const FileAttrs& attrs, const Privilege& priv) = 0;
  // Copies a target file to a local path on the controller.
  virtual Status Download(const std::string& path,
                          const std::string& local_path,
                          const Privilege& priv) = 0;
};

// Names of users and groups on a target, read from its /etc/passwd and
// /etc/group through the connection (so they are the target's, not the
// controller's) and cached for the connection's life. Numeric strings are
// ids as they are.
class IdResolver {
 public:
  explicit IdResolver(Connection* conn) : conn_(conn) {}
  Result<uint32_t> Uid(std::string_view user_or_id);
  Result<uint32_t> Gid(std::string_view group_or_id);
  // "root"; the number as text when the id has no name.
  std::string UserName(uint32_t uid);
  std::string GroupName(uint32_t gid);
  // The user's primary group and home directory (for authorized_key, user).
  Result<uint32_t> PrimaryGid(std::string_view user);
  Result<std::string> Home(std::string_view user);
  // Drops the cache (after the user or group module changed the files).
  void Invalidate();

 private:
  Status Load();
  Connection* conn_;
  bool loaded_ = false;
  struct User {
    std::string name;
    uint32_t uid, gid;
    std::string home;
  };
  std::vector<User> users_;
  std::vector<std::pair<std::string, uint32_t>> groups_;
};

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_TRANSPORT_CONNECTION_H_
