// FileSource: discovery (globs, inotify, rescans), restore from a
// checkpoint, and the handling of truncation and copytruncate.
#include <dirent.h>
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/log.h"
#include "logs/sources/file_checkpoint.h"
#include "logs/sources/file_glob.h"
#include "logs/sources/file_source.h"
#include "logs/sources/tailed_file.h"

namespace tend::logs {
namespace {

bool IsGzipName(std::string_view path) { return path.ends_with(".gz"); }

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * kNanosPerSecond +
         st.st_mtim.tv_nsec;
}

// The offset right after the last newline in the file's last 64 KiB (the
// size when there is none there and the file is larger; 0 for a small file
// without a newline, whose only line is not complete yet).
uint64_t OffsetAfterLastNewline(int fd, uint64_t size) {
  constexpr uint64_t kTail = 64 * 1024;
  uint64_t from = size > kTail ? size - kTail : 0;
  std::string tail(static_cast<size_t>(size - from), '\0');
  ssize_t r = pread(fd, tail.data(), tail.size(), static_cast<off_t>(from));
  if (r <= 0) return size;
  size_t nl = std::string_view(tail.data(), static_cast<size_t>(r)).rfind('\n');
  if (nl == std::string_view::npos) return from == 0 ? 0 : size;
  return from + nl + 1;
}

}  // namespace

void FileSource::WatchDirectories() {
  if (inotify_fd_ < 0) return;
  constexpr uint32_t kMask = IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM |
                             IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE |
                             IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
  for (const std::string& dir : GlobDirectories(options_.include)) {
    if (watched_dirs_.count(dir)) continue;
    int wd = inotify_add_watch(inotify_fd_, dir.c_str(), kMask);
    if (wd < 0) continue;  // Gone or not a directory: retried next rescan.
    watches_[wd] = dir;
    watched_dirs_.insert(dir);
  }
}

void FileSource::DrainInotify() {
  if (inotify_fd_ < 0) return;
  alignas(struct inotify_event) char buf[16384];
  for (;;) {
    ssize_t n = read(inotify_fd_, buf, sizeof(buf));
    if (n <= 0) return;  // EAGAIN: drained.
    for (char* p = buf; p < buf + n;) {
      auto* ev = reinterpret_cast<struct inotify_event*>(p);
      p += sizeof(struct inotify_event) + ev->len;
      if (ev->mask & IN_IGNORED) {  // Directory removed or unmounted.
        auto it = watches_.find(ev->wd);
        if (it != watches_.end()) {
          watched_dirs_.erase(it->second);
          watches_.erase(it);
        }
        rescan_needed_ = true;
      }
      // Modifications need no rescan: every Poll looks at every open
      // file's size. Anything changing names does.
      if (ev->mask & (IN_Q_OVERFLOW | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM |
                      IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF)) {
        rescan_needed_ = true;
      }
    }
  }
}

internal::TailedFile* FileSource::FindTracked(const FileId& id) {
  for (auto& f : files_) {
    if (f->id == id) return f.get();
  }
  return nullptr;
}

void FileSource::Rescan(int64_t now_ns) {
  const bool first = !scanned_once_;
  scanned_once_ = true;
  rescan_needed_ = false;
  next_rescan_ns_ = now_ns + options_.rescan_interval_ns;
  last_scan_unix_ns_ = RealNowNs();
  WatchDirectories();

  std::vector<std::string> paths;
  ExpandGlobs(options_.include, options_.exclude, &paths);
  for (auto& f : files_) f->in_globs = false;
  for (const std::string& path : paths) {
    if (IsGzipName(path) && !options_.read_gzip) continue;
    struct stat st;
    if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    FileId id{static_cast<uint64_t>(st.st_dev),
              static_cast<uint64_t>(st.st_ino)};
    TailedFile* f = FindTracked(id);
    if (f != nullptr && f->retired && !f->is_gzip) {
      // A retired file back under a watched name, or its inode reused by
      // a new file: tracked again from its end if its content is the one
      // known, else forgotten and read as a new file.
      uint64_t offset = f->consumed;
      Fingerprint fp = f->fp;
      std::erase_if(files_, [&](const auto& g) { return g.get() == f; });
      f = nullptr;
      if (stats_.open >= options_.max_open_files) {
        rescan_needed_ = true;
        continue;
      }
      TailedFile* g = OpenNew(path, false, now_ns);
      if (g != nullptr && g->id == id && fp.len <= g->fp.len &&
          static_cast<uint64_t>(g->last_size) >= offset) {
        Result<Fingerprint> prefix =
            ReadFingerprint(g->fd, fp.len, fp_scratch_.data());
        if (prefix.ok() && *prefix == fp) g->consumed = offset;
      }
      continue;
    }
    if (f != nullptr) {
      f->path = path;
      f->in_globs = true;
      continue;
    }
    if (stats_.open >= options_.max_open_files) {
      rescan_needed_ = true;  // Try again once a descriptor is released.
      continue;
    }
    bool at_end = first && !restored_ && options_.start_at == StartAt::kEnd;
    OpenNew(path, at_end, now_ns);
  }
  // After the glob expansion, so a rotation that happened before a live
  // file's creation is seen no later than that file.
  ScanRotations(/*baseline=*/first && !restored_, now_ns);
}

internal::TailedFile* FileSource::OpenNew(const std::string& path, bool at_end,
                                          int64_t now_ns, int fd) {
  if (fd < 0) fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    Status err = ErrnoError("open " + path, errno);
    if (fd >= 0) close(fd);
    if (failed_paths_.insert(path).second) {
      ++stats_.errors;
      LogWarn("cannot open log file",
              {{"source", options_.name}, {"path", path}, {"err", err}});
    }
    return nullptr;
  }
  failed_paths_.erase(path);
  auto f = std::make_unique<TailedFile>();
  f->seq = next_seq_++;
  f->id = {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
  f->path = path;
  f->fd = fd;
  f->last_change_ns = now_ns;
  f->last_size = static_cast<int64_t>(st.st_size);
  f->last_mtime_ns = MtimeNs(st);
  ++stats_.open;
  f->is_gzip = IsGzipName(path);
  if (f->is_gzip) {
    auto gz = GzipReader::Open(fd);
    if (!gz.ok()) {
      ++stats_.errors;
      LogWarn(
          "cannot read gzip log file",
          {{"source", options_.name}, {"path", path}, {"err", gz.status()}});
      f->gz_done = true;
      CloseFile(*f);
    } else {
      f->gz = std::move(gz).value();
      if (at_end) {
        f->gz_done = true;  // Existing rotations count as already read.
        CloseFile(*f);
      }
    }
  } else {
    Result<Fingerprint> fp =
        ReadFingerprint(fd, options_.fingerprint_bytes, fp_scratch_.data());
    if (fp.ok()) f->fp = *fp;
    if (at_end) {
      f->consumed =
          OffsetAfterLastNewline(fd, static_cast<uint64_t>(st.st_size));
    }
  }
  files_.push_back(std::move(f));
  return files_.back().get();
}

void FileSource::HandleTruncation(TailedFile& f, int64_t now_ns) {
  const uint64_t pos = f.Position();
  const Fingerprint old_fp = f.fp;
  f.pending.Clear();
  f.skipping = false;
  f.long_line.clear();
  f.consumed = 0;
  f.at_eof = false;
  Result<Fingerprint> fp =
      ReadFingerprint(f.fd, options_.fingerprint_bytes, fp_scratch_.data());
  f.fp = fp.ok() ? *fp : Fingerprint{};

  // copytruncate: the old content lives on in a copy next to the file (a
  // file starting with the old fingerprint, at least `pos` long). Read the
  // rest of it from there first. Without one this was a plain truncation
  // and whatever was written after our last read is gone.
  std::string copy_path;
  int copy_fd = -1;  // Kept open: the copy may be renamed any time.
  int64_t copy_mtime = -1;
  // readdir may miss a copy renamed while it runs: list a few times.
  for (int attempt = 0; attempt < 3 && old_fp.len > 0 && copy_fd < 0;
       ++attempt) {
    const std::string dir = DirName(f.path);
    DIR* d = opendir(dir.c_str());
    while (d != nullptr) {
      struct dirent* e = readdir(d);
      if (e == nullptr) break;
      if (e->d_type != DT_REG && e->d_type != DT_UNKNOWN) continue;
      std::string path =
          dir == "/" ? "/" + std::string(e->d_name) : dir + "/" + e->d_name;
      int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
      if (fd < 0) continue;
      struct stat st;
      bool match = false;
      if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
          static_cast<uint64_t>(st.st_size) >= pos) {
        FileId id{static_cast<uint64_t>(st.st_dev),
                  static_cast<uint64_t>(st.st_ino)};
        if (!(id == f.id) && FindTracked(id) == nullptr &&
            MtimeNs(st) > copy_mtime) {
          Result<Fingerprint> cfp =
              ReadFingerprint(fd, old_fp.len, fp_scratch_.data());
          match = cfp.ok() && *cfp == old_fp;
        }
      }
      if (!match) {
        close(fd);
        continue;
      }
      if (copy_fd >= 0) close(copy_fd);
      copy_fd = fd;
      copy_path = path;
      copy_mtime = MtimeNs(st);
    }
    if (d != nullptr) closedir(d);
  }
  TailedFile* copy = nullptr;
  if (copy_fd >= 0) copy = OpenNew(copy_path, false, now_ns, copy_fd);
  if (copy != nullptr) {
    copy->consumed = pos;
    copy->drain_first = true;
    copy->in_globs = MatchesAnyGlob(copy_path, options_.include) &&
                     !MatchesAnyGlob(copy_path, options_.exclude);
    copy->seq = f.seq;  // Older content than f's new lines: before f.
    LogInfo("log file copied and truncated; reading the rest from the copy",
            {{"source", options_.name},
             {"path", f.path},
             {"copy", copy_path},
             {"offset", static_cast<long long>(pos)}});
  } else if (pos > 0) {
    LogInfo("log file truncated; reading it again from the start",
            {{"source", options_.name},
             {"path", f.path},
             {"offset", static_cast<long long>(pos)}});
  }
  // Content older than f's new lines may also sit in rotations nobody
  // has read (a second copy, a rename since): queue them too. f itself
  // goes after the copy when their modification times tie.
  ScanRotations(/*baseline=*/false, now_ns);
  f.seq = next_seq_++;
}

}  // namespace tend::logs
