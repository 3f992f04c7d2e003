// The WAL directory: segment names, listing, deleting old segments, and
// repairing a damaged tail (docs/formats/wal.md, "Repair").
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "base/file_util.h"
#include "base/log.h"
#include "tsdb/wal.h"
#include "tsdb/wal_format.h"

namespace tend {
namespace wal_internal {

std::string SegmentPath(const std::string& dir, int segment) {
  char name[16];
  std::snprintf(name, sizeof name, "%08d", segment);
  return dir + "/" + name;
}

int ParseSegmentName(std::string_view name) {
  if (name.size() != 8) return -1;
  int n = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace wal_internal

using wal_internal::SegmentPath;

Result<std::vector<int>> ListWalSegments(const std::string& dir) {
  std::vector<int> segments;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    // A WAL that was never written has no directory yet: no segments.
    if (errno == ENOENT) return segments;
    return ErrnoError("list wal directory " + dir, errno);
  }
  errno = 0;
  while (const dirent* e = ::readdir(d)) {
    int n = wal_internal::ParseSegmentName(e->d_name);
    if (n >= 0) segments.push_back(n);
    errno = 0;
  }
  const int err = errno;
  ::closedir(d);
  if (err != 0) return ErrnoError("list wal directory " + dir, err);
  std::sort(segments.begin(), segments.end());
  return segments;
}

Status DeleteWalSegmentsBefore(const std::string& dir, int segment) {
  ASSIGN_OR_RETURN(std::vector<int> segments, ListWalSegments(dir));
  // Lowest first: a crash part-way leaves a consecutive run, never a gap.
  for (int s : segments) {
    if (s >= segment) break;
    const std::string path = SegmentPath(dir, s);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return ErrnoError("delete wal segment " + path, errno);
    }
  }
  return Status::Ok();
}

Status RepairWal(const std::string& dir, const WalCorruption& where) {
  if (where.segment < 0) {
    return InvalidArgumentError("repair wal " + dir + ": no damaged segment");
  }
  const std::string path = SegmentPath(dir, where.segment);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return ErrnoError("repair wal segment " + path, errno);
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (where.offset > size) {
    return InvalidArgumentError(
        "repair wal segment " + path + ": damage offset " +
        std::to_string(where.offset) + " is past its end (" +
        std::to_string(size) +
        " bytes); was the WAL changed since it was read?");
  }

  // Later segments go first and the damaged one is truncated last: until
  // the repair is complete the damage is still there, so a crash part-way
  // makes the next replay find it and repair again, and never replays a
  // record from after the damage.
  ASSIGN_OR_RETURN(std::vector<int> segments, ListWalSegments(dir));
  uint64_t dropped = size - where.offset;
  int deleted = 0;
  for (int s : segments) {
    if (s <= where.segment) continue;
    const std::string later = SegmentPath(dir, s);
    struct stat lst;
    if (::stat(later.c_str(), &lst) == 0) {
      dropped += static_cast<uint64_t>(lst.st_size);
    }
    if (::unlink(later.c_str()) != 0 && errno != ENOENT) {
      return ErrnoError("delete wal segment " + later, errno);
    }
    ++deleted;
  }
  if (deleted > 0) RETURN_IF_ERROR(SyncDir(dir));

  if (where.offset < size) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoError("repair wal segment " + path, errno);
    if (::ftruncate(fd, static_cast<off_t>(where.offset)) != 0 ||
        ::fdatasync(fd) != 0) {
      const int err = errno;
      ::close(fd);
      return ErrnoError("truncate wal segment " + path, err);
    }
    ::close(fd);
  }
  LogWarn("wal repaired: damaged tail dropped",
          {{"dir", dir},
           {"segment", where.segment},
           {"offset", static_cast<long long>(where.offset)},
           {"bytes_dropped", static_cast<long long>(dropped)},
           {"segments_deleted", deleted},
           {"reason", where.reason}});
  return Status::Ok();
}

}  // namespace tend
