// NeedleFilter: the cheap pre-check in front of redaction regexes. It finds,
// in one pass over a line, which groups of literal needles occur in it, so
// that a regex runs only on lines that could match it.
//
// How: a 64 Ki-bit table of the first two bytes of every needle (all case
// variants for case-insensitive ones) rejects almost every position with one
// load; only positions whose two bytes begin some needle compare the needle.
// Needles of one byte use memchr. Immutable after building: Scan is const
// and thread-safe.
#ifndef TEND_LOGS_PROCESS_NEEDLE_FILTER_H_
#define TEND_LOGS_PROCESS_NEEDLE_FILTER_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tend::logs {

class NeedleFilter {
 public:
  NeedleFilter();

  // Adds `needle` (non-empty) to group `group` (0..63). With `fold`, ASCII
  // letters match in either case.
  void Add(std::string_view needle, bool fold, int group);

  // The set of groups (bit g for group g) with at least one needle in
  // `text`. Stops early once every group that has needles is found.
  uint64_t Scan(std::string_view text) const;

 private:
  struct Needle {
    std::string text;  // Lower-cased when fold.
    bool fold = false;
    int group = 0;
  };
  static uint32_t PairKey(unsigned char a, unsigned char b) {
    return static_cast<uint32_t>(a) | (static_cast<uint32_t>(b) << 8);
  }
  void MarkPair(unsigned char a, unsigned char b);

  std::vector<uint64_t> pairs_;  // 65536 bits.
  // Needles of two or more bytes, by (case-folded) first byte.
  std::array<std::vector<uint16_t>, 256> by_first_;
  std::vector<Needle> needles_;
  std::vector<Needle> single_;  // One-byte needles.
  uint64_t all_groups_ = 0;
};

}  // namespace tend::logs

#endif  // TEND_LOGS_PROCESS_NEEDLE_FILTER_H_
