#include "logs/sources/gzip_reader.h"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tend::logs {

Result<std::unique_ptr<GzipReader>> GzipReader::Open(int fd) {
  int copy = dup(fd);
  if (copy < 0) return ErrnoError("dup for gzip reading", errno);
  if (lseek(copy, 0, SEEK_SET) < 0) {
    int err = errno;
    close(copy);
    return ErrnoError("seeking gzip file", err);
  }
  gzFile gz = gzdopen(copy, "rb");
  if (gz == nullptr) {
    close(copy);
    return InternalError("gzdopen failed");
  }
  gzbuffer(gz, 128 * 1024);
  std::unique_ptr<GzipReader> r(new GzipReader());
  r->gz_ = gz;
  return r;
}

GzipReader::~GzipReader() {
  if (gz_ != nullptr) gzclose(static_cast<gzFile>(gz_));
}

Status GzipReader::Rewind() {
  if (gzrewind(static_cast<gzFile>(gz_)) != 0) {
    return DataLossError("gzip: cannot rewind");
  }
  pos_ = 0;
  window_start_ = 0;
  window_.clear();
  return Status::Ok();
}

Result<size_t> GzipReader::ReadForward(char* out, size_t n) {
  gzFile gz = static_cast<gzFile>(gz_);
  size_t got = 0;
  while (got < n) {
    unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - got, 1 << 30));
    int r = gzread(gz, out + got, chunk);
    if (r < 0) {
      int errnum = 0;
      const char* msg = gzerror(gz, &errnum);
      return DataLossError(std::string("gzip: ") + (msg ? msg : "read error"));
    }
    if (r == 0) {
      int errnum = 0;
      const char* msg = gzerror(gz, &errnum);
      if (errnum != Z_OK && errnum != Z_BUF_ERROR) {
        return DataLossError(std::string("gzip: ") + (msg ? msg : "error"));
      }
      if (errnum == Z_BUF_ERROR) {
        return DataLossError("gzip: unexpected end of compressed data");
      }
      break;
    }
    got += static_cast<size_t>(r);
    pos_ += static_cast<size_t>(r);
  }
  return got;
}

Result<size_t> GzipReader::ReadAt(uint64_t offset, char* out, size_t n) {
  if (offset < window_start_) RETURN_IF_ERROR(Rewind());
  size_t got = 0;
  if (offset < pos_) {
    size_t from = static_cast<size_t>(offset - window_start_);
    got = std::min(n, window_.size() - from);
    std::memcpy(out, window_.data() + from, got);
    if (got == n) return got;  // Served from the window; keep it.
  } else {
    // Skip forward to `offset`, through `out` as scratch.
    while (pos_ < offset) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(offset - pos_, n));
      Result<size_t> r = ReadForward(out, want);
      if (!r.ok()) return r.status();
      if (*r == 0) {
        window_start_ = pos_;
        window_.clear();
        return size_t{0};
      }
    }
  }
  if (got < n) {
    Result<size_t> r = ReadForward(out + got, n - got);
    if (!r.ok()) return r.status();
    got += *r;
  }
  window_start_ = offset;
  window_.assign(out, got);
  return got;
}

}  // namespace tend::logs
