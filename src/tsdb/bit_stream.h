// Bit-level writer and reader for compressed chunk encodings (xor_chunk.h).
//
// Bits are packed most significant bit first: the first bit written is bit 7
// of byte 0. Multi-bit fields are written and read most significant bit
// first, so a byte-aligned 8-bit field is simply that byte.
//
// Neither class is thread-safe; each is owned by one encoder or iterator.
#ifndef TEND_TSDB_BIT_STREAM_H_
#define TEND_TSDB_BIT_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace tend {

// Appends bits to a growing byte vector. The unused low bits of the last
// byte are zero.
class BitWriter {
 public:
  BitWriter() = default;

  void WriteBit(bool bit);
  // Writes the low `nbits` bits of `value` (0 <= nbits <= 64), most
  // significant first; higher bits of `value` are ignored.
  void WriteBits(uint64_t value, int nbits);
  void WriteByte(uint8_t byte) { WriteBits(byte, 8); }
  // Unsigned LEB128 varint (7 bits per byte, low group first, high bit set on
  // every byte but the last; at most 10 bytes).
  void WriteUvarint(uint64_t value);
  // Zigzag-mapped signed varint: 0, -1, 1, -2, ... map to 0, 1, 2, 3, ...
  void WriteVarint(int64_t value);

  // Replaces a byte already written (used for headers updated in place).
  // `index` must be < bytes().size().
  void OverwriteByte(size_t index, uint8_t value);

  const std::vector<uint8_t>& bytes() const { return bytes_; }
  size_t bit_length() const { return bytes_.size() * 8 - free_bits_; }

 private:
  std::vector<uint8_t> bytes_;
  int free_bits_ = 0;  // Unused low bits in bytes_.back(); 0..7.
};

// Reads bits from a borrowed span (which must outlive the reader). Every
// read checks the remaining length first: a read that would go past the end
// returns false, consumes nothing and leaves the output unchanged, so
// truncated input is an ordinary error, never an out-of-bounds access.
class BitReader {
 public:
  explicit BitReader(std::span<const uint8_t> data) : data_(data) {}

  [[nodiscard]] bool ReadBit(bool* bit) {
    if (pos_ >= data_.size() * 8) return false;
    *bit = (data_[pos_ >> 3] >> (7 - (pos_ & 7))) & 1;
    ++pos_;
    return true;
  }
  // Reads `nbits` (0..64) bits into the low bits of *value. Inline: chunk
  // decoding calls it for every field of every sample.
  [[nodiscard]] bool ReadBits(int nbits, uint64_t* value) {
    const size_t byte = pos_ >> 3;
    // Fast path: one unaligned 8-byte load holds the bits (at most 7 bits
    // of offset + 57 bits).
    if (nbits > 0 && nbits <= 57 && byte + 8 <= data_.size()) {
      uint64_t w;
      std::memcpy(&w, data_.data() + byte, sizeof w);
      w = __builtin_bswap64(w);  // Big-endian bit order.
      *value = (w << (pos_ & 7)) >> (64 - nbits);
      pos_ += static_cast<size_t>(nbits);
      return true;
    }
    return ReadBitsSlow(nbits, value);
  }
  [[nodiscard]] bool ReadByte(uint8_t* byte);
  // False on truncation and on an over-long or overflowing encoding (more
  // than 10 bytes, or a 10th byte above 1), in which case the position is
  // unspecified.
  [[nodiscard]] bool ReadUvarint(uint64_t* value);
  [[nodiscard]] bool ReadVarint(int64_t* value);

  size_t bits_remaining() const { return data_.size() * 8 - pos_; }
  size_t bit_position() const { return pos_; }

 private:
  bool ReadBitsSlow(int nbits, uint64_t* value);

  std::span<const uint8_t> data_;
  size_t pos_ = 0;  // Next bit to read, counted from bit 7 of data_[0].
};

}  // namespace tend

#endif  // TEND_TSDB_BIT_STREAM_H_
