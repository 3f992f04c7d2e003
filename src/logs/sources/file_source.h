// FileSource: tails the files matching a set of globs, across rotation
// (rename-and-create, copytruncate, truncation, deletion while open),
// restarts and inode reuse, handing each complete line (or multiline
// record) to the pipeline exactly once. Behaviour, guarantees and their
// limits: docs/logs-sources.md, "Files".
//
// Threading: like every LogSource, owned and called by one thread.
// Memory: one shared read buffer (read_size + max_record_bytes) per source;
// per file at most one pending multiline record and one cut long line
// (each <= max_record_bytes) plus a fingerprint scratch; at most
// max_open_files descriptors.
#ifndef TEND_LOGS_SOURCES_FILE_SOURCE_H_
#define TEND_LOGS_SOURCES_FILE_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "logs/sources/file_identity.h"
#include "logs/sources/multiline.h"
#include "logs/sources/source.h"

namespace tend::logs {

enum class StartAt {
  kBeginning,  // Files present at the first start are read whole.
  kEnd,        // ... are read from their end (after their last newline).
};

struct FileSourceOptions {
  std::string name;
  // Absolute glob(3) patterns; a file is tailed when its path matches an
  // include and no exclude pattern (fnmatch, '/' matched literally).
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  // Where to start in files that exist when the source starts without a
  // checkpoint. Files that appear later, and files a checkpoint does not
  // mention, are always read from their beginning.
  StartAt start_at = StartAt::kBeginning;
  // A longer line is cut to this size (the entry is marked truncated and
  // counted in stats().truncated); the rest up to its newline is skipped.
  // Also caps a multiline record.
  size_t max_record_bytes = 256 * 1024;
  MultilineOptions multiline;
  // Read matching "*.gz" files once, whole, through zlib. Off by default:
  // a compressed rotation of a file already tailed would be read twice.
  bool read_gzip = false;
  // Bytes hashed from the start of a file for its identity.
  uint32_t fingerprint_bytes = 1024;
  // Globs are expanded again this often even without inotify events.
  int64_t rescan_interval_ns = 10 * kNanosPerSecond;
  // A file that no longer matches the globs (renamed away, deleted) is kept
  // open, read to its end, and closed once it has not grown for this long
  // (the writer may still hold it open for a moment after a rotation).
  int64_t rotate_wait_ns = 5 * kNanosPerSecond;
  // Files beyond this many wait (unread) until a descriptor is released.
  size_t max_open_files = 1024;
  // Bytes per read(2).
  size_t read_size = 256 * 1024;
};

namespace internal {
struct TailedFile;
}

class FileSource final : public LogSource {
 public:
  // Validates the options (absolute patterns, a compilable multiline
  // pattern, sizes > 0) and creates the inotify instance. `clock` must
  // outlive the source. Nothing is read until Poll.
  static Result<std::unique_ptr<FileSource>> Create(
      FileSourceOptions options, Clock* clock = Clock::Real());
  ~FileSource() override;

  const std::string& name() const override { return options_.name; }
  // Decodes a checkpoint (file_checkpoint.h) and reopens each file it
  // names: at its recorded path, else by device and inode anywhere in that
  // directory (rotated while tend was down), verifying the fingerprint. A
  // file whose content no longer matches (truncated, copytruncated, inode
  // reused) restarts at 0, after the rest of its copy if one is found. A
  // damaged checkpoint is kDataLoss naming the source; nothing is restored.
  Status Restore(std::string_view checkpoint) override;
  Result<size_t> Poll(EntrySink& sink, size_t max_bytes) override;
  std::string Checkpoint() const override;
  int wait_fd() const override { return inotify_fd_; }
  SourceStats stats() const override;

 private:
  struct PollContext;
  using TailedFile = internal::TailedFile;

  FileSource(FileSourceOptions options, Clock* clock,
             std::unique_ptr<MultilineMatcher> multiline);

  // Discovery (file_source_scan.cc).
  void WatchDirectories();
  void DrainInotify();
  void Rescan(int64_t now_ns);
  // The tracked or retired file with this device and inode, or nullptr.
  TailedFile* FindTracked(const FileId& id);
  // Opens `path` (or takes `fd`, already open on it, whose ownership
  // passes) as a new tracked file starting at 0 (or after its last newline
  // when `at_end`); nullptr (logged, counted) when it cannot be opened.
  TailedFile* OpenNew(const std::string& path, bool at_end, int64_t now_ns,
                      int fd = -1);
  // Lists the directories of the include patterns for files named like a
  // rotation of a matching path (the path plus a suffix starting with '.',
  // '-' or '_'): follows tracked files renamed again, forgets retired files
  // whose inode is gone, and opens, to be read whole before the live
  // files, every such file tend has not accounted for (not tracked, not
  // retired, not a copy of a tracked file's content, which the truncation
  // handling takes). With `baseline` (the first scan without a
  // checkpoint) unknown files are retired at their end instead: they are
  // history, not rotations tend missed (file_source_restore.cc).
  void ScanRotations(bool baseline, int64_t now_ns);
  // One listing; true when it raced with a rename and must be repeated.
  bool ScanRotationsOnce(bool baseline, int64_t now_ns);
  // `name` in `dir` is a tracked path plus a rotation suffix.
  bool IsRotationName(const std::string& dir, std::string_view name) const;
  // The file behind `fd` (of `size` bytes) starts like a tracked or
  // retired file's known content: a copy, not a rotation to read.
  bool IsCopyOfKnownContent(int fd, uint64_t size);
  // The content behind `f` changed under it (truncated, plain or by
  // copytruncate): finds the copy of the old content in its directory (a
  // file starting with f's fingerprint, at least as long as f's position)
  // and queues it at f's position, queues any other unread rotation, then
  // restarts `f` at 0.
  void HandleTruncation(TailedFile& f, int64_t now_ns);

  // Reading (file_source.cc).
  // The files to service, in the order their content must go out.
  std::vector<TailedFile*> ReadOrder();
  // Notices truncation and content replacement (HandleTruncation).
  void CheckTruncation(TailedFile& f, int64_t now_ns);
  // Reads what `f` has; returns true, having read nothing, when it found
  // files with older content to read first (the order must be recomputed).
  bool ServiceFile(TailedFile& f, PollContext& ctx);
  void ReadLines(TailedFile& f, PollContext& ctx);
  Result<size_t> ReadAt(TailedFile& f, uint64_t offset, char* out, size_t n);
  void OnLine(TailedFile& f, std::string_view line, bool truncated,
              uint64_t line_start, PollContext& ctx);
  void Emit(const TailedFile& f, std::string_view text, bool truncated,
            PollContext& ctx);
  void EmitPending(TailedFile& f, PollContext& ctx);
  // Hands out what is left of a finished file (its unterminated last line
  // and pending record), then closes it.
  void Finish(TailedFile& f, PollContext& ctx);
  void CloseFile(TailedFile& f);
  void ReadError(TailedFile& f, const Status& status);

  FileSourceOptions options_;
  Clock* clock_;
  std::unique_ptr<MultilineMatcher> multiline_;
  int inotify_fd_ = -1;
  std::map<int, std::string> watches_;  // wd -> directory.
  std::set<std::string> watched_dirs_;
  bool rescan_needed_ = true;
  bool scanned_once_ = false;
  bool restored_ = false;  // A non-empty checkpoint was restored.
  int64_t next_rescan_ns_ = 0;
  // Real time the last scan started (informational, in the checkpoint).
  int64_t last_scan_unix_ns_ = 0;
  uint64_t next_seq_ = 0;
  size_t round_robin_ = 0;
  // Tracked and retired files, in no particular order (see seq).
  std::vector<std::unique_ptr<TailedFile>> files_;
  std::set<std::string> failed_paths_;  // Open failures already logged.
  std::vector<char> buffer_;            // Shared read buffer.
  std::vector<char> fp_scratch_;
  SourceStats stats_;
};

}  // namespace tend::logs

#endif  // TEND_LOGS_SOURCES_FILE_SOURCE_H_
