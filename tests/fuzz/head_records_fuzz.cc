// Fuzz target: the head's WAL records (src/tsdb/head_records.h) replayed
// into a head (src/tsdb/head_replay.h).
//
// The input is a sequence of records, each a 2-byte little-endian length
// and that many bytes (a short final piece is taken as is). Every record is
// applied to one in-memory head. Required:
// - Apply never crashes; a failure is kDataLoss with a message.
// - A record that decodes re-encodes to a record that decodes to the same
//   entries (bit-exact values).
// - Afterwards every series reads back with strictly increasing timestamps
//   and the head's stats agree with what the queries return.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "tsdb/head.h"
#include "tsdb/head_records.h"
#include "tsdb/head_replay.h"

namespace {

void CheckReencode(std::span<const uint8_t> record) {
  auto type = tend::DecodeRecordType(record);
  if (!type.ok()) return;
  std::vector<uint8_t> buf;
  if (*type == tend::HeadRecordType::kSeries) {
    std::vector<tend::RefSeries> a, b;
    if (!tend::DecodeSeriesRecord(record, &a).ok()) return;
    tend::EncodeSeriesRecord(a, &buf);
    if (!tend::DecodeSeriesRecord(buf, &b).ok() || a.size() != b.size()) {
      __builtin_trap();
    }
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i].ref != b[i].ref || a[i].labels != b[i].labels) __builtin_trap();
    }
  } else if (*type == tend::HeadRecordType::kSamples) {
    std::vector<tend::RefSample> a, b;
    if (!tend::DecodeSamplesRecord(record, &a).ok()) return;
    tend::EncodeSamplesRecord(a, &buf);
    if (!tend::DecodeSamplesRecord(buf, &b).ok() || a.size() != b.size()) {
      __builtin_trap();
    }
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i].ref != b[i].ref || a[i].t != b[i].t ||
          std::bit_cast<uint64_t>(a[i].v) != std::bit_cast<uint64_t>(b[i].v)) {
        __builtin_trap();
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tend::HeadOptions options;
  options.max_series = 1000;  // Bounds memory on forged series records.
  options.samples_per_chunk = 8;
  auto head_or = tend::Head::Open(options);
  if (!head_or.ok()) __builtin_trap();
  std::unique_ptr<tend::Head> head = std::move(head_or).value();
  tend::HeadReplayer replayer(head.get());
  std::span<const uint8_t> in(data, size);
  while (!in.empty()) {
    size_t len = in.size();
    if (in.size() >= 2) {
      len = std::min<size_t>(in[0] | (size_t{in[1]} << 8), in.size() - 2);
      in = in.subspan(2);
    }
    std::span<const uint8_t> record = in.first(len);
    in = in.subspan(len);
    tend::Status st = replayer.Apply(record);
    if (!st.ok() &&
        (st.code() != tend::StatusCode::kDataLoss || st.message().empty())) {
      __builtin_trap();
    }
    CheckReencode(record);
  }
  auto q = head->NewQuerier(std::numeric_limits<int64_t>::min(),
                            std::numeric_limits<int64_t>::max());
  if (!q.ok()) __builtin_trap();
  auto set = (*q)->Select(std::numeric_limits<int64_t>::min(),
                          std::numeric_limits<int64_t>::max(), {});
  size_t series = 0, samples = 0;
  std::vector<tend::Point> points;
  while (set->Next()) {
    ++series;
    points.clear();
    if (!set->ReadPoints(std::numeric_limits<int64_t>::min(),
                         std::numeric_limits<int64_t>::max(), &points)
             .ok()) {
      __builtin_trap();
    }
    if (points.empty()) __builtin_trap();
    for (size_t i = 1; i < points.size(); ++i) {
      if (points[i].t <= points[i - 1].t) __builtin_trap();
    }
    samples += points.size();
  }
  const tend::HeadStats stats = head->stats();
  if (stats.num_samples != samples || stats.num_series < series ||
      stats.num_series > options.max_series) {
    __builtin_trap();
  }
  return 0;
}
