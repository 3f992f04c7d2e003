// The "entropy" collector: the kernel's entropy estimate and pool size.
#include <cstdint>
#include <string>
#include <string_view>

#include "metrics/collectors_system.h"
#include "metrics/line_parse.h"
#include "metrics/parse.h"

namespace tend {
namespace {

class EntropyCollector : public Collector {
 public:
  explicit EntropyCollector(const CollectorOptions& options)
      : env_(options.env),
        avail_path_(options.paths.proc + "/sys/kernel/random/entropy_avail"),
        pool_path_(options.paths.proc + "/sys/kernel/random/poolsize") {}

  std::string_view name() const override { return "entropy"; }

  // Both files are read even if the first fails, so one problem does not
  // hide the other value; the first error is returned.
  Status Collect(MetricSet* out) override {
    Status a = ReadOne(avail_path_, "node_entropy_available_bits",
                       "Bits of available entropy.", out);
    Status b = ReadOne(pool_path_, "node_entropy_pool_size_bits",
                       "Bits of entropy pool.", out);
    return a.ok() ? b : a;
  }

 private:
  Status ReadOne(const std::string& path, std::string_view metric,
                 std::string_view help, MetricSet* out) {
    std::string_view text;
    RETURN_IF_ERROR(ReadValueFile(env_, path, &buf_, &text));
    uint64_t v;
    if (!ParseUint64(text, &v)) {
      ParseErrors errors(path);
      errors.AddLine(1, text, "expected an unsigned number");
      return errors.ToStatus();
    }
    out->Gauge(metric, help, static_cast<double>(v));
    return Status::Ok();
  }

  Env* env_;
  const std::string avail_path_;
  const std::string pool_path_;
  std::string buf_;
};

}  // namespace

std::unique_ptr<Collector> NewEntropyCollector(
    const CollectorOptions& options) {
  return std::make_unique<EntropyCollector>(options);
}

}  // namespace tend
