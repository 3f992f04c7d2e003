#include "logs/process/needle_filter.h"

#include <cstring>

namespace tend::logs {
namespace {

unsigned char Lower(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c + 32) : c;
}
unsigned char Upper(unsigned char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<unsigned char>(c - 32) : c;
}

}  // namespace

NeedleFilter::NeedleFilter() : pairs_(65536 / 64, 0) {}

void NeedleFilter::MarkPair(unsigned char a, unsigned char b) {
  uint32_t key = PairKey(a, b);
  pairs_[key >> 6] |= uint64_t{1} << (key & 63);
}

void NeedleFilter::Add(std::string_view needle, bool fold, int group) {
  if (needle.empty() || group < 0 || group > 63) return;
  all_groups_ |= uint64_t{1} << group;
  Needle n;
  n.fold = fold;
  n.group = group;
  n.text.assign(needle);
  if (fold) {
    for (char& c : n.text) c = static_cast<char>(Lower(c));
  }
  if (needle.size() == 1) {
    single_.push_back(std::move(n));
    return;
  }
  auto a = static_cast<unsigned char>(n.text[0]);
  auto b = static_cast<unsigned char>(n.text[1]);
  if (fold) {
    for (unsigned char x : {Lower(a), Upper(a)}) {
      for (unsigned char y : {Lower(b), Upper(b)}) MarkPair(x, y);
    }
    by_first_[Upper(a)].push_back(static_cast<uint16_t>(needles_.size()));
    if (Upper(a) != Lower(a)) {
      by_first_[Lower(a)].push_back(static_cast<uint16_t>(needles_.size()));
    }
  } else {
    MarkPair(a, b);
    by_first_[a].push_back(static_cast<uint16_t>(needles_.size()));
  }
  needles_.push_back(std::move(n));
}

uint64_t NeedleFilter::Scan(std::string_view text) const {
  uint64_t found = 0;
  for (const Needle& n : single_) {
    if ((found >> n.group) & 1) continue;
    if (std::memchr(text.data(), n.text[0], text.size()) != nullptr) {
      found |= uint64_t{1} << n.group;
    }
  }
  if (found == all_groups_ || needles_.empty() || text.size() < 2) {
    return found;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  for (size_t i = 0; i + 1 < n; ++i) {
    uint32_t key = PairKey(p[i], p[i + 1]);
    if (((pairs_[key >> 6] >> (key & 63)) & 1) == 0) continue;
    for (uint16_t idx : by_first_[p[i]]) {
      const Needle& nd = needles_[idx];
      if ((found >> nd.group) & 1) continue;
      const size_t len = nd.text.size();
      if (len > n - i) continue;
      bool match = true;
      if (nd.fold) {
        for (size_t k = 0; k < len; ++k) {
          if (Lower(p[i + k]) != static_cast<unsigned char>(nd.text[k])) {
            match = false;
            break;
          }
        }
      } else {
        match = std::memcmp(p + i, nd.text.data(), len) == 0;
      }
      if (match) {
        found |= uint64_t{1} << nd.group;
        if (found == all_groups_) return found;
      }
    }
  }
  return found;
}

}  // namespace tend::logs
