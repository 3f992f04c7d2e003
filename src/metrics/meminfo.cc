// The "meminfo" collector: every field of /proc/meminfo as a gauge.
#include <cstdint>
#include <string>
#include <string_view>

#include "metrics/collectors_system.h"
#include "metrics/line_parse.h"
#include "metrics/parse.h"

namespace tend {
namespace {

constexpr std::string_view kPrefix = "node_memory_";
constexpr std::string_view kHelpPrefix = "Memory information field ";

// Field names are C identifiers, some with one parenthesised qualifier:
// "Active(anon)". Anything else is not a line the kernel printed.
bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_';
}

// Appends the metric-name form of a field name to *out, as node_exporter
// does: "Active(anon)" -> "Active_anon". False if the name has other
// characters or unbalanced parentheses.
bool AppendFieldName(std::string_view key, std::string* out) {
  if (key.empty()) return false;
  size_t open = key.find('(');
  if (open == std::string_view::npos) {
    for (char c : key) {
      if (!IsNameChar(c)) return false;
    }
    out->append(key);
    return true;
  }
  if (open == 0 || key.back() != ')') return false;
  std::string_view base = key.substr(0, open);
  std::string_view inner = key.substr(open + 1, key.size() - open - 2);
  if (inner.empty()) return false;
  for (char c : base) {
    if (!IsNameChar(c)) return false;
  }
  for (char c : inner) {
    if (!IsNameChar(c)) return false;
  }
  out->append(base);
  out->push_back('_');
  out->append(inner);
  return true;
}

class MeminfoCollector : public Collector {
 public:
  explicit MeminfoCollector(const CollectorOptions& options)
      : env_(options.env), path_(options.paths.proc + "/meminfo") {}

  std::string_view name() const override { return "meminfo"; }

  Status Collect(MetricSet* out) override {
    RETURN_IF_ERROR(env_->ReadFile(path_, &buf_));
    ParseErrors errors(path_);
    LineReader reader(buf_);
    std::string_view line;
    while (reader.Next(&line)) {
      if (line.empty()) continue;  // Seen on some 3.10 vendor kernels.
      std::string_view why = ParseLine(line, out);
      if (!why.empty()) errors.AddLine(reader.line_number(), line, why);
    }
    reader.Finish(&errors);
    return errors.ToStatus();
  }

 private:
  // Emits one line's sample and returns ""; or emits nothing and returns
  // what is wrong with the line.
  std::string_view ParseLine(std::string_view line, MetricSet* out) {
    constexpr std::string_view kMalformed =
        "expected \"Name: number\" or \"Name: number kB\"";
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return kMalformed;
    std::string_view rest;
    std::string_view number = FirstField(Trim(line.substr(colon + 1)), &rest);
    std::string_view unit = FirstField(rest, &rest);
    if (!rest.empty()) return kMalformed;
    uint64_t v;
    if (!ParseUint64(number, &v)) return kMalformed;
    double value = static_cast<double>(v);
    name_.assign(kPrefix);
    if (!AppendFieldName(line.substr(0, colon), &name_)) {
      return "bad field name";
    }
    if (unit == "kB") {
      name_.append("_bytes");
      value *= 1024.0;  // In double: a value near 2^64 kB must not wrap.
    } else if (!unit.empty()) {
      return kMalformed;
    }
    help_.assign(kHelpPrefix);
    help_.append(std::string_view(name_).substr(kPrefix.size()));
    help_.push_back('.');
    MetricFamily* f = out->Family(name_, MetricType::kGauge, help_);
    if (!f->samples.empty()) return "repeated field";
    f->samples.push_back({{}, value});
    return {};
  }

  Env* env_;
  const std::string path_;
  std::string buf_;
  std::string name_;  // Reused across lines and cycles.
  std::string help_;
};

}  // namespace

std::unique_ptr<Collector> NewMeminfoCollector(
    const CollectorOptions& options) {
  return std::make_unique<MeminfoCollector>(options);
}

}  // namespace tend
