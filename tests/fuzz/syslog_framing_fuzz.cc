// Fuzz target: the syslog TCP framing decoder
// (src/logs/sources/syslog_framing.h).
//
// The first input byte picks the maximum message size (1..256) and the
// piece size; the rest is the stream. Arbitrary bytes must never crash or
// hang the decoder, and:
//  - no frame is longer than the maximum, and a cut frame says truncated;
//  - the buffer stays bounded (maximum + count header + one piece) while
//    frames are taken as they complete;
//  - the frames do not depend on how the stream was split: feeding it whole
//    and in pieces gives the same frames;
//  - after Finish() nothing is left buffered.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "logs/sources/syslog_framing.h"

namespace {

struct Frame {
  std::string message;
  bool truncated;
  std::string error;
  bool operator==(const Frame&) const = default;
};

std::vector<Frame> Decode(std::string_view input, size_t piece, size_t max) {
  tend::logs::SyslogFrameDecoder d(max);
  std::vector<Frame> out;
  tend::logs::SyslogFrame f;
  auto take = [&] {
    if (f.message.size() > max) __builtin_trap();
    out.push_back({std::string(f.message), f.truncated, std::string(f.error)});
  };
  for (size_t i = 0; i < input.size(); i += piece) {
    const std::string_view part = input.substr(i, piece);
    d.Feed(part);
    while (d.Next(&f)) take();
    // Count header: up to 10 digits and a space.
    if (d.buffered() > max + 11 + piece) __builtin_trap();
  }
  if (d.Finish(&f)) take();
  if (d.buffered() != 0) __builtin_trap();
  if (d.Next(&f)) __builtin_trap();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t max = 1 + data[0];
  const size_t piece = 1 + (data[0] % 13);
  const std::string_view input(reinterpret_cast<const char*>(data) + 1,
                               size - 1);
  const std::vector<Frame> whole = Decode(input, input.size() + 1, max);
  if (Decode(input, piece, max) != whole) __builtin_trap();
  return 0;
}
