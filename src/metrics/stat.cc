// The "stat" collector: host-wide counters from /proc/stat.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "metrics/collectors_system.h"
#include "metrics/line_parse.h"
#include "metrics/parse.h"

namespace tend {
namespace {

struct StatField {
  std::string_view key;  // The line's first field in /proc/stat.
  std::string_view metric;
  MetricType type;
  std::string_view help;
};

// In node_exporter's order. For "intr" only the first number (the total) is
// used; the per-IRQ counts that follow are not parsed.
constexpr std::array<StatField, 6> kFields = {{
    {"intr", "node_intr_total", MetricType::kCounter,
     "Total number of interrupts serviced."},
    {"ctxt", "node_context_switches_total", MetricType::kCounter,
     "Total number of context switches."},
    {"processes", "node_forks_total", MetricType::kCounter,
     "Total number of forks."},
    {"btime", "node_boot_time_seconds", MetricType::kGauge,
     "Node boot time, in unixtime."},
    {"procs_running", "node_procs_running", MetricType::kGauge,
     "Number of processes in runnable state."},
    {"procs_blocked", "node_procs_blocked", MetricType::kGauge,
     "Number of processes blocked waiting for I/O to complete."},
}};

class StatCollector : public Collector {
 public:
  explicit StatCollector(const CollectorOptions& options)
      : env_(options.env), path_(options.paths.proc + "/stat") {}

  std::string_view name() const override { return "stat"; }

  Status Collect(MetricSet* out) override {
    RETURN_IF_ERROR(env_->ReadFile(path_, &buf_));
    ParseErrors errors(path_);
    std::array<bool, kFields.size()> seen{};
    LineReader reader(buf_);
    std::string_view line;
    while (reader.Next(&line)) {
      std::string_view rest;
      std::string_view key = FirstField(line, &rest);
      size_t i = 0;
      while (i < kFields.size() && kFields[i].key != key) ++i;
      if (i == kFields.size()) continue;  // cpu, softirq, newer lines.
      std::string_view first = FirstField(rest, &rest);
      uint64_t v;
      if (!ParseUint64(first, &v)) {
        errors.AddLine(reader.line_number(), line, "bad number");
        continue;
      }
      if (seen[i]) {
        errors.AddLine(reader.line_number(), line, "repeated line");
        continue;
      }
      seen[i] = true;
      out->Family(kFields[i].metric, kFields[i].type, kFields[i].help)
          ->samples.push_back({{}, static_cast<double>(v)});
    }
    reader.Finish(&errors);
    if (errors.empty()) {
      for (size_t i = 0; i < kFields.size(); ++i) {
        if (!seen[i]) {
          errors.AddFile("no \"" + std::string(kFields[i].key) + "\" line");
        }
      }
    }
    return errors.ToStatus();
  }

 private:
  Env* env_;
  const std::string path_;
  std::string buf_;
};

}  // namespace

std::unique_ptr<Collector> NewStatCollector(const CollectorOptions& options) {
  return std::make_unique<StatCollector>(options);
}

}  // namespace tend
