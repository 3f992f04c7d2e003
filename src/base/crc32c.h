// CRC-32C (Castagnoli): reflected polynomial 0x82F63B78, initial value and
// final XOR 0xFFFFFFFF; the checksum of iSCSI (RFC 3720), ext4 and the WAL
// (docs/formats/wal.md). Crc32c("123456789") == 0xE3069283.
//
// Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at
// run time; the binary does not require SSE4.2), a slicing-by-8 table
// otherwise. Thread-safe; no allocation.
#ifndef TEND_BASE_CRC32C_H_
#define TEND_BASE_CRC32C_H_

#include <cstdint>
#include <span>

namespace tend {

// Continues a checksum: Crc32cExtend(Crc32c(a), b) == Crc32c(a followed by
// b). Crc32cExtend(0, data) == Crc32c(data).
uint32_t Crc32cExtend(uint32_t crc, std::span<const uint8_t> data);

inline uint32_t Crc32c(std::span<const uint8_t> data) {
  return Crc32cExtend(0, data);
}

// The two implementations, for tests and benchmarks. Crc32cExtendHardware
// may only be called when Crc32cHardwareAvailable() is true.
uint32_t Crc32cExtendPortable(uint32_t crc, std::span<const uint8_t> data);
uint32_t Crc32cExtendHardware(uint32_t crc, std::span<const uint8_t> data);
bool Crc32cHardwareAvailable();

}  // namespace tend

#endif  // TEND_BASE_CRC32C_H_
