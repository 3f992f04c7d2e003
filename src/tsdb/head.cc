#include "tsdb/head.h"

#include <algorithm>
#include <bit>
#include <utility>

#include "base/log.h"

namespace tend {
namespace {

constexpr int64_t kLimitWarnIntervalNanos = 60 * kNanosPerSecond;

Status OutOfOrder(int64_t t, int64_t last) {
  return OutOfRangeError("out-of-order sample: timestamp " + std::to_string(t) +
                         " is before the series' last sample at " +
                         std::to_string(last));
}

}  // namespace

Head::Head(HeadOptions options)
    : options_(std::move(options)),
      policy_{static_cast<size_t>(options_.samples_per_chunk),
              options_.chunk_range_ms} {}

Head::~Head() {
  if (wal_ != nullptr) {
    Status st = wal_->Close();
    if (!st.ok()) LogWarn("closing the head WAL failed", {{"err", st}});
  }
  // Queriers still open keep their series alive through their references.
  by_ref_.ForEach([](MemSeries* s) { s->Unref(); });
}

Result<std::unique_ptr<Head>> Head::Open(HeadOptions options) {
  if (options.samples_per_chunk < 1 ||
      static_cast<size_t>(options.samples_per_chunk) > XorChunk::kMaxSamples) {
    return InvalidArgumentError(
        "head: samples_per_chunk must be between 1 and 65535, got " +
        std::to_string(options.samples_per_chunk));
  }
  if (options.chunk_range_ms <= 0) {
    return InvalidArgumentError("head: chunk_range_ms must be positive, got " +
                                std::to_string(options.chunk_range_ms));
  }
  if (options.max_series == 0) {
    return InvalidArgumentError("head: max_series must be positive");
  }
  if (options.clock == nullptr) options.clock = Clock::Real();
  std::unique_ptr<Head> head(new Head(std::move(options)));
  // The chunk files are rebuilt by the replay below; a read-only head must
  // not touch the owner's directory and keeps its chunks on the heap.
  ASSIGN_OR_RETURN(
      head->chunks_,
      HeadChunkStore::Open(
          head->options_.read_only ? std::string() : head->options_.chunks_dir,
          HeadChunkStore::kDefaultFileBytes, head->options_.clock));
  head->policy_.store = head->chunks_.get();
  if (!head->options_.wal_dir.empty()) {
    RETURN_IF_ERROR(head->ReplayWal());
    if (!head->options_.read_only) {
      ASSIGN_OR_RETURN(head->wal_, WalWriter::Open(head->options_.wal_dir,
                                                   head->options_.wal));
    }
  }
  return head;
}

std::unique_ptr<Head::Appender> Head::NewAppender() {
  return std::unique_ptr<Appender>(new Appender(this));
}

MemSeries* Head::FindByRef(SeriesRef ref) const {
  if (ref > kMaxSeriesRef) return nullptr;
  return by_ref_.FindRef(static_cast<uint32_t>(ref));
}

bool Head::LabelsEqual(const MemSeries& s, const Labels& labels) const {
  std::span<const uint32_t> syms = s.label_syms();
  if (syms.size() != 2 * labels.size()) return false;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (symbols_.Get(syms[2 * i]) != labels[i].name ||
        symbols_.Get(syms[2 * i + 1]) != labels[i].value) {
      return false;
    }
  }
  return true;
}

MemSeries* Head::FindByLabels(const Labels& labels, uint64_t hash) const {
  return by_hash_.Find(static_cast<uint32_t>(hash), [&](const MemSeries* s) {
    return LabelsEqual(*s, labels);
  });
}

Labels Head::SeriesLabels(const MemSeries& s) const {
  std::span<const uint32_t> syms = s.label_syms();
  Labels out(syms.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].name = symbols_.Get(syms[2 * i]);
    out[i].value = symbols_.Get(syms[2 * i + 1]);
  }
  return out;
}

MemSeries* Head::CreateSeriesLocked(SeriesRef ref, const Labels& labels,
                                    uint64_t hash) {
  std::vector<uint32_t>& syms = syms_scratch_;
  syms.resize(2 * labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    syms[2 * i] = symbols_.Intern(labels[i].name);
    syms[2 * i + 1] = symbols_.Intern(labels[i].value);
  }
  MemSeries* s = MemSeries::Create(static_cast<uint32_t>(ref),
                                   static_cast<uint32_t>(hash), syms);
  postings_.Add(static_cast<Postings::Ref>(ref), s->label_syms());
  by_ref_.Insert(s);
  by_hash_.Insert(s);
  num_series_.fetch_add(1, std::memory_order_relaxed);
  if (ref >= next_ref_) next_ref_ = ref + 1;
  return s;
}

void Head::ReleaseSeriesLocked(MemSeries* s) {
  for (uint32_t sym : s->label_syms()) symbols_.Release(sym);
  // Open queriers may still hold the series; their copy of the labels was
  // made at Select.
  s->Unref();
}

void Head::CountLimitRejection(const Labels& labels) {
  limit_rejections_.fetch_add(1, std::memory_order_relaxed);
  const int64_t now = options_.clock->MonotonicNanos();
  int64_t last = last_limit_warn_nanos_.load(std::memory_order_relaxed);
  const bool due = last == std::numeric_limits<int64_t>::min() ||
                   now - last >= kLimitWarnIntervalNanos;
  if (due && last_limit_warn_nanos_.compare_exchange_strong(last, now)) {
    LogWarn("head series limit reached: new series are rejected",
            {{"max_series", static_cast<unsigned long>(options_.max_series)},
             {"rejected_total",
              static_cast<unsigned long>(limit_rejections_.load())},
             {"series", LabelsToString(labels)}});
  }
}

bool Head::AppendCommitted(MemSeries* s, int64_t t, double v) {
  const uint64_t vbits = std::bit_cast<uint64_t>(v);
  if (t < min_valid_time_) {
    ooo_rejections_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  if (!s->empty()) {
    if (t < s->last_t()) {
      ooo_rejections_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    if (t == s->last_t()) {
      if (vbits != s->last_vbits()) {
        duplicate_rejections_.fetch_add(1, std::memory_order_relaxed);
      }
      return false;
    }
  }
  {
    std::lock_guard lock(Stripe(s->ref()));
    s->Append(t, v, policy_);
  }
  return true;
}

Status Head::SyncWal() {
  if (wal_ == nullptr) return Status::Ok();
  return wal_->Sync();
}

Status Head::Close() {
  if (closed_) return Status::Ok();
  closed_ = true;
  if (wal_ == nullptr) return Status::Ok();
  Status st = wal_->Close();
  wal_.reset();
  return st;
}

Status Head::Truncate(int64_t mint) {
  if (open_batches_ > 0) {
    return FailedPreconditionError(
        "head: Truncate called while a batch is uncommitted");
  }
  min_valid_time_ = std::max(min_valid_time_, mint);
  // Chunks first, under the stripe locks only: the writer owns the maps, so
  // it may walk them without the index lock, and readers keep running.
  std::vector<std::pair<Postings::Ref, std::span<const uint32_t>>> dead;
  by_ref_.ForEach([&](MemSeries* series) {
    std::lock_guard lock(Stripe(series->ref()));
    series->TruncateBefore(chunks_.get(), mint);
    if (series->empty()) {
      dead.emplace_back(static_cast<Postings::Ref>(series->ref()),
                        series->label_syms());
    }
  });
  // Every chunk that ends before mint is gone from its series now, so the
  // files holding only such chunks can go.
  if (chunks_ != nullptr) chunks_->TruncateBefore(mint);
  if (dead.empty()) return Status::Ok();
  std::sort(dead.begin(), dead.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::unique_lock lock(index_mu_);
  postings_.Remove(dead);
  for (const auto& [ref, syms] : dead) {
    MemSeries* s = by_ref_.FindRef(ref);
    by_ref_.Erase(s);
    by_hash_.Erase(s);
    ReleaseSeriesLocked(s);
  }
  num_series_.fetch_sub(dead.size(), std::memory_order_relaxed);
  LogDebug("head truncated",
           {{"mint", static_cast<long long>(mint)},
            {"series_removed", static_cast<unsigned long>(dead.size())}});
  return Status::Ok();
}

HeadStats Head::stats() const {
  HeadStats st;
  st.samples_appended = samples_appended_.load(std::memory_order_relaxed);
  st.series_limit_rejections =
      limit_rejections_.load(std::memory_order_relaxed);
  st.out_of_order_rejections = ooo_rejections_.load(std::memory_order_relaxed);
  st.duplicate_rejections =
      duplicate_rejections_.load(std::memory_order_relaxed);
  st.wal_errors = wal_errors_.load(std::memory_order_relaxed);
  std::shared_lock lock(index_mu_);
  st.num_series = by_ref_.size();
  // Every allocation the head owns, malloc overhead included (HeapBytes).
  // The WAL writer's buffers and the appenders' batch buffers are not
  // counted: they do not grow with the number of series held.
  size_t bytes = HeapBytes(sizeof(Head)) + symbols_.MemoryBytes() +
                 postings_.MemoryBytes() + by_ref_.MemoryBytes() +
                 by_hash_.MemoryBytes() +
                 HeapBytes(syms_scratch_.capacity() * sizeof(uint32_t));
  by_ref_.ForEach([&](const MemSeries* series) {
    std::lock_guard stripe(Stripe(series->ref()));
    bytes += series->MemoryBytes();
    st.chunk_bytes += series->ChunkBytes();
    st.num_samples += series->num_samples();
    st.num_chunks += series->num_chunks();
    if (!series->empty()) {
      st.min_time = std::min(st.min_time, series->min_time(chunks_.get()));
      st.max_time = std::max(st.max_time, series->max_time());
    }
  });
  st.bytes = bytes;
  if (chunks_ != nullptr) {
    const HeadChunkStats cs = chunks_->stats();
    st.chunk_files = cs.files;
    st.chunk_disk_bytes = cs.disk_bytes;
    st.chunk_write_errors = cs.write_errors;
  }
  return st;
}

// --- Appender ---

Head::Appender::Appender(Head* head) : head_(head) {}

Head::Appender::~Appender() { Rollback(); }

void Head::Appender::Reset() {
  if (!samples_.empty()) --head_->open_batches_;
  new_series_.clear();
  new_by_hash_.clear();
  samples_.clear();
  targets_.clear();
  new_index_.clear();
  if (pending_count_ > 0) {
    std::fill(pending_.begin(), pending_.end(), Pending{nullptr, 0});
    pending_count_ = 0;
  }
}

Head::Appender::Pending& Head::Appender::PendingSlot(const MemSeries* s,
                                                     bool inserting) {
  if (inserting && 2 * (pending_count_ + 1) > pending_.size()) {
    std::vector<Pending> old(std::max<size_t>(64, 2 * pending_.size()));
    old.swap(pending_);
    for (const Pending& p : old) {
      if (p.series != nullptr) PendingSlot(p.series, false) = p;
    }
  }
  const size_t mask = pending_.size() - 1;
  size_t i = (reinterpret_cast<uintptr_t>(s) >> 4) * 0x9E3779B97F4A7C15u >> 32;
  for (i &= mask;; i = (i + 1) & mask) {
    if (pending_[i].series == s || pending_[i].series == nullptr) {
      return pending_[i];
    }
  }
}

void Head::Appender::Rollback() { Reset(); }

Status Head::Appender::Resolve(const Labels& in, MemSeries** series,
                               int* index) {
  const Labels* labels = &in;
  if (!IsCanonical(in)) {
    scratch_ = in;
    CanonicalizeLabels(&scratch_);
    labels = &scratch_;
  }
  RETURN_IF_ERROR(ValidateSeriesLabels(*labels));
  const uint64_t hash = HashLabels(*labels);
  // The writer owns the maps: no lock needed to read them here.
  if (MemSeries* s = head_->FindByLabels(*labels, hash)) {
    *series = s;
    *index = -1;
    return Status::Ok();
  }
  auto [begin, end] = new_by_hash_.equal_range(hash);
  for (auto it = begin; it != end; ++it) {
    if (new_series_[it->second].labels == *labels) {
      *series = nullptr;
      *index = it->second;
      return Status::Ok();
    }
  }
  if (head_->next_ref_ > kMaxSeriesRef) {
    return ResourceExhaustedError(
        "head: series refs exhausted (2^32 - 1 used); new series " +
        LabelsToString(*labels) + " rejected until the head is reopened");
  }
  if (head_->num_series_.load(std::memory_order_relaxed) + new_series_.size() >=
      head_->options_.max_series) {
    head_->CountLimitRejection(*labels);
    return ResourceExhaustedError(
        "head: series limit of " + std::to_string(head_->options_.max_series) +
        " reached; new series " + LabelsToString(*labels) + " rejected");
  }
  *series = nullptr;
  *index = static_cast<int>(new_series_.size());
  new_series_.push_back(NewSeries{head_->next_ref_++, hash, *labels});
  new_by_hash_.emplace(hash, *index);
  return Status::Ok();
}

Result<SeriesRef> Head::Appender::Append(SeriesRef ref_hint,
                                         const Labels& labels, int64_t t,
                                         double v) {
  if (head_->closed_) return FailedPreconditionError("head is closed");
  if (t < head_->min_valid_time_) {
    head_->ooo_rejections_.fetch_add(1, std::memory_order_relaxed);
    return OutOfRangeError("sample timestamp " + std::to_string(t) +
                           " is before the head's truncation point " +
                           std::to_string(head_->min_valid_time_));
  }
  MemSeries* series = ref_hint != 0 ? head_->FindByRef(ref_hint) : nullptr;
  int index = -1;
  if (series == nullptr) RETURN_IF_ERROR(Resolve(labels, &series, &index));
  const uint64_t vbits = std::bit_cast<uint64_t>(v);
  // The last sample of the series, pending in this batch or committed.
  bool has_last;
  int64_t last_t;
  uint64_t last_vbits;
  Pending* pending = nullptr;
  if (series != nullptr) {
    // A series' chunk state is written only by this thread: no lock needed.
    pending = &PendingSlot(series, true);
    if (pending->series != nullptr) {
      const RefSample& p = samples_[pending->sample];
      has_last = true;
      last_t = p.t;
      last_vbits = std::bit_cast<uint64_t>(p.v);
    } else {
      has_last = !series->empty();
      last_t = series->last_t();
      last_vbits = series->last_vbits();
    }
  } else {
    const NewSeries& ns = new_series_[index];
    has_last = ns.has_sample;
    last_t = ns.last_t;
    last_vbits = ns.last_vbits;
  }
  const SeriesRef ref =
      series != nullptr ? series->ref() : new_series_[index].ref;
  if (has_last && t <= last_t) {
    if (t == last_t) {
      if (vbits == last_vbits) return ref;  // Silent duplicate.
      head_->duplicate_rejections_.fetch_add(1, std::memory_order_relaxed);
      return AlreadyExistsError("duplicate sample for timestamp " +
                                std::to_string(t) + " with a different value");
    }
    head_->ooo_rejections_.fetch_add(1, std::memory_order_relaxed);
    return OutOfOrder(t, last_t);
  }
  if (samples_.empty()) ++head_->open_batches_;
  if (series != nullptr) {
    if (pending->series == nullptr) ++pending_count_;
    *pending = Pending{series, static_cast<uint32_t>(samples_.size())};
  } else {
    new_series_[index].has_sample = true;
    new_series_[index].last_t = t;
    new_series_[index].last_vbits = vbits;
  }
  samples_.push_back(RefSample{ref, t, v});
  targets_.push_back(series);
  new_index_.push_back(index);
  return ref;
}

Status Head::Appender::Commit() {
  if (samples_.empty()) {
    Reset();
    return Status::Ok();
  }
  if (head_->closed_) {
    Reset();
    return FailedPreconditionError("head is closed");
  }
  if (head_->options_.read_only) {
    Reset();
    return FailedPreconditionError("head is read-only");
  }
  if (head_->wal_ != nullptr) {
    std::span<const uint8_t> records[2];
    size_t n = 0;
    if (!new_series_.empty()) {
      series_rec_.resize(new_series_.size());
      for (size_t i = 0; i < new_series_.size(); ++i) {
        series_rec_[i].ref = new_series_[i].ref;
        series_rec_[i].labels = new_series_[i].labels;
      }
      EncodeSeriesRecord(series_rec_, &series_buf_);
      records[n++] = series_buf_;
    }
    EncodeSamplesRecord(samples_, &samples_buf_);
    records[n++] = samples_buf_;
    Status st = head_->wal_->LogBatch(std::span(records, n));
    if (!st.ok()) {
      head_->wal_errors_.fetch_add(1, std::memory_order_relaxed);
      const size_t dropped = samples_.size();
      Reset();
      return st.WithContext("head: batch of " + std::to_string(dropped) +
                            " samples not committed (WAL write failed)");
    }
  }
  std::vector<MemSeries*> created;
  if (!new_series_.empty()) {
    created.reserve(new_series_.size());
    std::unique_lock lock(head_->index_mu_);
    for (const NewSeries& ns : new_series_) {
      created.push_back(head_->CreateSeriesLocked(ns.ref, ns.labels, ns.hash));
    }
  }
  for (size_t i = 0; i < samples_.size(); ++i) {
    MemSeries* s =
        targets_[i] != nullptr ? targets_[i] : created[new_index_[i]];
    const RefSample& rs = samples_[i];
    {
      std::lock_guard lock(head_->Stripe(rs.ref));
      s->Append(rs.t, rs.v, head_->policy_);
    }
  }
  head_->samples_appended_.fetch_add(samples_.size(),
                                     std::memory_order_relaxed);
  Reset();
  return Status::Ok();
}

}  // namespace tend
