#include "tsdb/head_series.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

#include "tsdb/xor_chunk.h"

namespace tend {
namespace {

constexpr size_t kHeaderBytes = 2;

// Reads the first timestamp of an encoded chunk: the zigzag varint right
// after the 2-byte header (byte-aligned). Chunks held here were encoded by
// MemSeries, so the varint is complete.
int64_t FirstTimestamp(std::span<const uint8_t> chunk) {
  uint64_t u = 0;
  int shift = 0;
  for (size_t i = kHeaderBytes; i < chunk.size() && shift < 64; ++i) {
    u |= static_cast<uint64_t>(chunk[i] & 0x7f) << shift;
    if ((chunk[i] & 0x80) == 0) break;
    shift += 7;
  }
  return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
}

size_t ChunkSamples(std::span<const uint8_t> chunk) {
  return (static_cast<size_t>(chunk[0]) << 8) | chunk[1];
}

// Whether the chunk [cmint, cmaxt] has a sample in [mint, maxt]; its
// endpoints are samples, so only a chunk straddling the whole range needs
// decoding.
bool ChunkHasSampleIn(std::span<const uint8_t> bytes, int64_t cmint,
                      int64_t cmaxt, int64_t mint, int64_t maxt) {
  if (cmaxt < mint || cmint > maxt) return false;
  if (cmint >= mint || cmaxt <= maxt) return true;
  XorIterator it(bytes);
  while (it.Next()) {
    if (it.t() > maxt) return false;
    if (it.t() >= mint) return true;
  }
  return false;
}

// Delta-of-delta buckets of the XOR chunk format (xor_chunk.cc): control
// prefix, its width, and the value width. The range of an n-bit bucket is
// [-(2^(n-1) - 1), 2^(n-1)].
struct Bucket {
  uint64_t control;
  int control_bits;
  int value_bits;
};
constexpr Bucket kBuckets[] = {{0b10, 2, 14}, {0b110, 3, 17}, {0b1110, 4, 20}};

bool FitsBucket(int64_t x, int nbits) {
  const int64_t half = int64_t{1} << (nbits - 1);
  return x >= -(half - 1) && x <= half;
}

}  // namespace

int64_t ChunkWindowEnd(int64_t t, int64_t range_ms) {
  int64_t start = (t / range_ms) * range_ms;
  if (t < 0 && start != t) start -= range_ms;  // Floor, not truncation.
  if (start > std::numeric_limits<int64_t>::max() - range_ms) {
    return std::numeric_limits<int64_t>::max();
  }
  return start + range_ms;
}

MemSeries* MemSeries::Create(uint32_t ref, uint32_t hash,
                             std::span<const uint32_t> syms) {
  void* mem = ::operator new(sizeof(MemSeries) + syms.size_bytes());
  auto* s =
      new (mem) MemSeries(ref, hash, static_cast<uint32_t>(syms.size() / 2));
  if (!syms.empty()) std::memcpy(s->syms(), syms.data(), syms.size_bytes());
  return s;
}

MemSeries::~MemSeries() {
  for (uint32_t i = 0; i < num_closed_; ++i)
    HeadChunkStore::Release(closed_[i]);
  std::free(closed_);
  std::free(open_);
}

void MemSeries::Unref() const {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    MemSeries* self = const_cast<MemSeries*>(this);
    self->~MemSeries();
    ::operator delete(static_cast<void*>(self));
  }
}

void MemSeries::CloseOpenChunk(HeadChunkStore* store) {
  const std::span<const uint8_t> chunk = Open();
  const int64_t mint = FirstTimestamp(chunk);
  const ChunkRef ref = store != nullptr
                           ? store->Put(chunk, mint, last_t_)
                           : HeadChunkStore::PutOnHeap(chunk, mint, last_t_);
  // The array's capacity is the next power of two of its size (implied,
  // not stored): few reallocations, and every series' array moves through
  // the same few size classes, which malloc recycles well.
  if (num_closed_ == 0 || std::has_single_bit(num_closed_)) {
    const size_t cap = num_closed_ == 0 ? 1 : 2 * size_t{num_closed_};
    auto* grown =
        static_cast<ChunkRef*>(std::realloc(closed_, sizeof(ChunkRef) * cap));
    if (grown == nullptr) std::abort();  // As operator new would fail.
    closed_ = grown;
  }
  closed_[num_closed_++] = ref;
  closed_samples_ += open_n_;
  // The buffer is kept for the next chunk, which is likely to need about as
  // much: the agent appends every series in lock-step, and freeing and
  // regrowing each series' buffer every chunk would leave the heap
  // fragmented by a buffer's worth of free blocks per series.
  open_bits_ = 0;
  open_n_ = 0;
}

void MemSeries::Reserve(size_t bits) {
  const size_t need = (open_bits_ + bits + 7) / 8;
  if (need <= open_cap_) return;
  // Grow by a quarter (at least 16 bytes) to an exact malloc chunk size:
  // few reallocations per chunk, and little slack in the open chunk.
  size_t cap = std::max(need, static_cast<size_t>(open_cap_) +
                                  std::max<size_t>(16, open_cap_ / 4));
  cap = HeapBytes(cap) - 8;
  auto* grown = static_cast<uint8_t*>(std::realloc(open_, cap));
  if (grown == nullptr) std::abort();  // As operator new would fail.
  open_ = grown;
  open_cap_ = static_cast<uint32_t>(cap);
}

void MemSeries::WriteBits(uint64_t value, int nbits) {
  if (nbits < 64) value &= (uint64_t{1} << nbits) - 1;
  while (nbits > 0) {
    const int used = static_cast<int>(open_bits_ & 7);
    uint8_t& byte = open_[open_bits_ >> 3];
    if (used == 0) byte = 0;
    const int free = 8 - used;
    const int take = nbits < free ? nbits : free;
    const uint64_t part =
        (value >> (nbits - take)) & ((uint64_t{1} << take) - 1);
    byte |= static_cast<uint8_t>(part << (free - take));
    open_bits_ += static_cast<uint32_t>(take);
    nbits -= take;
  }
}

void MemSeries::WriteUvarint(uint64_t value) {
  while (value >= 0x80) {
    WriteBits((value & 0x7f) | 0x80, 8);
    value >>= 7;
  }
  WriteBits(value, 8);
}

void MemSeries::AppendValue(uint64_t vbits) {
  const uint64_t x = vbits ^ last_vbits_;
  if (x == 0) {
    WriteBits(0, 1);
    return;
  }
  int leading = std::countl_zero(x);
  const int trailing = std::countr_zero(x);
  // The leading count has 5 bits; a longer run of zeros is stored as 31 and
  // the rest become significant bits.
  if (leading > 31) leading = 31;
  if (leading_ != kNoWindow && leading >= leading_ && trailing >= trailing_) {
    // The XOR fits the previous window: '10' + the window's bits.
    WriteBits(0b10, 2);
    WriteBits(x >> trailing_, 64 - leading_ - trailing_);
    return;
  }
  const int significant = 64 - leading - trailing;  // 1..64; 64 stored as 0.
  WriteBits(0b11, 2);
  WriteBits(static_cast<uint64_t>(leading), 5);
  WriteBits(static_cast<uint64_t>(significant & 63), 6);
  WriteBits(x >> trailing, significant);
  leading_ = static_cast<uint8_t>(leading);
  trailing_ = static_cast<uint8_t>(trailing);
}

void MemSeries::Append(int64_t t, double v, const ChunkPolicy& policy) {
  if (open_n_ > 0 &&
      t >= ChunkWindowEnd(FirstTimestamp(Open()), policy.range_ms)) {
    CloseOpenChunk(policy.store);
  }
  const uint64_t vbits = std::bit_cast<uint64_t>(v);
  // Worst cases: header + varint + 64 value bits (first sample); uvarint +
  // value (second); 4 + 64 timestamp bits + 2 + 5 + 6 + 64 value bits.
  Reserve(open_n_ == 0   ? 8 * (kHeaderBytes + 10 + 8)
          : open_n_ == 1 ? 8 * 10 + 77
                         : 68 + 77);
  if (open_n_ == 0) {
    WriteBits(0, 16);  // Header, set below.
    const uint64_t zz = static_cast<uint64_t>(t) << 1;
    WriteUvarint(t < 0 ? ~zz : zz);
    WriteBits(vbits, 64);
    leading_ = kNoWindow;
    trailing_ = 0;
    last_delta_ = 0;
  } else {
    // Modulo 2^64 like the iterator, so any int64 timestamps round-trip.
    const uint64_t delta =
        static_cast<uint64_t>(t) - static_cast<uint64_t>(last_t_);
    if (open_n_ == 1) {
      WriteUvarint(delta);
    } else {
      const int64_t dod = static_cast<int64_t>(delta - last_delta_);
      if (dod == 0) {
        WriteBits(0, 1);
      } else {
        bool written = false;
        for (const Bucket& b : kBuckets) {
          if (FitsBucket(dod, b.value_bits)) {
            WriteBits(b.control, b.control_bits);
            WriteBits(static_cast<uint64_t>(dod), b.value_bits);
            written = true;
            break;
          }
        }
        if (!written) {
          WriteBits(0b1111, 4);
          WriteBits(static_cast<uint64_t>(dod), 64);
        }
      }
    }
    AppendValue(vbits);
    last_delta_ = delta;
  }
  last_t_ = t;
  last_vbits_ = vbits;
  ++open_n_;
  open_[0] = static_cast<uint8_t>(open_n_ >> 8);
  open_[1] = static_cast<uint8_t>(open_n_ & 0xff);
  // A full chunk is closed now rather than at the next sample: its buffer
  // slack is released at once, and the next sample starts a new chunk
  // either way.
  if (open_n_ >= policy.samples_per_chunk) CloseOpenChunk(policy.store);
}

int64_t MemSeries::min_time(const HeadChunkStore* store) const {
  return num_closed_ > 0 ? HeadChunkStore::Get(store, closed_[0]).mint
                         : FirstTimestamp(Open());
}

bool MemSeries::HasSampleIn(const HeadChunkStore* store, int64_t mint,
                            int64_t maxt) const {
  for (size_t i = 0; i < num_closed_; ++i) {
    const ChunkView c = HeadChunkStore::Get(store, closed_[i]);
    if (c.mint > maxt) return false;  // Later chunks start later still.
    if (ChunkHasSampleIn(c.bytes, c.mint, c.maxt, mint, maxt)) return true;
  }
  return open_n_ > 0 &&
         ChunkHasSampleIn(Open(), FirstTimestamp(Open()), last_t_, mint, maxt);
}

void MemSeries::CopyChunks(const HeadChunkStore* store, int64_t mint,
                           int64_t maxt, ChunkCopy* out) const {
  auto copy = [out](std::span<const uint8_t> c) {
    const size_t at = out->bytes.size();
    out->bytes.insert(out->bytes.end(), c.begin(), c.end());
    out->spans.emplace_back(at, c.size());
  };
  for (size_t i = 0; i < num_closed_; ++i) {
    const ChunkView c = HeadChunkStore::Get(store, closed_[i]);
    if (c.mint > maxt) return;
    if (c.maxt >= mint) copy(c.bytes);
  }
  if (open_n_ > 0 && last_t_ >= mint && FirstTimestamp(Open()) <= maxt) {
    copy(Open());
  }
}

size_t MemSeries::TruncateBefore(const HeadChunkStore* store, int64_t mint) {
  size_t drop = 0;
  size_t dropped_samples = 0;
  while (drop < num_closed_) {
    const ChunkView c = HeadChunkStore::Get(store, closed_[drop]);
    if (c.maxt >= mint) break;
    dropped_samples += ChunkSamples(c.bytes);
    HeadChunkStore::Release(closed_[drop]);
    ++drop;
  }
  if (drop > 0) {
    const size_t keep = num_closed_ - drop;
    if (keep == 0) {
      std::free(closed_);
      closed_ = nullptr;
    } else {
      std::memmove(closed_, closed_ + drop, sizeof(ChunkRef) * keep);
      const size_t cap = std::bit_ceil(keep);
      if (cap < std::bit_ceil(size_t{num_closed_})) {
        auto* shrunk = static_cast<ChunkRef*>(
            std::realloc(closed_, sizeof(ChunkRef) * cap));
        if (shrunk == nullptr) std::abort();
        closed_ = shrunk;
      }
    }
    num_closed_ = static_cast<uint32_t>(keep);
    closed_samples_ -= static_cast<uint32_t>(dropped_samples);
  }
  if (num_closed_ == 0 && open_n_ > 0 && last_t_ < mint) {
    dropped_samples += open_n_;
    std::free(open_);
    open_ = nullptr;
    open_cap_ = 0;
    open_bits_ = 0;
    open_n_ = 0;
  }
  return dropped_samples;
}

size_t MemSeries::MemoryBytes() const {
  size_t bytes =
      HeapBytes(sizeof(MemSeries) + 2 * sizeof(uint32_t) * num_labels_) +
      HeapBytes(num_closed_ == 0
                    ? 0
                    : sizeof(ChunkRef) * std::bit_ceil(size_t{num_closed_})) +
      HeapBytes(open_cap_);
  for (uint32_t i = 0; i < num_closed_; ++i) {
    bytes += HeapBytes(HeadChunkStore::HeapRequestBytes(closed_[i]));
  }
  return bytes;
}

size_t MemSeries::ChunkBytes() const {
  size_t bytes = open_cap_;
  for (uint32_t i = 0; i < num_closed_; ++i) {
    bytes += HeadChunkStore::HeapRequestBytes(closed_[i]);
  }
  return bytes;
}

// --- SeriesTable ---

void SeriesTable::Grow() {
  const size_t cap = slots_ ? 2 * (mask_ + 1) : 16;
  std::unique_ptr<MemSeries*[]> old = std::move(slots_);
  const size_t old_cap = old ? mask_ + 1 : 0;
  slots_ = std::make_unique<MemSeries*[]>(cap);  // Zeroed.
  mask_ = cap - 1;
  for (size_t i = 0; i < old_cap; ++i) {
    MemSeries* s = old[i];
    if (s == nullptr) continue;
    size_t j = Slot(KeyOf(s));
    while (slots_[j] != nullptr) j = (j + 1) & mask_;
    slots_[j] = s;
  }
}

void SeriesTable::Insert(MemSeries* s) {
  if (!slots_ || 4 * (size_ + 1) > 3 * (mask_ + 1)) Grow();
  size_t i = Slot(KeyOf(s));
  while (slots_[i] != nullptr) i = (i + 1) & mask_;
  slots_[i] = s;
  ++size_;
}

void SeriesTable::Erase(const MemSeries* s) {
  if (size_ == 0) return;
  size_t i = Slot(KeyOf(s));
  while (slots_[i] != s) {
    if (slots_[i] == nullptr) return;
    i = (i + 1) & mask_;
  }
  // Backward-shift deletion: move later entries of the probe run into the
  // hole when their home slot is not in (hole, their slot].
  size_t hole = i;
  for (size_t j = (i + 1) & mask_; slots_[j] != nullptr; j = (j + 1) & mask_) {
    const size_t home = Slot(KeyOf(slots_[j]));
    const bool stays =
        hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (stays) continue;
    slots_[hole] = slots_[j];
    hole = j;
  }
  slots_[hole] = nullptr;
  --size_;
}

}  // namespace tend
