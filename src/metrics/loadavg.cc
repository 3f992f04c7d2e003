// The "loadavg" collector: the 1, 5 and 15 minute load averages.
#include <array>
#include <cmath>
#include <string>
#include <string_view>

#include "metrics/collectors_system.h"
#include "metrics/line_parse.h"
#include "metrics/parse.h"

namespace tend {
namespace {

struct LoadField {
  std::string_view metric;
  std::string_view help;
};

constexpr std::array<LoadField, 3> kFields = {{
    {"node_load1", "1m load average."},
    {"node_load5", "5m load average."},
    {"node_load15", "15m load average."},
}};

class LoadavgCollector : public Collector {
 public:
  explicit LoadavgCollector(const CollectorOptions& options)
      : env_(options.env), path_(options.paths.proc + "/loadavg") {}

  std::string_view name() const override { return "loadavg"; }

  // /proc/loadavg is one line: "0.14 0.11 0.04 1/81 3484". Each of the first
  // three fields that parses is emitted, so one bad field does not hide the
  // others.
  Status Collect(MetricSet* out) override {
    RETURN_IF_ERROR(env_->ReadFile(path_, &buf_));
    ParseErrors errors(path_);
    LineReader reader(buf_);
    std::string_view line;
    if (reader.Next(&line)) {
      std::string_view rest = line;
      bool bad = false;
      for (const LoadField& f : kFields) {
        std::string_view field = FirstField(rest, &rest);
        double v;
        if (!ParseDouble(field, &v) || !std::isfinite(v) || v < 0) {
          bad = true;
          continue;
        }
        out->Gauge(f.metric, f.help, v);
      }
      if (bad) {
        errors.AddLine(reader.line_number(), line,
                       "expected three non-negative load averages");
      }
    }
    reader.Finish(&errors);
    return errors.ToStatus();
  }

 private:
  Env* env_;
  const std::string path_;
  std::string buf_;
};

}  // namespace

std::unique_ptr<Collector> NewLoadavgCollector(
    const CollectorOptions& options) {
  return std::make_unique<LoadavgCollector>(options);
}

}  // namespace tend
