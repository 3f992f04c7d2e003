// The "pressure" collector: pressure stall information (PSI) totals.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "metrics/collectors_system.h"
#include "metrics/line_parse.h"
#include "metrics/parse.h"

namespace tend {
namespace {

// One resource file and the metrics of its "some" and "full" lines. An
// empty metric name means node_exporter does not export that line (the
// system-wide "full" line of cpu, printed since 5.13, is always zero).
struct Resource {
  std::string_view file;
  std::string_view some_metric;
  std::string_view some_help;
  std::string_view full_metric;
  std::string_view full_help;
};

constexpr std::array<Resource, 3> kResources = {{
    {"cpu",
     "node_pressure_cpu_waiting_seconds_total",
     "Total time in seconds that processes have waited for CPU time",
     {},
     {}},
    {"io", "node_pressure_io_waiting_seconds_total",
     "Total time in seconds that processes have waited due to IO congestion",
     "node_pressure_io_stalled_seconds_total",
     "Total time in seconds no process could make progress due to IO "
     "congestion"},
    {"memory", "node_pressure_memory_waiting_seconds_total",
     "Total time in seconds that processes have waited for memory",
     "node_pressure_memory_stalled_seconds_total",
     "Total time in seconds no process could make progress due to memory "
     "congestion"},
}};

// total= is in microseconds.
constexpr double kMicrosPerSecond = 1e6;

// Finds "total=N" among the fields of a PSI line.
bool ParseTotal(std::string_view rest, uint64_t* total) {
  while (!rest.empty()) {
    std::string_view field = FirstField(rest, &rest);
    if (field.starts_with("total=")) {
      return ParseUint64(field.substr(6), total);
    }
  }
  return false;
}

class PressureCollector : public Collector {
 public:
  explicit PressureCollector(const CollectorOptions& options)
      : env_(options.env) {
    for (size_t i = 0; i < kResources.size(); ++i) {
      paths_[i] = options.paths.proc + "/pressure/";
      paths_[i].append(kResources[i].file);
    }
  }

  std::string_view name() const override { return "pressure"; }

  Status Collect(MetricSet* out) override {
    Status first_error;
    for (size_t i = 0; i < kResources.size(); ++i) {
      Status s = env_->ReadFile(paths_[i], &buf_);
      // No file: a kernel before 4.20, without CONFIG_PSI, or booted with
      // psi=0 (Debian's default). Not an error, there is just nothing to
      // report.
      if (s.code() == StatusCode::kNotFound) continue;
      if (s.ok()) s = ParseResource(kResources[i], paths_[i], out);
      if (!s.ok() && first_error.ok()) first_error = s;
    }
    return first_error;
  }

 private:
  Status ParseResource(const Resource& r, const std::string& path,
                       MetricSet* out) {
    ParseErrors errors(path);
    bool seen_some = false;
    bool seen_full = false;
    LineReader reader(buf_);
    std::string_view line;
    while (reader.Next(&line)) {
      std::string_view rest;
      std::string_view kind = FirstField(line, &rest);
      bool some = kind == "some";
      if (!some && kind != "full") {
        errors.AddLine(reader.line_number(), line,
                       "expected a \"some\" or \"full\" line");
        continue;
      }
      uint64_t total;
      if (!ParseTotal(rest, &total)) {
        errors.AddLine(reader.line_number(), line, "no valid total=");
        continue;
      }
      bool& seen = some ? seen_some : seen_full;
      if (seen) {
        errors.AddLine(reader.line_number(), line, "repeated line");
        continue;
      }
      seen = true;
      std::string_view metric = some ? r.some_metric : r.full_metric;
      if (metric.empty()) continue;
      out->Counter(metric, some ? r.some_help : r.full_help,
                   static_cast<double>(total) / kMicrosPerSecond);
    }
    reader.Finish(&errors);
    if (errors.empty()) {
      if (!seen_some) errors.AddFile("no \"some\" line");
      if (!r.full_metric.empty() && !seen_full) {
        errors.AddFile("no \"full\" line");
      }
    }
    return errors.ToStatus();
  }

  Env* env_;
  std::array<std::string, kResources.size()> paths_;
  std::string buf_;
};

}  // namespace

std::unique_ptr<Collector> NewPressureCollector(
    const CollectorOptions& options) {
  return std::make_unique<PressureCollector>(options);
}

}  // namespace tend
