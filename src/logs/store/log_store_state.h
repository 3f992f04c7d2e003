// Internal state of LogStore shared by its write path (log_store.cc),
// recovery (log_store_open.cc) and read path (log_store_read.cc).
//
// Locking: `mu` guards everything marked (mu). The writer thread mutates
// (mu) fields only under an exclusive lock, and reads them without one
// (it is the only mutator); readers take a shared lock. Fields marked
// (writer) are touched by the writer thread only, never under the lock.
// File I/O happens outside the lock.
#ifndef TEND_LOGS_STORE_LOG_STORE_STATE_H_
#define TEND_LOGS_STORE_LOG_STORE_STATE_H_

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "logs/store/log_format.h"
#include "logs/store/log_store.h"
#include "logs/store/segment.h"
#include "logs/store/token_bloom.h"

namespace tend::logs {

// Lines held in memory: times, end offsets into `bytes`.
struct LineBuffer {
  std::vector<int64_t> ts;
  std::vector<uint32_t> ends;
  std::string bytes;
  size_t raw = 0;  // Estimated encoded size (bytes + per-line overhead).

  size_t size() const { return ts.size(); }
  std::string_view line(size_t i) const {
    const uint32_t b = i == 0 ? 0 : ends[i - 1];
    return std::string_view(bytes).substr(b, ends[i] - b);
  }
  void Add(int64_t t, std::string_view l) {
    ts.push_back(t);
    bytes.append(l);
    ends.push_back(static_cast<uint32_t>(bytes.size()));
    raw += l.size() + 4;
  }
  void Clear() {
    ts.clear();
    ends.clear();
    bytes.clear();
    raw = 0;
  }
};

struct StreamState {
  uint32_t id = 0;
  Labels labels;
  // (mu) Committed lines not yet in a block (they are in pending records
  // of the active segment), and the time range of all committed lines.
  LineBuffer open;
  bool has_data = false;
  int64_t mint = 0, maxt = 0;
  // (writer) Appended, not committed.
  LineBuffer staged;
  bool dirty = false;
  int stream_record_segment = -1;  // Segment holding its kStream record.
};

struct BlockRef {
  uint32_t stream_id = 0;
  uint32_t lines = 0;
  int64_t mint = 0, maxt = 0;
  uint32_t raw_bytes = 0;
  uint8_t codec = 0;
  std::vector<uint64_t> bloom;
  RecordHeader header;
  uint64_t offset = 0;
};

struct Segment {
  int number = 0;
  std::shared_ptr<SegmentFile> file;
  uint64_t size = 0;
  std::vector<BlockRef> blocks;  // (mu)
  bool has_data = false;
  int64_t mint = 0, maxt = 0;
  int64_t created_mono = 0;
};

struct LogStore::State {
  std::string dir;
  LogStoreOptions options;
  Clock* clock = nullptr;
  mutable std::shared_mutex mu;
  std::vector<Segment> segments;  // (mu) Ascending; back() is active.
  std::unordered_map<uint32_t, std::unique_ptr<StreamState>> streams;  // (mu)
  std::string last_checkpoint;                                         // (mu)
  uint64_t commit_seq = 0;                                             // (mu)
  uint64_t lines_committed = 0;                                        // (mu)
  // (writer)
  std::unordered_multimap<uint64_t, StreamState*> by_hash;
  std::vector<StreamState*> dirty;
  uint32_t next_stream_id = 1;
  bool unsynced = false;
  bool closed = false;
  TokenKeySet keyset;
};

// Path of segment `number` in `dir`.
std::string SegmentPath(const std::string& dir, int number);

// Updates a time range with [mint, maxt].
inline void ExtendRange(bool* has, int64_t* lo, int64_t* hi, int64_t mint,
                        int64_t maxt) {
  if (!*has) {
    *has = true;
    *lo = mint;
    *hi = maxt;
    return;
  }
  if (mint < *lo) *lo = mint;
  if (maxt > *hi) *hi = maxt;
}

}  // namespace tend::logs

#endif  // TEND_LOGS_STORE_LOG_STORE_STATE_H_
