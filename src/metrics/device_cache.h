// DeviceCache<T>: state kept per device (disk, network interface) across
// collection cycles, such as whether the device is excluded, so that the
// exclusion pattern runs once per device rather than once per cycle.
//
// Devices are looked up in the order the kernel lists them, which rarely
// changes: the common case is one string comparison per line, with no
// hashing and no allocation. A device that appears, vanishes or moves costs
// one pass over the entries. Entries of devices that were not listed in a
// cycle are dropped at its end, so the cache never outgrows the device
// list (hosts that churn through container interfaces stay bounded).
#ifndef TEND_METRICS_DEVICE_CACHE_H_
#define TEND_METRICS_DEVICE_CACHE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tend {

template <typename T>
class DeviceCache {
 public:
  static constexpr size_t kDuplicate = static_cast<size_t>(-1);

  // Starts a cycle: every device is unseen.
  void BeginCycle() { next_ = 0; }

  // Returns the index of `name`'s entry, marking it seen in this cycle.
  // *created is true when the entry is new and holds a default T for the
  // caller to fill in. Returns kDuplicate if `name` was already seen in this
  // cycle (a repeated line). Indexes returned in a cycle stay valid until
  // the next BeginCycle().
  size_t Find(std::string_view name, bool* created) {
    *created = false;
    if (next_ < entries_.size() && entries_[next_].first == name) {
      return next_++;
    }
    for (size_t i = 0; i < next_; ++i) {
      if (entries_[i].first == name) return kDuplicate;
    }
    for (size_t i = next_ + 1; i < entries_.size(); ++i) {
      if (entries_[i].first == name) {
        // The devices listed before it in the last cycle are gone (or have
        // moved; they are then re-created when they show up).
        entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(next_),
                       entries_.begin() + static_cast<std::ptrdiff_t>(i));
        return next_++;
      }
    }
    entries_.emplace(entries_.begin() + static_cast<std::ptrdiff_t>(next_),
                     std::string(name), T());
    *created = true;
    return next_++;
  }

  T& at(size_t index) { return entries_[index].second; }
  std::string_view name(size_t index) const { return entries_[index].first; }

  // Ends a cycle: forgets the devices that were not seen.
  void EndCycle() {
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(next_),
                   entries_.end());
  }

  size_t size() const { return entries_.size(); }

 private:
  std::vector<std::pair<std::string, T>> entries_;
  size_t next_ = 0;  // Entries [0, next_) were seen in this cycle.
};

}  // namespace tend

#endif  // TEND_METRICS_DEVICE_CACHE_H_
