// The "filefd" collector: system-wide file handle usage.
#include <cstdint>
#include <string>
#include <string_view>

#include "metrics/collectors_system.h"
#include "metrics/line_parse.h"
#include "metrics/parse.h"

namespace tend {
namespace {

class FilefdCollector : public Collector {
 public:
  explicit FilefdCollector(const CollectorOptions& options)
      : env_(options.env), path_(options.paths.proc + "/sys/fs/file-nr") {}

  std::string_view name() const override { return "filefd"; }

  // file-nr is "allocated unused maximum" (unused is always 0 since 2.6).
  // file-max may be set as high as ULONG_MAX, hence uint64.
  Status Collect(MetricSet* out) override {
    std::string_view line;
    RETURN_IF_ERROR(ReadValueFile(env_, path_, &buf_, &line));
    std::string_view rest;
    std::string_view allocated = FirstField(line, &rest);
    std::string_view unused = FirstField(rest, &rest);
    std::string_view maximum = FirstField(rest, &rest);
    uint64_t a;
    uint64_t u;
    uint64_t m;
    bool a_ok = ParseUint64(allocated, &a);
    bool u_ok = ParseUint64(unused, &u);
    bool m_ok = ParseUint64(maximum, &m);
    if (a_ok) {
      out->Gauge("node_filefd_allocated",
                 "File descriptor statistics: allocated.",
                 static_cast<double>(a));
    }
    if (m_ok) {
      out->Gauge("node_filefd_maximum", "File descriptor statistics: maximum.",
                 static_cast<double>(m));
    }
    if (a_ok && u_ok && m_ok && rest.empty()) return Status::Ok();
    ParseErrors errors(path_);
    errors.AddLine(1, line, "expected three unsigned numbers");
    return errors.ToStatus();
  }

 private:
  Env* env_;
  const std::string path_;
  std::string buf_;
};

}  // namespace

std::unique_ptr<Collector> NewFilefdCollector(const CollectorOptions& options) {
  return std::make_unique<FilefdCollector>(options);
}

}  // namespace tend
