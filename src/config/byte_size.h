// Byte sizes as operators write them in configuration: "512MB", "10GiB",
// "1.5G", "0". Decimal units (kB, MB, GB, TB; k/M/G/T alone too) are powers
// of 1000, binary units (KiB, MiB, GiB, TiB) powers of 1024; "B" or no unit
// is bytes.
#ifndef TEND_CONFIG_BYTE_SIZE_H_
#define TEND_CONFIG_BYTE_SIZE_H_

#include <cstdint>
#include <string_view>

#include "base/status.h"

namespace tend {

// kInvalidArgument naming the text and the units accepted.
Result<uint64_t> ParseByteSize(std::string_view text);

// ParseByteSize as a configuration validator: OK or its error.
Status ValidateByteSize(std::string_view text);

}  // namespace tend

#endif  // TEND_CONFIG_BYTE_SIZE_H_
