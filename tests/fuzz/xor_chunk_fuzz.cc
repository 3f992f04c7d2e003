// Fuzz target: XOR chunks (src/tsdb/xor_chunk.h).
//
// 1. The input, taken as an encoded chunk, must iterate to its end or to a
//    kDataLoss error with a message, never crash or read out of bounds, and
//    never yield more samples than its header counts or timestamps that do
//    not increase.
// 2. The input, taken as a list of samples (16 bytes each: a timestamp step
//    and raw value bits), must encode and decode back bit-exactly; appends
//    whose timestamp does not increase must be rejected without changing
//    the chunk.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <utility>
#include <vector>

#include "tsdb/xor_chunk.h"

namespace {

uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

void IterateAsChunk(std::span<const uint8_t> data) {
  tend::XorIterator it(data);
  size_t n = 0;
  int64_t last = 0;
  while (it.Next()) {
    if (n > 0 && it.t() <= last) __builtin_trap();
    last = it.t();
    ++n;
  }
  if (n > it.num_samples()) __builtin_trap();
  if (!it.status().ok()) {
    if (it.status().code() != tend::StatusCode::kDataLoss) __builtin_trap();
    if (it.status().message().empty()) __builtin_trap();
  } else if (n != it.num_samples()) {
    __builtin_trap();
  }
}

void RoundTrip(std::span<const uint8_t> data) {
  tend::XorChunk chunk;
  std::vector<std::pair<int64_t, uint64_t>> want;
  int64_t t = 0;
  for (size_t off = 0; off + 16 <= data.size(); off += 16) {
    uint64_t step = Load64(data.data() + off);
    uint64_t vbits = Load64(data.data() + off + 8);
    // The step's top two bits pick its size so small regular steps (the common
    // case), huge ones and backwards ones are all reached.
    switch (step >> 62) {
      case 0:
        step &= 0xffff;
        break;
      case 1:
        step &= 0xffff'ffff;
        break;
      default:
        break;  // Any 64-bit step: may wrap, may go backwards.
    }
    const int64_t next = static_cast<int64_t>(static_cast<uint64_t>(t) + step);
    const std::vector<uint8_t> before = chunk.bytes();
    tend::Status st = chunk.Append(next, std::bit_cast<double>(vbits));
    if (st.ok()) {
      if (!want.empty() && next <= want.back().first) __builtin_trap();
      want.emplace_back(next, vbits);
      t = next;
    } else {
      if (want.empty() || next > want.back().first) __builtin_trap();
      if (chunk.bytes() != before) __builtin_trap();
    }
  }
  if (chunk.num_samples() != want.size()) __builtin_trap();
  tend::XorIterator it(chunk.bytes());
  size_t i = 0;
  while (it.Next()) {
    if (i >= want.size()) __builtin_trap();
    if (it.t() != want[i].first) __builtin_trap();
    if (std::bit_cast<uint64_t>(it.v()) != want[i].second) __builtin_trap();
    ++i;
  }
  if (!it.status().ok() || i != want.size()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  IterateAsChunk(input);
  RoundTrip(input);
  return 0;
}
