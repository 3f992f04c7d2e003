// Reads a gzip file's uncompressed bytes at (mostly forward) offsets, for
// the file source's reading of gzip-rotated files.
#ifndef TEND_LOGS_SOURCES_GZIP_READER_H_
#define TEND_LOGS_SOURCES_GZIP_READER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"

namespace tend::logs {

// Owns its own descriptor (a dup of the one given). Not thread-safe.
// Memory: the last chunk returned is retained so the caller can re-read
// from any offset inside it (a partial line) without decompressing again;
// an offset before that chunk rewinds and decompresses from the start.
class GzipReader {
 public:
  // Fails when `fd` cannot be duplicated or is not readable as gzip.
  static Result<std::unique_ptr<GzipReader>> Open(int fd);
  ~GzipReader();
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  // Copies up to `n` uncompressed bytes starting at `offset` to `out`;
  // returns how many (fewer than n only at the end). A corrupt or cut
  // stream is kDataLoss with zlib's message.
  Result<size_t> ReadAt(uint64_t offset, char* out, size_t n);

 private:
  GzipReader() = default;
  Status Rewind();
  Result<size_t> ReadForward(char* out, size_t n);

  void* gz_ = nullptr;  // gzFile; void* keeps zlib.h out of this header.
  uint64_t pos_ = 0;    // Uncompressed offset of the next gzread byte.
  uint64_t window_start_ = 0;
  std::string window_;  // Bytes [window_start_, pos_).
};

}  // namespace tend::logs

#endif  // TEND_LOGS_SOURCES_GZIP_READER_H_
