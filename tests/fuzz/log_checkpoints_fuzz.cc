// Fuzz target: the log pipeline's checkpoint decoder
// (src/logs/pipeline/checkpoints.h) and the Loki API's time and duration
// parameters (src/api/loki_api.h), the two pieces of outside input the
// pipeline and the Loki API read besides queries.
//
// A checkpoint decodes or fails with kDataLoss, never crashes; what decodes
// encodes back to bytes that decode to the same map. Time and step
// parameters parse or fail with kInvalidArgument.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/loki_api.h"
#include "logs/pipeline/checkpoints.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto cps = tend::logs::DecodeCheckpoints(in);
  if (!cps.ok()) {
    if (cps.status().code() != tend::StatusCode::kDataLoss) __builtin_trap();
  } else {
    auto again =
        tend::logs::DecodeCheckpoints(tend::logs::EncodeCheckpoints(*cps));
    if (!again.ok() || *again != *cps) __builtin_trap();
  }
  auto t = tend::ParseLokiTime(in, 0);
  if (!t.ok() && t.status().code() != tend::StatusCode::kInvalidArgument) {
    __builtin_trap();
  }
  auto d = tend::ParseLokiDuration(in);
  if (!d.ok() && d.status().code() != tend::StatusCode::kInvalidArgument) {
    __builtin_trap();
  }
  if (d.ok() && *d <= 0) __builtin_trap();
  return 0;
}
