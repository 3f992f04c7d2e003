#include "agent/data_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "base/env.h"
#include "base/file_util.h"

namespace tend {

Result<std::unique_ptr<DataDirLock>> DataDirLock::Acquire(
    const std::string& dir) {
  RETURN_IF_ERROR(MakeDirs(dir));
  std::string path = dir + "/LOCK";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return ErrnoError("open " + path, errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    std::string owner;
    char buf[32] = {0};
    ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
    if (n > 0) owner = std::string(buf, static_cast<size_t>(n));
    while (!owner.empty() && (owner.back() == '\n')) owner.pop_back();
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return FailedPreconditionError(
          "data dir " + dir + " is in use by another tend process" +
          (owner.empty() ? "" : " (pid " + owner + ")") +
          "; stop it or pass another --data-dir");
    }
    return ErrnoError("lock " + path, err);
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) !=
                                     static_cast<ssize_t>(pid.size())) {
    int err = errno;
    ::close(fd);
    return ErrnoError("write " + path, err);
  }
  return std::unique_ptr<DataDirLock>(new DataDirLock(dir, fd));
}

DataDirLock::~DataDirLock() {
  if (wrote_info_) ::unlink((dir_ + "/agent.json").c_str());
  if (fd_ >= 0) {
    if (::ftruncate(fd_, 0) != 0) {
      // Best effort: a stale pid in LOCK is harmless, the flock is the truth.
    }
    ::close(fd_);
  }
}

Status DataDirLock::WriteAgentInfo(const std::string& json) {
  RETURN_IF_ERROR(WriteFileAtomic(dir_ + "/agent.json", json));
  wrote_info_ = true;
  return Status::Ok();
}

Result<std::string> FindAgentListen(const std::string& dir) {
  std::string text;
  Status s = Env::Default()->ReadFile(dir + "/agent.json", &text);
  if (!s.ok()) return NotFoundError("no agent owns " + dir);
  // A leftover agent.json of a crashed agent: the lock tells.
  int fd = ::open((dir + "/LOCK").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    bool free = ::flock(fd, LOCK_SH | LOCK_NB) == 0;
    ::close(fd);
    if (free) return NotFoundError("no agent owns " + dir);
  }
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("listen") ||
      !j["listen"].is_string()) {
    return DataLossError(dir + "/agent.json is not valid");
  }
  return j["listen"].get<std::string>();
}

}  // namespace tend
