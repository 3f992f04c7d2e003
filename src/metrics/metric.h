// The metric data model shared by collectors, the exposition writer and
// (later) the store: families of samples with string labels.
#ifndef TEND_METRICS_METRIC_H_
#define TEND_METRICS_METRIC_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/labels.h"

namespace tend {

enum class MetricType { kCounter, kGauge, kUntyped };

std::string_view MetricTypeName(MetricType t);  // "counter", "gauge", ...

struct Sample {
  Labels labels;  // In the order the collector gave them.
  double value = 0;
};

struct MetricFamily {
  std::string name;
  std::string help;
  MetricType type = MetricType::kUntyped;
  std::vector<Sample> samples;
};

// The samples of one collection, grouped by family. Not thread-safe: one
// collector fills one set at a time.
//
// Adding a sample to a name that exists with another type keeps the first
// type and help (collectors are tested so this does not happen).
//
// Cost: a set is built every collection cycle, so the name index allocates
// nothing per family (open addressing over family positions, with each
// family's hash kept beside it), and merging or sorting never rehashes a
// name.
class MetricSet {
 public:
  MetricSet() = default;
  MetricSet(MetricSet&&) = default;
  MetricSet& operator=(MetricSet&&) = default;

  // Finds the family `name`, creating it with `type` and `help` if absent.
  // The pointer stays valid until the next call that creates a family (or
  // Merge, SortByName, Reserve).
  MetricFamily* Family(std::string_view name, MetricType type,
                       std::string_view help);

  void Gauge(std::string_view name, std::string_view help, double value,
             Labels labels = {}) {
    Family(name, MetricType::kGauge, help)
        ->samples.push_back({std::move(labels), value});
  }
  void Counter(std::string_view name, std::string_view help, double value,
               Labels labels = {}) {
    Family(name, MetricType::kCounter, help)
        ->samples.push_back({std::move(labels), value});
  }
  void Untyped(std::string_view name, std::string_view help, double value,
               Labels labels = {}) {
    Family(name, MetricType::kUntyped, help)
        ->samples.push_back({std::move(labels), value});
  }

  // Moves every family of `other` into this set, merging same-named ones
  // (their samples are appended after this set's). `other` is left empty.
  void Merge(MetricSet&& other);

  // Like Merge, but copies `other`'s samples and leaves it unchanged.
  void MergeCopy(const MetricSet& other);

  // Makes room for `families` families without regrowing storage or index.
  void Reserve(size_t families);

  // In creation order, or in name order after SortByName (until the next
  // family is created).
  const std::vector<MetricFamily>& families() const { return families_; }
  // Samples, help and type may be changed through this; names must not be,
  // and families must not be added or removed (the index would not know).
  std::vector<MetricFamily>& mutable_families() { return families_; }

  // Sorts families by name (the exposition order). Cheap when already
  // sorted; otherwise sorts positions and moves each family once.
  void SortByName();

  // Number of samples over all families.
  size_t SampleCount() const;

  // The family named `name`, or nullptr.
  const MetricFamily* Find(std::string_view name) const;

 private:
  static size_t HashName(std::string_view name);
  // The position in families_ of `name` (with hash `hash`), or -1. In both
  // cases *slot is where the name's entry is or would go in slots_.
  ptrdiff_t Lookup(std::string_view name, size_t hash, size_t* slot) const;
  // Appends an empty family whose name hashes to `hash` and indexes it at
  // `slot` (from Lookup); the caller fills in the name.
  MetricFamily* Append(size_t hash, size_t slot);
  // Like Reserve, but grows storage geometrically.
  void Grow(size_t families);
  // Grows slots_ to hold at least `families` entries at most half full.
  void Rehash(size_t families);
  // Rebuilds slots_ (same size) from hashes_; never hashes a name.
  void Reindex();

  std::vector<MetricFamily> families_;
  std::vector<size_t> hashes_;  // HashName of families_[i].name.
  // Open addressing, linear probing: 0 is empty, otherwise a position in
  // families_ plus one. A power of two in size, at most half full.
  std::vector<uint32_t> slots_;
};

}  // namespace tend

#endif  // TEND_METRICS_METRIC_H_
