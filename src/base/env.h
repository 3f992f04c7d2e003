// Env: the seam around the filesystem.
//
// Collectors read /proc and /sys only through an Env, so unit tests can run
// them on fixture trees captured from real kernels (RootedEnv) and inject
// faults (FaultInjectingEnv in tests) without touching the host.
#ifndef TEND_BASE_ENV_H_
#define TEND_BASE_ENV_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace tend {

struct FsStats {
  uint64_t block_size = 0;    // f_frsize: the unit of the block counts.
  uint64_t blocks = 0;        // Total data blocks.
  uint64_t blocks_free = 0;   // Free blocks (including reserved).
  uint64_t blocks_avail = 0;  // Free blocks available to unprivileged users.
  uint64_t files = 0;         // Total inodes.
  uint64_t files_free = 0;    // Free inodes.
  bool read_only = false;     // ST_RDONLY.
};

struct FileTimes {
  int64_t mtime_unix_nanos = 0;
  uint64_t size = 0;
};

// A file read again and again, such as a sysfs attribute read every
// cycle. The host Env keeps it open and re-reads it from offset 0 (sysfs
// regenerates an attribute on a read at offset 0), which costs a small
// fraction of opening it by path each time.
class RereadableFile {
 public:
  virtual ~RereadableFile() = default;
  // Replaces *out with the file's whole content now. Errors as
  // Env::ReadFile; ENODEV (the device behind a kept file went away) is
  // kUnavailable: reopen by path.
  virtual Status Read(std::string* out) = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  // A handle for reading `path` repeatedly. The default reads by path each
  // time (so a fake Env needs nothing more) and never fails here; the host
  // Env opens the file now and fails as ReadFile would.
  virtual Result<std::unique_ptr<RereadableFile>> OpenRereadable(
      const std::string& path);

  // Replaces *out with the whole content of `path`. Works on /proc and /sys
  // files, whose reported size is 0: reads until end of file. Reuses *out's
  // capacity. Fails with kNotFound, kPermissionDenied, ... per errno.
  virtual Status ReadFile(const std::string& path, std::string* out) = 0;

  // Names in a directory, without "." and "..", in no particular order.
  virtual Status ListDir(const std::string& path,
                         std::vector<std::string>* names) = 0;

  // Number of entries in a directory (without "." and ".."), e.g. open fds
  // in /proc/PID/fd.
  virtual Result<uint64_t> CountDirEntries(const std::string& path) = 0;

  virtual Result<std::string> ReadLink(const std::string& path) = 0;

  // statvfs(3). May block for a long time on a dead network mount: callers
  // run it off the event loop with a deadline.
  virtual Result<FsStats> StatFs(const std::string& path) = 0;

  virtual Result<FileTimes> Stat(const std::string& path) = 0;

  // The host environment. Never null, never freed.
  static Env* Default();
};

// An Env that prefixes every path with `root`, e.g. a fixture directory that
// holds proc/ and sys/ captured from a real kernel. StatFs answers from
// `root`/statfs/<path with '/' replaced by '_'> when that file exists (lines
// "blocks N", "bfree N", ...), so filesystem collectors can be tested too.
class RootedEnv : public Env {
 public:
  explicit RootedEnv(std::string root) : root_(std::move(root)) {}
  Status ReadFile(const std::string& path, std::string* out) override;
  Status ListDir(const std::string& path,
                 std::vector<std::string>* names) override;
  Result<uint64_t> CountDirEntries(const std::string& path) override;
  Result<std::string> ReadLink(const std::string& path) override;
  Result<FsStats> StatFs(const std::string& path) override;
  Result<FileTimes> Stat(const std::string& path) override;
  Result<std::unique_ptr<RereadableFile>> OpenRereadable(
      const std::string& path) override;

 private:
  std::string root_;
};

}  // namespace tend

#endif  // TEND_BASE_ENV_H_
