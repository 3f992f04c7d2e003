// DeviceFilter: a device_exclude option (diskstats, netdev) compiled once.
//
// Patterns are RE2 (linear time, safe on user input) and must match the
// whole device name, like node_exporter's anchored defaults.
#ifndef TEND_METRICS_DEVICE_FILTER_H_
#define TEND_METRICS_DEVICE_FILTER_H_

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace re2 {
class RE2;
}

namespace tend {

class DeviceFilter {
 public:
  // `option` names the setting in error messages, e.g.
  // "diskstats.device_exclude". An empty pattern excludes nothing.
  DeviceFilter(std::string_view option, const std::string& pattern);
  ~DeviceFilter();
  DeviceFilter(const DeviceFilter&) = delete;
  DeviceFilter& operator=(const DeviceFilter&) = delete;

  // OK, or InvalidArgument naming the option, the pattern and what is wrong
  // with it. A filter whose pattern did not compile excludes nothing; its
  // users report this status instead of collecting.
  const Status& status() const { return status_; }

  // True if `name` matches the whole pattern. Runs the regular expression:
  // callers cache the answer per device.
  bool Excludes(std::string_view name) const;

 private:
  std::unique_ptr<re2::RE2> re_;  // Null when empty or invalid.
  Status status_;
};

// What DeviceFilter(option, pattern).status() would be, for the
// configuration layer to reject a bad pattern before starting collectors.
Status ValidateDevicePattern(std::string_view option,
                             const std::string& pattern);

}  // namespace tend

#endif  // TEND_METRICS_DEVICE_FILTER_H_
