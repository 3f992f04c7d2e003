// Fuzz target: the parser of tar's verbose listing (src/automate/backup),
// which reads what a target's tar printed. Arbitrary bytes must parse or
// fail with kInvalidArgument, never crash; an entry's path is never empty.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "automate/backup/tar_listing.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto entries = tend::automate::backup::ParseTarListing(text);
  if (!entries.ok()) {
    if (entries.status().code() != tend::StatusCode::kInvalidArgument) {
      __builtin_trap();
    }
    return 0;
  }
  for (const auto& e : *entries) {
    if (e.path.empty()) __builtin_trap();
  }
  (void)tend::automate::backup::UnquoteC(text);
  return 0;
}
