#include "automate/transport/local_connection.h"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <utility>

#include "automate/transport/local_sudo.h"
#include "base/file_util.h"
#include "base/subprocess.h"

extern char** environ;

namespace tend::automate {
namespace {

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// A fresh temporary name in `dir`: ".tend-" and 16 random hex digits.
std::string TempName(const std::string& dir) {
  unsigned char raw[8];
  ssize_t n = ::getrandom(raw, sizeof(raw), 0);
  if (n != static_cast<ssize_t>(sizeof(raw))) {
    // getrandom on Linux >= 3.17 does not fail for 8 bytes; the counter
    // and pid keep names distinct if it ever does.
    static uint64_t counter = 0;
    uint64_t v = (static_cast<uint64_t>(::getpid()) << 32) ^ ++counter;
    std::memcpy(raw, &v, sizeof(raw));
  }
  static const char kHex[] = "0123456789abcdef";
  std::string name = dir == "/" ? "/.tend-" : dir + "/.tend-";
  for (unsigned char c : raw) {
    name += kHex[c >> 4];
    name += kHex[c & 15];
  }
  return name;
}

FileType TypeOf(mode_t m) {
  if (S_ISREG(m)) return FileType::kFile;
  if (S_ISDIR(m)) return FileType::kDirectory;
  if (S_ISLNK(m)) return FileType::kSymlink;
  return FileType::kOther;
}

uint32_t ReadUmask() {
  std::string status;
  if (ReadFileLimited("/proc/self/status", 1 << 16, "process status", &status)
          .ok()) {
    size_t at = status.find("Umask:");
    if (at != std::string::npos) {
      return static_cast<uint32_t>(
                 std::strtoul(status.c_str() + at + 6, nullptr, 8)) &
             0777;
    }
  }
  return 022;
}

Status WriteAll(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("write " + what, errno);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// Creates a temporary file beside `path`, lets `fill` write it, applies
// the attributes (see Connection::WriteFile for the defaults), fsyncs and
// renames it over `path`. On any failure the temporary is removed and
// `path` is untouched.
Status AtomicReplace(const std::string& path, const FileAttrs& attrs,
                     uint32_t umask_bits,
                     const std::function<Status(int fd)>& fill) {
  const std::string dir = DirName(path);
  struct stat old;
  const bool have_old = ::stat(path.c_str(), &old) == 0 && S_ISREG(old.st_mode);
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 8 && fd < 0; ++attempt) {
    tmp = TempName(dir);
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) {
      return ErrnoError("create a temporary file in " + dir, errno);
    }
  }
  if (fd < 0) return AlreadyExistsError("no free temporary name in " + dir);
  auto fail = [&](Status s) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return s;
  };
  if (Status s = fill(fd); !s.ok()) return fail(std::move(s));
  // Owner before mode: chown clears the setuid/setgid bits.
  uid_t uid = attrs.uid ? *attrs.uid : have_old ? old.st_uid : uid_t(-1);
  gid_t gid = attrs.gid ? *attrs.gid : have_old ? old.st_gid : gid_t(-1);
  if (uid != uid_t(-1) || gid != gid_t(-1)) {
    struct stat now;
    if (::fstat(fd, &now) != 0) return fail(ErrnoError("fstat " + tmp, errno));
    if ((uid != uid_t(-1) && uid != now.st_uid) ||
        (gid != gid_t(-1) && gid != now.st_gid)) {
      if (::fchown(fd, uid, gid) != 0) {
        int err = errno;
        // Keeping the old owner is best effort (a non-root writer cannot),
        // as in Ansible; an owner that was asked for is not.
        if (attrs.uid || attrs.gid) {
          return fail(ErrnoError("chown " + path, err));
        }
      }
    }
  }
  uint32_t mode = attrs.mode ? *attrs.mode
                  : have_old ? (old.st_mode & 07777)
                             : (0666 & ~umask_bits);
  if (::fchmod(fd, mode) != 0) return fail(ErrnoError("chmod " + path, errno));
  if (::fsync(fd) != 0) return fail(ErrnoError("fsync " + tmp, errno));
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoError("close " + tmp, err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoError("rename to " + path, err);
  }
  // The data is durable; a failed directory sync only risks the rename.
  SyncDir(dir).IgnoreError();
  return Status::Ok();
}

// Copies the whole of `src_fd` to `dst_fd`.
Status CopyFd(int src_fd, int dst_fd, const std::string& what) {
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(src_fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("read " + what, errno);
    if (n == 0) return Status::Ok();
    RETURN_IF_ERROR(
        WriteAll(dst_fd, std::string_view(buf, static_cast<size_t>(n)), what));
  }
}

Status CopyFileAtomic(const std::string& from, const std::string& to,
                      const FileAttrs& attrs, uint32_t umask_bits) {
  int src = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (src < 0) return ErrnoError("open " + from, errno);
  Status s = AtomicReplace(to, attrs, umask_bits,
                           [&](int fd) { return CopyFd(src, fd, from); });
  ::close(src);
  return s;
}

}  // namespace

LocalConnection::LocalConnection(std::string host,
                                 LocalConnectionOptions options)
    : host_(std::move(host)),
      options_(std::move(options)),
      euid_(::geteuid()),
      umask_(ReadUmask()) {
  struct passwd pw, *res = nullptr;
  char buf[4096];
  if (::getpwuid_r(euid_, &pw, buf, sizeof(buf), &res) == 0 && res) {
    user_name_ = res->pw_name;
  }
}

std::unique_ptr<Connection> NewLocalConnection(std::string host) {
  return std::make_unique<LocalConnection>(std::move(host));
}

bool LocalConnection::NeedsSudo(const Privilege& priv) const {
  if (!priv.become) return false;
  const std::string& want = priv.user.empty() ? std::string("root") : priv.user;
  if (!user_name_.empty() && want == user_name_) return false;
  return want != std::to_string(euid_);
}

Result<ExecResult> LocalConnection::Exec(const ExecRequest& req) {
  SubprocessOptions opt;
  std::vector<std::string> cmd =
      req.argv.empty() ? std::vector<std::string>{"/bin/sh", "-c", req.shell}
                       : req.argv;
  if (NeedsSudo(req.priv)) {
    // sudo resets the environment; `env` sets the requested variables
    // in the become user's command.
    opt.argv = {options_.sudo_path, "-n", "-u", req.priv.user, "--"};
    if (!req.env.empty()) {
      opt.argv.push_back("env");
      for (const auto& [k, v] : req.env) opt.argv.push_back(k + "=" + v);
    }
    opt.argv.insert(opt.argv.end(), cmd.begin(), cmd.end());
  } else {
    opt.argv = std::move(cmd);
    if (!req.env.empty()) {
      for (char** e = environ; e && *e; ++e) {
        std::string_view kv(*e);
        std::string key(kv.substr(0, kv.find('=')));
        if (req.env.count(key) == 0) opt.env.emplace_back(kv);
      }
      for (const auto& [k, v] : req.env) opt.env.push_back(k + "=" + v);
    }
  }
  opt.working_dir = req.chdir;
  opt.stdin_data = req.stdin_data;
  opt.timeout_ms = req.timeout_ms;
  opt.max_output_bytes = options_.max_output_bytes;
  ASSIGN_OR_RETURN(SubprocessResult r, RunSubprocess(opt));
  ExecResult out;
  out.timed_out = r.timed_out;
  out.signal = r.term_signal;
  out.exit_code = (r.timed_out || r.term_signal != 0) ? -1 : r.exit_code;
  out.out = std::move(r.stdout_data);
  out.err = std::move(r.stderr_data);
  return out;
}

#define TEND_SUDO_RUNNER(priv) sudo_files::RunnerFor(this, priv)

Result<FileStat> LocalConnection::Stat(const std::string& path, bool follow,
                                       const Privilege& priv) {
  if (NeedsSudo(priv)) {
    return sudo_files::Stat(TEND_SUDO_RUNNER(priv), path, follow);
  }
  struct stat s;
  FileStat st;
  int rc = follow ? ::stat(path.c_str(), &s) : ::lstat(path.c_str(), &s);
  if (rc != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return st;
    return ErrnoError("stat " + path, errno);
  }
  st.type = TypeOf(s.st_mode);
  st.mode = s.st_mode & 07777;
  st.uid = s.st_uid;
  st.gid = s.st_gid;
  st.size = static_cast<uint64_t>(s.st_size);
  st.mtime_ns = int64_t{s.st_mtim.tv_sec} * 1000000000 + s.st_mtim.tv_nsec;
  st.atime_ns = int64_t{s.st_atim.tv_sec} * 1000000000 + s.st_atim.tv_nsec;
  st.inode = s.st_ino;
  st.dev = s.st_dev;
  st.nlink = static_cast<uint32_t>(s.st_nlink);
  if (st.type == FileType::kSymlink) {
    std::string buf(static_cast<size_t>(s.st_size > 0 ? s.st_size : 256), '\0');
    for (;;) {
      ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
      if (n < 0) return ErrnoError("readlink " + path, errno);
      if (static_cast<size_t>(n) < buf.size()) {
        buf.resize(static_cast<size_t>(n));
        break;
      }
      buf.resize(buf.size() * 2);
    }
    st.link_target = std::move(buf);
  }
  return st;
}

Result<std::string> LocalConnection::ReadFile(const std::string& path,
                                              size_t max_bytes,
                                              const Privilege& priv) {
  if (NeedsSudo(priv)) {
    return sudo_files::ReadFile(TEND_SUDO_RUNNER(priv), path, max_bytes);
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open " + path, errno);
  struct stat s;
  if (::fstat(fd, &s) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoError("fstat " + path, err);
  }
  if (S_ISDIR(s.st_mode)) {
    ::close(fd);
    return InvalidArgumentError(path + ": is a directory");
  }
  std::string out;
  // Sizes of /proc files read 0; the loop reads to the end either way.
  if (s.st_size > 0 && static_cast<size_t>(s.st_size) <= max_bytes) {
    out.reserve(static_cast<size_t>(s.st_size));
  }
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return ErrnoError("read " + path, err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_bytes) {
      ::close(fd);
      return ResourceExhaustedError(path + ": the file is larger than " +
                                    std::to_string(max_bytes) +
                                    " bytes, the limit for reading it");
    }
  }
  ::close(fd);
  return out;
}

Status LocalConnection::WriteFile(const std::string& path,
                                  std::string_view content,
                                  const FileAttrs& attrs,
                                  const Privilege& priv) {
  if (NeedsSudo(priv)) {
    return sudo_files::WriteFile(TEND_SUDO_RUNNER(priv), path,
                                 std::string(content), attrs);
  }
  return AtomicReplace(path, attrs, umask_,
                       [&](int fd) { return WriteAll(fd, content, path); });
}

Status LocalConnection::SetAttrs(const std::string& path,
                                 const FileAttrs& attrs, bool follow,
                                 const Privilege& priv) {
  if (NeedsSudo(priv)) {
    return sudo_files::SetAttrs(TEND_SUDO_RUNNER(priv), path, attrs, follow);
  }
  if (attrs.uid || attrs.gid) {
    uid_t uid = attrs.uid ? *attrs.uid : uid_t(-1);
    gid_t gid = attrs.gid ? *attrs.gid : gid_t(-1);
    int rc = follow ? ::chown(path.c_str(), uid, gid)
                    : ::lchown(path.c_str(), uid, gid);
    if (rc != 0) return ErrnoError("chown " + path, errno);
  }
  if (attrs.mode) {
    if (!follow) {
      struct stat s;
      if (::lstat(path.c_str(), &s) != 0) {
        return ErrnoError("lstat " + path, errno);
      }
      // Linux has no mode on symlinks (lchmod is ENOTSUP).
      if (S_ISLNK(s.st_mode)) return Status::Ok();
    }
    if (::chmod(path.c_str(), *attrs.mode) != 0) {
      return ErrnoError("chmod " + path, errno);
    }
  }
  return Status::Ok();
}

Status LocalConnection::MakeDir(const std::string& path, uint32_t mode,
                                const Privilege& priv) {
  if (NeedsSudo(priv)) {
    return sudo_files::MakeDir(TEND_SUDO_RUNNER(priv), path, mode);
  }
  if (::mkdir(path.c_str(), mode) != 0) {
    return ErrnoError("mkdir " + path, errno);
  }
  return Status::Ok();
}

Status LocalConnection::Symlink(const std::string& target,
                                const std::string& path,
                                const Privilege& priv) {
  if (NeedsSudo(priv)) {
    return sudo_files::Symlink(TEND_SUDO_RUNNER(priv), target, path);
  }
  const std::string dir = DirName(path);
  std::string tmp;
  for (int attempt = 0;; ++attempt) {
    tmp = TempName(dir);
    if (::symlink(target.c_str(), tmp.c_str()) == 0) break;
    if (errno != EEXIST || attempt == 7) {
      return ErrnoError("symlink " + path, errno);
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoError("symlink " + path, err);
  }
  return Status::Ok();
}

Status LocalConnection::HardLink(const std::string& target,
                                 const std::string& path,
                                 const Privilege& priv) {
  if (NeedsSudo(priv)) {
    return sudo_files::HardLink(TEND_SUDO_RUNNER(priv), target, path);
  }
  const std::string dir = DirName(path);
  std::string tmp;
  for (int attempt = 0;; ++attempt) {
    tmp = TempName(dir);
    if (::link(target.c_str(), tmp.c_str()) == 0) break;
    if (errno != EEXIST || attempt == 7) {
      return ErrnoError("hard link " + path + " to " + target, errno);
    }
  }
  int rc = ::rename(tmp.c_str(), path.c_str());
  int err = errno;
  // rename() of two links to the same inode succeeds doing nothing, which
  // would leave the temporary behind; remove it in every case.
  ::unlink(tmp.c_str());
  if (rc != 0) return ErrnoError("hard link " + path, err);
  return Status::Ok();
}

Status LocalConnection::Remove(const std::string& path, bool recursive,
                               const Privilege& priv) {
  if (NeedsSudo(priv)) {
    return sudo_files::Remove(TEND_SUDO_RUNNER(priv), path, recursive);
  }
  struct stat s;
  if (::lstat(path.c_str(), &s) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return ErrnoError("lstat " + path, errno);
  }
  if (!S_ISDIR(s.st_mode)) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return ErrnoError("remove " + path, errno);
    }
    return Status::Ok();
  }
  if (!recursive) {
    if (::rmdir(path.c_str()) != 0) return ErrnoError("rmdir " + path, errno);
    return Status::Ok();
  }
  std::error_code ec;
  std::filesystem::remove_all(path, ec);  // does not follow symlinks
  if (ec) return ErrnoError("remove " + path, ec.value());
  return Status::Ok();
}

Status LocalConnection::Rename(const std::string& from, const std::string& to,
                               const Privilege& priv) {
  if (NeedsSudo(priv)) {
    return sudo_files::Rename(TEND_SUDO_RUNNER(priv), from, to);
  }
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return ErrnoError("rename " + from + " to " + to, errno);
  }
  return Status::Ok();
}

Status LocalConnection::SetTimes(const std::string& path, int64_t atime_ns,
                                 int64_t mtime_ns, const Privilege& priv) {
  if (NeedsSudo(priv)) {
    return sudo_files::SetTimes(TEND_SUDO_RUNNER(priv), path, atime_ns,
                                mtime_ns);
  }
  auto ts = [](int64_t ns) {
    struct timespec t;
    if (ns == -1) {
      t.tv_sec = 0;
      t.tv_nsec = UTIME_NOW;
      return t;
    }
    t.tv_sec = ns / 1000000000;
    t.tv_nsec = ns % 1000000000;
    if (t.tv_nsec < 0) {
      t.tv_nsec += 1000000000;
      --t.tv_sec;
    }
    return t;
  };
  struct timespec times[2] = {ts(atime_ns), ts(mtime_ns)};
  if (::utimensat(AT_FDCWD, path.c_str(), times, 0) != 0) {
    return ErrnoError("set times of " + path, errno);
  }
  return Status::Ok();
}

Result<std::vector<DirEntry>> LocalConnection::ListDir(const std::string& path,
                                                       const Privilege& priv) {
  if (NeedsSudo(priv)) {
    return sudo_files::ListDir(TEND_SUDO_RUNNER(priv), path);
  }
  DIR* d = ::opendir(path.c_str());
  if (d == nullptr) return ErrnoError("list " + path, errno);
  std::vector<DirEntry> out;
  errno = 0;
  while (struct dirent* e = ::readdir(d)) {
    std::string_view name(e->d_name);
    if (name == "." || name == "..") continue;
    DirEntry de;
    de.name = std::string(name);
    switch (e->d_type) {
      case DT_REG:
        de.type = FileType::kFile;
        break;
      case DT_DIR:
        de.type = FileType::kDirectory;
        break;
      case DT_LNK:
        de.type = FileType::kSymlink;
        break;
      case DT_UNKNOWN: {
        struct stat s;
        std::string full = path + "/" + de.name;
        de.type = ::lstat(full.c_str(), &s) == 0 ? TypeOf(s.st_mode)
                                                 : FileType::kOther;
        break;
      }
      default:
        de.type = FileType::kOther;
    }
    out.push_back(std::move(de));
  }
  ::closedir(d);
  std::sort(out.begin(), out.end(), [](const DirEntry& a, const DirEntry& b) {
    return a.name < b.name;
  });
  return out;
}

Status LocalConnection::Upload(const std::string& local_path,
                               const std::string& path, const FileAttrs& attrs,
                               const Privilege& priv) {
  if (NeedsSudo(priv)) {
    return sudo_files::UploadFile(TEND_SUDO_RUNNER(priv), local_path, path,
                                  attrs);
  }
  return CopyFileAtomic(local_path, path, attrs, umask_);
}

Status LocalConnection::Download(const std::string& path,
                                 const std::string& local_path,
                                 const Privilege& priv) {
  if (NeedsSudo(priv)) {
    ASSIGN_OR_RETURN(
        std::string data,
        sudo_files::ReadFile(TEND_SUDO_RUNNER(priv), path, size_t{1} << 32));
    return AtomicReplace(local_path, FileAttrs{}, umask_, [&](int fd) {
      return WriteAll(fd, data, local_path);
    });
  }
  return CopyFileAtomic(path, local_path, FileAttrs{}, umask_);
}

#undef TEND_SUDO_RUNNER

}  // namespace tend::automate
