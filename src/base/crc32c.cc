#include "base/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace tend {
namespace {

constexpr uint32_t kPoly = 0x82F63B78;  // Reflected 0x1EDC6F41.

// kTables[0] is the classic byte-at-a-time table; kTables[k][b] is the CRC
// contribution of byte b followed by k zero bytes, which lets the portable
// path fold 8 bytes per step (slicing-by-8).
constexpr std::array<std::array<uint32_t, 256>, 8> MakeTables() {
  std::array<std::array<uint32_t, 256>, 8> t{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t c = b;
    for (int i = 0; i < 8; ++i) c = (c >> 1) ^ ((c & 1) ? kPoly : 0);
    t[0][b] = c;
  }
  for (int k = 1; k < 8; ++k) {
    for (uint32_t b = 0; b < 256; ++b) {
      const uint32_t prev = t[k - 1][b];
      t[k][b] = (prev >> 8) ^ t[0][prev & 0xff];
    }
  }
  return t;
}

constexpr auto kTables = MakeTables();

uint64_t LoadLe64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

// Both paths work on the register value (not inverted at the ends).
uint32_t PortableRaw(uint32_t c, const uint8_t* p, size_t n) {
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    c = (c >> 8) ^ kTables[0][(c ^ *p++) & 0xff];
    --n;
  }
  while (n >= 8) {
    const uint64_t x = LoadLe64(p) ^ c;
    c = kTables[7][x & 0xff] ^ kTables[6][(x >> 8) & 0xff] ^
        kTables[5][(x >> 16) & 0xff] ^ kTables[4][(x >> 24) & 0xff] ^
        kTables[3][(x >> 32) & 0xff] ^ kTables[2][(x >> 40) & 0xff] ^
        kTables[1][(x >> 48) & 0xff] ^ kTables[0][x >> 56];
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    c = (c >> 8) ^ kTables[0][(c ^ *p++) & 0xff];
    --n;
  }
  return c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t HardwareRaw(uint32_t c,
                                                       const uint8_t* p,
                                                       size_t n) {
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    c = _mm_crc32_u8(c, *p++);
    --n;
  }
  uint64_t c64 = c;
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, sizeof v);
    c64 = _mm_crc32_u64(c64, v);
    p += 8;
    n -= 8;
  }
  c = static_cast<uint32_t>(c64);
  while (n > 0) {
    c = _mm_crc32_u8(c, *p++);
    --n;
  }
  return c;
}
#endif

using RawFn = uint32_t (*)(uint32_t, const uint8_t*, size_t);

RawFn ChooseRaw() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("sse4.2")) return HardwareRaw;
#endif
  return PortableRaw;
}

}  // namespace

bool Crc32cHardwareAvailable() {
#if defined(__x86_64__)
  return __builtin_cpu_supports("sse4.2");
#else
  return false;
#endif
}

uint32_t Crc32cExtendPortable(uint32_t crc, std::span<const uint8_t> data) {
  return ~PortableRaw(~crc, data.data(), data.size());
}

uint32_t Crc32cExtendHardware(uint32_t crc, std::span<const uint8_t> data) {
#if defined(__x86_64__)
  return ~HardwareRaw(~crc, data.data(), data.size());
#else
  return Crc32cExtendPortable(crc, data);
#endif
}

uint32_t Crc32cExtend(uint32_t crc, std::span<const uint8_t> data) {
  // Chosen once; a function-local static is initialised thread-safely.
  static const RawFn raw = ChooseRaw();
  return ~raw(~crc, data.data(), data.size());
}

}  // namespace tend
