// A block's index file (docs/formats/block.md, "Index"): symbols, series
// with their chunk references, label value tables and postings, with a
// checksummed table of contents.
#ifndef TEND_TSDB_BLOCK_INDEX_H_
#define TEND_TSDB_BLOCK_INDEX_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/labels.h"
#include "model/matcher.h"
#include "tsdb/block_chunks.h"

namespace tend {

inline constexpr uint32_t kIndexMagic = 0x544e4449;  // "TNDI"
inline constexpr uint8_t kIndexVersion = 1;

// A chunk's first and last sample times.
struct ChunkMeta {
  int64_t mint = 0;
  int64_t maxt = 0;
};

struct IndexSeries {
  Labels labels;  // Canonical.
  ChunkGroupRef group;
  std::vector<ChunkMeta> chunks;  // >= 1, time-ordered, not overlapping.
};

// The whole index file for `series` (in CompareLabels order, which the
// caller guarantees) of a block starting at `block_mint`, with the block's
// shared time tables (block_chunk_codec.h).
std::vector<uint8_t> BuildIndex(
    std::span<const IndexSeries> series, int64_t block_mint,
    std::span<const std::vector<uint8_t>> time_tables);

// Reads an index held in a borrowed buffer (which must outlive the reader).
// Immutable after Open; thread-safe.
class IndexReader {
 public:
  // Verifies the header, table of contents, section bounds and checksums and
  // parses symbols and label tables. kDataLoss "<path> at offset N: ..." on
  // any damage; never reads outside `data`.
  static Result<std::unique_ptr<IndexReader>> Open(
      std::span<const uint8_t> data, std::string path);

  size_t num_series() const { return series_offsets_.size(); }
  size_t num_symbols() const { return symbols_.size(); }
  // The block's time tables, by id (contents checked when decoded).
  std::span<const std::span<const uint8_t>> time_tables() const {
    return time_tables_;
  }

  // Decodes series `id` (< num_series()). kDataLoss on a damaged entry.
  Status ReadSeries(uint32_t id, int64_t block_mint, Labels* labels,
                    ChunkGroupRef* group, std::vector<ChunkMeta>* chunks) const;

  // Sorted label names / values of the whole block.
  std::vector<std::string> LabelNames() const;
  std::vector<std::string> LabelValues(std::string_view name) const;

  // Ids (ascending) of the series satisfying every matcher; all series for
  // an empty list. kDataLoss on damaged postings.
  Status Select(const Matchers& matchers, std::vector<uint32_t>* ids) const;

 private:
  struct ValueEntry {
    std::string_view value;
    uint64_t postings = 0;  // Offset in the postings section.
  };
  struct NameEntry {
    std::string_view name;
    std::vector<ValueEntry> values;
  };

  IndexReader() = default;
  Status Fail(size_t offset, std::string_view what) const;
  Status ParseSymbols();
  Status ParseSeries();
  Status ParseLabelTables();
  Status ParseTimeTables();
  // Appends the ids of one postings list.
  Status ReadPostings(uint64_t offset, std::vector<uint32_t>* out) const;
  const NameEntry* FindName(std::string_view name) const;
  // The union of the postings of the values of `name` for which
  // matcher.Matches(value) == want.
  Status Collect(const LabelMatcher& m, bool want,
                 std::vector<uint32_t>* out) const;

  std::span<const uint8_t> data_;
  std::string path_;
  struct Section {
    uint64_t offset = 0;
    uint64_t length = 0;
  };
  Section symbols_sec_, series_sec_, labels_sec_, postings_sec_, times_sec_;
  std::vector<std::string_view> symbols_;
  std::vector<uint64_t> series_offsets_;  // Entry starts (after the length).
  std::vector<uint64_t> series_lengths_;
  std::vector<NameEntry> names_;
  std::vector<std::span<const uint8_t>> time_tables_;
};

}  // namespace tend

#endif  // TEND_TSDB_BLOCK_INDEX_H_
