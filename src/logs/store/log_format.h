// The on-disk encoding of the log store's segments: segment header, record
// framing, and the payloads of the four record types. Pure functions over
// bytes; file handling is in segment.h. Format: docs/formats/log-store.md.
#ifndef TEND_LOGS_STORE_LOG_FORMAT_H_
#define TEND_LOGS_STORE_LOG_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/labels.h"

namespace tend::logs {

inline constexpr char kSegmentMagic[4] = {'t', 'L', 'O', 'G'};
inline constexpr uint8_t kSegmentVersion = 1;
inline constexpr size_t kSegmentHeaderSize = 8;
inline constexpr size_t kRecordHeaderSize = 20;
// Bounds a reader enforces before allocating (a record is written whole by
// one commit; blocks are at most a few MiB).
inline constexpr uint32_t kMaxMetaBytes = 1 << 20;
inline constexpr uint32_t kMaxDataBytes = 64 << 20;
inline constexpr uint32_t kMaxRawBytes = 64 << 20;

enum class RecordType : uint8_t {
  kStream = 1,   // A stream's id and labels.
  kBlock = 2,    // A full block of one stream's lines, with token index.
  kPending = 3,  // Lines of one stream not yet in a block (tail of a commit).
  kCommit = 4,   // Marks the end of a commit; carries the caller's checkpoint.
};

// The fixed 20-byte record header.
struct RecordHeader {
  RecordType type = RecordType::kCommit;
  uint32_t meta_len = 0;
  uint32_t data_len = 0;
  uint32_t meta_crc = 0;  // CRC32C of header bytes 0..11, then the meta.
  uint32_t data_crc = 0;  // CRC32C of the data.
};

// Appends the header for `meta` and `data`, the meta and the data to `out`.
void AppendRecord(RecordType type, std::string_view meta, std::string_view data,
                  std::string* out);

// Parses a header; fails (with a reason, no offset) on an unknown type,
// non-zero reserved bytes or lengths over the bounds. Does not check CRCs.
Result<RecordHeader> ParseRecordHeader(const uint8_t* p);
// CRC checks of a parsed header against its meta and data bytes.
bool MetaCrcOk(const uint8_t* header, std::string_view meta, uint32_t want);
bool DataCrcOk(std::string_view data, uint32_t want);

// Meta of a kBlock or kPending record.
struct BlockMeta {
  uint32_t stream_id = 0;
  uint32_t lines = 0;
  int64_t mint = 0;  // Smallest and largest line time, ns.
  int64_t maxt = 0;
  uint32_t raw_bytes = 0;       // Size of the uncompressed line encoding.
  uint8_t codec = 0;            // 0 = none, 1 = zstd.
  std::vector<uint64_t> bloom;  // Empty in pending records.
};
void EncodeBlockMeta(const BlockMeta& m, std::string* out);
Result<BlockMeta> DecodeBlockMeta(std::string_view meta);

// Meta of a kStream record.
void EncodeStreamMeta(uint32_t id, const Labels& labels, std::string* out);
Status DecodeStreamMeta(std::string_view meta, uint32_t* id, Labels* labels);

// Meta of a kCommit record: sequence number and opaque checkpoint bytes.
void EncodeCommitMeta(uint64_t seq, std::string_view checkpoint,
                      std::string* out);
Status DecodeCommitMeta(std::string_view meta, uint64_t* seq,
                        std::string* checkpoint);

// Line encoding of a block (before compression): per line,
// zigzag-varint(t - previous t, starting from mint), varint(length), bytes.
void AppendLine(int64_t prev_t, int64_t t, std::string_view line,
                std::string* out);

// One decoded line; `line` points into the buffer passed to DecodeLines.
struct LineRef {
  int64_t t;
  std::string_view line;
};
// Decodes exactly `meta.lines` lines of `raw` (every time must lie in
// [mint, maxt] and the bytes must be used up), appending to `out`.
Status DecodeLines(const BlockMeta& meta, std::string_view raw,
                   std::vector<LineRef>* out);

// zstd; Compress never fails for valid input sizes.
void Compress(std::string_view raw, int level, std::string* out);
// Decompresses `data` per `meta.codec` into `*out` (exactly raw_bytes).
Status Decompress(const BlockMeta& meta, std::string_view data,
                  std::string* out);

// Varints (LEB128) for the encodings above.
void PutVarint(uint64_t v, std::string* out);
// Reads a varint from [*p, end); false when truncated or over 10 bytes.
bool GetVarint(const uint8_t** p, const uint8_t* end, uint64_t* v);

}  // namespace tend::logs

#endif  // TEND_LOGS_STORE_LOG_FORMAT_H_
