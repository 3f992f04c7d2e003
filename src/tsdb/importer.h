// Backfill: turns Prometheus/OpenMetrics text with timestamps (the input of
// `promtool tsdb create-blocks-from openmetrics`) into persisted blocks in a
// store directory, as `tend tsdb import` does.
#ifndef TEND_TSDB_IMPORTER_H_
#define TEND_TSDB_IMPORTER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "tsdb/block_meta.h"

namespace tend {

struct ImportOptions {
  // Blocks are cut at multiples of this (as the store's own blocks).
  int64_t block_duration_ms = 2LL * 3600 * 1000;
};

struct ImportResult {
  uint64_t series = 0;
  uint64_t samples = 0;
  int64_t min_time = 0;  // ms
  int64_t max_time = 0;
  std::vector<BlockMeta> blocks;
};

// Parses `text` (every sample must carry a timestamp, in seconds as
// OpenMetrics writes them; a series' samples must be in increasing time
// order) and writes one block per block_duration window that has samples
// into `db_dir`. All or nothing: on any error (bad input, naming
// `source`:line; I/O) the blocks this call wrote are deleted again and the
// error is returned. Memory: the samples are held Gorilla-compressed (about
// 2 bytes each) until the blocks are written.
Result<ImportResult> ImportExposition(std::string_view text,
                                      std::string_view source,
                                      const std::string& db_dir,
                                      const ImportOptions& options = {});

}  // namespace tend

#endif  // TEND_TSDB_IMPORTER_H_
