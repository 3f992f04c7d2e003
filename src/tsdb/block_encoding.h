// Byte-level helpers shared by the block files (docs/formats/block.md):
// varint and big-endian writers and a bounds-checked reader. Checksums are
// the WAL's CRC-32C (crc32c.h).
//
// Not thread-safe; each writer or reader has one owner.
#ifndef TEND_TSDB_BLOCK_ENCODING_H_
#define TEND_TSDB_BLOCK_ENCODING_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/crc32c.h"

namespace tend {

// Appends encoded fields to a byte vector it borrows.
class ByteWriter {
 public:
  explicit ByteWriter(std::vector<uint8_t>* out) : out_(out) {}
  void PutByte(uint8_t b) { out_->push_back(b); }
  void PutUvarint(uint64_t v);
  void PutVarint(int64_t v);  // Zigzag.
  void PutBe32(uint32_t v);
  void PutBe64(uint64_t v);
  void PutBytes(std::span<const uint8_t> bytes);
  void PutString(std::string_view s);  // uvarint length, then the bytes.
  size_t size() const { return out_->size(); }

 private:
  std::vector<uint8_t>* out_;
};

// Reads fields from a borrowed span. Every read checks the remaining length
// first; on failure it returns false and the position is unspecified, so
// callers stop and report.
class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}
  [[nodiscard]] bool GetByte(uint8_t* b);
  // False on truncation, more than 10 bytes, or overflow past 64 bits.
  [[nodiscard]] bool GetUvarint(uint64_t* v);
  [[nodiscard]] bool GetVarint(int64_t* v);
  [[nodiscard]] bool GetBe32(uint32_t* v);
  [[nodiscard]] bool GetBe64(uint64_t* v);
  // A view of the next `n` bytes (into the borrowed span).
  [[nodiscard]] bool GetBytes(size_t n, std::span<const uint8_t>* out);
  [[nodiscard]] bool GetString(std::string_view* s);
  [[nodiscard]] bool Skip(size_t n);

  size_t pos() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool done() const { return pos_ == data_.size(); }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

uint32_t LoadBe32(const uint8_t* p);
uint64_t LoadBe64(const uint8_t* p);

inline std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsChars(std::span<const uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace tend

#endif  // TEND_TSDB_BLOCK_ENCODING_H_
