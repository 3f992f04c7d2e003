// SshConnection's file primitives: SFTP for the login user, local_sudo.h
// scripts through sudo for become, and those scripts without sudo for
// what SFTP version 3 cannot do (see ssh_connection.h).
#include <fcntl.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "automate/transport/local_sudo.h"
#include "automate/transport/ssh_connection.h"
#include "base/file_util.h"

namespace tend::automate {
namespace {

constexpr size_t kChunk = 64 * 1024;

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string TempName(const std::string& dir) {
  unsigned char raw[8] = {};
  if (::getrandom(raw, sizeof(raw), 0) != static_cast<ssize_t>(sizeof(raw))) {
    static uint64_t counter = 0;
    uint64_t v = (static_cast<uint64_t>(::getpid()) << 32) ^ ++counter ^
                 static_cast<uint64_t>(::time(nullptr));
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

FileType TypeOf(const sftp_attributes a) {
  switch (a->type) {
    case SSH_FILEXFER_TYPE_REGULAR:
      return FileType::kFile;
    case SSH_FILEXFER_TYPE_DIRECTORY:
      return FileType::kDirectory;
    case SSH_FILEXFER_TYPE_SYMLINK:
      return FileType::kSymlink;
    default:
      break;
  }
  switch (a->permissions & S_IFMT) {
    case S_IFREG:
      return FileType::kFile;
    case S_IFDIR:
      return FileType::kDirectory;
    case S_IFLNK:
      return FileType::kSymlink;
    default:
      return FileType::kOther;
  }
}

struct AttrsFree {
  sftp_attributes a;
  ~AttrsFree() {
    if (a != nullptr) sftp_attributes_free(a);
  }
};

struct FileClose {
  sftp_file f;
  ~FileClose() {
    if (f != nullptr) sftp_close(f);
  }
};

// A local file descriptor closed on every path.
struct FdClose {
  int fd;
  ~FdClose() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

#define TEND_RUNNER(priv) sudo_files::RunnerFor(this, priv)

Result<sftp_session> SshConnection::Sftp() {
  if (sftp_ != nullptr) return sftp_;
  sftp_session s = sftp_new(session_);
  if (s == nullptr) {
    return UnavailableError(Where() +
                            ": cannot open SFTP: " + ssh_get_error(session_));
  }
  if (sftp_init(s) != SSH_OK) {
    std::string err = ssh_get_error(session_);
    sftp_free(s);
    return UnavailableError(Where() +
                            ": cannot start SFTP (is the sftp "
                            "subsystem enabled in sshd_config?): " +
                            err);
  }
  sftp_ = s;
  return sftp_;
}

Status SshConnection::SftpError(std::string_view what,
                                const std::string& path) {
  const int code = sftp_ != nullptr ? sftp_get_error(sftp_) : SSH_FX_FAILURE;
  std::string msg = Where() + ": " + std::string(what) + " " + path + ": ";
  switch (code) {
    case SSH_FX_NO_SUCH_FILE:
    case SSH_FX_NO_SUCH_PATH:
      return NotFoundError(msg + "No such file or directory");
    case SSH_FX_PERMISSION_DENIED:
      return PermissionDeniedError(msg + "Permission denied");
    case SSH_FX_FILE_ALREADY_EXISTS:
      return AlreadyExistsError(msg + "File exists");
    case SSH_FX_NO_CONNECTION:
    case SSH_FX_CONNECTION_LOST:
      return UnavailableError(msg +
                              "connection lost: " + ssh_get_error(session_));
    case SSH_FX_OP_UNSUPPORTED:
      return UnimplementedError(msg + "not supported by the server");
    default:
      // OpenSSH's sftp-server answers "Failure" for most errno values.
      return FailedPreconditionError(msg + "failed (SFTP status " +
                                     std::to_string(code) + "; " +
                                     ssh_get_error(session_) + ")");
  }
}

Result<uint32_t> SshConnection::RemoteUmask() {
  if (umask_) return *umask_;
  ExecRequest req;
  req.shell = "umask";
  ASSIGN_OR_RETURN(ExecResult r, Exec(req));
  uint32_t m = 022;
  if (r.exit_code == 0) {
    m = static_cast<uint32_t>(std::strtoul(r.out.c_str(), nullptr, 8)) & 0777;
  }
  umask_ = m;
  return m;
}

Result<FileStat> SshConnection::Stat(const std::string& path, bool follow,
                                     const Privilege& priv) {
  if (NeedsSudo(priv) || !opts_.sftp_stat) {
    return sudo_files::Stat(TEND_RUNNER(priv), path, follow);
  }
  ASSIGN_OR_RETURN(sftp_session sftp, Sftp());
  sftp_attributes a =
      follow ? sftp_stat(sftp, path.c_str()) : sftp_lstat(sftp, path.c_str());
  AttrsFree free_a{a};
  FileStat st;
  if (a == nullptr) {
    int code = sftp_get_error(sftp);
    if (code == SSH_FX_NO_SUCH_FILE || code == SSH_FX_NO_SUCH_PATH) return st;
    return SftpError("stat", path);
  }
  st.type = TypeOf(a);
  st.mode = a->permissions & 07777;
  st.uid = a->uid;
  st.gid = a->gid;
  st.size = a->size;
  st.mtime_ns = int64_t{a->mtime} * 1000000000;
  st.atime_ns = int64_t{a->atime} * 1000000000;
  st.nlink = 1;
  if (st.type == FileType::kSymlink) {
    char* target = sftp_readlink(sftp, path.c_str());
    if (target == nullptr) return SftpError("readlink", path);
    st.link_target = target;
    ssh_string_free_char(target);
  }
  return st;
}

Result<std::string> SshConnection::ReadFile(const std::string& path,
                                            size_t max_bytes,
                                            const Privilege& priv) {
  if (NeedsSudo(priv)) {
    return sudo_files::ReadFile(TEND_RUNNER(priv), path, max_bytes);
  }
  ASSIGN_OR_RETURN(sftp_session sftp, Sftp());
  sftp_file f = sftp_open(sftp, path.c_str(), O_RDONLY, 0);
  if (f == nullptr) return SftpError("open", path);
  FileClose close_f{f};
  sftp_attributes a = sftp_fstat(f);
  AttrsFree free_a{a};
  if (a != nullptr && TypeOf(a) == FileType::kDirectory) {
    return InvalidArgumentError(path + ": is a directory");
  }
  std::string out;
  if (a != nullptr && a->size > 0 && a->size <= max_bytes) {
    out.reserve(a->size);
  }
  char buf[kChunk];
  for (;;) {
    ssize_t n = sftp_read(f, buf, sizeof(buf));
    if (n < 0) return SftpError("read", path);
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_bytes) {
      return ResourceExhaustedError(path + ": the file is larger than " +
                                    std::to_string(max_bytes) +
                                    " bytes, the limit for reading it");
    }
  }
  return out;
}

Status SshConnection::SftpReplace(
    const std::string& path, const FileAttrs& attrs,
    const std::function<Status(sftp_file)>& fill) {
  ASSIGN_OR_RETURN(sftp_session sftp, Sftp());
  const std::string dir = DirName(path);
  // The old file's owner and mode carry over when attrs leave them unset.
  sftp_attributes old = sftp_stat(sftp, path.c_str());
  AttrsFree free_old{old};
  const bool have_old = old != nullptr && TypeOf(old) == FileType::kFile;
  std::string tmp;
  sftp_file f = nullptr;
  for (int attempt = 0; attempt < 8 && f == nullptr; ++attempt) {
    tmp = TempName(dir);
    f = sftp_open(sftp, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (f == nullptr && sftp_get_error(sftp) != SSH_FX_FAILURE &&
        sftp_get_error(sftp) != SSH_FX_FILE_ALREADY_EXISTS) {
      return SftpError("create a temporary file in", dir);
    }
  }
  if (f == nullptr) return SftpError("create a temporary file in", dir);
  auto fail = [&](Status s) {
    if (f != nullptr) sftp_close(f);
    sftp_unlink(sftp, tmp.c_str());
    return s;
  };
  if (Status s = fill(f); !s.ok()) return fail(std::move(s));
  if (sftp_extension_supported(sftp, "fsync@openssh.com", "1") &&
      sftp_fsync(f) != 0) {
    return fail(SftpError("fsync", tmp));
  }
  if (sftp_close(f) != SSH_OK) {
    f = nullptr;
    return fail(SftpError("close", tmp));
  }
  f = nullptr;
  // Owner before mode: chown clears the setuid/setgid bits.
  std::optional<uint32_t> uid = attrs.uid, gid = attrs.gid;
  if (have_old && !uid && !gid) {
    uid = old->uid;
    gid = old->gid;
  }
  if (uid || gid) {
    sftp_attributes cur = sftp_stat(sftp, tmp.c_str());
    AttrsFree free_cur{cur};
    if (cur == nullptr) return fail(SftpError("stat", tmp));
    if ((uid && *uid != cur->uid) || (gid && *gid != cur->gid)) {
      if (sftp_chown(sftp, tmp.c_str(), uid ? *uid : cur->uid,
                     gid ? *gid : cur->gid) != 0) {
        // Keeping the old owner is best effort (a non-root login cannot);
        // an owner that was asked for is not.
        if (attrs.uid || attrs.gid) return fail(SftpError("chown", path));
      }
    }
  }
  uint32_t mode;
  if (attrs.mode) {
    mode = *attrs.mode;
  } else if (have_old) {
    mode = old->permissions & 07777;
  } else {
    auto um = RemoteUmask();
    if (!um.ok()) return fail(um.status());
    mode = 0666 & ~*um;
  }
  if (mode != 0600 && sftp_chmod(sftp, tmp.c_str(), mode) != 0) {
    return fail(SftpError("chmod", path));
  }
  // posix-rename replaces an existing target (SFTP's rename refuses to).
  if (Status s = SftpPosixRename(tmp, path); !s.ok()) return fail(s);
  return Status::Ok();
}

Status SshConnection::WriteFile(const std::string& path,
                                std::string_view content,
                                const FileAttrs& attrs, const Privilege& priv) {
  if (NeedsSudo(priv)) {
    return sudo_files::WriteFile(TEND_RUNNER(priv), path, std::string(content),
                                 attrs);
  }
  return SftpReplace(path, attrs, [&](sftp_file f) -> Status {
    std::string_view rest = content;
    while (!rest.empty()) {
      ssize_t n = sftp_write(f, rest.data(), std::min(rest.size(), kChunk));
      if (n <= 0) return SftpError("write", path);
      rest.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  });
}

Status SshConnection::SetAttrs(const std::string& path, const FileAttrs& attrs,
                               bool follow, const Privilege& priv) {
  if (NeedsSudo(priv)) {
    return sudo_files::SetAttrs(TEND_RUNNER(priv), path, attrs, follow);
  }
  if (!attrs.mode && !attrs.uid && !attrs.gid) return Status::Ok();
  ASSIGN_OR_RETURN(sftp_session sftp, Sftp());
  if (!follow) {
    sftp_attributes a = sftp_lstat(sftp, path.c_str());
    AttrsFree free_a{a};
    if (a == nullptr) return SftpError("lstat", path);
    if (TypeOf(a) == FileType::kSymlink) {
      // SFTP's setstat follows links; the owner of the link itself needs
      // chown -h (and Linux links have no mode).
      if (!attrs.uid && !attrs.gid) return Status::Ok();
      FileAttrs owner{std::nullopt, attrs.uid, attrs.gid};
      return sudo_files::SetAttrs(TEND_RUNNER(priv), path, owner, false);
    }
  }
  if (attrs.uid || attrs.gid) {
    uint32_t uid = 0, gid = 0;
    if (!attrs.uid || !attrs.gid) {
      sftp_attributes a = sftp_stat(sftp, path.c_str());
      AttrsFree free_a{a};
      if (a == nullptr) return SftpError("stat", path);
      uid = a->uid;
      gid = a->gid;
    }
    if (sftp_chown(sftp, path.c_str(), attrs.uid ? *attrs.uid : uid,
                   attrs.gid ? *attrs.gid : gid) != 0) {
      return SftpError("chown", path);
    }
  }
  if (attrs.mode && sftp_chmod(sftp, path.c_str(), *attrs.mode) != 0) {
    return SftpError("chmod", path);
  }
  return Status::Ok();
}

Status SshConnection::MakeDir(const std::string& path, uint32_t mode,
                              const Privilege& priv) {
  if (NeedsSudo(priv)) {
    return sudo_files::MakeDir(TEND_RUNNER(priv), path, mode);
  }
  ASSIGN_OR_RETURN(sftp_session sftp, Sftp());
  if (sftp_mkdir(sftp, path.c_str(), mode) == 0) return Status::Ok();
  Status err = SftpError("mkdir", path);
  // sftp-server reports EEXIST as a plain failure: look.
  sftp_attributes a = sftp_lstat(sftp, path.c_str());
  AttrsFree free_a{a};
  if (a != nullptr) {
    return AlreadyExistsError(Where() + ": mkdir " + path + ": File exists");
  }
  return err;
}

Status SshConnection::Symlink(const std::string& target,
                              const std::string& path, const Privilege& priv) {
  if (NeedsSudo(priv)) {
    return sudo_files::Symlink(TEND_RUNNER(priv), target, path);
  }
  ASSIGN_OR_RETURN(sftp_session sftp, Sftp());
  const std::string dir = DirName(path);
  std::string tmp;
  for (int attempt = 0;; ++attempt) {
    tmp = TempName(dir);
    if (sftp_symlink(sftp, target.c_str(), tmp.c_str()) == 0) break;
    if (attempt == 7) return SftpError("symlink", path);
  }
  if (Status s = SftpPosixRename(tmp, path); !s.ok()) {
    sftp_unlink(sftp, tmp.c_str());
    return s;
  }
  return Status::Ok();
}

Status SshConnection::HardLink(const std::string& target,
                               const std::string& path, const Privilege& priv) {
  if (NeedsSudo(priv)) {
    return sudo_files::HardLink(TEND_RUNNER(priv), target, path);
  }
  ASSIGN_OR_RETURN(sftp_session sftp, Sftp());
  if (!sftp_extension_supported(sftp, "hardlink@openssh.com", "1")) {
    return sudo_files::HardLink(TEND_RUNNER(priv), target, path);
  }
  // A new link under a temporary name, renamed over the path.
  const std::string dir = DirName(path);
  std::string tmp;
  for (int attempt = 0;; ++attempt) {
    tmp = TempName(dir);
    Status s = SftpExtended("hardlink@openssh.com", target, tmp,
                            "hard link " + path + " to " + target);
    if (s.ok()) break;
    if (attempt == 7 || s.code() == StatusCode::kNotFound ||
        s.code() == StatusCode::kPermissionDenied) {
      return s;
    }
  }
  Status s = SftpPosixRename(tmp, path);
  // A rename between two links to one file succeeds doing nothing, which
  // would leave the temporary behind; remove it in every case.
  sftp_unlink(sftp, tmp.c_str());
  return s;
}

Status SshConnection::SftpRemoveTree(const std::string& path) {
  ASSIGN_OR_RETURN(sftp_session sftp, Sftp());
  sftp_dir d = sftp_opendir(sftp, path.c_str());
  if (d == nullptr) return SftpError("list", path);
  std::vector<std::pair<std::string, bool>> entries;  // name, is_dir
  while (sftp_attributes a = sftp_readdir(sftp, d)) {
    std::string name = a->name != nullptr ? a->name : "";
    bool is_dir = TypeOf(a) == FileType::kDirectory;
    sftp_attributes_free(a);
    if (name == "." || name == ".." || name.empty()) continue;
    entries.emplace_back(std::move(name), is_dir);
  }
  const bool eof = sftp_dir_eof(d);
  sftp_closedir(d);
  if (!eof) return SftpError("list", path);
  for (const auto& [name, is_dir] : entries) {
    const std::string child = path + "/" + name;
    if (is_dir) {
      RETURN_IF_ERROR(SftpRemoveTree(child));
    } else if (sftp_unlink(sftp, child.c_str()) != 0 &&
               sftp_get_error(sftp) != SSH_FX_NO_SUCH_FILE) {
      return SftpError("remove", child);
    }
  }
  if (sftp_rmdir(sftp, path.c_str()) != 0) return SftpError("rmdir", path);
  return Status::Ok();
}

Status SshConnection::Remove(const std::string& path, bool recursive,
                             const Privilege& priv) {
  if (NeedsSudo(priv)) {
    return sudo_files::Remove(TEND_RUNNER(priv), path, recursive);
  }
  ASSIGN_OR_RETURN(sftp_session sftp, Sftp());
  sftp_attributes a = sftp_lstat(sftp, path.c_str());
  AttrsFree free_a{a};
  if (a == nullptr) {
    int code = sftp_get_error(sftp);
    if (code == SSH_FX_NO_SUCH_FILE || code == SSH_FX_NO_SUCH_PATH) {
      return Status::Ok();
    }
    return SftpError("lstat", path);
  }
  if (TypeOf(a) != FileType::kDirectory) {
    if (sftp_unlink(sftp, path.c_str()) != 0 &&
        sftp_get_error(sftp) != SSH_FX_NO_SUCH_FILE) {
      return SftpError("remove", path);
    }
    return Status::Ok();
  }
  if (!recursive) {
    if (sftp_rmdir(sftp, path.c_str()) != 0) return SftpError("rmdir", path);
    return Status::Ok();
  }
  return SftpRemoveTree(path);
}

Status SshConnection::Rename(const std::string& from, const std::string& to,
                             const Privilege& priv) {
  if (NeedsSudo(priv)) return sudo_files::Rename(TEND_RUNNER(priv), from, to);
  return SftpPosixRename(from, to);
}

Status SshConnection::SetTimes(const std::string& path, int64_t atime_ns,
                               int64_t mtime_ns, const Privilege& priv) {
  // SFTP carries whole seconds only; touch keeps the nanoseconds and takes
  // "now" from the target's clock.
  return sudo_files::SetTimes(TEND_RUNNER(priv), path, atime_ns, mtime_ns);
}

Result<std::vector<DirEntry>> SshConnection::ListDir(const std::string& path,
                                                     const Privilege& priv) {
  if (NeedsSudo(priv)) return sudo_files::ListDir(TEND_RUNNER(priv), path);
  ASSIGN_OR_RETURN(sftp_session sftp, Sftp());
  sftp_dir d = sftp_opendir(sftp, path.c_str());
  if (d == nullptr) return SftpError("list", path);
  std::vector<DirEntry> out;
  while (sftp_attributes a = sftp_readdir(sftp, d)) {
    std::string name = a->name != nullptr ? a->name : "";
    if (name != "." && name != ".." && !name.empty()) {
      out.push_back(DirEntry{std::move(name), TypeOf(a)});
    }
    sftp_attributes_free(a);
  }
  const bool eof = sftp_dir_eof(d);
  sftp_closedir(d);
  if (!eof) return SftpError("list", path);
  std::sort(out.begin(), out.end(), [](const DirEntry& a, const DirEntry& b) {
    return a.name < b.name;
  });
  return out;
}

Status SshConnection::Upload(const std::string& local_path,
                             const std::string& path, const FileAttrs& attrs,
                             const Privilege& priv) {
  if (NeedsSudo(priv)) {
    return sudo_files::UploadFile(TEND_RUNNER(priv), local_path, path, attrs);
  }
  FdClose src{::open(local_path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (src.fd < 0) return ErrnoError("open " + local_path, errno);
  return SftpReplace(path, attrs, [&](sftp_file f) -> Status {
    char buf[kChunk];
    for (;;) {
      ssize_t n = ::read(src.fd, buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoError("read " + local_path, errno);
      if (n == 0) return Status::Ok();
      size_t off = 0;
      while (off < static_cast<size_t>(n)) {
        ssize_t w = sftp_write(f, buf + off, static_cast<size_t>(n) - off);
        if (w <= 0) return SftpError("write", path);
        off += static_cast<size_t>(w);
      }
    }
  });
}

Status SshConnection::Download(const std::string& path,
                               const std::string& local_path,
                               const Privilege& priv) {
  std::string data;
  if (NeedsSudo(priv)) {
    ASSIGN_OR_RETURN(
        data, sudo_files::ReadFile(TEND_RUNNER(priv), path, size_t{1} << 32));
  }
  // Streams into a temporary beside local_path, renamed over it at the end.
  const std::string tmp = TempName(DirName(local_path));
  FdClose dst{
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666)};
  if (dst.fd < 0) return ErrnoError("create " + tmp, errno);
  auto write_all = [&](const char* p, size_t n) -> Status {
    while (n > 0) {
      ssize_t w = ::write(dst.fd, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return ErrnoError("write " + tmp, errno);
      p += w;
      n -= static_cast<size_t>(w);
    }
    return Status::Ok();
  };
  Status s = [&]() -> Status {
    if (NeedsSudo(priv)) return write_all(data.data(), data.size());
    ASSIGN_OR_RETURN(sftp_session sftp, Sftp());
    sftp_file f = sftp_open(sftp, path.c_str(), O_RDONLY, 0);
    if (f == nullptr) return SftpError("open", path);
    FileClose close_f{f};
    char buf[kChunk];
    for (;;) {
      ssize_t n = sftp_read(f, buf, sizeof(buf));
      if (n < 0) return SftpError("read", path);
      if (n == 0) return Status::Ok();
      RETURN_IF_ERROR(write_all(buf, static_cast<size_t>(n)));
    }
  }();
  if (s.ok() && ::fsync(dst.fd) != 0) s = ErrnoError("fsync " + tmp, errno);
  if (s.ok() && ::rename(tmp.c_str(), local_path.c_str()) != 0) {
    s = ErrnoError("rename to " + local_path, errno);
  }
  if (!s.ok()) ::unlink(tmp.c_str());
  return s;
}

#undef TEND_RUNNER

}  // namespace tend::automate
