// The sockstat collector: /proc/net/sockstat and /proc/net/sockstat6, as
// node_exporter 1.5 reports them.
//
// Lines are "PROTO: key value key value ..."; "sockets: used N" (IPv4 only)
// becomes node_sockstat_sockets_used, every other known key
// node_sockstat_<PROTO>_<key>, and "mem" (in pages) also
// node_sockstat_<PROTO>_mem_bytes. Metric names are assembled in reused
// buffers, so a cycle allocates nothing beyond the samples themselves.
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/collectors_net.h"
#include "metrics/line_parse.h"
#include "metrics/parse.h"

namespace tend {
namespace {

// The keys node_exporter reports; others are ignored, as it does.
bool KnownKey(std::string_view key) {
  return key == "inuse" || key == "orphan" || key == "tw" || key == "alloc" ||
         key == "mem" || key == "memory";
}

bool ParseValue(std::string_view s, double* out) {
  int64_t i;
  if (ParseInt64(s, &i)) {
    *out = static_cast<double>(i);
    return true;
  }
  uint64_t u;
  if (ParseUint64(s, &u)) {
    *out = static_cast<double>(u);
    return true;
  }
  return false;
}

class SockstatCollector : public Collector {
 public:
  explicit SockstatCollector(const CollectorOptions& options)
      : env_(options.env),
        sockstat_path_(options.paths.proc + "/net/sockstat"),
        sockstat6_path_(options.paths.proc + "/net/sockstat6"),
        page_size_(static_cast<double>(::sysconf(_SC_PAGESIZE))) {}

  std::string_view name() const override { return "sockstat"; }

  Status Collect(MetricSet* out) override {
    ParseErrors errors;
    CollectFile(sockstat_path_, /*ipv6=*/false, out, &errors);
    CollectFile(sockstat6_path_, /*ipv6=*/true, out, &errors);
    return errors.ToStatus();
  }

 private:
  // A missing sockstat6 means IPv6 is disabled. A missing sockstat is an
  // error (node_exporter skips it too, but every kernel with networking has
  // it, so its absence means a wrong proc path).
  void CollectFile(const std::string& path, bool ipv6, MetricSet* out,
                   ParseErrors* errors) {
    Status read = env_->ReadFile(path, &buf_);
    if (ipv6 && read.code() == StatusCode::kNotFound) return;
    if (!read.ok()) {
      errors->Add(read);
      return;
    }
    if (buf_.empty()) {
      errors->AddFile(path, "file is empty");
      return;
    }
    LineReader lines(buf_);
    std::string_view line;
    while (lines.Next(&line)) {
      ParseLine(path, line, lines.line_number(), ipv6, out, errors);
    }
    lines.Finish(path, errors, /*empty_is_error=*/false);
  }

  void ParseLine(const std::string& path, std::string_view line, size_t line_no,
                 bool ipv6, MetricSet* out, ParseErrors* errors) {
    SplitFields(line, &fields_);
    if (fields_.empty()) return;
    std::string_view proto = fields_[0];
    // "PROTO:" and at least one key/value pair, all values numbers: check
    // the whole line before reporting any of it.
    if (proto.size() < 2 || proto.back() != ':' || fields_.size() < 3 ||
        fields_.size() % 2 == 0) {
      errors->AddLine(path, line_no, line,
                      "expected \"PROTO: key value [key value ...]\"");
      return;
    }
    proto.remove_suffix(1);
    values_.resize(fields_.size());
    for (size_t i = 2; i < fields_.size(); i += 2) {
      if (!ParseValue(fields_[i], &values_[i])) {
        errors->AddLine(path, line_no, line, "value is not an integer");
        return;
      }
    }
    if (proto == "sockets") {
      // Only IPv4's file has it, and node_exporter reads it only there.
      if (ipv6) return;
      for (size_t i = 1; i < fields_.size(); i += 2) {
        if (fields_[i] != "used") continue;
        Emit("node_sockstat_sockets_used", "Number of IPv4 sockets in use.",
             values_[i + 1], out, path, line_no, line, errors);
      }
      return;
    }
    for (size_t i = 1; i < fields_.size(); i += 2) {
      std::string_view key = fields_[i];
      if (!KnownKey(key)) continue;
      EmitProto(proto, key, values_[i + 1], out, path, line_no, line, errors);
      if (key == "mem") {
        EmitProto(proto, "mem_bytes", values_[i + 1] * page_size_, out, path,
                  line_no, line, errors);
      }
    }
  }

  void EmitProto(std::string_view proto, std::string_view key, double value,
                 MetricSet* out, const std::string& path, size_t line_no,
                 std::string_view line, ParseErrors* errors) {
    name_buf_.assign("node_sockstat_").append(proto).append("_").append(key);
    help_buf_.assign("Number of ")
        .append(proto)
        .append(" sockets in state ")
        .append(key)
        .append(".");
    Emit(name_buf_, help_buf_, value, out, path, line_no, line, errors);
  }

  // Appends one gauge sample unless its family already has one, which only
  // a repeated line or key could cause.
  void Emit(std::string_view name, std::string_view help, double value,
            MetricSet* out, const std::string& path, size_t line_no,
            std::string_view line, ParseErrors* errors) {
    MetricFamily* f = out->Family(name, MetricType::kGauge, help);
    if (!f->samples.empty()) {
      errors->AddLine(path, line_no, line, "protocol or key repeated");
      return;
    }
    f->samples.push_back({{}, value});
  }

  Env* env_;
  const std::string sockstat_path_;
  const std::string sockstat6_path_;
  const double page_size_;
  // Reused across cycles.
  std::string buf_;
  std::string name_buf_;
  std::string help_buf_;
  std::vector<std::string_view> fields_;
  std::vector<double> values_;
};

}  // namespace

std::unique_ptr<Collector> NewSockstatCollector(
    const CollectorOptions& options) {
  return std::make_unique<SockstatCollector>(options);
}

}  // namespace tend
