// The log store: append-only segments of zstd-compressed blocks of log
// lines, grouped by stream (a canonical label set), with a token Bloom
// filter per block so that substring searches skip blocks.
// Format and guarantees: docs/formats/log-store.md.
//
//   ASSIGN_OR_RETURN(auto store, LogStore::Open(dir, options));
//   RETURN_IF_ERROR(store->Append(labels, t_ns, line));   // buffered
//   RETURN_IF_ERROR(store->Commit(checkpoint));  // durable and visible
//   ASSIGN_OR_RETURN(auto it, store->Select(matchers, mint, maxt,
//                                           Direction::kBackward, 100, {}));
//   while (it->Next()) Use(it->labels(), it->t(), it->line());
//   RETURN_IF_ERROR(it->status());
//
// Threads: one writer thread calls Append, Commit, Sync, EnforceRetention
// and Close. Any number of threads call the read methods (Select,
// LabelNames, LabelValues, Streams, stats, last_checkpoint) concurrently
// with the writer and each other. Readers see exactly the lines of returned
// Commits. A LogIterator belongs to the thread using it and stays valid
// (and readable) after retention deleted its segments, until it is
// destroyed; it must not outlive the store.
#ifndef TEND_LOGS_STORE_LOG_STORE_H_
#define TEND_LOGS_STORE_LOG_STORE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "model/labels.h"
#include "model/matcher.h"

namespace tend::logs {

enum class LogFsync {
  kAlways,    // fdatasync in every Commit before it returns: committed lines
              // survive kill -9, a kernel crash and power loss.
  kInterval,  // Commit writes to the kernel; the owner calls Sync() on an
              // interval (1 s): committed lines survive kill -9; a kernel
              // crash or power loss loses at most the last interval.
  kNever,     // Tests and benchmarks: survives kill -9 only.
};

enum class Direction { kForward, kBackward };

struct LogStoreOptions {
  LogFsync fsync = LogFsync::kAlways;
  size_t block_bytes = 256 << 10;     // Cut a block at this much raw data,
  uint32_t block_lines = 32768;       // or this many lines.
  uint64_t segment_bytes = 64 << 20;  // Roll the segment past this size,
  int64_t segment_age_ns = 2 * 3600 * kNanosPerSecond;  // or this age.
  int zstd_level = 1;
  size_t max_line_bytes = 1 << 20;  // Longer lines are refused.
  int64_t retention_time_ns = 0;    // 0: no limit.
  uint64_t retention_bytes = 0;     // 0: no limit.
  Clock* clock = nullptr;           // nullptr: Clock::Real().
};

struct LogStoreStats {
  size_t segments = 0;
  uint64_t disk_bytes = 0;
  size_t streams = 0;
  size_t blocks = 0;
  uint64_t commits = 0;
  uint64_t lines_committed = 0;  // Since Open.
};

struct SelectStats {
  size_t blocks_considered = 0;  // Blocks of matching streams.
  size_t skipped_by_time = 0;
  size_t skipped_by_bloom = 0;
  size_t blocks_read = 0;  // Decompressed (so far).
};

// Lines in time order (per direction) across the selected streams.
class LogIterator {
 public:
  virtual ~LogIterator() = default;
  // False at the end, at the limit, or on an error (status()).
  virtual bool Next() = 0;
  // The current entry; valid until the next Next().
  virtual const Labels& labels() const = 0;
  virtual int64_t t() const = 0;
  virtual std::string_view line() const = 0;
  virtual const Status& status() const = 0;
  virtual const SelectStats& stats() const = 0;
};

class LogStore {
 public:
  // Opens (creating) `dir`, recovers the newest segment (a torn or corrupt
  // tail, and anything after the last commit, is truncated with a warning)
  // and loads the block and stream index. Errors: I/O errors, a segment of
  // a newer format version.
  static Result<std::unique_ptr<LogStore>> Open(const std::string& dir,
                                                LogStoreOptions options);
  ~LogStore();  // Close()s if needed.
  LogStore(const LogStore&) = delete;
  LogStore& operator=(const LogStore&) = delete;

  // Buffers one line of `stream` (canonical, non-empty labels). Lines of a
  // stream keep their order of arrival even when times go backwards.
  // kInvalidArgument for non-canonical or empty labels and for a line over
  // max_line_bytes; nothing is buffered then. Writer thread.
  Status Append(const Labels& stream, int64_t t_ns, std::string_view line);

  // Makes every line appended since the last Commit durable (per the fsync
  // policy) and visible to readers, together with `checkpoint` (opaque
  // bytes, e.g. the sources' read offsets; last_checkpoint() returns it
  // after a restart). Atomic: after a crash either all of the commit or
  // none of it is there. On an I/O error nothing of this commit is stored
  // and the lines stay buffered, so Commit may be retried. Writer thread.
  Status Commit(std::string_view checkpoint = {});

  // fdatasync of the active segment if written since the last sync (the
  // owner calls it every interval under LogFsync::kInterval).
  Status Sync();

  // Deletes the oldest sealed segments beyond the retention options
  // (never the active one). Writer thread.
  Status EnforceRetention();

  // Syncs and closes. Lines appended but not committed are discarded.
  Status Close();

  // The checkpoint of the last Commit (before or after a restart).
  std::string last_checkpoint() const;

  // Lines of streams matching all `matchers` with time in [mint_ns, maxt_ns]
  // in time order (kForward: ascending), at most `limit` (0: no limit).
  // Lines of equal time come in a fixed order (stream, then arrival).
  // Blocks that cannot contain every one of `required_substrings` are
  // skipped by the token index (token_bloom.h says which strings it can
  // use); the iterator may still return lines without them: the caller
  // applies its real filter.
  Result<std::unique_ptr<LogIterator>> Select(
      const Matchers& matchers, int64_t mint_ns, int64_t maxt_ns,
      Direction direction, size_t limit,
      std::span<const std::string> required_substrings) const;

  // Sorted, unique; over streams with lines in [mint_ns, maxt_ns].
  std::vector<std::string> LabelNames(int64_t mint_ns, int64_t maxt_ns) const;
  std::vector<std::string> LabelValues(std::string_view name,
                                       const Matchers& matchers,
                                       int64_t mint_ns, int64_t maxt_ns) const;
  // Sorted by CompareLabels.
  std::vector<Labels> Streams(const Matchers& matchers, int64_t mint_ns,
                              int64_t maxt_ns) const;

  LogStoreStats stats() const;

  struct State;  // Internal (log_store_state.h).

 private:
  explicit LogStore(std::unique_ptr<State> state);
  std::unique_ptr<State> s_;
};

}  // namespace tend::logs

#endif  // TEND_LOGS_STORE_LOG_STORE_H_
