// Head::Checkpoint and the checkpoint directory helpers; the procedure and
// its crash safety are described in docs/formats/wal-records.md.
#include "tsdb/head_checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "base/file_util.h"
#include "base/log.h"
#include "tsdb/head.h"

namespace tend {
namespace {

constexpr std::string_view kPrefix = "checkpoint.";
constexpr std::string_view kTmpSuffix = ".tmp";
constexpr size_t kSeriesPerRecord = 1000;

// Parses the N of "checkpoint.N" (digits only); -1 otherwise.
int ParseCheckpointNumber(std::string_view name) {
  if (!name.starts_with(kPrefix)) return -1;
  name.remove_prefix(kPrefix.size());
  if (name.empty() || name.size() > 9) return -1;
  int n = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace

std::string CheckpointPath(const std::string& wal_dir, int n) {
  char name[32];
  std::snprintf(name, sizeof name, "checkpoint.%08d", n);
  return (std::filesystem::path(wal_dir) / name).string();
}

Result<CheckpointList> ListCheckpoints(const std::string& wal_dir) {
  namespace fs = std::filesystem;
  CheckpointList out;
  std::error_code ec;
  for (fs::directory_iterator it(wal_dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::string_view base = name;
    const bool tmp = base.ends_with(kTmpSuffix);
    if (tmp) base.remove_suffix(kTmpSuffix.size());
    const int n = ParseCheckpointNumber(base);
    if (n < 0) continue;
    if (tmp) {
      out.stale_tmp.push_back(it->path().string());
    } else if (it->is_directory(ec)) {
      out.numbers.push_back(n);
    }
  }
  if (ec) return ErrnoError("listing WAL dir " + wal_dir, ec.value());
  std::sort(out.numbers.begin(), out.numbers.end());
  return out;
}

Status Head::Checkpoint(int64_t mint) {
  namespace fs = std::filesystem;
  if (wal_ == nullptr) {
    return FailedPreconditionError("head: Checkpoint needs a WAL");
  }
  if (open_batches_ > 0) {
    return FailedPreconditionError(
        "head: Checkpoint called while a batch is uncommitted");
  }
  const std::string& dir = options_.wal_dir;
  const int last = wal_->segment();
  ASSIGN_OR_RETURN(const int next, wal_->NextSegment());
  const std::string final_path = CheckpointPath(dir, last);
  const std::string tmp_path = final_path + std::string(kTmpSuffix);
  std::error_code ec;
  fs::remove_all(tmp_path, ec);
  if (ec) return ErrnoError("head: removing " + tmp_path, ec.value());

  // The writer thread owns the maps and chunks, so it reads them without
  // locks; series go out in ref order so a checkpoint is deterministic.
  std::vector<MemSeries*> series;
  series.reserve(by_ref_.size());
  by_ref_.ForEach([&](MemSeries* s) { series.push_back(s); });
  std::sort(series.begin(), series.end(),
            [](const MemSeries* a, const MemSeries* b) {
              return a->ref() < b->ref();
            });
  size_t num_samples = 0;
  Status written = [&]() -> Status {
    WalOptions wo = options_.wal;
    wo.fsync = WalFsync::kInterval;  // One sync at the end, not per record.
    ASSIGN_OR_RETURN(auto writer, WalWriter::Open(tmp_path, wo));
    std::vector<RefSeries> batch;
    std::vector<uint8_t> buf;
    for (size_t i = 0; i < series.size(); i += kSeriesPerRecord) {
      batch.clear();
      for (size_t j = i; j < std::min(series.size(), i + kSeriesPerRecord);
           ++j) {
        batch.push_back(RefSeries{series[j]->ref(), SeriesLabels(*series[j])});
      }
      EncodeSeriesRecord(batch, &buf);
      RETURN_IF_ERROR(writer->Log(buf));
    }
    ChunkCopy copy;
    for (MemSeries* s : series) {
      copy.clear();
      s->CopyChunks(chunks_.get(), mint, std::numeric_limits<int64_t>::max(),
                    &copy);
      XorChunk out;
      auto flush = [&]() -> Status {
        if (out.num_samples() == 0) return Status::Ok();
        num_samples += out.num_samples();
        EncodeChunkRecord(s->ref(), out.bytes(), &buf);
        out = XorChunk();
        return writer->Log(buf);
      };
      for (const auto& [offset, size] : copy.spans) {
        XorIterator it(std::span(copy.bytes).subspan(offset, size));
        while (it.Next()) {
          if (it.t() < mint) continue;
          if (out.num_samples() >= policy_.samples_per_chunk) {
            RETURN_IF_ERROR(flush());
          }
          out.Append(it.t(), it.v()).IgnoreError();  // t increases.
        }
        RETURN_IF_ERROR(it.status());
      }
      RETURN_IF_ERROR(flush());
    }
    RETURN_IF_ERROR(writer->Sync());
    return writer->Close();
  }();
  if (!written.ok()) {
    // A half-written checkpoint (a full disk) would hold its space until the
    // next start; the WAL it was to replace is intact.
    fs::remove_all(tmp_path, ec);
    return written;
  }
  fs::rename(tmp_path, final_path, ec);
  if (ec) {
    return ErrnoError("head: renaming " + tmp_path + " to " + final_path,
                      ec.value());
  }
  RETURN_IF_ERROR(SyncDir(dir));
  // The checkpoint is durable: what it replaces can go. A failure here
  // leaves redundant files that replay ignores and the next checkpoint
  // deletes.
  RETURN_IF_ERROR(DeleteWalSegmentsBefore(dir, next));
  ASSIGN_OR_RETURN(CheckpointList all, ListCheckpoints(dir));
  for (int n : all.numbers) {
    if (n >= last) continue;
    fs::remove_all(CheckpointPath(dir, n), ec);
    if (ec) {
      return ErrnoError(
          "head: removing old checkpoint " + CheckpointPath(dir, n),
          ec.value());
    }
  }
  LogInfo("head checkpoint written",
          {{"dir", final_path},
           {"series", static_cast<unsigned long>(series.size())},
           {"samples", static_cast<unsigned long>(num_samples)}});
  return Status::Ok();
}

}  // namespace tend
