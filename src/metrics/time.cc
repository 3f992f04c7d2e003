// The "time" collector: the system clock, the local time zone, and the
// kernel's clocksources.
#include <algorithm>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/collectors_system.h"
#include "metrics/line_parse.h"
#include "metrics/parse.h"

namespace tend {
namespace {

constexpr std::string_view kDevicePrefix = "clocksource";

class TimeCollector : public Collector {
 public:
  explicit TimeCollector(const CollectorOptions& options)
      : env_(options.env),
        clock_(options.clock),
        dir_(options.paths.sys + "/devices/system/clocksource") {}

  std::string_view name() const override { return "time"; }

  Status Collect(MetricSet* out) override {
    int64_t nanos = clock_->NowUnixNanos();
    out->Gauge("node_time_seconds",
               "System time in seconds since epoch (1970).",
               static_cast<double>(nanos) / 1e9);
    // The zone in effect at that instant (it changes with daylight saving
    // time), from TZ or /etc/localtime like any local-time conversion.
    time_t secs = static_cast<time_t>(nanos / kNanosPerSecond);
    struct tm local;
    if (localtime_r(&secs, &local) == nullptr) {
      return InternalError("localtime_r failed for the clock's time");
    }
    out->Gauge("node_time_zone_offset_seconds",
               "System time zone offset in seconds.",
               static_cast<double>(local.tm_gmtoff),
               {{"time_zone", local.tm_zone ? local.tm_zone : ""}});
    return CollectClocksources(out);
  }

 private:
  // The clocksourceN directories are listed once: the kernel creates them at
  // boot (only clocksource0, in practice) and never adds any later.
  Status CollectClocksources(MetricSet* out) {
    if (!listed_) {
      Status s = env_->ListDir(dir_, &names_);
      if (s.code() == StatusCode::kNotFound) return Status::Ok();
      RETURN_IF_ERROR(s);
      devices_.clear();
      for (const std::string& n : names_) {
        std::string_view v(n);
        uint64_t id;
        if (v.starts_with(kDevicePrefix) &&
            ParseUint64(v.substr(kDevicePrefix.size()), &id)) {
          devices_.push_back(id);
        }
      }
      std::sort(devices_.begin(), devices_.end());
      listed_ = true;
    }
    Status first_error;
    for (uint64_t id : devices_) {
      Status s = CollectDevice(id, out);
      if (!s.ok() && first_error.ok()) first_error = s;
    }
    return first_error;
  }

  // Emits one clocksourceN directory's samples; both files are read even if
  // the first fails, and the first error is returned. The device label is N,
  // which is also node_exporter's (it numbers the directories it finds, and
  // the kernel only ever creates clocksource0).
  Status CollectDevice(uint64_t id, MetricSet* out) {
    std::string device = std::to_string(id);
    path_.assign(dir_).append("/").append(kDevicePrefix).append(device);
    size_t base = path_.size();
    path_.append("/available_clocksource");
    std::string_view value;
    Status available = ReadValueFile(env_, path_, &buf_, &value);
    if (available.ok()) {
      MetricFamily* f = out->Family("node_time_clocksource_available_info",
                                    MetricType::kGauge,
                                    "Available clocksources read from "
                                    "'/sys/devices/system/clocksource'.");
      // "tsc kvm-clock \n": names separated by spaces, one trailing.
      std::string_view rest = value;
      while (!rest.empty()) {
        std::string_view name = FirstField(rest, &rest);
        if (name.empty()) continue;  // Leading blanks, skipped by FirstField.
        f->samples.push_back(
            {{{"clocksource", std::string(name)}, {"device", device}}, 1});
      }
    }
    path_.resize(base);
    path_.append("/current_clocksource");
    Status current = ReadValueFile(env_, path_, &buf_, &value);
    if (current.ok()) {
      std::string_view name = Trim(value);
      if (name.empty() || name.find_first_of(" \t") != std::string::npos) {
        ParseErrors errors(path_);
        errors.AddLine(1, value, "expected one clocksource name");
        current = errors.ToStatus();
      } else {
        out->Gauge(
            "node_time_clocksource_current_info",
            "Current clocksource read from '/sys/devices/system/clocksource'.",
            1, {{"clocksource", std::string(name)}, {"device", device}});
      }
    }
    return available.ok() ? current : available;
  }

  Env* env_;
  Clock* clock_;
  const std::string dir_;
  std::vector<std::string> names_;
  bool listed_ = false;            // devices_ holds the directory's devices.
  std::vector<uint64_t> devices_;  // N of each clocksourceN, ascending.
  std::string path_;
  std::string buf_;
};

}  // namespace

std::unique_ptr<Collector> NewTimeCollector(const CollectorOptions& options) {
  return std::make_unique<TimeCollector>(options);
}

}  // namespace tend
