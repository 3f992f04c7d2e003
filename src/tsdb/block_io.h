// File plumbing for persisted blocks: read-only memory maps, buffered
// writers that fsync, directory fsync, recursive removal and listing.
//
// Blocks are immutable once renamed into place, so mapping their files is
// safe as long as nothing truncates them underneath (tend never does).
// Not thread-safe unless stated; a MappedFile may be read from any thread.
#ifndef TEND_TSDB_BLOCK_IO_H_
#define TEND_TSDB_BLOCK_IO_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/file_util.h"
#include "base/status.h"

namespace tend {

// A whole file mapped read-only (an empty file maps to an empty span).
class MappedFile {
 public:
  // kNotFound etc. per errno.
  static Result<std::unique_ptr<MappedFile>> Open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const uint8_t> data() const { return {data_, size_}; }
  const std::string& path() const { return path_; }

 private:
  MappedFile(std::string path, const uint8_t* data, size_t size)
      : path_(std::move(path)), data_(data), size_(size) {}
  std::string path_;
  const uint8_t* data_;
  size_t size_;
};

// Creates (truncating) a file and appends to it through a buffer. Sync()
// flushes and fsyncs; Close() does both and closes. The destructor closes
// without syncing (an abandoned file is deleted by its owner).
class FileWriter {
 public:
  static Result<std::unique_ptr<FileWriter>> Create(const std::string& path);
  ~FileWriter();
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  Status Append(std::span<const uint8_t> data);
  Status Close();  // Flush, fsync, close. Idempotent.
  uint64_t size() const { return written_ + buffer_.size(); }
  const std::string& path() const { return path_; }

 private:
  FileWriter(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  Status Flush();
  std::string path_;
  int fd_;
  std::vector<uint8_t> buffer_;
  uint64_t written_ = 0;
};

// Deletes `path` and everything below it; OK when it does not exist.
Status RemoveAll(const std::string& path);

// Names of the entries in `dir` (no "." or ".."), sorted.
Result<std::vector<std::string>> ListDirSorted(const std::string& dir);

// Total bytes of the regular files below `path`.
Result<uint64_t> DiskUsage(const std::string& path);

// Joins path components with '/'.
std::string JoinPath(const std::string& a, const std::string& b);

}  // namespace tend

#endif  // TEND_TSDB_BLOCK_IO_H_
