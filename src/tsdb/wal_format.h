// Internal to the WAL (wal_writer.cc, wal_reader.cc, wal_repair.cc): the
// constants and helpers of the on-disk layout in docs/formats/wal.md.
#ifndef TEND_TSDB_WAL_FORMAT_H_
#define TEND_TSDB_WAL_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/crc32c.h"
#include "base/file_util.h"
#include "base/status.h"

namespace tend::wal_internal {

inline constexpr size_t kPageSize = 32 * 1024;
inline constexpr size_t kSegmentHeaderSize = 8;
inline constexpr uint8_t kMagic[4] = {0x74, 0x57, 0x41, 0x4c};  // "tWAL"
inline constexpr uint8_t kVersion = 1;
inline constexpr size_t kFrameHeaderSize = 7;
// A frame starts only where at least this many bytes are left in the page.
inline constexpr size_t kMinFrameRoom = kFrameHeaderSize + 1;
inline constexpr int kMaxSegment = 99'999'999;  // 8 digits.

enum FrameType : uint8_t {
  kFull = 1,
  kFirst = 2,
  kMiddle = 3,
  kLast = 4,
};

// "dir/00000042".
std::string SegmentPath(const std::string& dir, int segment);
// The segment number of an 8-digit name, or -1 for any other name.
int ParseSegmentName(std::string_view name);

// The CRC stored in a frame: over the type byte and the two length bytes,
// then the payload.
inline uint32_t FrameCrc(const uint8_t* header3,
                         std::span<const uint8_t> payload) {
  return Crc32cExtend(Crc32c({header3, 3}), payload);
}

inline void StoreLe16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
inline void StoreLe32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline uint16_t LoadLe16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}
inline uint32_t LoadLe32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}

}  // namespace tend::wal_internal

#endif  // TEND_TSDB_WAL_FORMAT_H_
