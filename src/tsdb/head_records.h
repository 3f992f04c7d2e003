// The head's WAL record encoding: series, samples and chunk records. The
// byte layout is specified in docs/formats/wal-records.md; keep the two in
// step.
//
// Encoders append to a caller-owned buffer (reused across batches so the
// steady state allocates nothing). Decoders never read outside the record,
// check every count and length against the bytes left before allocating,
// and fail with kDataLoss and a message naming the record type, the entry
// and the problem. All functions are thread-compatible (no shared state).
#ifndef TEND_TSDB_HEAD_RECORDS_H_
#define TEND_TSDB_HEAD_RECORDS_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"
#include "model/labels.h"

namespace tend {

// A series' identity within one head and its WAL: non-zero, never reused.
using SeriesRef = uint64_t;

enum class HeadRecordType : uint8_t {
  kSeries = 1,
  kSamples = 2,
  kChunk = 3,
};

// Limits a decoder enforces (an encoder's input is validated by the head).
inline constexpr size_t kMaxRecordLabels = 256;
inline constexpr size_t kMaxLabelBytes = 65536;

struct RefSeries {
  SeriesRef ref = 0;
  Labels labels;
};

struct RefSample {
  SeriesRef ref = 0;
  int64_t t = 0;
  double v = 0;
};

// A chunk record's content; `chunk` borrows from the decoded record.
struct RefChunk {
  SeriesRef ref = 0;
  std::span<const uint8_t> chunk;
};

// Replaces *out with the encoding. `series` must be non-empty; labels are
// written as given (the head passes canonical, validated sets).
void EncodeSeriesRecord(std::span<const RefSeries> series,
                        std::vector<uint8_t>* out);
// Replaces *out with the encoding; `samples` must be non-empty.
void EncodeSamplesRecord(std::span<const RefSample> samples,
                         std::vector<uint8_t>* out);
// Replaces *out with the encoding of one chunk record.
void EncodeChunkRecord(SeriesRef ref, std::span<const uint8_t> chunk,
                       std::vector<uint8_t>* out);

// The record's type; kDataLoss for an empty record or an unknown type byte.
Result<HeadRecordType> DecodeRecordType(std::span<const uint8_t> record);

// Decode a record of the matching type, replacing *out. On error *out holds
// nothing useful. Series labels are checked to be canonical and valid.
Status DecodeSeriesRecord(std::span<const uint8_t> record,
                          std::vector<RefSeries>* out);
Status DecodeSamplesRecord(std::span<const uint8_t> record,
                           std::vector<RefSample>* out);
// Checks the framing only; the chunk bytes are validated by whoever
// iterates them (XorIterator reports kDataLoss).
Status DecodeChunkRecord(std::span<const uint8_t> record, RefChunk* out);

// The validation Append and replay share: names valid, the __name__ value
// a valid metric name, canonical, non-empty, at most kMaxRecordLabels pairs
// and kMaxLabelBytes per string. kInvalidArgument naming the offending
// label.
Status ValidateSeriesLabels(const Labels& labels);

}  // namespace tend

#endif  // TEND_TSDB_HEAD_RECORDS_H_
