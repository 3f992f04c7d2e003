// FileSource::Restore: reopening checkpointed files (also under their
// rotated names), and finding the files rotated while tend was down that
// it never saw.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>

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

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
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
  if (DIR* d = opendir(dir.c_str())) {
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
  for (const FileId& id : decoded->done) {
    done_.emplace_back(id, decoded->scan_unix_ns);
  }
  const int64_t now_ns = clock_->MonotonicNanos();
  for (const FilePosition& pos : decoded->files) {
    bases_.insert(pos.path);
    std::string found = Locate(pos);
    if (found.empty()) {
      LogWarn("checkpointed log file is gone; its unread lines are lost",
              {{"source", options_.name},
               {"path", pos.path},
               {"offset", static_cast<long long>(pos.offset)}});
      continue;
    }
    if (FindTracked(pos.id) != nullptr) continue;  // Listed twice.
    TailedFile* f = OpenNew(found, false, now_ns);
    if (f == nullptr) continue;
    if (!(f->id == pos.id)) {  // Replaced between stat and open.
      f->consumed = 0;
      continue;
    }
    f->fp = pos.fp;
    f->consumed = pos.offset;
    if (f->is_gzip) continue;  // Immutable; ReadAt skips to the offset.
    struct stat st;
    Result<bool> same = VerifyAndExtendFingerprint(
        f->fd, options_.fingerprint_bytes, fp_scratch_.data(), &f->fp);
    if (!same.ok() || !*same || fstat(f->fd, &st) != 0 ||
        static_cast<uint64_t>(st.st_size) < pos.offset) {
      // Truncated, copytruncated or a reused inode while tend was down.
      HandleTruncation(*f, now_ns);
    }
  }
  return Status::Ok();
}

// A candidate is in the directory of a base path, named like a rotation of
// it (the base name plus a suffix), matches no include glob (those are
// discovered the normal way), is not compressed (a compressed rotation
// repeats content read elsewhere), is neither tracked nor recently done,
// was created since `since_unix_ns`, and is not a copy of a tracked file's
// known content (a copytruncate copy, found when the truncation is
// noticed). Filesystems without creation times skip this.
void FileSource::FindUnseenRotations(int64_t since_unix_ns, int64_t now_ns) {
  std::map<std::string, std::vector<std::string>> by_dir;
  for (const std::string& base : bases_) {
    by_dir[DirName(base)].push_back(BaseName(base));
  }
  std::vector<std::pair<int64_t, std::string>> unseen;
  for (const auto& [dir, names] : by_dir) {
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) continue;
    while (struct dirent* e = readdir(d)) {
      std::string_view name(e->d_name);
      bool rotated = false;
      for (const std::string& base : names) {
        rotated |= name.size() > base.size() && name.starts_with(base);
      }
      if (!rotated || name.ends_with(".gz")) continue;
      std::string candidate = JoinPath(dir, e->d_name);
      if (MatchesAnyGlob(candidate, options_.include) &&
          !MatchesAnyGlob(candidate, options_.exclude)) {
        continue;
      }
      struct stat st;
      if (stat(candidate.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      FileId id{static_cast<uint64_t>(st.st_dev),
                static_cast<uint64_t>(st.st_ino)};
      if (FindTracked(id) != nullptr) continue;
      bool done = false;
      for (const auto& [done_id, birth] : done_) done |= done_id == id;
      if (done) continue;
      int64_t birth = BirthTimeNs(-1, candidate.c_str());
      if (birth < 0 || birth < since_unix_ns) continue;
      unseen.emplace_back(birth, candidate);
    }
    closedir(d);
  }
  std::sort(unseen.begin(), unseen.end());
  for (const auto& [birth, candidate] : unseen) {
    int fd = open(candidate.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) continue;
    bool copy = false;
    for (const auto& g : files_) {
      if (g->fp.len == 0 || g->is_gzip ||
          DirName(g->path) != DirName(candidate)) {
        continue;
      }
      Result<Fingerprint> fp =
          ReadFingerprint(fd, g->fp.len, fp_scratch_.data());
      copy |= fp.ok() && *fp == g->fp;
    }
    close(fd);
    if (copy) continue;
    TailedFile* f = OpenNew(candidate, false, now_ns);
    if (f == nullptr) continue;
    f->in_globs = false;
    LogInfo("reading a rotated file no scan had seen",
            {{"source", options_.name}, {"path", candidate}});
  }
}

}  // namespace tend::logs
