#include "tsdb/importer.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <unordered_map>

#include "http/exposition_parser.h"
#include "model/labels.h"
#include "tsdb/block_writer.h"
#include "tsdb/head_series.h"
#include "tsdb/xor_chunk.h"

namespace tend {

namespace {

constexpr size_t kSamplesPerChunk = 120;

struct ImportSeries {
  Labels labels;
  std::vector<XorChunk> chunks;
  int64_t last_t = std::numeric_limits<int64_t>::min();
  // Window cursor: the first chunk that may still hold samples >= the
  // current window's start, and how many of its samples were consumed.
  size_t chunk = 0;
};

class Importer {
 public:
  Importer(std::string_view source, const std::string& db_dir,
           const ImportOptions& options)
      : source_(source), db_dir_(db_dir), options_(options) {}

  Result<ImportResult> Run(std::string_view text) {
    ParseLimits limits;
    limits.max_bytes = std::numeric_limits<size_t>::max();
    Status parsed = ParseExpositionStream(
        text, source_,
        [this](const ParsedFamily&, ParsedSample& s) { return Add(s); },
        limits);
    RETURN_IF_ERROR(parsed);
    result_.series = series_.size();
    if (result_.samples == 0) return result_;
    Status written = WriteBlocks();
    if (!written.ok()) {
      for (const BlockMeta& m : result_.blocks) {
        std::error_code ec;
        std::filesystem::remove_all(m.dir, ec);
      }
      return written;
    }
    return result_;
  }

 private:
  Status LineError(const ParsedSample& s, const std::string& what) {
    return InvalidArgumentError(std::string(source_) + ":" +
                                std::to_string(s.line) + ": " + what);
  }

  Status Add(ParsedSample& s) {
    if (!s.timestamp) {
      return LineError(s, "sample of " + s.name +
                              " has no timestamp; a backfill needs one on "
                              "every sample");
    }
    double ms = std::round(*s.timestamp * 1000);
    if (!(std::fabs(ms) < 9.0e15)) {
      return LineError(s, "timestamp out of range");
    }
    const int64_t t = static_cast<int64_t>(ms);
    labels_.clear();
    labels_.push_back({std::string(kMetricNameLabel), s.name});
    for (Label& l : s.labels) labels_.push_back(std::move(l));
    CanonicalizeLabels(&labels_);
    ImportSeries* series = Find(labels_);
    if (t <= series->last_t) {
      return LineError(s, "sample of " + LabelsToString(series->labels) +
                              " at " + std::to_string(t) +
                              " ms is not after the previous one at " +
                              std::to_string(series->last_t) +
                              " ms; each series' samples must be in time "
                              "order");
    }
    if (series->chunks.empty() ||
        series->chunks.back().num_samples() >= kSamplesPerChunk) {
      series->chunks.emplace_back();
    }
    RETURN_IF_ERROR(series->chunks.back().Append(t, s.value));
    series->last_t = t;
    if (result_.samples == 0) {
      result_.min_time = result_.max_time = t;
    } else {
      result_.min_time = std::min(result_.min_time, t);
      result_.max_time = std::max(result_.max_time, t);
    }
    ++result_.samples;
    return Status::Ok();
  }

  ImportSeries* Find(const Labels& labels) {
    uint64_t h = HashLabels(labels);
    auto [b, e] = by_hash_.equal_range(h);
    for (auto it = b; it != e; ++it) {
      if (series_[it->second]->labels == labels) {
        return series_[it->second].get();
      }
    }
    series_.push_back(std::make_unique<ImportSeries>());
    series_.back()->labels = labels;
    by_hash_.emplace(h, series_.size() - 1);
    return series_.back().get();
  }

  Status WriteBlocks() {
    std::sort(series_.begin(), series_.end(), [](const auto& a, const auto& b) {
      return CompareLabels(a->labels, b->labels) < 0;
    });
    const int64_t range = options_.block_duration_ms;
    std::vector<Point> points;
    for (int64_t lo = ChunkWindowEnd(result_.min_time, range) - range;
         lo <= result_.max_time; lo += range) {
      const int64_t hi = lo + range;
      std::unique_ptr<BlockWriter> writer;
      for (auto& s : series_) {
        points.clear();
        // Chunks are in time order; skip those wholly before the window and
        // stop at the first sample past it.
        for (size_t c = s->chunk; c < s->chunks.size(); ++c) {
          XorIterator it(s->chunks[c].bytes());
          bool past = false;
          int64_t last = std::numeric_limits<int64_t>::min();
          while (it.Next()) {
            last = it.t();
            if (it.t() < lo) continue;
            if (it.t() >= hi) {
              past = true;
              break;
            }
            points.push_back({it.t(), it.v()});
          }
          RETURN_IF_ERROR(it.status());
          if (past) break;
          if (last < hi) s->chunk = c + 1;  // Fully consumed.
        }
        if (points.empty()) continue;
        if (writer == nullptr) {
          ASSIGN_OR_RETURN(writer, BlockWriter::Create(db_dir_, lo, hi));
        }
        RETURN_IF_ERROR(writer->AddSeries(s->labels, points));
      }
      if (writer != nullptr) {
        ASSIGN_OR_RETURN(BlockMeta meta, writer->Finish());
        result_.blocks.push_back(std::move(meta));
      }
    }
    return Status::Ok();
  }

  std::string_view source_;
  const std::string& db_dir_;
  ImportOptions options_;
  ImportResult result_;
  std::vector<std::unique_ptr<ImportSeries>> series_;
  std::unordered_multimap<uint64_t, size_t> by_hash_;
  Labels labels_;
};

}  // namespace

Result<ImportResult> ImportExposition(std::string_view text,
                                      std::string_view source,
                                      const std::string& db_dir,
                                      const ImportOptions& options) {
  if (options.block_duration_ms <= 0) {
    return InvalidArgumentError("block duration must be positive");
  }
  Importer importer(source, db_dir, options);
  return importer.Run(text);
}

}  // namespace tend
