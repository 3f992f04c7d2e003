// MemSeries: one series held by the head: its interned labels and its
// samples as Gorilla XOR chunks (docs/formats/xor-chunk.md), laid out to
// cost as little memory as possible per series (the head holds every active
// series; see head.h for the budget).
//
// Layout: one allocation holds the fixed fields and the label symbol ids.
// The open chunk is encoded in place (same bytes as XorChunk) into a buffer
// grown in small steps and reused by the next chunk. When it closes it goes
// to the head's chunk store (head_chunks.h: a file on disk, or the heap),
// and the series keeps only its 8-byte ChunkRef, in an array whose capacity
// is the next power of two of its size. A chunk is closed as soon as
// it holds samples_per_chunk samples, or when a sample falls past its
// chunk_range window (aligned to the epoch), so blocks can be cut on those
// boundaries without splitting chunks.
//
// The encoder's state doubles as the series' last sample (for the
// out-of-order rules): there is no separate copy.
//
// Lifetime: reference-counted (an intrusive count, not shared_ptr, to save
// the control block): the head holds one reference while the series is
// live, and a querier holds one for every series it returned, so Truncate
// can drop a series a reader still uses. The last Unref frees it, on
// whichever thread that is. The chunk store must outlive every call that
// reads chunks (not the series themselves: destroying one only frees its
// heap chunks).
//
// Thread-safety: the ref, hash and label symbols are immutable. The chunk
// state is guarded by the head's stripe lock for the series (Head::Stripe):
// the writer thread modifies it holding the lock; readers copy what they
// need holding the lock; the writer may read it without the lock.
#ifndef TEND_TSDB_HEAD_SERIES_H_
#define TEND_TSDB_HEAD_SERIES_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "model/point.h"
#include "tsdb/head_chunks.h"
#include "tsdb/head_records.h"
#include "tsdb/xor_chunk.h"

namespace tend {

// How chunks are cut (from HeadOptions) and where closed ones go (null:
// the heap).
struct ChunkPolicy {
  size_t samples_per_chunk = 120;
  int64_t range_ms = 2 * 3600 * 1000;
  HeadChunkStore* store = nullptr;
};

// The end (exclusive) of the chunk_range window holding t.
int64_t ChunkWindowEnd(int64_t t, int64_t range_ms);

// The bytes malloc really uses for a request of n bytes (glibc on 64-bit
// Linux: an 8-byte header, 16-byte granularity, 32-byte minimum); 0 for 0.
// Memory estimates count allocations with it.
inline size_t HeapBytes(size_t n) {
  if (n == 0) return 0;
  const size_t chunk = (n + 8 + 15) & ~size_t{15};
  return chunk < 32 ? 32 : chunk;
}

// Chunk bytes copied out for a reader: chunk i is
// bytes[spans[i].first, spans[i].first + spans[i].second).
struct ChunkCopy {
  std::vector<uint8_t> bytes;
  std::vector<std::pair<size_t, size_t>> spans;
  void clear() {
    bytes.clear();
    spans.clear();
  }
};

class MemSeries {
 public:
  // A new series with one reference (the caller's). `syms` holds
  // 2 * num_labels symbol ids: name, value, name, value, ... `hash` is the
  // low 32 bits of HashLabels of its labels.
  static MemSeries* Create(uint32_t ref, uint32_t hash,
                           std::span<const uint32_t> syms);
  MemSeries(const MemSeries&) = delete;
  MemSeries& operator=(const MemSeries&) = delete;

  // Reference counting; any thread. Unref frees the series at zero.
  void Ref() const { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Unref() const;

  SeriesRef ref() const { return ref_; }
  uint32_t hash() const { return hash_; }
  std::span<const uint32_t> label_syms() const {
    return {syms(), 2 * static_cast<size_t>(num_labels_)};
  }

  // --- Guarded by the series' stripe lock. ---

  // Appends a sample whose t is after every stored sample (the caller
  // checked), cutting chunks as the policy says.
  void Append(int64_t t, double v, const ChunkPolicy& policy);
  bool empty() const { return num_closed_ == 0 && open_n_ == 0; }
  size_t num_samples() const { return closed_samples_ + open_n_; }
  size_t num_chunks() const { return num_closed_ + (open_n_ > 0 ? 1 : 0); }
  // Meaningful only when !empty(). Reads the oldest chunk's record.
  int64_t min_time(const HeadChunkStore* store) const;
  int64_t max_time() const { return last_t_; }
  // The last sample (meaningful only when !empty()). The writer reads these
  // without the lock.
  int64_t last_t() const { return last_t_; }
  uint64_t last_vbits() const { return last_vbits_; }
  // Whether some sample has mint <= t <= maxt (decodes at most the chunks
  // that straddle the whole range).
  // `store` is the policy's store the chunks were closed into.
  bool HasSampleIn(const HeadChunkStore* store, int64_t mint,
                   int64_t maxt) const;
  // Appends copies of the chunks overlapping [mint, maxt] to *out, oldest
  // first; each copy is a complete chunk a XorIterator can decode.
  void CopyChunks(const HeadChunkStore* store, int64_t mint, int64_t maxt,
                  ChunkCopy* out) const;
  // Drops the chunks whose samples are all before mint (releasing heap
  // ones); returns the number of samples dropped.
  size_t TruncateBefore(const HeadChunkStore* store, int64_t mint);
  // Heap bytes of this series' own allocations (object with labels, chunk
  // reference array, open chunk buffer, closed chunks kept on the heap),
  // malloc overhead included. Chunks in files are not counted.
  size_t MemoryBytes() const;
  // Encoded chunk bytes held on the heap: the open chunk's buffer capacity
  // plus closed chunks kept on the heap (with their record headers).
  size_t ChunkBytes() const;

 private:
  static constexpr uint8_t kNoWindow = 0xff;

  MemSeries(uint32_t ref, uint32_t hash, uint32_t num_labels)
      : ref_(ref), hash_(hash), num_labels_(num_labels) {}
  ~MemSeries();

  const uint32_t* syms() const {
    return reinterpret_cast<const uint32_t*>(this + 1);
  }
  uint32_t* syms() { return reinterpret_cast<uint32_t*>(this + 1); }

  std::span<const uint8_t> Open() const {
    return {open_, (static_cast<size_t>(open_bits_) + 7) / 8};
  }
  void CloseOpenChunk(HeadChunkStore* store);
  // Makes room for `bits` more bits in the open buffer.
  void Reserve(size_t bits);
  void WriteBits(uint64_t value, int nbits);
  void WriteUvarint(uint64_t value);
  void AppendValue(uint64_t vbits);

  mutable std::atomic<uint32_t> refs_{1};
  const uint32_t ref_;
  const uint32_t hash_;
  const uint32_t num_labels_;
  // The closed chunks' references, oldest first (malloc'd, capacity
  // bit_ceil(num_closed_)).
  ChunkRef* closed_ = nullptr;
  // The open chunk's encoding (malloc'd; open_cap_ bytes).
  uint8_t* open_ = nullptr;
  uint32_t closed_samples_ = 0;  // Samples in the closed chunks.
  uint32_t num_closed_ = 0;
  uint32_t open_cap_ = 0;
  uint32_t open_bits_ = 0;
  uint16_t open_n_ = 0;  // Samples in the open chunk.
  // The open chunk's XOR window (leading_ == kNoWindow: none yet).
  uint8_t leading_ = kNoWindow;
  uint8_t trailing_ = 0;
  int64_t last_t_ = 0;
  uint64_t last_delta_ = 0;  // t[n-1] - t[n-2] in the open chunk, mod 2^64.
  uint64_t last_vbits_ = 0;
  // Followed by the 2 * num_labels_ label symbol ids.
};

// An owning reference to a series (Ref on construction, Unref on
// destruction).
class SeriesPtr {
 public:
  SeriesPtr() = default;
  explicit SeriesPtr(MemSeries* s) : s_(s) {
    if (s_ != nullptr) s_->Ref();
  }
  SeriesPtr(SeriesPtr&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  SeriesPtr& operator=(SeriesPtr&& o) noexcept {
    if (this != &o) {
      reset();
      s_ = std::exchange(o.s_, nullptr);
    }
    return *this;
  }
  SeriesPtr(const SeriesPtr&) = delete;
  SeriesPtr& operator=(const SeriesPtr&) = delete;
  ~SeriesPtr() { reset(); }
  void reset() {
    if (s_ != nullptr) s_->Unref();
    s_ = nullptr;
  }
  MemSeries* get() const { return s_; }
  MemSeries& operator*() const { return *s_; }
  MemSeries* operator->() const { return s_; }

 private:
  MemSeries* s_ = nullptr;
};

// An open-addressing (linear probing) set of series pointers keyed by the
// series' ref or by its label hash: 8 bytes a slot, at most 3/4 full. Erase
// shifts entries back (no tombstones). Not thread-safe: the head mutates it
// under its index lock and readers look up holding it shared.
class SeriesTable {
 public:
  enum class Key { kRef, kHash };
  explicit SeriesTable(Key key) : key_(key) {}
  SeriesTable(const SeriesTable&) = delete;
  SeriesTable& operator=(const SeriesTable&) = delete;
  ~SeriesTable() = default;

  // `s` must not be in the table.
  void Insert(MemSeries* s);
  // Removes `s` if present.
  void Erase(const MemSeries* s);
  // The first series with key `key` for which match(series) is true.
  template <typename Match>
  MemSeries* Find(uint32_t key, Match match) const {
    if (size_ == 0) return nullptr;
    for (size_t i = Slot(key);; i = (i + 1) & mask_) {
      MemSeries* s = slots_[i];
      if (s == nullptr) return nullptr;
      if (KeyOf(s) == key && match(s)) return s;
    }
  }
  MemSeries* FindRef(uint32_t ref) const {
    return Find(ref, [](const MemSeries*) { return true; });
  }
  template <typename Fn>
  void ForEach(Fn fn) const {
    for (size_t i = 0; i <= mask_ && size_ > 0; ++i) {
      if (slots_[i] != nullptr) fn(slots_[i]);
    }
  }
  size_t size() const { return size_; }
  size_t MemoryBytes() const {
    return slots_ ? HeapBytes((mask_ + 1) * sizeof(MemSeries*)) : 0;
  }

 private:
  uint32_t KeyOf(const MemSeries* s) const {
    return key_ == Key::kRef ? static_cast<uint32_t>(s->ref()) : s->hash();
  }
  size_t Slot(uint32_t key) const {
    // Fibonacci hashing spreads sequential refs; label hashes are already
    // mixed, but the multiply costs nothing.
    return static_cast<size_t>((key * uint64_t{0x9E3779B97F4A7C15}) >> 32) &
           mask_;
  }
  void Grow();

  const Key key_;
  std::unique_ptr<MemSeries*[]> slots_;
  size_t mask_ = 0;  // Capacity - 1 once allocated.
  size_t size_ = 0;
};

}  // namespace tend

#endif  // TEND_TSDB_HEAD_SERIES_H_
