// HeadChunkStore: where the head keeps its closed (full) chunks, so that
// the head's memory holds only each series' open chunk and an 8-byte
// reference per closed one.
//
// With a directory, closed chunks are appended to files in it
// (docs/formats/head-chunks.md) with pwrite and read back through a
// read-only shared mapping of each file: the bytes live in the page cache,
// which the kernel writes back and reclaims as it needs, instead of in the
// process's heap. At a 1 s collection interval a series holds ~10k samples
// in the head; on disk they cost the process nothing until read. Without a
// directory (read-only opens, in-memory heads) and whenever a write fails
// (a full disk), the chunk is kept on the heap instead: nothing is lost and
// the head keeps working; the failure is counted and logged.
//
// The files are scratch: the WAL stays the only record of the head, so
// Open deletes the files a previous run left and the replay writes them
// again. That keeps them free of fsyncs and checksums (see
// docs/decisions.md).
//
// References (ChunkRef) are tagged 64-bit words: an even value is a heap
// pointer, an odd one names a file slot and an offset.
//
// Threads: Put and TruncateBefore are serialized by an internal mutex
// (the head calls Put from Append under a series stripe lock). Get is
// lock-free and may run on any thread: a reference stays valid until the
// series drops it, and the head drops every reference into a file before
// TruncateBefore removes that file (a file goes only once every chunk in
// it ends before the truncation time, which is when the series drop them).
#ifndef TEND_TSDB_HEAD_CHUNKS_H_
#define TEND_TSDB_HEAD_CHUNKS_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"

namespace tend {

using ChunkRef = uint64_t;

// A stored chunk: its encoded bytes (a complete XOR chunk) and the times of
// its first and last samples.
struct ChunkView {
  std::span<const uint8_t> bytes;
  int64_t mint = 0;
  int64_t maxt = 0;
};

struct HeadChunkStats {
  size_t files = 0;
  uint64_t disk_bytes = 0;  // Bytes written to the live files.
  uint64_t write_errors = 0;
};

class HeadChunkStore {
 public:
  // The size a file grows to before the next one starts; also the size of
  // each file's mapping (address space, not memory).
  static constexpr size_t kDefaultFileBytes = 64 << 20;
  // Files alive at once (ring of mapping slots); more than a head of any
  // size needs at kDefaultFileBytes (a 2 h head of 256 GiB).
  static constexpr size_t kSlots = 4096;

  // dir == "": every chunk on the heap. Otherwise creates dir if needed and
  // deletes the chunk files a previous run left in it (only names this
  // store writes). Fails on I/O errors; file_bytes must be >= 4096.
  static Result<std::unique_ptr<HeadChunkStore>> Open(
      std::string dir, size_t file_bytes = kDefaultFileBytes,
      Clock* clock = Clock::Real());
  ~HeadChunkStore();
  HeadChunkStore(const HeadChunkStore&) = delete;
  HeadChunkStore& operator=(const HeadChunkStore&) = delete;

  // Stores a copy of chunk. Never fails: when the write fails the copy goes
  // to the heap (counted in write_errors, logged at most once a minute).
  ChunkRef Put(std::span<const uint8_t> chunk, int64_t mint, int64_t maxt);

  // A heap copy of chunk (what Put falls back to; also for heads without a
  // store).
  static ChunkRef PutOnHeap(std::span<const uint8_t> chunk, int64_t mint,
                            int64_t maxt);

  // The chunk behind a live reference; `store` is the one that made it
  // (may be null for heap references). Any thread.
  static ChunkView Get(const HeadChunkStore* store, ChunkRef ref);

  // Frees a heap chunk; a reference into a file needs nothing (the file
  // goes at TruncateBefore). `ref` must not be used afterwards.
  static void Release(ChunkRef ref);

  // The size of the heap allocation behind `ref` as requested from malloc
  // (overhead not included); 0 for a file ref.
  static size_t HeapRequestBytes(ChunkRef ref);
  static bool OnHeap(ChunkRef ref) { return (ref & 1) == 0; }

  // Deletes the files whose every chunk ends before mint. The caller has
  // dropped every reference to those chunks first.
  void TruncateBefore(int64_t mint);

  HeadChunkStats stats() const;
  const std::string& dir() const { return dir_; }

 private:
  struct File {
    uint64_t seq = 0;
    int fd = -1;
    const uint8_t* base = nullptr;
    uint64_t size = 0;  // Bytes written.
    int64_t maxt = 0;   // Of its chunks; meaningless while size == header.
    bool has_chunks = false;
  };

  HeadChunkStore(std::string dir, size_t file_bytes, Clock* clock)
      : dir_(std::move(dir)), file_bytes_(file_bytes), clock_(clock) {}

  // Under mu_: a file with room for `bytes` more, or nullptr (the caller
  // falls back to the heap).
  File* Writable(size_t bytes);
  Status CreateFile(File* f);
  void CloseFile(File* f, bool unlink);
  void CountWriteError(const Status& st);
  std::string FilePath(uint64_t seq) const;

  const std::string dir_;
  const size_t file_bytes_;
  Clock* const clock_;

  mutable std::mutex mu_;
  std::vector<File> files_;  // Oldest first; the last one is written to.
  uint64_t next_seq_ = 1;
  std::vector<uint8_t> scratch_;
  std::atomic<uint64_t> write_errors_{0};
  int64_t last_warn_nanos_ = 0;
  bool warned_ = false;
  // Mapping base of the file in each slot (seq % kSlots), for Get.
  std::array<std::atomic<const uint8_t*>, kSlots> bases_{};
};

}  // namespace tend

#endif  // TEND_TSDB_HEAD_CHUNKS_H_
