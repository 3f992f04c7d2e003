// The metric data model shared by collectors, the exposition writer and
// (later) the store: families of samples with string labels.
#ifndef TEND_METRICS_METRIC_H_
#define TEND_METRICS_METRIC_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tend {

enum class MetricType { kCounter, kGauge, kUntyped };

std::string_view MetricTypeName(MetricType t);  // "counter", "gauge", ...

struct Label {
  std::string name;
  std::string value;
  friend bool operator==(const Label&, const Label&) = default;
};
using Labels = std::vector<Label>;

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
// type (collectors are tested so this does not happen).
class MetricSet {
 public:
  MetricSet() = default;
  MetricSet(MetricSet&&) = default;
  MetricSet& operator=(MetricSet&&) = default;

  // Finds the family `name`, creating it with `type` and `help` if absent.
  // The pointer stays valid until the next call that creates a family.
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

  // Moves every family of `other` into this set, merging same-named ones.
  void Merge(MetricSet&& other);

  const std::vector<MetricFamily>& families() const { return families_; }
  std::vector<MetricFamily>& mutable_families() { return families_; }

  // Sorts families by name (the exposition order).
  void SortByName();

  // Number of samples over all families.
  size_t SampleCount() const;

  // The family named `name`, or nullptr.
  const MetricFamily* Find(std::string_view name) const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>()(s);
    }
  };
  std::vector<MetricFamily> families_;
  std::unordered_map<std::string, size_t, Hash, std::equal_to<>> index_;
};

}  // namespace tend

#endif  // TEND_METRICS_METRIC_H_
