#include "logs/store/log_format.h"

#include <zstd.h>

#include <cstring>
#include <span>

#include "base/crc32c.h"

namespace tend::logs {
namespace {

void PutU32(uint32_t v, std::string* out) {
  char b[4];
  std::memcpy(b, &v, 4);  // Little-endian hosts only (x86-64, aarch64).
  out->append(b, 4);
}
void PutU64(uint64_t v, std::string* out) {
  char b[8];
  std::memcpy(b, &v, 8);
  out->append(b, 8);
}
uint32_t GetU32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
uint64_t GetU64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// Reads a varint-prefixed string.
bool GetString(const uint8_t** p, const uint8_t* end, std::string* s) {
  uint64_t n;
  if (!GetVarint(p, end, &n) || n > static_cast<uint64_t>(end - *p)) {
    return false;
  }
  s->assign(reinterpret_cast<const char*>(*p), n);
  *p += n;
  return true;
}

}  // namespace

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(const uint8_t** p, const uint8_t* end, uint64_t* v) {
  uint64_t r = 0;
  for (int shift = 0; shift < 64 && *p < end; shift += 7) {
    const uint8_t b = *(*p)++;
    r |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = r;
      return true;
    }
  }
  return false;
}

void AppendRecord(RecordType type, std::string_view meta, std::string_view data,
                  std::string* out) {
  const size_t start = out->size();
  out->push_back(static_cast<char>(type));
  out->append(3, '\0');
  PutU32(static_cast<uint32_t>(meta.size()), out);
  PutU32(static_cast<uint32_t>(data.size()), out);
  uint32_t crc = Crc32cExtend(
      0, std::span<const uint8_t>(
             reinterpret_cast<const uint8_t*>(out->data() + start), 12));
  crc = Crc32cExtend(crc, Bytes(meta));
  PutU32(crc, out);
  PutU32(Crc32c(Bytes(data)), out);
  out->append(meta);
  out->append(data);
}

Result<RecordHeader> ParseRecordHeader(const uint8_t* p) {
  RecordHeader h;
  if (p[0] < 1 || p[0] > 4) {
    return DataLossError("unknown record type " + std::to_string(p[0]));
  }
  if (p[1] != 0 || p[2] != 0 || p[3] != 0) {
    return DataLossError("non-zero reserved bytes in record header");
  }
  h.type = static_cast<RecordType>(p[0]);
  h.meta_len = GetU32(p + 4);
  h.data_len = GetU32(p + 8);
  h.meta_crc = GetU32(p + 12);
  h.data_crc = GetU32(p + 16);
  if (h.meta_len > kMaxMetaBytes || h.data_len > kMaxDataBytes) {
    return DataLossError("record length out of bounds");
  }
  return h;
}

bool MetaCrcOk(const uint8_t* header, std::string_view meta, uint32_t want) {
  uint32_t crc = Crc32cExtend(0, std::span<const uint8_t>(header, 12));
  return Crc32cExtend(crc, Bytes(meta)) == want;
}

bool DataCrcOk(std::string_view data, uint32_t want) {
  return Crc32c(Bytes(data)) == want;
}

void EncodeBlockMeta(const BlockMeta& m, std::string* out) {
  PutU32(m.stream_id, out);
  PutU32(m.lines, out);
  PutU64(static_cast<uint64_t>(m.mint), out);
  PutU64(static_cast<uint64_t>(m.maxt), out);
  PutU32(m.raw_bytes, out);
  out->push_back(static_cast<char>(m.codec));
  PutU32(static_cast<uint32_t>(m.bloom.size()), out);
  for (uint64_t w : m.bloom) PutU64(w, out);
}

Result<BlockMeta> DecodeBlockMeta(std::string_view meta) {
  constexpr size_t kFixed = 4 + 4 + 8 + 8 + 4 + 1 + 4;
  const auto* p = reinterpret_cast<const uint8_t*>(meta.data());
  if (meta.size() < kFixed) return DataLossError("block meta too short");
  BlockMeta m;
  m.stream_id = GetU32(p);
  m.lines = GetU32(p + 4);
  m.mint = static_cast<int64_t>(GetU64(p + 8));
  m.maxt = static_cast<int64_t>(GetU64(p + 16));
  m.raw_bytes = GetU32(p + 24);
  m.codec = p[28];
  const uint32_t words = GetU32(p + 29);
  if (meta.size() != kFixed + uint64_t{words} * 8) {
    return DataLossError("block meta length does not match its bloom size");
  }
  if (m.codec > 1) return DataLossError("unknown block codec");
  if (m.lines == 0 || m.mint > m.maxt) {
    return DataLossError("block with no lines or mint > maxt");
  }
  if (m.raw_bytes > kMaxRawBytes || m.raw_bytes < uint64_t{m.lines} * 2) {
    return DataLossError("block raw size out of bounds");
  }
  m.bloom.resize(words);
  for (uint32_t i = 0; i < words; ++i) m.bloom[i] = GetU64(p + kFixed + i * 8);
  return m;
}

void EncodeStreamMeta(uint32_t id, const Labels& labels, std::string* out) {
  PutU32(id, out);
  PutVarint(labels.size(), out);
  for (const Label& l : labels) {
    PutVarint(l.name.size(), out);
    out->append(l.name);
    PutVarint(l.value.size(), out);
    out->append(l.value);
  }
}

Status DecodeStreamMeta(std::string_view meta, uint32_t* id, Labels* labels) {
  const auto* p = reinterpret_cast<const uint8_t*>(meta.data());
  const auto* end = p + meta.size();
  if (meta.size() < 4) return DataLossError("stream meta too short");
  *id = GetU32(p);
  p += 4;
  uint64_t n;
  if (!GetVarint(&p, end, &n) || n > meta.size()) {
    return DataLossError("bad label count in stream meta");
  }
  labels->clear();
  labels->resize(n);
  for (Label& l : *labels) {
    if (!GetString(&p, end, &l.name) || !GetString(&p, end, &l.value)) {
      return DataLossError("truncated label in stream meta");
    }
  }
  if (p != end) return DataLossError("trailing bytes in stream meta");
  if (!IsCanonical(*labels)) {
    return DataLossError("stream labels are not canonical");
  }
  return Status::Ok();
}

void EncodeCommitMeta(uint64_t seq, std::string_view checkpoint,
                      std::string* out) {
  PutU64(seq, out);
  out->append(checkpoint);
}

Status DecodeCommitMeta(std::string_view meta, uint64_t* seq,
                        std::string* checkpoint) {
  if (meta.size() < 8) return DataLossError("commit meta too short");
  *seq = GetU64(reinterpret_cast<const uint8_t*>(meta.data()));
  checkpoint->assign(meta.substr(8));
  return Status::Ok();
}

void AppendLine(int64_t prev_t, int64_t t, std::string_view line,
                std::string* out) {
  PutVarint(ZigZag(static_cast<int64_t>(static_cast<uint64_t>(t) -
                                        static_cast<uint64_t>(prev_t))),
            out);
  PutVarint(line.size(), out);
  out->append(line);
}

Status DecodeLines(const BlockMeta& meta, std::string_view raw,
                   std::vector<LineRef>* out) {
  const auto* p = reinterpret_cast<const uint8_t*>(raw.data());
  const auto* end = p + raw.size();
  int64_t t = meta.mint;
  for (uint32_t i = 0; i < meta.lines; ++i) {
    uint64_t d, n;
    if (!GetVarint(&p, end, &d) || !GetVarint(&p, end, &n) ||
        n > static_cast<uint64_t>(end - p)) {
      return DataLossError("truncated line " + std::to_string(i) + " in block");
    }
    t = static_cast<int64_t>(static_cast<uint64_t>(t) +
                             static_cast<uint64_t>(UnZigZag(d)));
    if (t < meta.mint || t > meta.maxt) {
      return DataLossError("line time outside the block's range");
    }
    out->push_back({t, std::string_view(reinterpret_cast<const char*>(p), n)});
    p += n;
  }
  if (p != end) return DataLossError("trailing bytes after a block's lines");
  return Status::Ok();
}

void Compress(std::string_view raw, int level, std::string* out) {
  const size_t start = out->size();
  out->resize(start + ZSTD_compressBound(raw.size()));
  const size_t n = ZSTD_compress(out->data() + start, out->size() - start,
                                 raw.data(), raw.size(), level);
  out->resize(ZSTD_isError(n) ? start : start + n);
}

Status Decompress(const BlockMeta& meta, std::string_view data,
                  std::string* out) {
  if (meta.codec == 0) {
    if (data.size() != meta.raw_bytes) {
      return DataLossError("uncompressed block size mismatch");
    }
    out->assign(data);
    return Status::Ok();
  }
  out->resize(meta.raw_bytes);
  const size_t n =
      ZSTD_decompress(out->data(), out->size(), data.data(), data.size());
  if (ZSTD_isError(n)) {
    return DataLossError(std::string("zstd: ") + ZSTD_getErrorName(n));
  }
  if (n != meta.raw_bytes) return DataLossError("block raw size mismatch");
  return Status::Ok();
}

}  // namespace tend::logs
