// Compaction, crash cleanup, planning and retention of persisted blocks
// (docs/formats/block.md, "Compaction, cleanup and retention").
//
// All functions are blocking (they read and write whole blocks) and meant
// for the worker pool; they share no state, so different db_dirs may be
// handled concurrently, but one db_dir needs one caller at a time.
#ifndef TEND_TSDB_COMPACT_H_
#define TEND_TSDB_COMPACT_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "tsdb/block_meta.h"

namespace tend {

inline constexpr int64_t kTwoHoursMs = 2 * 3600 * 1000;

// Merges the blocks in `block_dirs` (at least one) into one new block in
// db_dir spanning all of them, with level = highest input level + 1 and
// sources = the union of theirs, written atomically (block_writer.h).
// Overlapping inputs are allowed: each series' samples are merged and of
// samples with the same timestamp the one from the input with the highest
// ULID (the newest) is kept. The inputs are left in place: the caller
// deletes them after success (RemoveCoveredBlocks does it too, and repairs a
// crash between the new block's rename and those deletions). On failure no
// new block exists. kDataLoss when an input is damaged.
Result<BlockMeta> CompactBlocks(const std::string& db_dir,
                                std::span<const std::string> block_dirs);

// The blocks made redundant by another: A is covered by B when A's sources
// are a subset of B's and either B has more sources or the same sources at
// a higher level. Returns the covered blocks' dirs, sorted.
std::vector<std::string> FindCoveredBlocks(std::span<const BlockMeta> metas);

// Reads the metas of the blocks in db_dir (directories named by a ULID;
// unreadable ones are logged and skipped), deletes the covered ones and
// returns their dirs. Run at startup after CleanupTempBlocks.
Result<std::vector<std::string>> RemoveCoveredBlocks(const std::string& db_dir);

// Metas of the blocks in db_dir, sorted by minTime. Directories that are not
// ULIDs are ignored; blocks whose meta.json cannot be read are logged and
// skipped (they may be deleted by hand or by retention).
Result<std::vector<BlockMeta>> ListBlocks(const std::string& db_dir);

// Compaction ranges: 2h, 6h, 18h, 54h, ... (each x3) as long as they are at
// most a tenth of `retention_ms` (at least {2h, 6h}).
std::vector<int64_t> CompactionRanges(int64_t retention_ms);

// Groups of block dirs worth compacting, a simplified version of
// Prometheus's leveled planner:
//
// 1. Blocks whose time ranges overlap form groups (transitively); if any
//    exists, every such group is returned (vertical compaction first).
// 2. Otherwise the newest block (highest minTime) is left out, so the last
//    head block stays alone for a while. For each range r in ranges[1:],
//    smallest first, the remaining blocks are split into windows aligned to
//    multiples of r (blocks that do not fit entirely into one window are
//    skipped at that size); a window with at least two blocks is picked
//    when its blocks span the whole window or it ends before the newest
//    block starts. All picked windows of the first range that yields any
//    are returned.
//
// Each group is in minTime order; the result is empty when nothing is due.
// `ranges` must be ascending.
std::vector<std::vector<std::string>> PlanCompaction(
    std::span<const BlockMeta> metas, std::span<const int64_t> ranges);

// The blocks retention removes, oldest (lowest minTime) first: every block
// whose maxTime < now_ms - retention_ms (retention_ms <= 0: no time limit),
// then, while the total size_bytes of the rest exceeds max_bytes
// (max_bytes <= 0: no size limit), the oldest remaining.
Result<std::vector<std::string>> BlocksBeyondRetention(
    std::span<const BlockMeta> metas, int64_t now_ms, int64_t retention_ms,
    int64_t max_bytes);

}  // namespace tend

#endif  // TEND_TSDB_COMPACT_H_
