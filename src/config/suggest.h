// "Did you mean ...?" for misspelt keys and values.
#ifndef TEND_CONFIG_SUGGEST_H_
#define TEND_CONFIG_SUGGEST_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tend {

// Damerau-Levenshtein distance (optimal string alignment: insertions,
// deletions, substitutions and transpositions of adjacent characters, each
// costing 1), on bytes. O(|a|*|b|) time and O(|b|) extra space.
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word` (compared case-insensitively), or "" when
// none is close enough to be a plausible typo: the distance must be at most
// max(1, (longer length + 2) / 4), so "intervall" suggests "interval" but
// "speed" suggests nothing. Ties go to the earlier candidate. Words longer
// than 64 bytes never get a suggestion (bounds the cost on hostile input).
std::string SuggestClosest(std::string_view word,
                           const std::vector<std::string>& candidates);

}  // namespace tend

#endif  // TEND_CONFIG_SUGGEST_H_
