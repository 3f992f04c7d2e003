// Reading one segment file of the log store: scanning its records (with
// the recovery rules of docs/formats/log-store.md) and reading a record's
// data back. Thread-safe: only pread on a file descriptor nobody seeks.
#ifndef TEND_LOGS_STORE_SEGMENT_H_
#define TEND_LOGS_STORE_SEGMENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "logs/store/log_format.h"

namespace tend::logs {

// An open segment file, shared by the store and its iterators so that a
// segment deleted by retention stays readable until the last reader is done.
class SegmentFile {
 public:
  static Result<std::shared_ptr<SegmentFile>> Open(const std::string& path,
                                                   bool writable);
  ~SegmentFile();
  SegmentFile(const SegmentFile&) = delete;
  SegmentFile& operator=(const SegmentFile&) = delete;

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  // Reads exactly n bytes at off; a short file is kDataLoss.
  Status ReadAt(uint64_t off, size_t n, std::string* out) const;

 private:
  SegmentFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

struct ScannedRecord {
  RecordHeader header;
  uint64_t offset = 0;  // Of the record header in the file.
  std::string meta;
};

struct SegmentScan {
  // Every record up to and including the last commit record before the end
  // or the first damage. Records after that last commit are not listed.
  std::vector<ScannedRecord> records;
  uint64_t clean_end = 0;  // End of the last listed record (0 or 8 if none).
  uint64_t file_size = 0;
  std::string damage;          // Empty, or why reading stopped early.
  uint64_t damage_offset = 0;  // Where the bad bytes start.
};

// Scans `file`. `verify_data` also reads every record's data and checks its
// CRC (recovery of the active segment); without it only headers and metas
// are read and checked. Damage stops the scan and is reported in the
// result, never as an error. Errors: I/O failures, and a header of a newer
// format version (kFailedPrecondition: not repaired away).
Result<SegmentScan> ScanSegment(const SegmentFile& file, bool verify_data);

// Reads and CRC-checks the data of a scanned record.
Status ReadRecordData(const SegmentFile& file, const RecordHeader& h,
                      uint64_t offset, std::string* out);

}  // namespace tend::logs

#endif  // TEND_LOGS_STORE_SEGMENT_H_
