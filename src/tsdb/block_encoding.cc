#include "tsdb/block_encoding.h"

namespace tend {

void ByteWriter::PutUvarint(uint64_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<uint8_t>(v) | 0x80);
    v >>= 7;
  }
  out_->push_back(static_cast<uint8_t>(v));
}

void ByteWriter::PutVarint(int64_t v) {
  const uint64_t u = static_cast<uint64_t>(v);
  PutUvarint((u << 1) ^ (0 - (u >> 63)));
}

void ByteWriter::PutBe32(uint32_t v) {
  for (int s = 24; s >= 0; s -= 8)
    out_->push_back(static_cast<uint8_t>(v >> s));
}

void ByteWriter::PutBe64(uint64_t v) {
  for (int s = 56; s >= 0; s -= 8)
    out_->push_back(static_cast<uint8_t>(v >> s));
}

void ByteWriter::PutBytes(std::span<const uint8_t> bytes) {
  out_->insert(out_->end(), bytes.begin(), bytes.end());
}

void ByteWriter::PutString(std::string_view s) {
  PutUvarint(s.size());
  PutBytes(AsBytes(s));
}

bool ByteReader::GetByte(uint8_t* b) {
  if (pos_ >= data_.size()) return false;
  *b = data_[pos_++];
  return true;
}

bool ByteReader::GetUvarint(uint64_t* v) {
  uint64_t result = 0;
  for (int i = 0; i < 10; ++i) {
    if (pos_ >= data_.size()) return false;
    const uint8_t b = data_[pos_++];
    if (i == 9 && b > 1) return false;
    result |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

bool ByteReader::GetVarint(int64_t* v) {
  uint64_t u;
  if (!GetUvarint(&u)) return false;
  *v = static_cast<int64_t>((u >> 1) ^ (0 - (u & 1)));
  return true;
}

bool ByteReader::GetBe32(uint32_t* v) {
  if (remaining() < 4) return false;
  *v = LoadBe32(data_.data() + pos_);
  pos_ += 4;
  return true;
}

bool ByteReader::GetBe64(uint64_t* v) {
  if (remaining() < 8) return false;
  *v = LoadBe64(data_.data() + pos_);
  pos_ += 8;
  return true;
}

bool ByteReader::GetBytes(size_t n, std::span<const uint8_t>* out) {
  if (remaining() < n) return false;
  *out = data_.subspan(pos_, n);
  pos_ += n;
  return true;
}

bool ByteReader::GetString(std::string_view* s) {
  uint64_t n;
  std::span<const uint8_t> b;
  if (!GetUvarint(&n) || n > remaining() || !GetBytes(n, &b)) return false;
  *s = AsChars(b);
  return true;
}

bool ByteReader::Skip(size_t n) {
  if (remaining() < n) return false;
  pos_ += n;
  return true;
}

uint32_t LoadBe32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | static_cast<uint32_t>(p[3]);
}

uint64_t LoadBe64(const uint8_t* p) {
  return static_cast<uint64_t>(LoadBe32(p)) << 32 | LoadBe32(p + 4);
}

}  // namespace tend
