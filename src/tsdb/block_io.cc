#include "tsdb/block_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace tend {
namespace {

constexpr size_t kWriteBuffer = 1 << 20;

}  // namespace

Result<std::unique_ptr<MappedFile>> MappedFile::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoError(path, err);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return FailedPreconditionError(path + ": not a regular file");
  }
  const size_t size = static_cast<size_t>(st.st_size);
  const uint8_t* data = nullptr;
  if (size > 0) {
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      return ErrnoError("mmap " + path, err);
    }
    data = static_cast<const uint8_t*>(p);
  }
  ::close(fd);
  return std::unique_ptr<MappedFile>(new MappedFile(path, data, size));
}

MappedFile::~MappedFile() {
  if (size_ > 0) ::munmap(const_cast<uint8_t*>(data_), size_);
}

Result<std::unique_ptr<FileWriter>> FileWriter::Create(
    const std::string& path) {
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError(path, errno);
  return std::unique_ptr<FileWriter>(new FileWriter(path, fd));
}

FileWriter::~FileWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileWriter::Append(std::span<const uint8_t> data) {
  if (fd_ < 0) return FailedPreconditionError(path_ + ": already closed");
  if (buffer_.size() + data.size() > kWriteBuffer) RETURN_IF_ERROR(Flush());
  if (data.size() >= kWriteBuffer) {
    buffer_.assign(data.begin(), data.end());
    return Flush();
  }
  buffer_.insert(buffer_.end(), data.begin(), data.end());
  return Status::Ok();
}

Status FileWriter::Flush() {
  const uint8_t* p = buffer_.data();
  size_t left = buffer_.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("write " + path_, errno);
    p += n;
    left -= static_cast<size_t>(n);
  }
  written_ += buffer_.size();
  buffer_.clear();
  return Status::Ok();
}

Status FileWriter::Close() {
  if (fd_ < 0) return Status::Ok();
  RETURN_IF_ERROR(Flush());
  if (::fsync(fd_) != 0) return ErrnoError("fsync " + path_, errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return ErrnoError("close " + path_, errno);
  return Status::Ok();
}

Status RemoveAll(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return ErrnoError(path, errno);
  }
  if (S_ISDIR(st.st_mode)) {
    ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirSorted(path));
    for (const std::string& name : names) {
      RETURN_IF_ERROR(RemoveAll(JoinPath(path, name)));
    }
    if (::rmdir(path.c_str()) != 0 && errno != ENOENT) {
      return ErrnoError("remove " + path, errno);
    }
    return Status::Ok();
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoError("remove " + path, errno);
  }
  return Status::Ok();
}

Result<std::vector<std::string>> ListDirSorted(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return ErrnoError(dir, errno);
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    names.emplace_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

Result<uint64_t> DiskUsage(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return ErrnoError(path, errno);
  if (S_ISREG(st.st_mode)) return static_cast<uint64_t>(st.st_size);
  if (!S_ISDIR(st.st_mode)) return uint64_t{0};
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirSorted(path));
  uint64_t total = 0;
  for (const std::string& name : names) {
    ASSIGN_OR_RETURN(uint64_t n, DiskUsage(JoinPath(path, name)));
    total += n;
  }
  return total;
}

std::string JoinPath(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (a.back() == '/') return a + b;
  return a + "/" + b;
}

}  // namespace tend
