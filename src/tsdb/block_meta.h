// A block's meta.json (docs/formats/block.md, "meta.json") and block ids
// (ULIDs: 48-bit Unix ms + 80 random bits, Crockford base32, 26 chars).
#ifndef TEND_TSDB_BLOCK_META_H_
#define TEND_TSDB_BLOCK_META_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace tend {

inline constexpr int kBlockFormatVersion = 1;

struct BlockMeta {
  std::string ulid;
  int64_t min_time = 0;  // Inclusive, ms.
  int64_t max_time = 0;  // Exclusive, ms.
  uint64_t num_samples = 0;
  uint64_t num_series = 0;
  uint64_t num_chunks = 0;
  int level = 1;
  std::vector<std::string> sources;  // Sorted, unique level-1 block ids.
  int version = kBlockFormatVersion;

  // Not part of meta.json: where the block lives and its total file size,
  // filled by ReadBlockMeta, Block::Open and BlockWriter::Finish.
  std::string dir;
  uint64_t size_bytes = 0;
};

// A new id for a block created at `unix_ms`, with 80 random bits from a
// per-thread generator seeded from std::random_device. Thread-safe.
std::string NewUlid(int64_t unix_ms);
// 26 Crockford base32 characters (upper case), the first at most '7'.
bool IsValidUlid(std::string_view id);
// The creation time in an id (requires IsValidUlid).
int64_t UlidTime(std::string_view id);

// meta.json text (pretty-printed, ends with a newline).
std::string BlockMetaToJson(const BlockMeta& meta);
// Parses and validates meta.json text. `path` names the file in errors:
// kDataLoss "<path>: <what is wrong>".
Result<BlockMeta> ParseBlockMeta(std::string_view json,
                                 const std::string& path);
// Reads <block_dir>/meta.json, checks that its ulid equals the directory
// name, and fills dir and size_bytes.
Result<BlockMeta> ReadBlockMeta(const std::string& block_dir);

// The last path component ("a/b/" -> "b").
std::string BaseName(std::string_view path);

}  // namespace tend

#endif  // TEND_TSDB_BLOCK_META_H_
