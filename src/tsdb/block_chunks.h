// Chunk segment files of a block (docs/formats/block.md, "Chunk segment
// files"): numbered files under <block>/chunks/ holding one checksummed
// group of chunks per series.
#ifndef TEND_TSDB_BLOCK_CHUNKS_H_
#define TEND_TSDB_BLOCK_CHUNKS_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "tsdb/block_io.h"

namespace tend {

inline constexpr uint32_t kChunkSegmentMagic = 0x544e4443;  // "TNDC"
inline constexpr uint8_t kChunkSegmentVersion = 1;
inline constexpr size_t kChunkSegmentHeaderSize = 8;
inline constexpr uint64_t kDefaultChunkSegmentBytes = 512ull << 20;

// Where a series' chunk group lives: segment number (from 1), byte offset of
// the group in that file, and its length including the 4-byte checksum.
struct ChunkGroupRef {
  uint64_t segment = 0;
  uint64_t offset = 0;
  uint64_t length = 0;
};

// "000001" for segment 1.
std::string ChunkSegmentName(uint64_t segment);

// Appends one framed chunk (uvarint len | encoding | payload) to a group
// being built.
void AppendFramedChunk(uint8_t encoding, std::span<const uint8_t> payload,
                       std::vector<uint8_t>* group);

// Walks the framed chunks of a group (checksum already stripped).
class ChunkGroupIterator {
 public:
  explicit ChunkGroupIterator(std::span<const uint8_t> chunks)
      : chunks_(chunks) {}
  // False at the end; *error set (and false returned) on a bad frame.
  bool Next(uint8_t* encoding, std::span<const uint8_t>* payload, bool* error);
  size_t pos() const { return pos_; }

 private:
  std::span<const uint8_t> chunks_;
  size_t pos_ = 0;
};

// Writes groups into chunks/000001, 000002, ... Not thread-safe.
class ChunkSegmentWriter {
 public:
  // `chunks_dir` must exist. A new segment starts when a group would take
  // the current one past `segment_bytes`.
  static Result<std::unique_ptr<ChunkSegmentWriter>> Create(
      std::string chunks_dir, uint64_t segment_bytes);
  // Writes `chunks` (framed) plus their checksum as one group.
  Result<ChunkGroupRef> WriteGroup(std::span<const uint8_t> chunks);
  // fsyncs and closes the open segment, then fsyncs the directory.
  Status Close();

 private:
  ChunkSegmentWriter(std::string dir, uint64_t segment_bytes)
      : dir_(std::move(dir)), segment_bytes_(segment_bytes) {}
  Status StartSegment();

  std::string dir_;
  uint64_t segment_bytes_;
  uint64_t segment_ = 0;
  std::unique_ptr<FileWriter> file_;
};

// Maps every segment of a block. Immutable after Open; thread-safe.
class ChunkSegmentReader {
 public:
  // Maps chunks/000001.. (the names must be contiguous from 000001) and
  // checks each header. kDataLoss naming the file on a bad header or name.
  static Result<std::unique_ptr<ChunkSegmentReader>> Open(
      const std::string& chunks_dir);
  // The group's framed chunks after verifying its checksum; kDataLoss
  // "<file> at offset N: ..." when the reference is out of bounds or the
  // checksum does not match.
  Result<std::span<const uint8_t>> ReadGroup(const ChunkGroupRef& ref) const;
  // "<chunks_dir>/000001 at offset 8" for error messages.
  std::string Where(const ChunkGroupRef& ref) const;
  uint64_t size_bytes() const;
  size_t num_segments() const { return segments_.size(); }

 private:
  std::string dir_;
  std::vector<std::unique_ptr<MappedFile>> segments_;
};

}  // namespace tend

#endif  // TEND_TSDB_BLOCK_CHUNKS_H_
