// MemSeries: one series held by the head: its interned labels and its
// samples as Gorilla XOR chunks (docs/formats/xor-chunk.md).
//
// Chunks: every closed chunk is stored back to back in one exact-size
// buffer (no per-chunk allocation or capacity slack), described by a small
// ChunkMeta each; the open chunk is an XorChunk appended to in place. A
// chunk holds at most samples_per_chunk samples and never spans a multiple
// of chunk_range_ms (aligned to the epoch), so blocks can be cut on those
// boundaries without splitting chunks.
//
// Thread-safety: the label symbols and the ref are immutable. The chunk
// state is guarded by the head's stripe lock for the series (Head::Stripe):
// the writer thread modifies it holding the lock; readers copy what they
// need holding the lock. The fields marked "writer-only" are read and
// written only by the head's single writer thread, without a lock.
#ifndef TEND_TSDB_HEAD_SERIES_H_
#define TEND_TSDB_HEAD_SERIES_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "model/point.h"
#include "tsdb/head_records.h"
#include "tsdb/xor_chunk.h"

namespace tend {

// How chunks are cut (from HeadOptions).
struct ChunkPolicy {
  size_t samples_per_chunk = 120;
  int64_t range_ms = 2 * 3600 * 1000;
};

// The end (exclusive) of the chunk_range window holding t.
int64_t ChunkWindowEnd(int64_t t, int64_t range_ms);

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
  // `syms` holds 2 * num_labels symbol ids: name, value, name, value, ...
  MemSeries(SeriesRef ref, std::unique_ptr<uint32_t[]> syms,
            uint32_t num_labels);
  MemSeries(const MemSeries&) = delete;
  MemSeries& operator=(const MemSeries&) = delete;

  SeriesRef ref() const { return ref_; }
  std::span<const uint32_t> label_syms() const {
    return {syms_.get(), 2 * static_cast<size_t>(num_labels_)};
  }

  // --- Guarded by the series' stripe lock. ---

  // Appends a sample whose t is after every stored sample (the caller
  // checked), cutting a new chunk first when the policy says so.
  void Append(int64_t t, double v, const ChunkPolicy& policy);
  bool empty() const { return metas_.empty() && head_.num_samples() == 0; }
  size_t num_samples() const;
  size_t num_chunks() const {
    return metas_.size() + (head_.num_samples() > 0 ? 1 : 0);
  }
  int64_t min_time() const;  // Meaningful only when !empty().
  int64_t max_time() const;
  // Whether some sample has mint <= t <= maxt (decodes at most the chunks
  // that straddle the whole range).
  bool HasSampleIn(int64_t mint, int64_t maxt) const;
  // Appends copies of the chunks overlapping [mint, maxt] to *out, oldest
  // first; each copy is a complete chunk a XorIterator can decode.
  void CopyChunks(int64_t mint, int64_t maxt, ChunkCopy* out) const;
  // Drops the chunks whose samples are all before mint; returns the number
  // of samples dropped.
  size_t TruncateBefore(int64_t mint);
  // Heap and inline bytes attributable to this object (labels, chunks).
  size_t MemoryBytes() const;
  // Encoded chunk bytes (closed chunks plus the open chunk's capacity).
  size_t ChunkBytes() const { return closed_size_ + head_.bytes().capacity(); }

  // --- Writer-only. ---
  // The last committed sample, for the out-of-order rules.
  bool has_last = false;
  int64_t last_t = 0;
  uint64_t last_vbits = 0;
  // The last sample an open batch appended (valid when pending_gen matches
  // the appender's generation).
  uint64_t pending_gen = 0;
  int64_t pending_t = 0;
  uint64_t pending_vbits = 0;

 private:
  struct ChunkMeta {
    int64_t mint;
    int64_t maxt;
    uint32_t offset;  // Into closed_.
    uint32_t size;
  };
  void CloseHeadChunk();

  const SeriesRef ref_;
  std::unique_ptr<uint32_t[]> syms_;
  const uint32_t num_labels_;
  uint32_t closed_size_ = 0;
  std::unique_ptr<uint8_t[]> closed_;
  std::vector<ChunkMeta> metas_;
  XorChunk head_;
  int64_t head_mint_ = 0;
  int64_t head_maxt_ = 0;
};

}  // namespace tend

#endif  // TEND_TSDB_HEAD_SERIES_H_
