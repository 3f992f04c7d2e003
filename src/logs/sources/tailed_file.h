// Internal to the file source: the state kept per tracked file.
#ifndef TEND_LOGS_SOURCES_TAILED_FILE_H_
#define TEND_LOGS_SOURCES_TAILED_FILE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "logs/sources/file_identity.h"
#include "logs/sources/gzip_reader.h"
#include "logs/sources/multiline.h"

namespace tend::logs::internal {

// Directory listings in a row that must miss a retired file before it is
// forgotten.
inline constexpr int kForgetRetired = 3;

struct TailedFile {
  uint64_t seq = 0;  // Discovery order; the checkpoint lists files by it.
  FileId id;
  Fingerprint fp;
  std::string path;  // Where it was last seen.
  int fd = -1;       // -1 once a gzip file is done.
  bool is_gzip = false;
  std::unique_ptr<GzipReader> gz;
  bool gz_done = false;
  // Next byte to scan: everything before it was handed out, is in
  // `pending`, or is the skipped tail of a cut line.
  uint64_t consumed = 0;
  bool in_globs = true;      // Matched the globs at the last scan.
  bool drain_first = false;  // A copytruncate copy, read before the rest.
  bool at_eof = false;       // The last read reached the end.
  // Read to its end and closed (fd -1), but remembered with its
  // fingerprint and end offset while its inode is still in its directory,
  // so a later scan does not take it for a rotation nobody has read.
  bool retired = false;
  // Consecutive directory listings a retired file was missing from; it is
  // forgotten after a few (one listing can miss a file renamed during it).
  int missing = 0;
  int64_t last_size = -1;
  // Modification time: for a file that left the globs (rotated away, a
  // copy) the time its content ended, which orders such files.
  int64_t last_mtime_ns = -1;
  int64_t last_change_ns = 0;  // Monotonic time size or mtime last changed.
  // A line longer than max_record_bytes: its first bytes, kept until its
  // newline is found (so the entry and the position move together).
  bool skipping = false;
  uint64_t long_start = 0;
  std::string long_line;
  PendingRecord pending;

  // The checkpoint position: the first byte not handed out.
  uint64_t Position() const {
    if (pending.active()) return pending.start_offset();
    if (skipping) return long_start;
    return consumed;
  }
};

}  // namespace tend::logs::internal

#endif  // TEND_LOGS_SOURCES_TAILED_FILE_H_
