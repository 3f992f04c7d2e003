// The per-block token index of the log store: a Bloom filter over the
// n-grams of a block's lines, so a search for a literal substring skips
// blocks that cannot contain it (docs/formats/log-store.md, "Token index").
//
// The token rule. A line is lowercased (ASCII only) and cut into tokens:
// maximal runs of [a-z0-9]; every other byte, including every byte >= 0x80,
// separates tokens. A token of 4 or more bytes contributes each of its
// 4-byte substrings (4-grams); a shorter token contributes itself as a
// "short token" key.
//
// Which filters may use it (MayContain). For a filter string f, lowercased
// the same way, each maximal alphanumeric run r of f is a substring of one
// token of any line that contains f, so:
//   - a run of >= 4 bytes requires every 4-gram of r;
//   - a run of 1-3 bytes bounded on both sides *inside f* by a separator is
//     a whole line token, so it requires its short-token key;
//   - a short run at either end of f may be part of a longer line token and
//     requires nothing.
// A block is ruled out only when a required key is absent. The answer is
// therefore safe for byte-exact matching and for ASCII case-insensitive
// matching. It is NOT safe for Unicode case folding: RE2's (?i) also folds
// 'k' with U+212A and 's' with U+017F, so a caller must not pass literals
// containing k or s from a (?i) regex unless it accepts that risk.
#ifndef TEND_LOGS_STORE_TOKEN_BLOOM_H_
#define TEND_LOGS_STORE_TOKEN_BLOOM_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace tend::logs {

inline constexpr int kBloomBitsPerKey = 10;
inline constexpr int kBloomHashes = 7;

// Collects the distinct keys of the lines of one block. Reusable: Reset()
// keeps the 216 KiB dedupe bitmap allocated. Not thread-safe.
class TokenKeySet {
 public:
  TokenKeySet();
  void AddLine(std::string_view line);
  // Distinct keys added since the last Reset, in first-seen order.
  const std::vector<uint32_t>& keys() const { return keys_; }
  void Reset();

 private:
  void Add(uint32_t key);
  std::vector<uint64_t> seen_;  // One bit per possible key.
  std::vector<uint32_t> keys_;
};

// Builds the filter words for `keys`: max(1, ceil(n*10/64)) 64-bit words
// with 7 probes per key.
std::vector<uint64_t> BuildBloom(std::span<const uint32_t> keys);

// The keys a block must hold to possibly contain `filter` (rule above).
// Empty: the filter cannot use the index.
std::vector<uint32_t> RequiredKeys(std::string_view filter);

// False when `bloom` proves that a block lacks one of `required` (the block
// cannot contain the filter). An empty bloom (no index) answers true.
bool BloomMayContainAll(std::span<const uint64_t> bloom,
                        std::span<const uint32_t> required);

}  // namespace tend::logs

#endif  // TEND_LOGS_STORE_TOKEN_BLOOM_H_
