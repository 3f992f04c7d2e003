#include "logs/store/token_bloom.h"

#include <array>

namespace tend::logs {
namespace {

// Character class and digit for the key encoding: 0 for a separator,
// 1..36 for [a-z0-9] (either case of a letter maps to the same value).
constexpr std::array<uint8_t, 256> MakeCharTable() {
  std::array<uint8_t, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = static_cast<uint8_t>(c - 'a' + 1);
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = static_cast<uint8_t>(c - 'A' + 1);
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<uint8_t>(c - '0' + 27);
  return t;
}
constexpr std::array<uint8_t, 256> kChar = MakeCharTable();

// Keys: a 4-gram is d0*37^3 + d1*37^2 + d2*37 + d3 with digits 1..36
// (< 37^4 = 1874161); a short token of 1-3 digits is 37^4 plus the same
// base-37 number of its digits (< 37^3). Digits are never 0, so tokens of
// different lengths never collide.
constexpr uint32_t kGramSpace = 37 * 37 * 37 * 37;
constexpr uint32_t kKeySpace = kGramSpace + 37 * 37 * 37;

// Calls emit(key) for each key of the alphanumeric run [b, e) of `s`;
// `bounded` says whether a short run counts (it is a whole token).
template <typename Emit>
void RunKeys(const unsigned char* b, const unsigned char* e, bool bounded,
             Emit&& emit) {
  const size_t n = static_cast<size_t>(e - b);
  if (n >= 4) {
    uint32_t g = kChar[b[0]] * 37 * 37 + kChar[b[1]] * 37 + kChar[b[2]];
    for (size_t i = 3; i < n; ++i) {
      g = (g % (37 * 37 * 37)) * 37 + kChar[b[i]];
      emit(g);
    }
  } else if (bounded) {
    uint32_t v = 0;
    for (size_t i = 0; i < n; ++i) v = v * 37 + kChar[b[i]];
    emit(kGramSpace + v);
  }
}

// Calls f(begin, end, bounded_left, bounded_right) for each maximal run.
template <typename F>
void ForEachRun(std::string_view s, F&& f) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  const auto* start = p;
  while (p < end) {
    while (p < end && kChar[*p] == 0) ++p;
    if (p == end) break;
    const auto* b = p;
    while (p < end && kChar[*p] != 0) ++p;
    f(b, p, b != start, p != end);
  }
}

inline uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

TokenKeySet::TokenKeySet() : seen_((kKeySpace + 63) / 64, 0) {}

void TokenKeySet::Add(uint32_t key) {
  uint64_t& w = seen_[key >> 6];
  const uint64_t bit = uint64_t{1} << (key & 63);
  if ((w & bit) == 0) {
    w |= bit;
    keys_.push_back(key);
  }
}

void TokenKeySet::AddLine(std::string_view line) {
  // In a line every run is a whole token, so short runs always count.
  ForEachRun(
      line, [this](const unsigned char* b, const unsigned char* e, bool, bool) {
        RunKeys(b, e, true, [this](uint32_t k) { Add(k); });
      });
}

void TokenKeySet::Reset() {
  for (uint32_t k : keys_) seen_[k >> 6] = 0;
  keys_.clear();
}

std::vector<uint64_t> BuildBloom(std::span<const uint32_t> keys) {
  const size_t bits = keys.size() * kBloomBitsPerKey;
  std::vector<uint64_t> words(bits == 0 ? 1 : (bits + 63) / 64, 0);
  const uint64_t m = words.size() * 64;
  for (uint32_t k : keys) {
    const uint64_t h = Mix(k);
    const uint64_t h1 = h & 0xffffffff, h2 = (h >> 32) | 1;
    for (int i = 0; i < kBloomHashes; ++i) {
      const uint64_t pos = (h1 + i * h2) % m;
      words[pos >> 6] |= uint64_t{1} << (pos & 63);
    }
  }
  return words;
}

std::vector<uint32_t> RequiredKeys(std::string_view filter) {
  std::vector<uint32_t> out;
  ForEachRun(filter, [&out](const unsigned char* b, const unsigned char* e,
                            bool left, bool right) {
    RunKeys(b, e, left && right, [&out](uint32_t k) { out.push_back(k); });
  });
  return out;
}

bool BloomMayContainAll(std::span<const uint64_t> bloom,
                        std::span<const uint32_t> required) {
  if (bloom.empty()) return true;
  const uint64_t m = bloom.size() * 64;
  for (uint32_t k : required) {
    const uint64_t h = Mix(k);
    const uint64_t h1 = h & 0xffffffff, h2 = (h >> 32) | 1;
    for (int i = 0; i < kBloomHashes; ++i) {
      const uint64_t pos = (h1 + i * h2) % m;
      if ((bloom[pos >> 6] & (uint64_t{1} << (pos & 63))) == 0) return false;
    }
  }
  return true;
}

}  // namespace tend::logs
