// Identity of a tailed file: device + inode, plus a fingerprint of its first
// bytes so that a reused inode (file deleted, a new one given the same
// number) is not mistaken for the file tend was reading.
#ifndef TEND_LOGS_SOURCES_FILE_IDENTITY_H_
#define TEND_LOGS_SOURCES_FILE_IDENTITY_H_

#include <cstdint>
#include <string_view>

#include "base/status.h"

namespace tend::logs {

struct FileId {
  uint64_t dev = 0;
  uint64_t ino = 0;
  friend bool operator==(const FileId&, const FileId&) = default;
};

// A hash of the first `len` bytes of a file. `len` is below the configured
// fingerprint length while the file is shorter; the fingerprint is then
// completed as the file grows (the old prefix must still hash the same).
struct Fingerprint {
  uint32_t len = 0;
  uint64_t hash = 0;
  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
};

// 64-bit FNV-1a of `bytes` (a fingerprint is at most a few KiB, read once
// per change of the file, so simplicity wins over speed here).
uint64_t FingerprintHash(std::string_view bytes);

// Reads the first min(limit, file size) bytes of `fd` with pread (the file
// offset is untouched) into `scratch` and returns their fingerprint.
// `scratch` must hold `limit` bytes. Fails only on a read error.
Result<Fingerprint> ReadFingerprint(int fd, uint32_t limit, char* scratch);

// Checks `fp` against the file behind `fd`: true when the file still starts
// with the bytes `fp` describes. When it does and the file has grown past
// fp->len (up to `limit`), *fp is completed with the longer prefix.
// `scratch` must hold `limit` bytes.
Result<bool> VerifyAndExtendFingerprint(int fd, uint32_t limit, char* scratch,
                                        Fingerprint* fp);

// Creation time (statx btime, real time in ns) of the file at `path`, or of
// `fd` when path is empty; -1 when the filesystem keeps none or on error.
int64_t BirthTimeNs(int fd, const char* path);

// CLOCK_REALTIME now, in ns: the clock file timestamps are compared with
// (not the Clock seam, whose time tests move by hand).
int64_t RealNowNs();

}  // namespace tend::logs

#endif  // TEND_LOGS_SOURCES_FILE_IDENTITY_H_
