#include "tsdb/head_records.h"

#include <bit>
#include <cstring>
#include <string>

namespace tend {
namespace {

constexpr size_t kMaxVarintBytes = 10;

inline uint8_t* PutUvarint(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<uint8_t>(v);
  return p;
}

inline uint8_t* PutVarint(uint8_t* p, int64_t v) {
  const uint64_t zz =
      (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  return PutUvarint(p, zz);
}

inline uint8_t* PutF64(uint8_t* p, double v) {
  const uint64_t bits = std::bit_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(bits >> (8 * i));
  return p + 8;
}

// A bounds-checked cursor over one record. Every read fails (returning
// false) instead of reading past the end.
class Cursor {
 public:
  explicit Cursor(std::span<const uint8_t> data) : data_(data) {}

  bool Uvarint(uint64_t* v) {
    uint64_t result = 0;
    for (size_t i = 0; i < kMaxVarintBytes; ++i) {
      if (pos_ >= data_.size()) return false;
      const uint8_t b = data_[pos_++];
      if (i == kMaxVarintBytes - 1 && b > 1) return false;
      result |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return false;
  }
  bool Varint(int64_t* v) {
    uint64_t zz;
    if (!Uvarint(&zz)) return false;
    *v = static_cast<int64_t>((zz >> 1) ^ (~(zz & 1) + 1));
    return true;
  }
  bool F64(double* v) {
    if (remaining() < 8) return false;
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) {
      bits |= static_cast<uint64_t>(data_[pos_ + i]) << (8 * i);
    }
    pos_ += 8;
    *v = std::bit_cast<double>(bits);
    return true;
  }
  bool Bytes(uint64_t n, std::span<const uint8_t>* out) {
    if (n > remaining()) return false;
    *out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  size_t remaining() const { return data_.size() - pos_; }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

Status Bad(std::string_view record, std::string what) {
  return DataLossError(std::string(record) + " record: " + what);
}

Status BadEntry(std::string_view record, size_t entry, std::string what) {
  return DataLossError(std::string(record) + " record entry " +
                       std::to_string(entry) + ": " + what);
}

// Reads the type byte and the entry count, checking the type and that the
// count is plausible for the bytes left (each entry takes >= min_entry
// bytes), so a forged count cannot make the decoder reserve gigabytes.
Status ReadHeader(Cursor* c, std::span<const uint8_t> record,
                  HeadRecordType want, std::string_view name, size_t min_entry,
                  uint64_t* count) {
  if (record.empty() || record[0] != static_cast<uint8_t>(want)) {
    return Bad(name, "wrong record type");
  }
  std::span<const uint8_t> type;
  if (!c->Bytes(1, &type)) return Bad(name, "empty");
  if (!c->Uvarint(count)) return Bad(name, "truncated entry count");
  if (*count == 0) return Bad(name, "no entries");
  if (*count > c->remaining() / min_entry) {
    return Bad(name, "entry count " + std::to_string(*count) +
                         " exceeds the record's size");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateSeriesLabels(const Labels& labels) {
  if (labels.empty()) return InvalidArgumentError("series has no labels");
  if (labels.size() > kMaxRecordLabels) {
    return InvalidArgumentError("series has " + std::to_string(labels.size()) +
                                " labels, more than the limit of " +
                                std::to_string(kMaxRecordLabels));
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    const Label& l = labels[i];
    if (!IsValidLabelName(l.name)) {
      return InvalidArgumentError("invalid label name \"" + l.name + "\"");
    }
    if (l.value.empty()) {
      return InvalidArgumentError("label " + l.name + " has an empty value");
    }
    if (l.name.size() > kMaxLabelBytes || l.value.size() > kMaxLabelBytes) {
      return InvalidArgumentError("label " + l.name.substr(0, 64) +
                                  " is longer than " +
                                  std::to_string(kMaxLabelBytes) + " bytes");
    }
    if (i > 0 && !(labels[i - 1].name < l.name)) {
      return InvalidArgumentError("label names not sorted or not unique at \"" +
                                  l.name + "\"");
    }
    if (l.name == kMetricNameLabel && !IsValidMetricName(l.value)) {
      return InvalidArgumentError("invalid metric name \"" + l.value + "\"");
    }
  }
  return Status::Ok();
}

void EncodeSeriesRecord(std::span<const RefSeries> series,
                        std::vector<uint8_t>* out) {
  size_t size = 1 + kMaxVarintBytes;
  for (const RefSeries& s : series) {
    size += 2 * kMaxVarintBytes;
    for (const Label& l : s.labels) {
      size += l.name.size() + l.value.size() + 2 * kMaxVarintBytes;
    }
  }
  out->resize(size);
  uint8_t* p = out->data();
  *p++ = static_cast<uint8_t>(HeadRecordType::kSeries);
  p = PutUvarint(p, series.size());
  for (const RefSeries& s : series) {
    p = PutUvarint(p, s.ref);
    p = PutUvarint(p, s.labels.size());
    for (const Label& l : s.labels) {
      p = PutUvarint(p, l.name.size());
      std::memcpy(p, l.name.data(), l.name.size());
      p += l.name.size();
      p = PutUvarint(p, l.value.size());
      std::memcpy(p, l.value.data(), l.value.size());
      p += l.value.size();
    }
  }
  out->resize(static_cast<size_t>(p - out->data()));
}

void EncodeSamplesRecord(std::span<const RefSample> samples,
                         std::vector<uint8_t>* out) {
  // resize() value-initializes only the growth; a reused buffer costs
  // nothing here in the steady state.
  out->resize(1 + kMaxVarintBytes + samples.size() * (2 * kMaxVarintBytes + 8));
  uint8_t* p = out->data();
  *p++ = static_cast<uint8_t>(HeadRecordType::kSamples);
  p = PutUvarint(p, samples.size());
  uint64_t prev_ref = 0;
  uint64_t prev_t = 0;
  for (const RefSample& s : samples) {
    const uint64_t t = static_cast<uint64_t>(s.t);
    p = PutVarint(p, static_cast<int64_t>(s.ref - prev_ref));
    p = PutVarint(p, static_cast<int64_t>(t - prev_t));
    p = PutF64(p, s.v);
    prev_ref = s.ref;
    prev_t = t;
  }
  out->resize(static_cast<size_t>(p - out->data()));
}

void EncodeChunkRecord(SeriesRef ref, std::span<const uint8_t> chunk,
                       std::vector<uint8_t>* out) {
  out->resize(1 + 2 * kMaxVarintBytes + chunk.size());
  uint8_t* p = out->data();
  *p++ = static_cast<uint8_t>(HeadRecordType::kChunk);
  p = PutUvarint(p, ref);
  p = PutUvarint(p, chunk.size());
  if (!chunk.empty()) std::memcpy(p, chunk.data(), chunk.size());
  p += chunk.size();
  out->resize(static_cast<size_t>(p - out->data()));
}

Result<HeadRecordType> DecodeRecordType(std::span<const uint8_t> record) {
  if (record.empty()) return DataLossError("empty record");
  switch (record[0]) {
    case static_cast<uint8_t>(HeadRecordType::kSeries):
    case static_cast<uint8_t>(HeadRecordType::kSamples):
    case static_cast<uint8_t>(HeadRecordType::kChunk):
      return static_cast<HeadRecordType>(record[0]);
    default:
      return DataLossError("unknown record type " + std::to_string(record[0]));
  }
}

Status DecodeSeriesRecord(std::span<const uint8_t> record,
                          std::vector<RefSeries>* out) {
  out->clear();
  constexpr std::string_view kName = "series";
  Cursor c(record);
  uint64_t count;
  // An entry is at least ref, nlabels and one label of two 1-byte strings.
  RETURN_IF_ERROR(
      ReadHeader(&c, record, HeadRecordType::kSeries, kName, 6, &count));
  out->reserve(count);
  for (size_t i = 0; i < count; ++i) {
    RefSeries s;
    uint64_t nlabels;
    if (!c.Uvarint(&s.ref)) return BadEntry(kName, i, "truncated ref");
    if (s.ref == 0) return BadEntry(kName, i, "ref is 0");
    if (!c.Uvarint(&nlabels)) {
      return BadEntry(kName, i, "truncated label count");
    }
    if (nlabels == 0 || nlabels > kMaxRecordLabels ||
        nlabels > c.remaining() / 4) {
      return BadEntry(kName, i,
                      "implausible label count " + std::to_string(nlabels));
    }
    s.labels.resize(nlabels);
    for (Label& l : s.labels) {
      for (std::string* str : {&l.name, &l.value}) {
        uint64_t len;
        std::span<const uint8_t> bytes;
        if (!c.Uvarint(&len) || len > kMaxLabelBytes || !c.Bytes(len, &bytes)) {
          return BadEntry(kName, i, "truncated or oversized label string");
        }
        str->assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      }
    }
    Status valid = ValidateSeriesLabels(s.labels);
    if (!valid.ok()) return BadEntry(kName, i, valid.message());
    out->push_back(std::move(s));
  }
  if (c.remaining() != 0) {
    return Bad(kName, std::to_string(c.remaining()) + " trailing bytes");
  }
  return Status::Ok();
}

Status DecodeSamplesRecord(std::span<const uint8_t> record,
                           std::vector<RefSample>* out) {
  out->clear();
  constexpr std::string_view kName = "samples";
  Cursor c(record);
  uint64_t count;
  RETURN_IF_ERROR(
      ReadHeader(&c, record, HeadRecordType::kSamples, kName, 10, &count));
  out->resize(count);
  uint64_t ref = 0;
  uint64_t t = 0;
  for (size_t i = 0; i < count; ++i) {
    int64_t dref, dt;
    RefSample& s = (*out)[i];
    if (!c.Varint(&dref) || !c.Varint(&dt) || !c.F64(&s.v)) {
      out->clear();
      return BadEntry(kName, i, "truncated sample");
    }
    ref += static_cast<uint64_t>(dref);
    t += static_cast<uint64_t>(dt);
    if (ref == 0) {
      out->clear();
      return BadEntry(kName, i, "ref is 0");
    }
    s.ref = ref;
    s.t = static_cast<int64_t>(t);
  }
  if (c.remaining() != 0) {
    out->clear();
    return Bad(kName, std::to_string(c.remaining()) + " trailing bytes");
  }
  return Status::Ok();
}

Status DecodeChunkRecord(std::span<const uint8_t> record, RefChunk* out) {
  constexpr std::string_view kName = "chunk";
  *out = RefChunk();
  if (record.empty() ||
      record[0] != static_cast<uint8_t>(HeadRecordType::kChunk)) {
    return Bad(kName, "wrong record type");
  }
  Cursor c(record.subspan(1));
  uint64_t ref, len;
  std::span<const uint8_t> chunk;
  if (!c.Uvarint(&ref)) return Bad(kName, "truncated ref");
  if (ref == 0) return Bad(kName, "ref is 0");
  if (!c.Uvarint(&len) || !c.Bytes(len, &chunk)) {
    return Bad(kName, "truncated chunk");
  }
  if (c.remaining() != 0) {
    return Bad(kName, std::to_string(c.remaining()) + " trailing bytes");
  }
  out->ref = ref;
  out->chunk = chunk;
  return Status::Ok();
}

}  // namespace tend
