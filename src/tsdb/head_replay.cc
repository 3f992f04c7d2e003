// WAL replay: HeadReplayer applies records; Head::ReplayWal finds the
// newest checkpoint and the segments after it and feeds them through.
#include "tsdb/head_replay.h"

#include <bit>
#include <filesystem>
#include <string>
#include <system_error>

#include "base/log.h"
#include "tsdb/head_checkpoint.h"
#include "tsdb/xor_chunk.h"

namespace tend {

void HeadReplayer::ApplySeries(const RefSeries& s) {
  Head& h = *head_;
  if (s.ref > Head::kMaxSeriesRef) {
    ++counts_.series_rejected;  // Postings hold 32-bit refs.
    return;
  }
  if (s.ref >= h.next_ref_) h.next_ref_ = s.ref + 1;
  if (MemSeries* existing = h.FindByRef(s.ref)) {
    if (!h.LabelsEqual(*existing, s.labels)) ++counts_.series_rejected;
    return;
  }
  const uint64_t hash = HashLabels(s.labels);
  if (MemSeries* existing = h.FindByLabels(s.labels, hash)) {
    aliases_[s.ref] = existing;
    return;
  }
  if (h.num_series_.load(std::memory_order_relaxed) >= h.options_.max_series) {
    ++counts_.series_rejected;
    h.CountLimitRejection(s.labels);
    return;
  }
  std::unique_lock lock(h.index_mu_);
  h.CreateSeriesLocked(s.ref, s.labels, hash);
  ++counts_.series;
}

void HeadReplayer::ApplySample(SeriesRef ref, int64_t t, double v) {
  MemSeries* s = head_->FindByRef(ref);
  if (s == nullptr) {
    auto it = aliases_.find(ref);
    if (it == aliases_.end()) {
      ++counts_.unknown_refs;
      return;
    }
    s = it->second;
  }
  if (head_->AppendCommitted(s, t, v)) {
    ++counts_.samples;
  } else {
    ++counts_.samples_dropped;
  }
}

Status HeadReplayer::Apply(std::span<const uint8_t> record) {
  ++counts_.records;
  Result<HeadRecordType> type = DecodeRecordType(record);
  Status st = type.status();
  if (type.ok()) {
    switch (*type) {
      case HeadRecordType::kSeries:
        st = DecodeSeriesRecord(record, &series_);
        if (st.ok()) {
          for (const RefSeries& s : series_) ApplySeries(s);
        }
        break;
      case HeadRecordType::kSamples:
        st = DecodeSamplesRecord(record, &samples_);
        if (st.ok()) {
          for (const RefSample& s : samples_) ApplySample(s.ref, s.t, s.v);
        }
        break;
      case HeadRecordType::kChunk: {
        RefChunk chunk;
        st = DecodeChunkRecord(record, &chunk);
        if (!st.ok()) break;
        // Decode completely first so a damaged chunk changes nothing.
        samples_.clear();
        XorIterator it(chunk.chunk);
        while (it.Next()) samples_.push_back({chunk.ref, it.t(), it.v()});
        st = it.status();
        if (st.ok() && samples_.empty()) {
          st = DataLossError("chunk record: chunk holds no samples");
        }
        if (!st.ok()) {
          st = st.WithContext("chunk record");
          break;
        }
        for (const RefSample& s : samples_) ApplySample(s.ref, s.t, s.v);
        break;
      }
    }
  }
  if (!st.ok()) ++counts_.bad_records;
  return st;
}

namespace {

// Replays segments [first, ...] of `dir`, repairing damage. Only I/O errors
// fail.
Status ReplayDir(const std::string& dir, int first, HeadReplayer* replayer,
                 bool read_only) {
  ASSIGN_OR_RETURN(auto reader, WalReader::Open(dir, first));
  uint64_t bad = 0;
  while (reader->Next()) {
    Status st = replayer->Apply(reader->record());
    if (!st.ok() && ++bad <= 10) {
      LogWarn("head replay skipped a WAL record that does not decode",
              {{"dir", dir}, {"segment", reader->segment()}, {"err", st}});
    }
  }
  RETURN_IF_ERROR(reader->status());
  if (const WalCorruption* c = reader->corruption()) {
    LogWarn("head replay found a damaged WAL; keeping the records before it",
            {{"dir", dir},
             {"segment", c->segment},
             {"offset", static_cast<unsigned long>(c->offset)},
             {"reason", c->reason}});
    if (!read_only) RETURN_IF_ERROR(RepairWal(dir, *c));
  }
  return Status::Ok();
}

}  // namespace

Status Head::ReplayWal() {
  namespace fs = std::filesystem;
  const std::string& dir = options_.wal_dir;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return Status::Ok();
  ASSIGN_OR_RETURN(CheckpointList checkpoints, ListCheckpoints(dir));
  for (const std::string& tmp : checkpoints.stale_tmp) {
    if (options_.read_only) break;
    fs::remove_all(tmp, ec);
    if (ec) {
      return ErrnoError("head: removing stale checkpoint " + tmp, ec.value());
    }
  }
  HeadReplayer replayer(this);
  int first_segment = 0;
  if (!checkpoints.numbers.empty()) {
    const int n = checkpoints.numbers.back();
    RETURN_IF_ERROR(
        ReplayDir(CheckpointPath(dir, n), 0, &replayer, options_.read_only));
    first_segment = n + 1;
  }
  RETURN_IF_ERROR(ReplayDir(dir, first_segment, &replayer, options_.read_only));
  const ReplayCounts& c = replayer.counts();
  // A read-only replay (a CLI command reading the store) is routine: it is
  // reported only when something in the WAL was wrong.
  const bool clean = c.bad_records == 0 && c.unknown_refs == 0 &&
                     c.samples_dropped == 0 && c.series_rejected == 0;
  if (c.records > 0) {
    (options_.read_only && clean ? LogDebug : LogInfo)(
        "head replayed WAL",
        {{"dir", dir},
         {"records", static_cast<unsigned long>(c.records)},
         {"series", static_cast<unsigned long>(c.series)},
         {"samples", static_cast<unsigned long>(c.samples)},
         {"bad_records", static_cast<unsigned long>(c.bad_records)},
         {"unknown_refs", static_cast<unsigned long>(c.unknown_refs)},
         {"samples_dropped", static_cast<unsigned long>(c.samples_dropped)},
         {"series_rejected", static_cast<unsigned long>(c.series_rejected)}});
  }
  return Status::Ok();
}

}  // namespace tend
