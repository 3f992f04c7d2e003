// Writes one persisted block (docs/formats/block.md): the head calls it
// every 2 hours, compaction to merge blocks.
//
//   ASSIGN_OR_RETURN(auto w, BlockWriter::Create(db_dir, mint, maxt));
//   for (each series in CompareLabels order)
//     RETURN_IF_ERROR(w->AddSeries(labels, points));
//   ASSIGN_OR_RETURN(BlockMeta meta, w->Finish());
//
// Everything goes to <db_dir>/<ulid>.tmp/; Finish fsyncs it and renames it
// to <db_dir>/<ulid> in one step, so a crash leaves no partial block under a
// real id. A writer destroyed without a successful Finish deletes its .tmp
// directory. Not thread-safe: one owner, typically a worker-pool job.
#ifndef TEND_TSDB_BLOCK_WRITER_H_
#define TEND_TSDB_BLOCK_WRITER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/labels.h"
#include "model/point.h"
#include "tsdb/block_chunk_codec.h"
#include "tsdb/block_chunks.h"
#include "tsdb/block_index.h"
#include "tsdb/block_meta.h"

namespace tend {

struct BlockWriterOptions {
  // Series are cut into ceil(n / samples_per_chunk) chunks of equal size.
  size_t samples_per_chunk = 120;
  uint64_t segment_bytes = kDefaultChunkSegmentBytes;
  // Compaction metadata; level 1 and empty sources (meaning "this block's
  // own id") for a block cut from the head.
  int level = 1;
  std::vector<std::string> sources;
  // The new block's creation time for its id (0: now).
  int64_t now_ms = 0;
};

class BlockWriter {
 public:
  // Prepares <db_dir>/<new ulid>.tmp/ for a block holding [mint, maxt)
  // (mint < maxt). Creates db_dir when missing.
  static Result<std::unique_ptr<BlockWriter>> Create(
      const std::string& db_dir, int64_t mint, int64_t maxt,
      BlockWriterOptions options = {});
  ~BlockWriter();
  BlockWriter(const BlockWriter&) = delete;
  BlockWriter& operator=(const BlockWriter&) = delete;

  // Adds one series. `labels` must be canonical and sort after the previous
  // series' (CompareLabels); `points` strictly increasing in time and all in
  // [mint, maxt). An empty `points` adds nothing. kInvalidArgument (and the
  // block is unchanged) when a rule is broken; I/O errors are returned as
  // they come and leave the writer unusable.
  Status AddSeries(const Labels& labels, std::span<const Point> points);

  // Writes the index and meta.json, syncs and renames the block into place.
  // Returns its meta (dir and size_bytes filled). The writer is spent after
  // the call, whether it succeeded or not.
  Result<BlockMeta> Finish();

  const std::string& ulid() const { return meta_.ulid; }

 private:
  BlockWriter() = default;

  std::string db_dir_;
  std::string tmp_dir_;
  BlockMeta meta_;
  BlockWriterOptions options_;
  std::unique_ptr<ChunkSegmentWriter> chunks_;
  std::vector<IndexSeries> series_;
  TimeTables time_tables_;
  std::vector<uint8_t> group_;    // Reused per series.
  std::vector<uint8_t> payload_;  // Reused per chunk.
  bool failed_ = false;
  bool finished_ = false;
};

// Deletes every <db_dir>/*.tmp directory (blocks whose writing never
// finished). Run before opening the blocks of a store. OK when db_dir does
// not exist.
Status CleanupTempBlocks(const std::string& db_dir);

}  // namespace tend

#endif  // TEND_TSDB_BLOCK_WRITER_H_
