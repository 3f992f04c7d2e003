#include "metrics/device_filter.h"

#include <re2/re2.h>

#include "metrics/collectors_net.h"

namespace tend {

DeviceFilter::DeviceFilter(std::string_view option,
                           const std::string& pattern) {
  if (pattern.empty()) return;
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, opts);
  if (!re->ok()) {
    status_ = InvalidArgumentError(
        std::string(option) + ": invalid regular expression \"" + pattern +
        "\": " + re->error() +
        " (RE2 syntax, matched against the whole device name)");
    return;
  }
  re_ = std::move(re);
}

DeviceFilter::~DeviceFilter() = default;

bool DeviceFilter::Excludes(std::string_view name) const {
  return re_ != nullptr && RE2::FullMatch(name, *re_);
}

Status ValidateDevicePattern(std::string_view option,
                             const std::string& pattern) {
  return DeviceFilter(option, pattern).status();
}

Status ValidateNetCollectorOptions(const CollectorOptions& options) {
  RETURN_IF_ERROR(ValidateDevicePattern("diskstats.device_exclude",
                                        options.diskstats.device_exclude));
  RETURN_IF_ERROR(ValidateDevicePattern("netdev.device_exclude",
                                        options.netdev.device_exclude));
  return ValidateDevicePattern("netclass.device_exclude",
                               options.netclass.device_exclude);
}

}  // namespace tend
