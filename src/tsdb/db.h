// Db: the whole metric store in one directory: the write-ahead log and the
// in-memory head, the persisted blocks, and the housekeeping that moves
// samples from one to the other (cut a block every block_duration, compact
// small blocks, delete what retention says). Queries see blocks and head
// merged.
//
// Layout of `dir` (docs/formats/data-dir.md): wal/ (docs/formats/wal.md,
// wal-records.md), one directory per block (docs/formats/block.md).
//
// Threads: Append*/Commit and Maintain run on one writer thread (the
// agent's collection worker); NewQuerier may be called from any thread at
// any time, also while Maintain swaps blocks (blocks are reference-counted,
// so a query keeps the blocks it started with).
#ifndef TEND_TSDB_DB_H_
#define TEND_TSDB_DB_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/thread_annotations.h"
#include "tsdb/block.h"
#include "tsdb/block_meta.h"
#include "tsdb/head.h"
#include "tsdb/queryable.h"

namespace tend {

struct DbOptions {
  int64_t block_duration_ms = 2LL * 3600 * 1000;
  int64_t retention_ms = 15LL * 24 * 3600 * 1000;
  uint64_t retention_bytes = 0;  // 0: no size limit.
  WalFsync wal_fsync = WalFsync::kInterval;
  size_t max_series = 500000;
  // Opens without writing anything: the WAL is replayed into memory but not
  // repaired, no segment is started, no block is cut, compacted or deleted.
  // Appending fails with kFailedPrecondition.
  bool read_only = false;
};

struct DbStats {
  HeadStats head;
  size_t num_blocks = 0;
  uint64_t block_bytes = 0;    // Bytes on disk of every block.
  uint64_t wal_bytes = 0;      // Bytes on disk of the WAL.
  uint64_t block_samples = 0;  // Samples in blocks (from their meta).
  uint64_t block_series = 0;   // Sum over blocks (a series in two counts 2).
  int64_t min_time = 0;        // Oldest sample anywhere (ms); 0 when empty.
  int64_t max_time = 0;
  uint64_t compactions = 0;  // Since open.
  uint64_t blocks_cut = 0;
  uint64_t blocks_deleted = 0;  // By retention.
  uint64_t maintenance_errors = 0;
};

class Db : public Queryable {
 public:
  // Opens (creating unless read_only) the store in `dir`: deletes leftover
  // temporary blocks, opens every block, replays the WAL into the head.
  static Result<std::unique_ptr<Db>> Open(const std::string& dir,
                                          const DbOptions& options);
  ~Db() override;

  Head* head() { return head_.get(); }

  Result<std::unique_ptr<Querier>> NewQuerier(int64_t mint,
                                              int64_t maxt) override;

  // Housekeeping, run periodically by the owner (every minute is plenty):
  // persists the head's oldest block_duration window once the head spans
  // 1.5 block durations, truncates the head and checkpoints the WAL,
  // compacts blocks, applies retention. `now_ms` is wall time (retention is
  // measured from it). Errors (e.g. a full disk) are returned and counted;
  // the store stays consistent and the next call retries.
  Status Maintain(int64_t now_ms);

  // fsyncs the WAL (the owner calls it every wal_fsync interval).
  Status SyncWal();

  DbStats stats() const;

  // Writer thread: persists every full block_duration window of the head
  // now, regardless of the 1.5x rule (tests, and an operator's
  // `tend tsdb flush` before a planned migration).
  Status CutAllBlocks();

  // Writer thread: opens blocks that appeared in the directory since (an
  // import wrote them). Maintain calls it too.
  Status LoadNewBlocks();

  const std::string& dir() const { return dir_; }

 private:
  Db(std::string dir, DbOptions options);
  // Cuts [mint, maxt) of the head into a block, truncates the head there
  // and checkpoints the WAL.
  Status CutBlock(int64_t mint, int64_t maxt);
  Status CutDueBlocks(bool all);
  Status Compact();
  Status ApplyRetention(int64_t now_ms);
  std::vector<BlockMeta> Metas() const;
  // Removes the blocks in `dirs` from the open set and deletes their
  // directories (open queries keep their data mapped).
  void DropBlocks(const std::vector<std::string>& dirs);

  const std::string dir_;
  const DbOptions options_;
  std::unique_ptr<Head> head_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<Block>> blocks_ GUARDED_BY(mu_);  // By mint.
  DbStats counters_ GUARDED_BY(mu_);
  int64_t head_min_valid_ = std::numeric_limits<int64_t>::min();
};

}  // namespace tend

#endif  // TEND_TSDB_DB_H_
