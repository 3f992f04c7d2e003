// The chunk encodings of persisted blocks (docs/formats/block.md, "Chunk
// encodings"): Prometheus's Gorilla XOR (1) and tend's DEC (2), which stores
// decimal values as scaled integers with bit-packed differences and
// timestamps as bit-packed delta-of-deltas. The writer keeps whichever is
// shorter per chunk; every value round-trips bit-exactly either way.
//
// Stateless functions; safe from any thread.
#ifndef TEND_TSDB_BLOCK_CHUNK_CODEC_H_
#define TEND_TSDB_BLOCK_CHUNK_CODEC_H_

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "model/point.h"

namespace tend {

enum class ChunkEncoding : uint8_t {
  kXor = 1,
  kDec = 2,
  kDecSharedTimes = 3,  // DEC whose timestamps are in a block time table.
};

inline constexpr size_t kMaxChunkSamples = 65535;

// The time tables of a block being written: distinct timestamp streams
// (docs/formats/block.md, "Time tables") that chunks share by id. Series
// scraped together have identical timestamps, jitter included, so one copy
// serves them all.
class TimeTables {
 public:
  // The id of `bytes` (a time stream), adding it when new.
  uint64_t Intern(std::span<const uint8_t> bytes);
  // The id Intern would return, without adding.
  uint64_t Peek(std::span<const uint8_t> bytes) const;
  const std::vector<std::vector<uint8_t>>& tables() const { return tables_; }

 private:
  std::unordered_map<std::string, uint64_t> ids_;
  std::vector<std::vector<uint8_t>> tables_;
};

// Appends the shortest encoding of `points` to *out and returns which it
// is. With `tables` (may be null), DEC chunks may put their timestamps in a
// shared table. `points` must hold 1..kMaxChunkSamples samples with strictly
// increasing timestamps (the caller checks; violating it is a programming
// error and yields an undecodable chunk, never memory unsafety).
ChunkEncoding EncodeChunk(std::span<const Point> points, TimeTables* tables,
                          std::vector<uint8_t>* out);

// The two encodings on their own (tests, benchmarks). EncodeDecChunk returns
// false, appending nothing, when some value is not an exact decimal.
void EncodeXorChunk(std::span<const Point> points, std::vector<uint8_t>* out);
bool EncodeDecChunk(std::span<const Point> points, std::vector<uint8_t>* out);

// Decodes one chunk whose index entry says its first and last samples are at
// chunk_mint and chunk_maxt, appending the samples with mint <= t <= maxt to
// *out in time order. kDataLoss (message without file context; the caller
// adds it) when the payload is damaged, the encoding is unknown, or the
// decoded times disagree with the index; samples decoded before the damage
// stay appended.
// `time_tables` are the block's tables for kDecSharedTimes.
Status DecodeChunk(uint8_t encoding, std::span<const uint8_t> payload,
                   std::span<const std::span<const uint8_t>> time_tables,
                   int64_t chunk_mint, int64_t chunk_maxt, int64_t mint,
                   int64_t maxt, std::vector<Point>* out);

}  // namespace tend

#endif  // TEND_TSDB_BLOCK_CHUNK_CODEC_H_
