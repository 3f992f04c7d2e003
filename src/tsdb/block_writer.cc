#include "tsdb/block_writer.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>

#include "base/file_util.h"
#include "base/log.h"
#include "tsdb/block_chunk_codec.h"
#include "tsdb/block_encoding.h"
#include "tsdb/block_io.h"

namespace tend {

Result<std::unique_ptr<BlockWriter>> BlockWriter::Create(
    const std::string& db_dir, int64_t mint, int64_t maxt,
    BlockWriterOptions options) {
  if (mint >= maxt) {
    return InvalidArgumentError("block range [" + std::to_string(mint) + ", " +
                                std::to_string(maxt) + ") is empty");
  }
  if (options.samples_per_chunk == 0 ||
      options.samples_per_chunk > kMaxChunkSamples) {
    return InvalidArgumentError("samples_per_chunk must be 1..65535");
  }
  if (options.level < 1) return InvalidArgumentError("level must be >= 1");
  RETURN_IF_ERROR(MakeDirs(db_dir));
  std::unique_ptr<BlockWriter> w(new BlockWriter());
  w->db_dir_ = db_dir;
  w->options_ = options;
  const int64_t now =
      options.now_ms != 0
          ? options.now_ms
          : std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  w->meta_.ulid = NewUlid(now);
  w->meta_.min_time = mint;
  w->meta_.max_time = maxt;
  w->meta_.level = options.level;
  w->meta_.sources = options.sources;
  if (w->meta_.sources.empty()) w->meta_.sources = {w->meta_.ulid};
  std::sort(w->meta_.sources.begin(), w->meta_.sources.end());
  w->meta_.sources.erase(
      std::unique(w->meta_.sources.begin(), w->meta_.sources.end()),
      w->meta_.sources.end());
  w->tmp_dir_ = JoinPath(db_dir, w->meta_.ulid + ".tmp");
  if (::mkdir(w->tmp_dir_.c_str(), 0750) != 0) {
    return ErrnoError("create " + w->tmp_dir_, errno);
  }
  const std::string chunks_dir = JoinPath(w->tmp_dir_, "chunks");
  if (::mkdir(chunks_dir.c_str(), 0750) != 0) {
    Status st = ErrnoError("create " + chunks_dir, errno);
    RemoveAll(w->tmp_dir_).IgnoreError();
    return st;
  }
  ASSIGN_OR_RETURN(w->chunks_, ChunkSegmentWriter::Create(
                                   chunks_dir, options.segment_bytes));
  return w;
}

BlockWriter::~BlockWriter() {
  if (!finished_ && !tmp_dir_.empty()) {
    chunks_.reset();
    Status st = RemoveAll(tmp_dir_);
    if (!st.ok())
      LogWarn("block: cannot remove abandoned block", {{"err", st}});
  }
}

Status BlockWriter::AddSeries(const Labels& labels,
                              std::span<const Point> points) {
  if (failed_ || finished_) {
    return FailedPreconditionError("block writer " + meta_.ulid +
                                   " is no longer usable");
  }
  if (points.empty()) return Status::Ok();
  if (labels.empty() || !IsCanonical(labels)) {
    return InvalidArgumentError("series " + LabelsToString(labels) +
                                ": labels are empty or not canonical");
  }
  if (!series_.empty() && CompareLabels(series_.back().labels, labels) >= 0) {
    return InvalidArgumentError(
        "series " + LabelsToString(labels) + " added after " +
        LabelsToString(series_.back().labels) +
        ": series must be added in increasing label order, once each");
  }
  for (size_t i = 0; i < points.size(); ++i) {
    const int64_t t = points[i].t;
    if (t < meta_.min_time || t >= meta_.max_time) {
      return InvalidArgumentError("series " + LabelsToString(labels) +
                                  ": sample at " + std::to_string(t) +
                                  " lies outside the block range [" +
                                  std::to_string(meta_.min_time) + ", " +
                                  std::to_string(meta_.max_time) + ")");
    }
    if (i > 0 && t <= points[i - 1].t) {
      return InvalidArgumentError("series " + LabelsToString(labels) +
                                  ": sample times do not increase at " +
                                  std::to_string(t));
    }
  }

  IndexSeries s;
  s.labels = labels;
  const size_t n = points.size();
  const size_t nchunks =
      (n + options_.samples_per_chunk - 1) / options_.samples_per_chunk;
  s.chunks.reserve(nchunks);
  group_.clear();
  size_t start = 0;
  for (size_t c = 0; c < nchunks; ++c) {
    // Equal sizes: the first n % nchunks chunks take one extra sample.
    const size_t size = n / nchunks + (c < n % nchunks ? 1 : 0);
    const auto chunk = points.subspan(start, size);
    payload_.clear();
    const ChunkEncoding enc = EncodeChunk(chunk, &time_tables_, &payload_);
    AppendFramedChunk(static_cast<uint8_t>(enc), payload_, &group_);
    s.chunks.push_back(ChunkMeta{chunk.front().t, chunk.back().t});
    start += size;
  }
  Result<ChunkGroupRef> ref = chunks_->WriteGroup(group_);
  if (!ref.ok()) {
    failed_ = true;
    return ref.status();
  }
  s.group = *ref;
  meta_.num_samples += n;
  meta_.num_chunks += nchunks;
  ++meta_.num_series;
  series_.push_back(std::move(s));
  return Status::Ok();
}

Result<BlockMeta> BlockWriter::Finish() {
  if (failed_ || finished_) {
    return FailedPreconditionError("block writer " + meta_.ulid +
                                   " is no longer usable");
  }
  failed_ = true;  // Until the rename succeeds.
  RETURN_IF_ERROR(chunks_->Close());
  chunks_.reset();
  const std::vector<uint8_t> index =
      BuildIndex(series_, meta_.min_time, time_tables_.tables());
  {
    ASSIGN_OR_RETURN(auto f, FileWriter::Create(JoinPath(tmp_dir_, "index")));
    RETURN_IF_ERROR(f->Append(index));
    RETURN_IF_ERROR(f->Close());
  }
  {
    const std::string json = BlockMetaToJson(meta_);
    ASSIGN_OR_RETURN(auto f,
                     FileWriter::Create(JoinPath(tmp_dir_, "meta.json")));
    RETURN_IF_ERROR(f->Append(AsBytes(json)));
    RETURN_IF_ERROR(f->Close());
  }
  RETURN_IF_ERROR(SyncDir(tmp_dir_));
  const std::string final_dir = JoinPath(db_dir_, meta_.ulid);
  if (::rename(tmp_dir_.c_str(), final_dir.c_str()) != 0) {
    return ErrnoError("rename " + tmp_dir_ + " to " + final_dir, errno);
  }
  finished_ = true;
  RETURN_IF_ERROR(SyncDir(db_dir_));
  series_.clear();
  BlockMeta meta = meta_;
  meta.dir = final_dir;
  ASSIGN_OR_RETURN(meta.size_bytes, DiskUsage(final_dir));
  return meta;
}

Status CleanupTempBlocks(const std::string& db_dir) {
  Result<std::vector<std::string>> names = ListDirSorted(db_dir);
  if (!names.ok()) {
    if (names.status().code() == StatusCode::kNotFound) return Status::Ok();
    return names.status();
  }
  for (const std::string& name : *names) {
    if (name.size() > 4 && name.ends_with(".tmp")) {
      const std::string path = JoinPath(db_dir, name);
      LogInfo("block: deleting unfinished block", {{"dir", path}});
      RETURN_IF_ERROR(RemoveAll(path));
    }
  }
  return Status::Ok();
}

}  // namespace tend
