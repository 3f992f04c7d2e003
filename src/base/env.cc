#include "base/env.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace tend {
namespace {

// Replaces *out with everything `fd` yields until end of file, reusing its
// capacity; /proc and /sys files report size 0, so it reads until a read
// returns 0. With from_start, reads at offsets from 0 (pread) whatever the
// descriptor's position, so a kept file is read afresh. Returns 0 or the
// errno of the failed read (*out is then empty).
int ReadToEnd(int fd, bool from_start, std::string* out) {
  out->clear();
  if (out->capacity() < 4096) out->reserve(4096);
  size_t len = 0;
  for (;;) {
    if (out->capacity() - len < 1024) out->reserve(out->capacity() * 2);
    out->resize(out->capacity());
    ssize_t n = from_start ? ::pread(fd, out->data() + len, out->size() - len,
                                     static_cast<off_t>(len))
                           : ::read(fd, out->data() + len, out->size() - len);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      out->clear();
      return err;
    }
    if (n == 0) break;
    len += static_cast<size_t>(n);
  }
  out->resize(len);
  return 0;
}

// Reads by path through `env` each time (the default for any Env).
class PathRereadable : public RereadableFile {
 public:
  PathRereadable(Env* env, std::string path)
      : env_(env), path_(std::move(path)) {}
  Status Read(std::string* out) override { return env_->ReadFile(path_, out); }

 private:
  Env* env_;
  std::string path_;
};

// Keeps the file open; each Read is pread from offset 0 until end of file.
class FdRereadable : public RereadableFile {
 public:
  FdRereadable(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FdRereadable() override { ::close(fd_); }
  Status Read(std::string* out) override {
    int err = ReadToEnd(fd_, /*from_start=*/true, out);
    if (err == ENODEV) return UnavailableError(path_ + ": device gone; reopen");
    return err == 0 ? Status::Ok() : ErrnoError(path_, err);
  }

 private:
  int fd_;
  std::string path_;
};

class PosixEnv : public Env {
 public:
  Status ReadFile(const std::string& path, std::string* out) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoError(path, errno);
    int err = ReadToEnd(fd, /*from_start=*/false, out);
    ::close(fd);
    return err == 0 ? Status::Ok() : ErrnoError(path, err);
  }

  Result<std::unique_ptr<RereadableFile>> OpenRereadable(
      const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoError(path, errno);
    return std::unique_ptr<RereadableFile>(new FdRereadable(fd, path));
  }

  Status ListDir(const std::string& path,
                 std::vector<std::string>* names) override {
    names->clear();
    DIR* d = ::opendir(path.c_str());
    if (d == nullptr) return ErrnoError(path, errno);
    while (struct dirent* e = ::readdir(d)) {
      if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0)
        continue;
      names->emplace_back(e->d_name);
    }
    ::closedir(d);
    return Status::Ok();
  }

  Result<uint64_t> CountDirEntries(const std::string& path) override {
    DIR* d = ::opendir(path.c_str());
    if (d == nullptr) return ErrnoError(path, errno);
    uint64_t n = 0;
    while (struct dirent* e = ::readdir(d)) {
      if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0)
        continue;
      ++n;
    }
    ::closedir(d);
    return n;
  }

  Result<std::string> ReadLink(const std::string& path) override {
    char buf[4096];
    ssize_t n = ::readlink(path.c_str(), buf, sizeof(buf));
    if (n < 0) return ErrnoError(path, errno);
    return std::string(buf, static_cast<size_t>(n));
  }

  Result<FsStats> StatFs(const std::string& path) override {
    struct statvfs st;
    if (::statvfs(path.c_str(), &st) != 0) return ErrnoError(path, errno);
    FsStats out;
    out.block_size = st.f_frsize;
    out.blocks = st.f_blocks;
    out.blocks_free = st.f_bfree;
    out.blocks_avail = st.f_bavail;
    out.files = st.f_files;
    out.files_free = st.f_ffree;
    out.read_only = (st.f_flag & ST_RDONLY) != 0;
    return out;
  }

  Result<FileTimes> Stat(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoError(path, errno);
    FileTimes t;
    t.mtime_unix_nanos =
        static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
        st.st_mtim.tv_nsec;
    t.size = static_cast<uint64_t>(st.st_size);
    return t;
  }
};

// Parses the `root`/statfs/<key> fixture format: "name value" per line.
Result<FsStats> ParseStatFsFixture(const std::string& text,
                                   const std::string& where) {
  FsStats s;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.empty()) continue;
    size_t sp = line.find(' ');
    if (sp == std::string::npos) {
      return InvalidArgumentError(where + ": bad line \"" + line + "\"");
    }
    std::string key = line.substr(0, sp);
    uint64_t v = std::strtoull(line.c_str() + sp + 1, nullptr, 10);
    if (key == "bsize")
      s.block_size = v;
    else if (key == "blocks")
      s.blocks = v;
    else if (key == "bfree")
      s.blocks_free = v;
    else if (key == "bavail")
      s.blocks_avail = v;
    else if (key == "files")
      s.files = v;
    else if (key == "ffree")
      s.files_free = v;
    else if (key == "ro")
      s.read_only = v != 0;
    else
      return InvalidArgumentError(where + ": unknown key \"" + key + "\"");
  }
  return s;
}

}  // namespace

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv();
  return env;
}

Result<std::unique_ptr<RereadableFile>> Env::OpenRereadable(
    const std::string& path) {
  return std::unique_ptr<RereadableFile>(new PathRereadable(this, path));
}

Result<std::unique_ptr<RereadableFile>> RootedEnv::OpenRereadable(
    const std::string& path) {
  return Env::Default()->OpenRereadable(root_ + path);
}

Status RootedEnv::ReadFile(const std::string& path, std::string* out) {
  return Env::Default()->ReadFile(root_ + path, out);
}
Status RootedEnv::ListDir(const std::string& path,
                          std::vector<std::string>* names) {
  return Env::Default()->ListDir(root_ + path, names);
}
Result<uint64_t> RootedEnv::CountDirEntries(const std::string& path) {
  return Env::Default()->CountDirEntries(root_ + path);
}
Result<std::string> RootedEnv::ReadLink(const std::string& path) {
  return Env::Default()->ReadLink(root_ + path);
}
Result<FileTimes> RootedEnv::Stat(const std::string& path) {
  return Env::Default()->Stat(root_ + path);
}
Result<FsStats> RootedEnv::StatFs(const std::string& path) {
  std::string key = path;
  for (char& c : key) {
    if (c == '/') c = '_';
  }
  std::string fixture = root_ + "/statfs/" + key;
  std::string text;
  Status s = Env::Default()->ReadFile(fixture, &text);
  if (!s.ok()) return s;
  return ParseStatFsFixture(text, fixture);
}

}  // namespace tend
