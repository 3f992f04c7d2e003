// A persisted block opened for reading (docs/formats/block.md): validates
// meta.json and the index on open, maps the index and chunk segments, and
// answers queries as a Queryable.
//
// Thread-safety: a Block is immutable after Open and may be shared by
// threads; each Querier (and its SeriesSets) belongs to one thread. Queriers
// keep the block's mapped files alive, so they may outlive the Block object
// (and even the deletion of its directory).
#ifndef TEND_TSDB_BLOCK_H_
#define TEND_TSDB_BLOCK_H_

#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "tsdb/block_meta.h"
#include "tsdb/queryable.h"

namespace tend {

class Block : public Queryable {
 public:
  // Opens the block in `dir`. kDataLoss naming the file (and the byte offset
  // where it applies) when meta.json, the index or a segment header is
  // damaged or they disagree; kNotFound etc. when a file is missing. Chunk
  // data is checked when read (Verify checks it all).
  static Result<std::unique_ptr<Block>> Open(const std::string& dir);
  ~Block() override;

  const BlockMeta& meta() const;
  // Bytes of all its files (meta.json, index, chunk segments).
  uint64_t size_bytes() const;

  // Reads and decodes every series and chunk, checking checksums, labels
  // order and the sample/chunk counts in meta.json. kDataLoss on the first
  // problem. Costs a full scan.
  Status Verify() const;

  // A querier over [mint, maxt] (inclusive, clipped to the block).
  Result<std::unique_ptr<Querier>> NewQuerier(int64_t mint,
                                              int64_t maxt) override;

  struct State;  // Shared with queriers.

 private:
  explicit Block(std::shared_ptr<const State> state)
      : state_(std::move(state)) {}
  std::shared_ptr<const State> state_;
};

}  // namespace tend

#endif  // TEND_TSDB_BLOCK_H_
