#include "tsdb/db.h"

#include <malloc.h>

#include <algorithm>
#include <filesystem>

#include "base/file_util.h"
#include "base/log.h"
#include "tsdb/block_writer.h"
#include "tsdb/compact.h"
#include "tsdb/head_series.h"
#include "tsdb/merge_queryable.h"

namespace tend {

namespace {

uint64_t DirBytes(const std::string& dir) {
  std::error_code ec;
  uint64_t total = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator();
       it.increment(ec)) {
    std::error_code fec;
    if (it->is_regular_file(fec)) {
      uint64_t n = it->file_size(fec);
      if (!fec) total += n;
    }
  }
  return total;
}

}  // namespace

Db::Db(std::string dir, DbOptions options)
    : dir_(std::move(dir)), options_(options) {}

Db::~Db() {
  if (head_) head_->Close().IgnoreError();
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& dir,
                                     const DbOptions& options) {
  if (options.block_duration_ms <= 0) {
    return InvalidArgumentError("block duration must be positive");
  }
  std::unique_ptr<Db> db(new Db(dir, options));
  if (!options.read_only) {
    RETURN_IF_ERROR(MakeDirs(dir));
    RETURN_IF_ERROR(CleanupTempBlocks(dir));
    Result<std::vector<std::string>> removed = RemoveCoveredBlocks(dir);
    RETURN_IF_ERROR(removed);
  } else if (!std::filesystem::exists(dir)) {
    return NotFoundError("no metric store in " + dir);
  }
  ASSIGN_OR_RETURN(std::vector<BlockMeta> metas, ListBlocks(dir));
  int64_t blocks_max = std::numeric_limits<int64_t>::min();
  {
    std::lock_guard<std::mutex> lock(db->mu_);
    for (const BlockMeta& m : metas) {
      Result<std::unique_ptr<Block>> b = Block::Open(m.dir);
      if (!b.ok()) {
        // A damaged block must not stop the agent: it is skipped, loudly,
        // and left on disk for inspection (retention removes it later).
        LogError("skipping a damaged block",
                 {{"block", m.dir}, {"err", b.status().message()}});
        continue;
      }
      blocks_max = std::max(blocks_max, (*b)->meta().max_time);
      db->blocks_.push_back(std::move(*b));
    }
  }
  HeadOptions ho;
  ho.wal_dir = dir + "/wal";
  ho.chunks_dir = dir + "/chunks_head";
  ho.wal.fsync = options.wal_fsync;
  ho.max_series = options.max_series;
  ho.chunk_range_ms = options.block_duration_ms;
  ho.read_only = options.read_only;
  ASSIGN_OR_RETURN(db->head_, Head::Open(ho));
  if (blocks_max != std::numeric_limits<int64_t>::min()) {
    // What the blocks hold is final: the head neither keeps nor accepts
    // samples before their end (the WAL may still replay some after a crash
    // between a block's rename and the checkpoint).
    RETURN_IF_ERROR(db->head_->Truncate(blocks_max));
    db->head_min_valid_ = blocks_max;
  }
  return db;
}

Result<std::unique_ptr<Querier>> Db::NewQuerier(int64_t mint, int64_t maxt) {
  std::vector<std::shared_ptr<Block>> blocks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& b : blocks_) {
      const BlockMeta& m = b->meta();
      if (m.min_time <= maxt && m.max_time > mint) blocks.push_back(b);
    }
  }
  std::vector<std::unique_ptr<Querier>> qs;
  qs.reserve(blocks.size() + 1);
  for (const auto& b : blocks) {
    ASSIGN_OR_RETURN(std::unique_ptr<Querier> q, b->NewQuerier(mint, maxt));
    qs.push_back(std::move(q));
  }
  // The head last: where it overlaps a block, its samples win.
  ASSIGN_OR_RETURN(std::unique_ptr<Querier> hq, head_->NewQuerier(mint, maxt));
  qs.push_back(std::move(hq));
  return NewMergeQuerier(std::move(qs));
}

Status Db::SyncWal() { return head_->SyncWal(); }

Status Db::CutBlock(int64_t mint, int64_t maxt) {
  ASSIGN_OR_RETURN(std::unique_ptr<BlockWriter> w,
                   BlockWriter::Create(dir_, mint, maxt));
  ASSIGN_OR_RETURN(std::unique_ptr<Querier> q,
                   head_->NewQuerier(mint, maxt - 1));
  std::unique_ptr<SeriesSet> set = q->Select(mint, maxt - 1, {});
  std::vector<Point> points;
  while (set->Next()) {
    points.clear();
    RETURN_IF_ERROR(set->ReadPoints(mint, maxt - 1, &points));
    RETURN_IF_ERROR(w->AddSeries(set->labels(), points));
  }
  RETURN_IF_ERROR(set->status());
  ASSIGN_OR_RETURN(BlockMeta meta, w->Finish());
  ASSIGN_OR_RETURN(std::unique_ptr<Block> block, Block::Open(meta.dir));
  {
    std::lock_guard<std::mutex> lock(mu_);
    blocks_.push_back(std::move(block));
    std::sort(blocks_.begin(), blocks_.end(), [](const auto& a, const auto& b) {
      return a->meta().min_time < b->meta().min_time;
    });
    ++counters_.blocks_cut;
  }
  LogInfo("persisted a block", {{"block", meta.ulid},
                                {"series", std::to_string(meta.num_series)},
                                {"samples", std::to_string(meta.num_samples)},
                                {"bytes", std::to_string(meta.size_bytes)}});
  // The block is durable; the head and the WAL may let go of the range.
  RETURN_IF_ERROR(head_->Truncate(maxt));
  head_min_valid_ = maxt;
  return head_->Checkpoint(maxt);
}

Status Db::CutDueBlocks(bool all) {
  const int64_t range = options_.block_duration_ms;
  for (;;) {
    HeadStats hs = head_->stats();
    if (hs.num_samples == 0 || hs.max_time < hs.min_time) return Status::Ok();
    // The window holding the oldest sample the head may still hold.
    int64_t hi = ChunkWindowEnd(std::max(hs.min_time, head_min_valid_), range);
    int64_t lo = hi - range;
    // As Prometheus: cut once the head spans 1.5 ranges, so the newest
    // block's worth stays in memory for late samples and fast queries.
    bool due = all ? hs.max_time >= hi : hs.max_time - lo >= range * 3 / 2;
    if (!due) return Status::Ok();
    RETURN_IF_ERROR(CutBlock(lo, hi));
  }
}

Status Db::CutAllBlocks() {
  if (options_.read_only) return FailedPreconditionError("store is read-only");
  return CutDueBlocks(true);
}

std::vector<BlockMeta> Db::Metas() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<BlockMeta> metas;
  metas.reserve(blocks_.size());
  for (const auto& b : blocks_) metas.push_back(b->meta());
  return metas;
}

void Db::DropBlocks(const std::vector<std::string>& dirs) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::erase_if(blocks_, [&](const std::shared_ptr<Block>& b) {
      return std::find(dirs.begin(), dirs.end(), b->meta().dir) != dirs.end();
    });
  }
  // Renamed to <ulid>.tmp (and the rename made durable) before anything is
  // removed: removing a directory's files one by one is not atomic, and a
  // crash part-way through would leave a block without meta.json or index
  // that no later start deletes (it is skipped as damaged, so neither
  // retention nor compaction sees it again). A crash after the rename
  // leaves a *.tmp directory, which CleanupTempBlocks deletes at the next
  // open.
  std::vector<std::string> doomed;
  for (const std::string& d : dirs) {
    std::error_code ec;
    std::filesystem::rename(d, d + ".tmp", ec);
    if (ec) {
      LogWarn("could not rename a block directory for deletion",
              {{"block", d}, {"err", ec.message()}});
      doomed.push_back(d);
    } else {
      doomed.push_back(d + ".tmp");
    }
  }
  if (Status st = SyncDir(dir_); !st.ok()) {
    LogWarn("could not sync the store directory", {{"err", st.message()}});
  }
  for (const std::string& d : doomed) {
    std::error_code ec;
    std::filesystem::remove_all(d, ec);
    if (ec) {
      LogWarn("could not delete a block directory",
              {{"block", d}, {"err", ec.message()}});
    }
  }
}

Status Db::Compact() {
  std::vector<int64_t> ranges = CompactionRanges(options_.retention_ms);
  // Each pass may make new candidates (2h blocks into 6h, then into 18h).
  for (int pass = 0; pass < 8; ++pass) {
    std::vector<BlockMeta> metas = Metas();
    std::vector<std::vector<std::string>> plan = PlanCompaction(metas, ranges);
    if (plan.empty()) return Status::Ok();
    for (const std::vector<std::string>& group : plan) {
      ASSIGN_OR_RETURN(BlockMeta meta, CompactBlocks(dir_, group));
      ASSIGN_OR_RETURN(std::unique_ptr<Block> block, Block::Open(meta.dir));
      {
        std::lock_guard<std::mutex> lock(mu_);
        blocks_.push_back(std::move(block));
        ++counters_.compactions;
      }
      DropBlocks(group);
      LogInfo("compacted blocks", {{"block", meta.ulid},
                                   {"inputs", std::to_string(group.size())},
                                   {"level", std::to_string(meta.level)}});
    }
    std::lock_guard<std::mutex> lock(mu_);
    std::sort(blocks_.begin(), blocks_.end(), [](const auto& a, const auto& b) {
      return a->meta().min_time < b->meta().min_time;
    });
  }
  return Status::Ok();
}

Status Db::ApplyRetention(int64_t now_ms) {
  std::vector<BlockMeta> metas = Metas();
  ASSIGN_OR_RETURN(
      std::vector<std::string> doomed,
      BlocksBeyondRetention(metas, now_ms, options_.retention_ms,
                            static_cast<int64_t>(options_.retention_bytes)));
  if (doomed.empty()) return Status::Ok();
  DropBlocks(doomed);
  {
    std::lock_guard<std::mutex> lock(mu_);
    counters_.blocks_deleted += doomed.size();
  }
  LogInfo("retention deleted blocks",
          {{"blocks", std::to_string(doomed.size())}});
  return Status::Ok();
}

Status Db::LoadNewBlocks() {
  ASSIGN_OR_RETURN(std::vector<BlockMeta> on_disk, ListBlocks(dir_));
  std::vector<BlockMeta> known = Metas();
  for (const BlockMeta& m : on_disk) {
    bool have = std::any_of(known.begin(), known.end(),
                            [&](const auto& k) { return k.ulid == m.ulid; });
    if (have) continue;
    Result<std::unique_ptr<Block>> b = Block::Open(m.dir);
    if (!b.ok()) {
      LogError("skipping a damaged block",
               {{"block", m.dir}, {"err", b.status().message()}});
      continue;
    }
    LogInfo("loaded a new block", {{"block", m.ulid}});
    std::lock_guard<std::mutex> lock(mu_);
    blocks_.push_back(std::move(*b));
    std::sort(blocks_.begin(), blocks_.end(), [](const auto& a, const auto& b) {
      return a->meta().min_time < b->meta().min_time;
    });
  }
  return Status::Ok();
}

Status Db::Maintain(int64_t now_ms) {
  if (options_.read_only) return FailedPreconditionError("store is read-only");
  Status s = CutDueBlocks(false);
  if (s.ok()) s = LoadNewBlocks();
  if (s.ok()) s = Compact();
  if (s.ok()) s = ApplyRetention(now_ms);
  // The head's allocations churn in lock-step with collection (chunk
  // buffers, chunk reference arrays, batch buffers), which leaves whole
  // free pages scattered through malloc's heap; glibc returns only the top
  // of the heap by itself. Handing them back here keeps the resident set
  // at what is in use (~0.5 KiB per series instead of ~1.1).
  ::malloc_trim(0);
  if (!s.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    ++counters_.maintenance_errors;
  }
  return s;
}

DbStats Db::stats() const {
  DbStats st;
  {
    std::lock_guard<std::mutex> lock(mu_);
    st = counters_;
    st.num_blocks = blocks_.size();
    for (const auto& b : blocks_) {
      const BlockMeta& m = b->meta();
      st.block_bytes += b->size_bytes();
      st.block_samples += m.num_samples;
      st.block_series += m.num_series;
      if (st.min_time == 0 || m.min_time < st.min_time)
        st.min_time = m.min_time;
      st.max_time = std::max(st.max_time, m.max_time - 1);
    }
  }
  st.head = head_->stats();
  if (st.head.num_samples > 0) {
    if (st.num_blocks == 0 || st.head.min_time < st.min_time) {
      st.min_time = st.head.min_time;
    }
    st.max_time = std::max(st.max_time, st.head.max_time);
  }
  st.wal_bytes = DirBytes(dir_ + "/wal");
  return st;
}

}  // namespace tend
