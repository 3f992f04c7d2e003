#include "logs/sources/file_identity.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

namespace tend::logs {

uint64_t FingerprintHash(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

namespace {

// Reads up to `n` bytes at offset 0; returns how many (short at EOF).
Result<size_t> ReadPrefix(int fd, size_t n, char* out) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = pread(fd, out + got, n - got, static_cast<off_t>(got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("reading the fingerprint", errno);
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  return got;
}

}  // namespace

Result<Fingerprint> ReadFingerprint(int fd, uint32_t limit, char* scratch) {
  Result<size_t> got = ReadPrefix(fd, limit, scratch);
  if (!got.ok()) return got.status();
  Fingerprint fp;
  fp.len = static_cast<uint32_t>(*got);
  fp.hash = FingerprintHash(std::string_view(scratch, *got));
  return fp;
}

Result<bool> VerifyAndExtendFingerprint(int fd, uint32_t limit, char* scratch,
                                        Fingerprint* fp) {
  if (fp->len > limit) return false;  // Configured length shrank: re-learn.
  Result<size_t> got = ReadPrefix(fd, limit, scratch);
  if (!got.ok()) return got.status();
  if (*got < fp->len) return false;
  if (FingerprintHash(std::string_view(scratch, fp->len)) != fp->hash) {
    return false;
  }
  if (*got > fp->len) {
    fp->len = static_cast<uint32_t>(*got);
    fp->hash = FingerprintHash(std::string_view(scratch, *got));
  }
  return true;
}

int64_t BirthTimeNs(int fd, const char* path) {
  struct statx stx;
  int flags = path[0] == '\0' ? AT_EMPTY_PATH : 0;
  if (statx(path[0] == '\0' ? fd : AT_FDCWD, path, flags, STATX_BTIME, &stx) !=
          0 ||
      !(stx.stx_mask & STATX_BTIME)) {
    return -1;
  }
  return static_cast<int64_t>(stx.stx_btime.tv_sec) * 1'000'000'000 +
         stx.stx_btime.tv_nsec;
}

int64_t RealNowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace tend::logs
