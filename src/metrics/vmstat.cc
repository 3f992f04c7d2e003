// The "vmstat" collector: the /proc/vmstat fields node_exporter exports by
// default.
#include <cstdint>
#include <string>
#include <string_view>

#include "metrics/collectors_system.h"
#include "metrics/line_parse.h"
#include "metrics/parse.h"

namespace tend {
namespace {

constexpr std::string_view kPrefix = "node_vmstat_";
constexpr std::string_view kHelpPrefix = "/proc/vmstat information field ";

// node_exporter's default --collector.vmstat.fields,
// ^(oom_kill|pgpg|pswp|pg.*fault).*, as plain prefix and substring tests.
bool Wanted(std::string_view field) {
  return field.starts_with("oom_kill") || field.starts_with("pgpg") ||
         field.starts_with("pswp") ||
         (field.starts_with("pg") &&
          field.find("fault", 2) != std::string_view::npos);
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_';
}

class VmstatCollector : public Collector {
 public:
  explicit VmstatCollector(const CollectorOptions& options)
      : env_(options.env), path_(options.paths.proc + "/vmstat") {}

  std::string_view name() const override { return "vmstat"; }

  // Every line is "name value". Only the wanted fields' values are parsed
  // (7 of ~190 lines on 6.x), but every line's shape is checked so a garbled
  // file is noticed.
  Status Collect(MetricSet* out) override {
    RETURN_IF_ERROR(env_->ReadFile(path_, &buf_));
    ParseErrors errors(path_);
    LineReader reader(buf_);
    std::string_view line;
    while (reader.Next(&line)) {
      size_t space = line.find(' ');
      if (space == 0 || space == std::string_view::npos ||
          space + 1 == line.size()) {
        errors.AddLine(reader.line_number(), line, "expected \"name value\"");
        continue;
      }
      std::string_view field = line.substr(0, space);
      if (!Wanted(field)) continue;
      uint64_t v;
      bool name_ok = true;
      for (char c : field) name_ok = name_ok && IsNameChar(c);
      if (!name_ok || !ParseUint64(line.substr(space + 1), &v)) {
        errors.AddLine(reader.line_number(), line,
                       "expected \"name unsigned-number\"");
        continue;
      }
      name_.assign(kPrefix);
      name_.append(field);
      help_.assign(kHelpPrefix);
      help_.append(field);
      help_.push_back('.');
      MetricFamily* f = out->Family(name_, MetricType::kUntyped, help_);
      if (!f->samples.empty()) {
        errors.AddLine(reader.line_number(), line, "repeated field");
        continue;
      }
      f->samples.push_back({{}, static_cast<double>(v)});
    }
    reader.Finish(&errors);
    return errors.ToStatus();
  }

 private:
  Env* env_;
  const std::string path_;
  std::string buf_;
  std::string name_;  // Reused across lines and cycles.
  std::string help_;
};

}  // namespace

std::unique_ptr<Collector> NewVmstatCollector(const CollectorOptions& options) {
  return std::make_unique<VmstatCollector>(options);
}

}  // namespace tend
