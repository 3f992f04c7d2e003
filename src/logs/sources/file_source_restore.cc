// FileSource::Restore: reopening checkpointed files (also under their
// rotated names), and finding the rotated files tend has not read (rotated
// while it was down, or faster than it looked).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>
#include <string_view>

#include "base/log.h"
#include "logs/sources/file_checkpoint.h"
#include "logs/sources/file_glob.h"
#include "logs/sources/file_source.h"
#include "logs/sources/tailed_file.h"

namespace tend::logs {
namespace {

std::string JoinPath(const std::string& dir, const char* name) {
  return dir == "/" ? "/" + std::string(name) : dir + "/" + name;
}

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * kNanosPerSecond +
         st.st_mtim.tv_nsec;
}

// Finds the file with `id` at `path` or anywhere in its directory.
std::string Locate(const FilePosition& pos) {
  struct stat st;
  if (stat(pos.path.c_str(), &st) == 0 &&
      static_cast<uint64_t>(st.st_dev) == pos.id.dev &&
      static_cast<uint64_t>(st.st_ino) == pos.id.ino) {
    return pos.path;
  }
  const std::string dir = DirName(pos.path);
  std::string found;
  // readdir may miss a file renamed while it runs: list a few times.
  for (int attempt = 0; attempt < 3 && found.empty(); ++attempt) {
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) break;
    while (struct dirent* e = readdir(d)) {
      if (e->d_ino != pos.id.ino) continue;
      std::string path = JoinPath(dir, e->d_name);
      if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
          static_cast<uint64_t>(st.st_dev) == pos.id.dev) {
        found = path;
        break;
      }
    }
    closedir(d);
  }
  return found;
}

}  // namespace

Status FileSource::Restore(std::string_view checkpoint) {
  if (checkpoint.empty()) return Status::Ok();
  auto decoded = DecodeFileCheckpoint(checkpoint);
  if (!decoded.ok()) {
    return decoded.status().WithContext("file source \"" + options_.name +
                                        "\"");
  }
  restored_ = true;
  last_scan_unix_ns_ = decoded->scan_unix_ns;
  const int64_t now_ns = clock_->MonotonicNanos();
  // Everything the checkpoint knows is in place before any truncation is
  // handled: that looks for unread rotations, and a file listed later in
  // the checkpoint must not be taken for one.
  std::vector<std::pair<TailedFile*, uint64_t>> opened;
  for (const FilePosition& pos : decoded->files) {
    if (FindTracked(pos.id) != nullptr) continue;  // Listed twice.
    if (pos.retired) {
      auto f = std::make_unique<TailedFile>();
      f->seq = next_seq_++;
      f->id = pos.id;
      f->fp = pos.fp;
      f->consumed = pos.offset;
      f->path = pos.path;
      f->retired = true;
      f->in_globs = false;
      f->is_gzip = pos.path.ends_with(".gz");
      files_.push_back(std::move(f));
      continue;
    }
    // The file may be renamed between the look-up and the open (a
    // rotation right now): look again until the opened file is it.
    TailedFile* f = nullptr;
    std::string found;
    for (int attempt = 0; attempt < 8 && f == nullptr; ++attempt) {
      found = Locate(pos);
      if (found.empty()) break;
      f = OpenNew(found, false, now_ns);
      if (f != nullptr && !(f->id == pos.id)) {
        CloseFile(*f);
        std::erase_if(files_, [&](const auto& g) { return g.get() == f; });
        f = nullptr;
      }
    }
    if (found.empty()) {
      LogWarn("checkpointed log file is gone; its unread lines are lost",
              {{"source", options_.name},
               {"path", pos.path},
               {"offset", static_cast<long long>(pos.offset)}});
      continue;
    }
    if (f == nullptr) continue;
    f->fp = pos.fp;
    f->consumed = pos.offset;
    if (!f->is_gzip) opened.emplace_back(f, pos.offset);
  }
  for (auto [f, offset] : opened) {
    Result<bool> same = VerifyAndExtendFingerprint(
        f->fd, options_.fingerprint_bytes, fp_scratch_.data(), &f->fp);
    struct stat st;
    if (!same.ok() || !*same || fstat(f->fd, &st) != 0 ||
        static_cast<uint64_t>(st.st_size) < offset) {
      // Truncated, copytruncated or a reused inode while tend was down.
      HandleTruncation(*f, now_ns);
    }
  }
  return Status::Ok();
}

bool FileSource::IsRotationName(const std::string& dir,
                                std::string_view name) const {
  if (name.ends_with(".gz")) return false;  // Compressed: read elsewhere.
  std::string prefix = dir == "/" ? "/" : dir + "/";
  const size_t dir_len = prefix.size();
  for (size_t k = 1; k < name.size(); ++k) {
    char c = name[k];
    if (c != '.' && c != '-' && c != '_') continue;
    prefix.resize(dir_len);
    prefix.append(name.substr(0, k));
    if (MatchesAnyGlob(prefix, options_.include) &&
        !MatchesAnyGlob(prefix, options_.exclude)) {
      return true;
    }
  }
  return false;
}

bool FileSource::IsCopyOfKnownContent(int fd, uint64_t size) {
  for (auto& g : files_) {
    if (g->is_gzip) continue;
    if (g->fp.len > 0) {
      if (size >= g->fp.len) {
        Result<Fingerprint> fp =
            ReadFingerprint(fd, g->fp.len, fp_scratch_.data());
        if (fp.ok() && *fp == g->fp) return true;
      } else if (g->fd >= 0) {
        // Shorter than what tend knows of g: a copy being written?
        const auto n = static_cast<uint32_t>(size);
        Result<Fingerprint> mine =
            ReadFingerprint(g->fd, n, fp_scratch_.data());
        Result<Fingerprint> theirs = ReadFingerprint(fd, n, fp_scratch_.data());
        if (mine.ok() && theirs.ok() && mine->len == n && *mine == *theirs) {
          return true;
        }
      }
      continue;
    }
    // A live file whose content tend has not seen yet: the candidate is a
    // copy (not yet truncated) if both start alike. Fingerprinting g now
    // makes a truncation after this point show as one.
    if (g->fd < 0 || !g->in_globs || g->Position() != 0) continue;
    struct stat st;
    if (fstat(g->fd, &st) != 0) continue;
    const size_t n = static_cast<size_t>(std::min<uint64_t>(
        {options_.fingerprint_bytes, size, static_cast<uint64_t>(st.st_size)}));
    if (n == 0) continue;
    Result<Fingerprint> mine =
        ReadFingerprint(g->fd, static_cast<uint32_t>(n), fp_scratch_.data());
    Result<Fingerprint> theirs =
        ReadFingerprint(fd, static_cast<uint32_t>(n), fp_scratch_.data());
    if (mine.ok() && theirs.ok() && mine->len == n && *mine == *theirs) {
      g->fp = *mine;
      return true;
    }
  }
  return false;
}

void FileSource::ScanRotations(bool baseline, int64_t now_ns) {
  // A listing that raced with a rename (a name gone before it could be
  // opened) may have missed the file under its new name: list again.
  for (int attempt = 0; attempt < 8; ++attempt) {
    if (!ScanRotationsOnce(baseline, now_ns)) return;
  }
}

bool FileSource::ScanRotationsOnce(bool baseline, int64_t now_ns) {
  bool raced = false;
  std::vector<std::string> dirs = GlobDirectories(options_.include);
  std::vector<FileId> present;
  std::set<std::string> listed;
  struct Unseen {
    std::string path;
    FileId id;
    int fd;
  };
  std::vector<Unseen> unseen;
  for (const std::string& dir : dirs) {
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) continue;
    listed.insert(dir);
    while (struct dirent* e = readdir(d)) {
      std::string_view name(e->d_name);
      if (name == "." || name == "..") continue;
      std::string path = JoinPath(dir, e->d_name);
      if (MatchesAnyGlob(path, options_.include) &&
          !MatchesAnyGlob(path, options_.exclude)) {
        continue;  // Discovered by the glob expansion.
      }
      if (!IsRotationName(dir, name)) continue;
      struct stat st;
      if (stat(path.c_str(), &st) != 0) {
        raced |= errno == ENOENT;
        continue;
      }
      if (!S_ISREG(st.st_mode)) continue;
      FileId id{static_cast<uint64_t>(st.st_dev),
                static_cast<uint64_t>(st.st_ino)};
      present.push_back(id);
      TailedFile* t = FindTracked(id);
      // A tracked file keeps the name it was read under (its entries'
      // origin); it is found by inode, under any name.
      if (t != nullptr && !t->retired) continue;
      const int64_t mtime = MtimeNs(st);
      if (t != nullptr && t->last_size == static_cast<int64_t>(st.st_size) &&
          t->last_mtime_ns == mtime) {
        t->path = path;  // Retired and unchanged.
        continue;
      }
      int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
      if (fd < 0) {
        raced |= errno == ENOENT;
        continue;
      }
      struct stat fst;
      if (fstat(fd, &fst) != 0 || fst.st_ino != st.st_ino ||
          fst.st_dev != st.st_dev) {
        close(fd);  // Replaced since the stat.
        raced = true;
        continue;
      }
      st = fst;
      // A retired file with its content still there (grown or not) stays
      // known; a new file on a reused inode is not that file.
      if (t != nullptr && !t->is_gzip) {
        Result<Fingerprint> fp =
            ReadFingerprint(fd, t->fp.len, fp_scratch_.data());
        if (fp.ok() && *fp == t->fp &&
            static_cast<uint64_t>(st.st_size) >= t->consumed) {
          close(fd);
          t->path = path;
          t->last_size = static_cast<int64_t>(st.st_size);
          t->last_mtime_ns = mtime;
          if (static_cast<uint64_t>(st.st_size) > t->consumed) {
            LogWarn(
                "rotated log file grew after it was finished; the "
                "lines written after rotate_wait are not read",
                {{"source", options_.name}, {"path", path}});
          }
          continue;
        }
        std::erase_if(files_, [&](const auto& g) { return g.get() == t; });
      }
      if (baseline) {
        // History from before tend first looked: known, not read.
        auto f = std::make_unique<TailedFile>();
        f->seq = next_seq_++;
        f->id = id;
        f->path = path;
        f->retired = true;
        f->in_globs = false;
        f->consumed = static_cast<uint64_t>(st.st_size);
        f->last_size = static_cast<int64_t>(st.st_size);
        f->last_mtime_ns = mtime;
        Result<Fingerprint> fp =
            ReadFingerprint(fd, options_.fingerprint_bytes, fp_scratch_.data());
        close(fd);
        if (!fp.ok()) continue;
        f->fp = *fp;
        files_.push_back(std::move(f));
        continue;
      }
      // Nothing to read yet; maybe a copy just created: looked at again
      // once it has content.
      if (st.st_size == 0) {
        close(fd);
        continue;
      }
      if (IsCopyOfKnownContent(fd, static_cast<uint64_t>(st.st_size))) {
        close(fd);
        continue;
      }
      unseen.push_back({path, id, fd});
    }
    closedir(d);
  }
  // Retired files whose inode left their directory are forgotten, once
  // several listings in a row missed them and their last name is not them
  // (readdir may skip a file renamed while it runs).
  for (auto& f : files_) {
    if (!f->retired || f->is_gzip || !listed.count(DirName(f->path))) continue;
    if (std::find(present.begin(), present.end(), f->id) != present.end()) {
      f->missing = 0;
      continue;
    }
    struct stat st;
    if (stat(f->path.c_str(), &st) == 0 &&
        static_cast<uint64_t>(st.st_ino) == f->id.ino &&
        static_cast<uint64_t>(st.st_dev) == f->id.dev) {
      f->missing = 0;
      continue;
    }
    ++f->missing;
  }
  std::erase_if(files_, [&](const auto& f) {
    return f->retired && f->missing >= internal::kForgetRetired;
  });
  for (const Unseen& u : unseen) {
    // readdir may return a file renamed during the listing twice.
    if (FindTracked(u.id) != nullptr) {
      close(u.fd);
      continue;
    }
    TailedFile* f = OpenNew(u.path, false, now_ns, u.fd);
    if (f == nullptr) continue;
    f->in_globs = false;
    LogInfo("reading a rotated file no scan had seen",
            {{"source", options_.name}, {"path", u.path}});
  }
  return raced;
}

}  // namespace tend::logs
