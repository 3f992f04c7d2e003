// The conntrack collector: netfilter connection tracking, as node_exporter
// 1.5 reports it.
//
// /proc/net/stat/nf_conntrack has a header line and one line per possible
// CPU of 17 hexadecimal fields. Kernels renamed some columns over time
// ("searched" became "clashres", "delete_list" "chainlength") but never
// moved them, so, like node_exporter (procfs), we take fields by position:
// found 2, invalid 4, ignore 5, insert 8, insert_failed 9, drop 10,
// early_drop 11, search_restart 16. node_exporter exposes the sums over
// CPUs as gauges, although they only grow; so do we, for compatibility.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/utf8.h"
#include "metrics/collectors_net.h"
#include "metrics/line_parse.h"
#include "metrics/parse.h"

namespace tend {
namespace {

constexpr size_t kStatFields = 17;

struct StatColumn {
  size_t field;
  std::string_view metric;
  std::string_view help;
};

// node_exporter's names and help texts, in its emission order.
constexpr std::array<StatColumn, 8> kStatColumns = {{
    {2, "node_nf_conntrack_stat_found",
     "Number of searched entries which were successful."},
    {4, "node_nf_conntrack_stat_invalid",
     "Number of packets seen which can not be tracked."},
    {5, "node_nf_conntrack_stat_ignore",
     "Number of packets seen which are already connected to a conntrack "
     "entry."},
    {8, "node_nf_conntrack_stat_insert",
     "Number of entries inserted into the list."},
    {9, "node_nf_conntrack_stat_insert_failed",
     "Number of entries for which list insertion was attempted but failed."},
    {10, "node_nf_conntrack_stat_drop",
     "Number of packets dropped due to conntrack failure."},
    {11, "node_nf_conntrack_stat_early_drop",
     "Number of dropped conntrack entries to make room for new ones, if "
     "maximum table size was reached."},
    {16, "node_nf_conntrack_stat_search_restart",
     "Number of conntrack table lookups which had to be restarted due to "
     "hashtable resizes."},
}};

// The kernel prints "%08x"; any length of hex digits is accepted.
bool ParseHex(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 16) return false;
  uint64_t v = 0;
  for (char c : s) {
    const int h = HexDigitValue(c);
    if (h < 0) return false;
    const uint64_t d = static_cast<uint64_t>(h);
    v = (v << 4) | d;
  }
  *out = v;
  return true;
}

class ConntrackCollector : public Collector {
 public:
  explicit ConntrackCollector(const CollectorOptions& options)
      : env_(options.env),
        count_path_(options.paths.proc +
                    "/sys/net/netfilter/nf_conntrack_count"),
        max_path_(options.paths.proc + "/sys/net/netfilter/nf_conntrack_max"),
        stat_path_(options.paths.proc + "/net/stat/nf_conntrack") {}

  std::string_view name() const override { return "conntrack"; }

  // Without the nf_conntrack module none of the files exist: nothing is
  // reported and Collect succeeds, so such hosts see no error every cycle.
  // As in node_exporter, the three sources are read in order and a missing
  // one ends the collection (a kernel built without
  // CONFIG_NF_CONNTRACK_PROCFS has the sysctls but no stat file).
  Status Collect(MetricSet* out) override {
    uint64_t value;
    Status s = ReadCount(count_path_, &value);
    if (s.code() == StatusCode::kNotFound) return Status::Ok();
    RETURN_IF_ERROR(s);
    out->Gauge("node_nf_conntrack_entries",
               "Number of currently allocated flow entries for connection "
               "tracking.",
               static_cast<double>(value));
    s = ReadCount(max_path_, &value);
    if (s.code() == StatusCode::kNotFound) return Status::Ok();
    RETURN_IF_ERROR(s);
    out->Gauge("node_nf_conntrack_entries_limit",
               "Maximum size of connection tracking table.",
               static_cast<double>(value));
    return CollectStat(out);
  }

 private:
  Status ReadCount(const std::string& path, uint64_t* value) {
    std::string_view text;
    RETURN_IF_ERROR(ReadValueFile(env_, path, &buf_, &text));
    if (!ParseUint64(text, value)) {
      ParseErrors errors(path);
      errors.AddLine(1, text, "not an unsigned integer");
      return errors.ToStatus();
    }
    return Status::Ok();
  }

  // Sums the per-CPU lines. A bad line fails the whole statistic (nothing
  // of it is emitted): a sum over some CPUs would look like a counter going
  // backwards.
  Status CollectStat(MetricSet* out) {
    Status read = env_->ReadFile(stat_path_, &buf_);
    if (read.code() == StatusCode::kNotFound) return Status::Ok();
    RETURN_IF_ERROR(read);
    ParseErrors errors(stat_path_);
    std::array<uint64_t, kStatColumns.size()> sums{};
    LineReader lines(buf_);
    std::string_view line;
    size_t cpus = 0;
    while (lines.Next(&line)) {
      if (lines.line_number() == 1) {
        if (line.substr(0, 7) != "entries") {
          errors.AddLine(1, line, "expected the header line (\"entries ...\")");
        }
        continue;
      }
      SplitFields(line, &fields_);
      if (fields_.size() != kStatFields) {
        errors.AddLine(lines.line_number(), line,
                       "expected 17 hexadecimal fields");
        continue;
      }
      std::array<uint64_t, kStatFields> v{};
      bool ok = true;
      for (size_t i = 0; i < kStatFields && ok; ++i) {
        ok = ParseHex(fields_[i], &v[i]);
      }
      if (!ok) {
        errors.AddLine(lines.line_number(), line,
                       "field is not a hexadecimal number");
        continue;
      }
      for (size_t c = 0; c < kStatColumns.size(); ++c) {
        sums[c] += v[kStatColumns[c].field];
      }
      ++cpus;
    }
    lines.Finish(&errors);
    if (cpus == 0 && errors.empty()) {
      errors.AddFile("no per-CPU lines after the header");
    }
    if (!errors.empty()) return errors.ToStatus();
    for (size_t c = 0; c < kStatColumns.size(); ++c) {
      out->Gauge(kStatColumns[c].metric, kStatColumns[c].help,
                 static_cast<double>(sums[c]));
    }
    return Status::Ok();
  }

  Env* env_;
  const std::string count_path_;
  const std::string max_path_;
  const std::string stat_path_;
  // Reused across cycles.
  std::string buf_;
  std::vector<std::string_view> fields_;
};

}  // namespace

std::unique_ptr<Collector> NewConntrackCollector(
    const CollectorOptions& options) {
  return std::make_unique<ConntrackCollector>(options);
}

}  // namespace tend
