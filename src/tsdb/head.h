// Head: the in-memory part of the metric store. It holds the most recent
// samples of every active series as Gorilla XOR chunks, indexes them by
// label (postings), logs every committed batch to the write-ahead log
// (wal.h; record layout in docs/formats/wal-records.md) before making it
// visible, and rebuilds itself from the WAL on Open.
//
// Threads:
// - One *writer* thread at a time calls Append/Commit/Rollback (through an
//   Appender), Truncate, Checkpoint and SyncWal. In the agent that is the
//   thread that owns ingestion; nothing here checks which thread it is, so
//   the owner must serialize these calls.
// - Any number of threads may call NewQuerier (and use their own querier),
//   stats() and Head::options() concurrently with the writer.
// Internally: the series maps, postings and symbol table are mutated only
// by the writer, holding `index_mu_` exclusively; readers hold it shared.
// Each series' chunks are guarded by one of kStripes mutexes (chosen by
// ref); the writer appends and readers copy chunk bytes holding it, so a
// reader never decodes a chunk that is being appended to.
//
// Memory: label strings are interned once (SymbolTable). Closed chunks go
// to the chunk store (head_chunks.h: files under chunks_dir, read through
// the page cache), so the heap holds per series ~0.25 KiB of bookkeeping
// (one allocation with its symbol ids and chunk encoder state, two 8-byte
// hash table slots at most 3/4 full, a 32-bit postings entry per label),
// 8 bytes per closed chunk and the open chunk (up to ~120 samples). That
// is ~0.5 KiB per series for node_exporter-like data at 10 s whatever the
// head's span (head_test MemoryPerSeries), and independent of the
// collection interval. Without chunks_dir the closed chunks stay on the
// heap (~1.4 bytes per sample for the same data). stats().bytes counts the
// real allocations (capacities, malloc overhead, table slots), not sizes.
//
// Series refs stay below 2^32 (postings hold 32 bits): creating a series
// once 2^32 - 1 refs have been used fails, and replay rejects series
// records with larger refs (counted like conflicting records).
#ifndef TEND_TSDB_HEAD_H_
#define TEND_TSDB_HEAD_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "model/labels.h"
#include "tsdb/head_index.h"
#include "tsdb/head_records.h"
#include "tsdb/head_series.h"
#include "tsdb/queryable.h"
#include "tsdb/wal.h"

namespace tend {

struct HeadOptions {
  // Directory of the WAL; "" keeps the head in memory only (tests, tools).
  std::string wal_dir;
  // Directory for closed chunks (head_chunks.h); "" (and read_only) keeps
  // them on the heap. Its files are scratch, rebuilt from the WAL at Open.
  std::string chunks_dir;
  WalOptions wal;
  // The cardinality limit. 500k series is ~0.5 GiB of head at the 1 KiB
  // per series target: more than a single host's agent produces by two
  // orders of magnitude (node_exporter exposes ~1-5k series), yet enough
  // for a small fleet pushing through one instance, and low enough that a
  // label explosion (a request id in a label) cannot take the machine's
  // memory.
  size_t max_series = 500'000;
  // A chunk is closed after this many samples (1..65535).
  int samples_per_chunk = 120;
  // A chunk never spans a multiple of this (epoch-aligned), so blocks of
  // this length are cut without splitting chunks. Must be > 0.
  int64_t chunk_range_ms = 2 * 3600 * 1000;
  // Replay the WAL without changing anything on disk: no repair of damage
  // (replay stops before it), no removal of stale checkpoints, no writer
  // (appending fails at Commit with kFailedPrecondition). For reading a
  // store no agent owns (`tend query`, `tend tsdb stats`).
  bool read_only = false;
  // For rate-limiting warnings; not owned, must outlive the head.
  Clock* clock = Clock::Real();
};

struct HeadStats {
  size_t num_series = 0;
  size_t num_samples = 0;         // Held in memory now.
  uint64_t samples_appended = 0;  // Committed since Open (replay excluded).
  size_t num_chunks = 0;
  size_t bytes = 0;        // Heap estimate: series, chunks, index.
  size_t chunk_bytes = 0;  // The part of `bytes` that is chunk data.
  // Closed chunks in files (not in `bytes`: page cache, not heap).
  size_t chunk_files = 0;
  uint64_t chunk_disk_bytes = 0;
  uint64_t chunk_write_errors = 0;  // Chunks kept on the heap instead.
  int64_t min_time = std::numeric_limits<int64_t>::max();  // No samples:
  int64_t max_time = std::numeric_limits<int64_t>::min();  // max > min.
  uint64_t series_limit_rejections = 0;
  uint64_t out_of_order_rejections = 0;  // Includes t < truncation point.
  uint64_t duplicate_rejections = 0;     // Same t, different value.
  uint64_t wal_errors = 0;               // Failed WAL writes (batch dropped).
};

class HeadQuerier;
class HeadReplayer;

class Head : public Queryable {
 public:
  static constexpr size_t kStripes = 1024;
  static constexpr SeriesRef kMaxSeriesRef = 0xffffffff;

  // A batch of samples (one collection cycle, one import batch). Obtained
  // from NewAppender and used on the writer thread; may be reused for the
  // next batch after Commit or Rollback. Only one appender may hold an
  // uncommitted batch at a time. Destroying it rolls back.
  class Appender {
   public:
    ~Appender();
    Appender(const Appender&) = delete;
    Appender& operator=(const Appender&) = delete;

    // Adds a sample to the batch; it becomes visible (and durable) at
    // Commit. `ref_hint` is a ref an earlier Append returned for these
    // labels: when the head still has it, the labels are not looked at
    // (the steady-state fast path); 0 or a stale ref looks up (and if
    // needed creates) the series by `labels`, which are canonicalized and
    // validated. Returns the series' ref. Errors (nothing is added):
    // - kInvalidArgument: invalid label or metric name, no labels.
    // - kResourceExhausted: creating the series would exceed max_series
    //   (counted in series_limit_rejections; warned at most once a minute).
    // - kOutOfRange: t is before the series' last sample or before the
    //   head's truncation point (counted in out_of_order_rejections).
    // - kAlreadyExists: t equals the last sample's t with a different
    //   value (counted in duplicate_rejections). The same t with the same
    //   value bits is a silent duplicate: OK, nothing added.
    Result<SeriesRef> Append(SeriesRef ref_hint, const Labels& labels,
                             int64_t t, double v);
    // Logs the batch's new series and its samples to the WAL (one LogBatch:
    // a series record, then one samples record) and then makes everything
    // visible. If the WAL write fails (e.g. ENOSPC) nothing of the batch is
    // applied, wal_errors is counted and the error returned; the appender
    // is empty again either way.
    Status Commit();
    // Drops the batch.
    void Rollback();
    size_t pending_samples() const { return samples_.size(); }

   private:
    friend class Head;
    explicit Appender(Head* head);

    struct NewSeries {
      SeriesRef ref;
      uint64_t hash;
      Labels labels;
      bool has_sample = false;
      int64_t last_t = 0;
      uint64_t last_vbits = 0;
    };
    // The batch's last sample for a committed series: an open-addressing
    // map from the series to its index in samples_ (kept here, not in each
    // series, since only a batch needs it).
    struct Pending {
      const MemSeries* series;
      uint32_t sample;
    };
    // Finds the series (committed or new in this batch) for labels,
    // creating a pending one when allowed. *index is its index in
    // new_series_ or -1 with *series set.
    Status Resolve(const Labels& labels, MemSeries** series, int* index);
    // The slot of `s` in pending_ (empty or holding s); grows the table
    // first when `inserting` would fill it past 1/2.
    Pending& PendingSlot(const MemSeries* s, bool inserting);
    void Reset();

    Head* head_;
    std::vector<NewSeries> new_series_;
    std::unordered_multimap<uint64_t, int> new_by_hash_;
    std::vector<RefSample> samples_;
    // Per sample: the committed series, or nullptr and an index into
    // new_series_.
    std::vector<MemSeries*> targets_;
    std::vector<int> new_index_;
    std::vector<Pending> pending_;  // Power-of-two size.
    size_t pending_count_ = 0;
    Labels scratch_;
    std::vector<RefSeries> series_rec_;
    std::vector<uint8_t> series_buf_;
    std::vector<uint8_t> samples_buf_;
  };

  // Creates the head and, when options.wal_dir is set, replays the newest
  // checkpoint and the segments after it, repairing a damaged WAL (the
  // records before the damage are kept; a warning is logged), then opens a
  // WalWriter on a fresh segment. Fails on invalid options and on I/O
  // errors (never on damaged WAL content).
  static Result<std::unique_ptr<Head>> Open(HeadOptions options);
  ~Head() override;

  std::unique_ptr<Appender> NewAppender();

  // Queryable. Select with no matchers returns every series in label order
  // (how the block writer reads the head).
  Result<std::unique_ptr<Querier>> NewQuerier(int64_t mint,
                                              int64_t maxt) override;

  // Writer thread, between batches (kFailedPrecondition while an appender
  // holds an uncommitted batch). Drops the chunks whose samples are all
  // before mint and the series left without samples; from now on samples
  // before mint are rejected (kOutOfRange), since that range belongs to a
  // persisted block. Queriers already open keep their series objects alive
  // but see the chunks as they are now.
  Status Truncate(int64_t mint);

  // Writer thread, between batches. Writes checkpoint.N (the live series
  // and their samples with t >= mint) and deletes the WAL segments and
  // checkpoints it replaces; the procedure is in
  // docs/formats/wal-records.md. kFailedPrecondition without a WAL.
  Status Checkpoint(int64_t mint);

  // Writer thread: fsyncs the WAL (WalFsync::kInterval owners call it
  // periodically). OK without a WAL.
  Status SyncWal();

  // Closes the WAL (syncing). The head stays queryable; appending after
  // Close fails.
  Status Close();

  // A consistent-enough snapshot: counters are exact, bytes an estimate.
  // O(series): walks the series (takes the index lock shared).
  HeadStats stats() const;

  const HeadOptions& options() const { return options_; }

 private:
  friend class HeadQuerier;
  friend class HeadSeriesSet;
  friend class HeadReplayer;

  explicit Head(HeadOptions options);

  std::mutex& Stripe(SeriesRef ref) const {
    return stripes_[ref & (kStripes - 1)];
  }
  // The committed series for labels (canonical), or nullptr. Writer thread,
  // or any thread holding index_mu_.
  MemSeries* FindByLabels(const Labels& labels, uint64_t hash) const;
  MemSeries* FindByRef(SeriesRef ref) const;
  bool LabelsEqual(const MemSeries& s, const Labels& labels) const;
  // The series' labels as strings. Holding index_mu_ (or writer thread).
  Labels SeriesLabels(const MemSeries& s) const;
  // Creates a series; the caller holds index_mu_ exclusively and has
  // checked the limit and that neither ref nor labels exist.
  MemSeries* CreateSeriesLocked(SeriesRef ref, const Labels& labels,
                                uint64_t hash);
  // Drops the head's reference to a series removed from the maps.
  void ReleaseSeriesLocked(MemSeries* s);
  // Sorted refs of the series matching every matcher. Holding index_mu_.
  Postings::List PostingsForMatchers(const Matchers& matchers) const;
  // Appends one sample to a committed series with the out-of-order rules
  // (replay path). Returns false when dropped.
  bool AppendCommitted(MemSeries* s, int64_t t, double v);
  void CountLimitRejection(const Labels& labels);
  Status ReplayWal();

  const HeadOptions options_;
  ChunkPolicy policy_;  // Set once in Open.
  // Closed chunks; declared before the series tables, so it outlives the
  // head's references to them (queriers hold series, never chunk bytes).
  std::unique_ptr<HeadChunkStore> chunks_;

  mutable std::shared_mutex index_mu_;
  SymbolTable symbols_;
  Postings postings_;
  // Both hold every live series; by_ref_ holds the head's reference.
  SeriesTable by_ref_{SeriesTable::Key::kRef};
  SeriesTable by_hash_{SeriesTable::Key::kHash};
  mutable std::array<std::mutex, kStripes> stripes_;

  // Writer-only state.
  SeriesRef next_ref_ = 1;
  std::vector<uint32_t> syms_scratch_;  // CreateSeriesLocked's buffer.
  int open_batches_ = 0;
  int64_t min_valid_time_ = std::numeric_limits<int64_t>::min();
  std::unique_ptr<WalWriter> wal_;
  bool closed_ = false;

  std::atomic<size_t> num_series_{0};
  std::atomic<uint64_t> samples_appended_{0};
  std::atomic<uint64_t> limit_rejections_{0};
  std::atomic<uint64_t> ooo_rejections_{0};
  std::atomic<uint64_t> duplicate_rejections_{0};
  std::atomic<uint64_t> wal_errors_{0};
  std::atomic<int64_t> last_limit_warn_nanos_{
      std::numeric_limits<int64_t>::min()};
};

}  // namespace tend

#endif  // TEND_TSDB_HEAD_H_
