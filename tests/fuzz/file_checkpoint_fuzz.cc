// Fuzz target: the file source checkpoint decoder
// (src/logs/sources/file_checkpoint.h).
//
// Arbitrary bytes must decode or fail with kDataLoss, never crash, hang or
// exhaust memory. A checkpoint that decodes must encode to text that
// decodes to the same value (encoding is a faithful serialization).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "logs/sources/file_checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto decoded = tend::logs::DecodeFileCheckpoint(text);
  if (!decoded.ok()) {
    if (decoded.status().code() != tend::StatusCode::kDataLoss) {
      __builtin_trap();
    }
    return 0;
  }
  const std::string encoded = tend::logs::EncodeFileCheckpoint(*decoded);
  auto again = tend::logs::DecodeFileCheckpoint(encoded);
  if (!again.ok() || !(*again == *decoded)) __builtin_trap();
  if (tend::logs::EncodeFileCheckpoint(*again) != encoded) __builtin_trap();
  return 0;
}
