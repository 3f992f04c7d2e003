// The write-ahead log: a directory of numbered segment files holding
// length- and CRC32C-framed records (format: docs/formats/wal.md). The head
// logs every series creation and every batch of samples here before it
// acknowledges them, and replays the log on start.
//
// What a record contains is the writer's business (the head's record
// encoding is in head_records.h); the WAL only frames, checksums, syncs,
// reads back and repairs.
#ifndef TEND_TSDB_WAL_H_
#define TEND_TSDB_WAL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"

namespace tend {

enum class WalFsync {
  kAlways,    // fsync after every Log (safest, slowest).
  kInterval,  // fsync when Sync() is called (the owner calls it every
              // wal_fsync_interval, 1 s by default) and on segment cut/close.
  kNever,     // Leave it to the kernel (tests, benchmarks).
};

struct WalOptions {
  size_t segment_bytes = 128 << 20;  // Cut a new segment past this size.
  WalFsync fsync = WalFsync::kInterval;
};

// Appends records to the newest segment. Not thread-safe: one owner.
class WalWriter {
 public:
  // Opens (creating) `dir` and starts a new segment numbered one past the
  // highest present (0 in an empty dir), so a writer never appends to a
  // segment that may have a torn tail. Run RepairWal first on a WAL that
  // replay found damaged.
  static Result<std::unique_ptr<WalWriter>> Open(const std::string& dir,
                                                 WalOptions options);
  ~WalWriter();  // Closes (syncing) if Close was not called.

  // Appends one record of any size (large records are split into fragments).
  // On an I/O error (e.g. ENOSPC) returns it and leaves the segment as it was
  // before the call (a partially written record is cut off), so the caller
  // can retry later; the record is not logged.
  Status Log(std::span<const uint8_t> record);
  // Several records with one write (and one fsync under kAlways).
  Status LogBatch(std::span<const std::span<const uint8_t>> records);

  // fsyncs the current segment if anything was written since the last sync.
  Status Sync();
  // Ends the current segment (synced) and starts the next; returns its
  // number.
  Result<int> NextSegment();
  Status Close();

  int segment() const;             // The number of the segment being written.
  uint64_t bytes_written() const;  // Since Open, framing included.

 private:
  struct Impl;
  explicit WalWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Where a read found damage.
struct WalCorruption {
  int segment = -1;
  uint64_t offset = 0;  // Byte offset of the first bad frame in the segment.
  std::string reason;   // "checksum mismatch", "torn record", ...
};

// Reads every record of segments [first, last] in order. Not thread-safe.
//
//   ASSIGN_OR_RETURN(auto reader, WalReader::Open(dir));
//   while (reader->Next()) Apply(reader->record());
//   if (reader->corruption()) ... RepairWal(dir, *reader->corruption());
//   RETURN_IF_ERROR(reader->status());
class WalReader {
 public:
  // All segments in `dir` (none: Next() is false at once), or those from
  // `first_segment` on.
  static Result<std::unique_ptr<WalReader>> Open(const std::string& dir,
                                                 int first_segment = 0);
  ~WalReader();

  // False at the end, at damage (corruption() is set; status() stays OK:
  // damage is expected after a crash), or on an I/O error (status()).
  bool Next();
  // The current record; valid until the next Next().
  std::span<const uint8_t> record() const;
  int segment() const;  // The segment of the current record.

  const WalCorruption* corruption() const;
  const Status& status() const;

 private:
  struct Impl;
  explicit WalReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Truncates the damaged segment at the first bad frame and deletes every
// later segment, so that the WAL holds exactly the records read before the
// damage. Logs a warning naming the segment, offset and bytes dropped.
Status RepairWal(const std::string& dir, const WalCorruption& where);

// Segment numbers present in `dir`, ascending.
Result<std::vector<int>> ListWalSegments(const std::string& dir);

// Deletes segments numbered below `segment` (after a checkpoint made them
// redundant).
Status DeleteWalSegmentsBefore(const std::string& dir, int segment);

}  // namespace tend

#endif  // TEND_TSDB_WAL_H_
