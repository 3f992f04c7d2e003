#include "metrics/metric.h"

#include <algorithm>
#include <functional>
#include <iterator>
#include <utility>

namespace tend {

std::string_view MetricTypeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kUntyped:
      return "untyped";
  }
  return "untyped";
}

size_t MetricSet::HashName(std::string_view name) {
  return std::hash<std::string_view>()(name);
}

ptrdiff_t MetricSet::Lookup(std::string_view name, size_t hash,
                            size_t* slot) const {
  const size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  while (slots_[i] != 0) {
    const size_t pos = slots_[i] - 1;
    if (hashes_[pos] == hash && families_[pos].name == name) {
      *slot = i;
      return static_cast<ptrdiff_t>(pos);
    }
    i = (i + 1) & mask;
  }
  *slot = i;
  return -1;
}

void MetricSet::Rehash(size_t families) {
  size_t size = 16;
  while (size < 2 * families) size *= 2;
  if (size <= slots_.size()) return;
  slots_.assign(size, 0);
  Reindex();
}

void MetricSet::Reindex() {
  std::fill(slots_.begin(), slots_.end(), 0);
  const size_t mask = slots_.size() - 1;
  for (size_t pos = 0; pos < hashes_.size(); ++pos) {
    size_t i = hashes_[pos] & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = static_cast<uint32_t>(pos + 1);
  }
}

MetricFamily* MetricSet::Append(size_t hash, size_t slot) {
  slots_[slot] = static_cast<uint32_t>(families_.size() + 1);
  hashes_.push_back(hash);
  return &families_.emplace_back();
}

void MetricSet::Reserve(size_t families) {
  families_.reserve(families);
  hashes_.reserve(families);
  if (2 * families > slots_.size()) Rehash(families);
}

void MetricSet::Grow(size_t families) {
  if (families > families_.capacity()) {
    // Geometric, so that many small merges stay linear overall.
    Reserve(std::max(families, 2 * families_.capacity()));
  } else if (2 * families > slots_.size()) {
    Rehash(families);
  }
}

MetricFamily* MetricSet::Family(std::string_view name, MetricType type,
                                std::string_view help) {
  // Grow before probing so the probe's slot stays valid for the insert.
  if (2 * (families_.size() + 1) > slots_.size()) {
    Rehash(families_.size() + 1);
  }
  const size_t hash = HashName(name);
  size_t slot;
  ptrdiff_t pos = Lookup(name, hash, &slot);
  if (pos >= 0) return &families_[static_cast<size_t>(pos)];
  MetricFamily* f = Append(hash, slot);
  f->name.assign(name);
  f->help.assign(help);
  f->type = type;
  return f;
}

void MetricSet::Merge(MetricSet&& other) {
  if (&other == this) return;
  if (families_.empty()) {
    // Take `other` whole; it gets this set's (empty) storage.
    families_.swap(other.families_);
    hashes_.swap(other.hashes_);
    slots_.swap(other.slots_);
    return;
  }
  Grow(families_.size() + other.families_.size());
  for (size_t j = 0; j < other.families_.size(); ++j) {
    MetricFamily& f = other.families_[j];
    size_t slot;
    ptrdiff_t pos = Lookup(f.name, other.hashes_[j], &slot);
    if (pos < 0) {
      *Append(other.hashes_[j], slot) = std::move(f);
      continue;
    }
    std::vector<Sample>& dst = families_[static_cast<size_t>(pos)].samples;
    if (dst.empty()) {
      dst = std::move(f.samples);
    } else {
      dst.insert(dst.end(), std::make_move_iterator(f.samples.begin()),
                 std::make_move_iterator(f.samples.end()));
    }
  }
  other.families_.clear();
  other.hashes_.clear();
  other.slots_.clear();
}

void MetricSet::MergeCopy(const MetricSet& other) {
  if (&other == this) {
    // Appending a set to itself doubles every family's samples.
    for (MetricFamily& f : families_) {
      const size_t n = f.samples.size();
      f.samples.reserve(2 * n);
      for (size_t i = 0; i < n; ++i) f.samples.push_back(f.samples[i]);
    }
    return;
  }
  Grow(families_.size() + other.families_.size());
  for (size_t j = 0; j < other.families_.size(); ++j) {
    const MetricFamily& f = other.families_[j];
    size_t slot;
    ptrdiff_t pos = Lookup(f.name, other.hashes_[j], &slot);
    if (pos < 0) {
      *Append(other.hashes_[j], slot) = f;
      continue;
    }
    std::vector<Sample>& dst = families_[static_cast<size_t>(pos)].samples;
    dst.insert(dst.end(), f.samples.begin(), f.samples.end());
  }
}

namespace {

// Bytes [offset, offset + 8) of `s` as a big-endian number, zero-padded, so
// comparing keys compares those bytes as unsigned chars (as std::string
// does).
uint64_t NameKey(std::string_view s, size_t offset) {
  uint64_t key = 0;
  if (s.size() >= offset + 8) {
    for (size_t i = 0; i < 8; ++i) {
      key = key << 8 | static_cast<unsigned char>(s[offset + i]);
    }
    return key;
  }
  for (size_t i = 0; i < 8; ++i) {
    const size_t at = offset + i;
    key = key << 8 | (at < s.size() ? static_cast<unsigned char>(s[at]) : 0u);
  }
  return key;
}

}  // namespace

void MetricSet::SortByName() {
  auto by_name = [](const MetricFamily& a, const MetricFamily& b) {
    return a.name < b.name;
  };
  if (std::is_sorted(families_.begin(), families_.end(), by_name)) return;
  // Sort positions keyed by the names' first 16 bytes (most comparisons end
  // there: "node_net" + "stat_Tcp"), then move each family once.
  struct Entry {
    uint64_t key0;
    uint64_t key1;
    uint32_t pos;
  };
  std::vector<Entry> order(families_.size());
  for (size_t i = 0; i < order.size(); ++i) {
    const std::string& name = families_[i].name;
    order[i] = {NameKey(name, 0), NameKey(name, 8), static_cast<uint32_t>(i)};
  }
  std::sort(order.begin(), order.end(), [this](const Entry& a, const Entry& b) {
    if (a.key0 != b.key0) return a.key0 < b.key0;
    if (a.key1 != b.key1) return a.key1 < b.key1;
    return families_[a.pos].name < families_[b.pos].name;
  });
  std::vector<MetricFamily> families;
  std::vector<size_t> hashes;
  families.reserve(families_.capacity());
  hashes.reserve(hashes_.capacity());
  for (const Entry& e : order) {
    families.push_back(std::move(families_[e.pos]));
    hashes.push_back(hashes_[e.pos]);
  }
  families_ = std::move(families);
  hashes_ = std::move(hashes);
  // Same table size, new positions: no name is hashed again.
  Reindex();
}

size_t MetricSet::SampleCount() const {
  size_t n = 0;
  for (const MetricFamily& f : families_) n += f.samples.size();
  return n;
}

const MetricFamily* MetricSet::Find(std::string_view name) const {
  if (families_.empty()) return nullptr;
  size_t slot;
  ptrdiff_t pos = Lookup(name, HashName(name), &slot);
  return pos < 0 ? nullptr : &families_[static_cast<size_t>(pos)];
}

}  // namespace tend
