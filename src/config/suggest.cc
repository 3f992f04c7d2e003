#include "config/suggest.h"

#include <algorithm>
#include <cctype>

namespace tend {
namespace {

constexpr size_t kMaxWordLength = 64;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

size_t EditDistance(std::string_view a, std::string_view b) {
  // Three rolling rows: the transposition case looks two rows back.
  std::vector<size_t> two_back(b.size() + 1), prev(b.size() + 1),
      cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t best = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        best = std::min(best, two_back[j - 2] + 1);
      }
      cur[j] = best;
    }
    std::swap(two_back, prev);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string SuggestClosest(std::string_view word,
                           const std::vector<std::string>& candidates) {
  if (word.empty() || word.size() > kMaxWordLength) return "";
  std::string lower_word = Lower(word);
  const std::string* best = nullptr;
  size_t best_distance = 0;
  for (const std::string& candidate : candidates) {
    if (candidate.size() > kMaxWordLength) continue;
    size_t d = EditDistance(lower_word, Lower(candidate));
    size_t longer = std::max(word.size(), candidate.size());
    size_t threshold = std::max<size_t>(1, (longer + 2) / 4);
    if (d > threshold) continue;
    if (best == nullptr || d < best_distance) {
      best = &candidate;
      best_distance = d;
    }
  }
  return best == nullptr ? "" : *best;
}

}  // namespace tend
