// XorChunk: an append-only, Gorilla-compressed block of (timestamp, value)
// samples, encoded as Prometheus's tsdb encodes its XOR chunks. The exact
// layout and the error behaviour are in docs/formats/xor-chunk.md.
//
// Timestamps are int64 milliseconds and strictly increasing within a chunk;
// values are doubles and round-trip bit-exactly (every NaN payload, +-Inf,
// -0.0). A chunk holds at most 65535 samples (the 2-byte header); the head
// cuts chunks far earlier (about 120 samples).
//
// Neither class is thread-safe; one owner appends or iterates.
#ifndef TEND_TSDB_XOR_CHUNK_H_
#define TEND_TSDB_XOR_CHUNK_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"
#include "tsdb/bit_stream.h"

namespace tend {

class XorChunk {
 public:
  static constexpr size_t kMaxSamples = 65535;

  XorChunk();

  // Appends one sample. Fails, leaving the chunk unchanged, with
  // kInvalidArgument when t is not strictly after the last timestamp and with
  // kResourceExhausted when the chunk already holds kMaxSamples.
  Status Append(int64_t t, double v);

  // The complete encoding, valid as a chunk after every Append (the sample
  // count header is kept current). The reference is invalidated by Append.
  const std::vector<uint8_t>& bytes() const { return writer_.bytes(); }
  size_t num_samples() const { return num_samples_; }

 private:
  void AppendValue(uint64_t vbits);

  BitWriter writer_;
  size_t num_samples_ = 0;
  int64_t last_t_ = 0;
  uint64_t last_delta_ = 0;  // t[n-1] - t[n-2], modulo 2^64.
  uint64_t last_vbits_ = 0;
  // The window of the last XOR written with the '11' control; leading_ ==
  // kNoWindow until there is one, so the first non-zero XOR always
  // writes a window.
  static constexpr uint8_t kNoWindow = 0xff;
  uint8_t leading_ = kNoWindow;
  uint8_t trailing_ = 0;
};

// Iterates the samples of an encoded chunk held in a borrowed span (which
// must outlive the iterator):
//
//   XorIterator it(chunk.bytes());
//   while (it.Next()) Use(it.t(), it.v());
//   RETURN_IF_ERROR(it.status());
//
// Corrupt or truncated input ends the iteration: Next() returns false and
// status() is kDataLoss with a message naming the sample that could not be
// decoded. The iterator never reads outside the span. Bytes after the last
// sample the header counts are ignored.
class XorIterator {
 public:
  explicit XorIterator(std::span<const uint8_t> chunk);

  // Advances to the next sample; false at the end of the chunk or on error.
  bool Next();
  // The current sample; meaningful only after Next() returned true.
  int64_t t() const { return t_; }
  double v() const;
  // OK while iterating and after a clean end; kDataLoss after corruption.
  const Status& status() const { return status_; }
  // The sample count from the header (0 when the header itself is missing).
  size_t num_samples() const { return num_samples_; }

 private:
  bool Fail(std::string_view what);
  bool ReadTimestamp();
  bool ReadValue();

  BitReader reader_;
  Status status_;
  size_t num_samples_ = 0;
  size_t read_ = 0;  // Samples decoded so far.
  bool done_ = false;
  int64_t t_ = 0;
  uint64_t delta_ = 0;
  uint64_t vbits_ = 0;
  uint8_t leading_ = 0;
  uint8_t trailing_ = 0;
  bool have_window_ = false;
};

}  // namespace tend

#endif  // TEND_TSDB_XOR_CHUNK_H_
