#include "tsdb/head_series.h"

#include <cstring>
#include <limits>

namespace tend {

int64_t ChunkWindowEnd(int64_t t, int64_t range_ms) {
  int64_t start = (t / range_ms) * range_ms;
  if (t < 0 && start != t) start -= range_ms;  // Floor, not truncation.
  if (start > std::numeric_limits<int64_t>::max() - range_ms) {
    return std::numeric_limits<int64_t>::max();
  }
  return start + range_ms;
}

MemSeries::MemSeries(SeriesRef ref, std::unique_ptr<uint32_t[]> syms,
                     uint32_t num_labels)
    : ref_(ref), syms_(std::move(syms)), num_labels_(num_labels) {}

void MemSeries::CloseHeadChunk() {
  const std::vector<uint8_t>& bytes = head_.bytes();
  const uint32_t size = static_cast<uint32_t>(bytes.size());
  // Exact-size reallocation: a chunk closes every ~120 samples, so the copy
  // is cheap and the buffer never carries capacity slack.
  auto grown = std::make_unique_for_overwrite<uint8_t[]>(closed_size_ + size);
  if (closed_size_ > 0) std::memcpy(grown.get(), closed_.get(), closed_size_);
  std::memcpy(grown.get() + closed_size_, bytes.data(), size);
  // Grow by one: a series closes ~12 chunks a day, and slack here is
  // per-series memory.
  metas_.reserve(metas_.size() + 1);
  metas_.push_back({head_mint_, head_maxt_, closed_size_, size});
  closed_ = std::move(grown);
  closed_size_ += size;
  head_ = XorChunk();
}

void MemSeries::Append(int64_t t, double v, const ChunkPolicy& policy) {
  if (head_.num_samples() > 0 &&
      (head_.num_samples() >= policy.samples_per_chunk ||
       t >= ChunkWindowEnd(head_mint_, policy.range_ms))) {
    CloseHeadChunk();
  }
  if (head_.num_samples() == 0) head_mint_ = t;
  // Cannot fail: t is after the last sample (checked by the caller) and the
  // chunk is below its size limit (samples_per_chunk <= kMaxSamples).
  head_.Append(t, v).IgnoreError();
  head_maxt_ = t;
}

size_t MemSeries::num_samples() const {
  size_t n = head_.num_samples();
  for (const ChunkMeta& m : metas_) {
    // The first two bytes of a chunk are its big-endian sample count.
    const uint8_t* p = closed_.get() + m.offset;
    n += (static_cast<size_t>(p[0]) << 8) | p[1];
  }
  return n;
}

int64_t MemSeries::min_time() const {
  return metas_.empty() ? head_mint_ : metas_.front().mint;
}

int64_t MemSeries::max_time() const {
  return head_.num_samples() > 0 ? head_maxt_ : metas_.back().maxt;
}

namespace {

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

}  // namespace

bool MemSeries::HasSampleIn(int64_t mint, int64_t maxt) const {
  for (const ChunkMeta& m : metas_) {
    if (ChunkHasSampleIn({closed_.get() + m.offset, m.size}, m.mint, m.maxt,
                         mint, maxt)) {
      return true;
    }
  }
  return head_.num_samples() > 0 &&
         ChunkHasSampleIn(head_.bytes(), head_mint_, head_maxt_, mint, maxt);
}

void MemSeries::CopyChunks(int64_t mint, int64_t maxt, ChunkCopy* out) const {
  auto copy = [out](const uint8_t* p, size_t n) {
    const size_t at = out->bytes.size();
    out->bytes.insert(out->bytes.end(), p, p + n);
    out->spans.emplace_back(at, n);
  };
  for (const ChunkMeta& m : metas_) {
    if (m.maxt >= mint && m.mint <= maxt) {
      copy(closed_.get() + m.offset, m.size);
    }
  }
  if (head_.num_samples() > 0 && head_maxt_ >= mint && head_mint_ <= maxt) {
    copy(head_.bytes().data(), head_.bytes().size());
  }
}

size_t MemSeries::TruncateBefore(int64_t mint) {
  size_t drop = 0;
  size_t dropped_samples = 0;
  while (drop < metas_.size() && metas_[drop].maxt < mint) {
    const uint8_t* p = closed_.get() + metas_[drop].offset;
    dropped_samples += (static_cast<size_t>(p[0]) << 8) | p[1];
    ++drop;
  }
  if (drop > 0) {
    const uint32_t cut =
        drop < metas_.size() ? metas_[drop].offset : closed_size_;
    const uint32_t keep = closed_size_ - cut;
    std::unique_ptr<uint8_t[]> rest;
    if (keep > 0) {
      rest = std::make_unique_for_overwrite<uint8_t[]>(keep);
      std::memcpy(rest.get(), closed_.get() + cut, keep);
    }
    closed_ = std::move(rest);
    closed_size_ = keep;
    metas_.erase(metas_.begin(), metas_.begin() + static_cast<long>(drop));
    for (ChunkMeta& m : metas_) m.offset -= cut;
    metas_.shrink_to_fit();
  }
  if (metas_.empty() && head_.num_samples() > 0 && head_maxt_ < mint) {
    dropped_samples += head_.num_samples();
    head_ = XorChunk();
  }
  return dropped_samples;
}

size_t MemSeries::MemoryBytes() const {
  return sizeof(MemSeries) + 2 * sizeof(uint32_t) * num_labels_ + closed_size_ +
         metas_.capacity() * sizeof(ChunkMeta) + head_.bytes().capacity();
}

}  // namespace tend
