// A full consistency check of one persisted block (docs/formats/block.md),
// for `tend tsdb verify`. It goes beyond what opening a block and querying
// it would notice:
//
// - everything Block::Open checks (meta.json, the index's header, table of
//   contents, section checksums and label tables, chunk segment headers);
// - everything Block::Verify checks (every series entry, labels in order,
//   every chunk group's checksum, every chunk decoded, samples inside the
//   block's range, the counts in meta.json);
// - every postings list: each series it names carries that label value,
//   and every label of every series is in exactly one list (a damaged list
//   would otherwise only show as a wrong answer to one particular matcher);
// - the chunk segment files' layout: the groups the index references tile
//   each file exactly from its header to its end (no overlapping groups,
//   no gaps, no bytes beyond the last group, no segment nothing refers to).
//
// Read-only: maps the files, changes nothing. Blocking (reads the whole
// block); safe to run on a block an agent is serving, since blocks are
// immutable once in place.
#ifndef TEND_TSDB_BLOCK_VERIFY_H_
#define TEND_TSDB_BLOCK_VERIFY_H_

#include <cstdint>
#include <string>

#include "base/status.h"
#include "tsdb/block_meta.h"

namespace tend {

struct BlockVerifyStats {
  BlockMeta meta;
  uint64_t series = 0;
  uint64_t chunks = 0;
  uint64_t samples = 0;
  uint64_t postings_lists = 0;    // name=value lists checked.
  uint64_t postings_entries = 0;  // Series ids in those lists.
  uint64_t chunk_segments = 0;
  uint64_t chunk_bytes = 0;  // Of the segment files, headers included.
};

// Checks the block in `dir`. On the first problem returns kDataLoss whose
// message names the file, the byte offset where one applies, and what is
// wrong (a missing file is kNotFound, an unreadable one the errno's code).
Result<BlockVerifyStats> VerifyBlock(const std::string& dir);

}  // namespace tend

#endif  // TEND_TSDB_BLOCK_VERIFY_H_
