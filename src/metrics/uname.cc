// The "uname" collector: the kernel's identity as one info metric.
#include <sys/utsname.h>

#include <array>
#include <cerrno>
#include <string>
#include <string_view>

#include "metrics/collectors_system.h"
#include "metrics/line_parse.h"

namespace tend {
namespace {

// The labels in name order (as node_exporter's output shows them) and the
// /proc/sys/kernel file each comes from. "machine" comes from "arch", which
// is newer than the rest, with uname(2) as the fallback.
enum Slot { kDomain, kMachine, kNode, kRelease, kSys, kVersion, kSlots };

struct UnameField {
  std::string_view label;
  std::string_view file;
  // The host name and NIS domain name can be changed at any time; the rest
  // describe the running kernel, so they are read once and kept.
  bool fixed;
};

constexpr std::array<UnameField, kSlots> kFields = {{
    {"domainname", "domainname", false},
    {"machine", "arch", true},
    {"nodename", "hostname", false},
    {"release", "osrelease", true},
    {"sysname", "ostype", true},
    {"version", "version", true},
}};

class UnameCollector : public Collector {
 public:
  explicit UnameCollector(const CollectorOptions& options) : env_(options.env) {
    for (size_t i = 0; i < kSlots; ++i) {
      paths_[i] = options.paths.proc + "/sys/kernel/";
      paths_[i].append(kFields[i].file);
    }
  }

  std::string_view name() const override { return "uname"; }

  Status Collect(MetricSet* out) override {
    for (size_t i = 0; i < kSlots; ++i) {
      if (kFields[i].fixed && have_fixed_) continue;
      RETURN_IF_ERROR(ReadField(i));
    }
    have_fixed_ = true;
    Labels labels(kSlots);
    for (size_t i = 0; i < kSlots; ++i) {
      labels[i].name = kFields[i].label;
      labels[i].value = values_[i];
    }
    out->Gauge("node_uname_info",
               "Labeled system information as provided by the uname system "
               "call.",
               1, std::move(labels));
    return Status::Ok();
  }

 private:
  // Reads slot i's file (a single line, the kernel's only format for these)
  // into values_[i].
  Status ReadField(size_t i) {
    std::string_view value;
    Status s = ReadValueFile(env_, paths_[i], &buf_, &value);
    if (i == kMachine && s.code() == StatusCode::kNotFound) {
      struct utsname u;
      if (::uname(&u) != 0) return ErrnoError("uname(2)", errno);
      values_[i] = u.machine;
      return Status::Ok();
    }
    RETURN_IF_ERROR(s);
    if (value.find('\n') != std::string_view::npos) {
      ParseErrors errors(paths_[i]);
      errors.AddFile("expected one line, found several");
      return errors.ToStatus();
    }
    values_[i] = value;
    return Status::Ok();
  }

  Env* env_;
  std::array<std::string, kSlots> paths_;
  std::array<std::string, kSlots> values_;
  bool have_fixed_ = false;  // values_ of the fixed fields are valid.
  std::string buf_;
};

}  // namespace

std::unique_ptr<Collector> NewUnameCollector(const CollectorOptions& options) {
  return std::make_unique<UnameCollector>(options);
}

}  // namespace tend
