// Fuzz target: block index files (src/tsdb/block_index.h).
//
// The input is opened as an index. Opening must succeed or fail with a
// kDataLoss message, never crash or read out of bounds; when it succeeds,
// every series entry, every label table and postings list (through Select
// with matchers of each type) and the time tables must be readable to the
// end or to a kDataLoss error.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "tsdb/block_index.h"

namespace {

void CheckStatus(const tend::Status& st) {
  if (st.ok()) return;
  if (st.code() != tend::StatusCode::kDataLoss) __builtin_trap();
  if (st.message().empty()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r =
      tend::IndexReader::Open(std::span<const uint8_t>(data, size), "index");
  if (!r.ok()) {
    CheckStatus(r.status());
    return 0;
  }
  const tend::IndexReader& idx = **r;
  tend::Labels labels;
  tend::ChunkGroupRef ref;
  std::vector<tend::ChunkMeta> chunks;
  for (uint32_t id = 0; id < idx.num_series() && id < 10000; ++id) {
    tend::Status st = idx.ReadSeries(id, 0, &labels, &ref, &chunks);
    CheckStatus(st);
    if (st.ok() && chunks.empty()) __builtin_trap();
  }
  std::vector<uint32_t> ids;
  CheckStatus(idx.Select({}, &ids));
  if (ids.size() != idx.num_series()) __builtin_trap();
  for (const std::string& name : idx.LabelNames()) {
    const auto values = idx.LabelValues(name);
    if (values.empty()) __builtin_trap();
    using T = tend::LabelMatcher::Type;
    for (T t : {T::kEqual, T::kNotEqual, T::kRegexMatch, T::kRegexNoMatch}) {
      auto m = tend::LabelMatcher::Create(t, name, values.front());
      if (!m.ok()) continue;  // The value may not be a valid regex.
      tend::Status st = idx.Select({*m}, &ids);
      CheckStatus(st);
      if (st.ok()) {
        for (size_t i = 0; i < ids.size(); ++i) {
          if (ids[i] >= idx.num_series()) __builtin_trap();
          if (i > 0 && ids[i] <= ids[i - 1]) __builtin_trap();
        }
      }
    }
  }
  return 0;
}
