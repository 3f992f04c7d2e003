#include "tsdb/bit_stream.h"

#include <cassert>

namespace tend {

void BitWriter::WriteBit(bool bit) {
  if (free_bits_ == 0) {
    bytes_.push_back(0);
    free_bits_ = 8;
  }
  --free_bits_;
  if (bit) bytes_.back() |= static_cast<uint8_t>(1u << free_bits_);
}

void BitWriter::WriteBits(uint64_t value, int nbits) {
  assert(nbits >= 0 && nbits <= 64);
  if (nbits < 64) value &= (uint64_t{1} << nbits) - 1;
  while (nbits > 0) {
    if (free_bits_ == 0) {
      bytes_.push_back(0);
      free_bits_ = 8;
    }
    // Fill as many of the free bits of the last byte as the field allows.
    int take = nbits < free_bits_ ? nbits : free_bits_;
    uint64_t part = (value >> (nbits - take)) & ((uint64_t{1} << take) - 1);
    free_bits_ -= take;
    bytes_.back() |= static_cast<uint8_t>(part << free_bits_);
    nbits -= take;
  }
}

void BitWriter::WriteUvarint(uint64_t value) {
  while (value >= 0x80) {
    WriteByte(static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  WriteByte(static_cast<uint8_t>(value));
}

void BitWriter::WriteVarint(int64_t value) {
  uint64_t u = static_cast<uint64_t>(value) << 1;
  if (value < 0) u = ~u;
  WriteUvarint(u);
}

void BitWriter::OverwriteByte(size_t index, uint8_t value) {
  assert(index < bytes_.size());
  bytes_[index] = value;
}

bool BitReader::ReadBitsSlow(int nbits, uint64_t* value) {
  assert(nbits >= 0 && nbits <= 64);
  if (bits_remaining() < static_cast<size_t>(nbits)) return false;
  uint64_t out = 0;
  while (nbits > 0) {
    int avail = 8 - static_cast<int>(pos_ % 8);
    int take = nbits < avail ? nbits : avail;
    uint64_t byte = data_[pos_ / 8];
    uint64_t part = (byte >> (avail - take)) & ((uint64_t{1} << take) - 1);
    // take < 64 always (at most 8), so the shift is defined.
    out = (out << take) | part;
    pos_ += take;
    nbits -= take;
  }
  *value = out;
  return true;
}

bool BitReader::ReadByte(uint8_t* byte) {
  uint64_t v;
  if (!ReadBits(8, &v)) return false;
  *byte = static_cast<uint8_t>(v);
  return true;
}

bool BitReader::ReadUvarint(uint64_t* value) {
  uint64_t out = 0;
  for (int i = 0; i < 10; ++i) {
    uint8_t b;
    if (!ReadByte(&b)) return false;
    if (i == 9 && b > 1) return false;  // Would overflow 64 bits.
    out |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      *value = out;
      return true;
    }
  }
  return false;  // More than 10 bytes.
}

bool BitReader::ReadVarint(int64_t* value) {
  uint64_t u;
  if (!ReadUvarint(&u)) return false;
  uint64_t x = u >> 1;
  if (u & 1) x = ~x;
  *value = static_cast<int64_t>(x);
  return true;
}

}  // namespace tend
