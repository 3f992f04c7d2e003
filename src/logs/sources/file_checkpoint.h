// The file source's checkpoint: one position per tracked file, as a small
// versioned text document (docs/logs-sources.md, "Checkpoint format"):
//
//   tend-files 1
//   scan <unix ns>
//   f <dev> <ino> <fp_len> <fp_hash:16 hex> <offset> <path, %-escaped>
//   r <dev> <ino> <fp_len> <fp_hash:16 hex> <offset> <path, %-escaped>
//   d <dev> <ino>
//   ...
//   crc32c <8 hex>
//
// The last line holds the CRC-32C of every byte before it, so a damaged
// checkpoint is reported, not half-applied. Text so an operator can read
// it in the state database; stable so a newer tend reads an older one.
#ifndef TEND_LOGS_SOURCES_FILE_CHECKPOINT_H_
#define TEND_LOGS_SOURCES_FILE_CHECKPOINT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "logs/sources/file_identity.h"

namespace tend::logs {

struct FilePosition {
  FileId id;
  Fingerprint fp;
  // Byte offset (uncompressed for gzip files) right after the last entry
  // handed out from this file.
  uint64_t offset = 0;
  // Where the file was last seen (it may have been renamed since).
  std::string path;
  // A retired file ('r' line): read to its end and closed, remembered so
  // that it is not taken for a rotation tend has not read.
  bool retired = false;
  friend bool operator==(const FilePosition&, const FilePosition&) = default;
};

// The whole checkpoint.
struct FileCheckpoint {
  // When the last glob scan started (real time): files created since then
  // under a rotated name may never have been seen (file_source.h).
  int64_t scan_unix_ns = 0;
  std::vector<FilePosition> files;
  // "d" lines of older checkpoints (files closed around the last scan).
  // Decoded and written back for compatibility; the source no longer uses
  // them (retired files carry their fingerprint in `files`).
  std::vector<FileId> done;
  friend bool operator==(const FileCheckpoint&,
                         const FileCheckpoint&) = default;
};

// Limits the decoder enforces (a checkpoint comes from disk).
inline constexpr size_t kMaxCheckpointFiles = 1 << 20;
inline constexpr size_t kMaxCheckpointPath = 4096;

std::string EncodeFileCheckpoint(const FileCheckpoint& checkpoint);

// Parses what EncodeFileCheckpoint wrote. Any damage (wrong header or
// version, a bad field, a checksum mismatch, a missing checksum line) is a
// kDataLoss error naming the line and the problem.
Result<FileCheckpoint> DecodeFileCheckpoint(std::string_view text);

}  // namespace tend::logs

#endif  // TEND_LOGS_SOURCES_FILE_CHECKPOINT_H_
