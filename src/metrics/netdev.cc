// The netdev collector: /proc/net/dev, as node_exporter 1.5 reports it.
//
// node_exporter 1.5 reads these counters over netlink (IFLA_STATS64) and
// renames them to the /proc/net/dev columns, whose values the kernel derives
// from the same structure; netlink adds rx_nohandler, which we read from
// sysfs. Interface names are at most 15 bytes; old kernels print a long name
// glued to the first number ("verylongname123:12345"), which is why the
// name is cut at the ':' rather than at a space.
#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/collectors_net.h"
#include "metrics/device_cache.h"
#include "metrics/device_filter.h"
#include "metrics/line_parse.h"
#include "metrics/parse.h"

namespace tend {
namespace {

constexpr size_t kColumns = 16;    // 8 receive + 8 transmit.
constexpr size_t kNoHandler = 16;  // Index of rx_nohandler in a row.

struct NetMetric {
  std::string_view name;
  std::string_view help;
};

// /proc/net/dev's columns in order, then rx_nohandler.
constexpr std::array<NetMetric, kColumns + 1> kNetMetrics = {{
    {"node_network_receive_bytes_total",
     "Network device statistic receive_bytes."},
    {"node_network_receive_packets_total",
     "Network device statistic receive_packets."},
    {"node_network_receive_errs_total",
     "Network device statistic receive_errs."},
    {"node_network_receive_drop_total",
     "Network device statistic receive_drop."},
    {"node_network_receive_fifo_total",
     "Network device statistic receive_fifo."},
    {"node_network_receive_frame_total",
     "Network device statistic receive_frame."},
    {"node_network_receive_compressed_total",
     "Network device statistic receive_compressed."},
    {"node_network_receive_multicast_total",
     "Network device statistic receive_multicast."},
    {"node_network_transmit_bytes_total",
     "Network device statistic transmit_bytes."},
    {"node_network_transmit_packets_total",
     "Network device statistic transmit_packets."},
    {"node_network_transmit_errs_total",
     "Network device statistic transmit_errs."},
    {"node_network_transmit_drop_total",
     "Network device statistic transmit_drop."},
    {"node_network_transmit_fifo_total",
     "Network device statistic transmit_fifo."},
    {"node_network_transmit_colls_total",
     "Network device statistic transmit_colls."},
    {"node_network_transmit_carrier_total",
     "Network device statistic transmit_carrier."},
    {"node_network_transmit_compressed_total",
     "Network device statistic transmit_compressed."},
    {"node_network_receive_nohandler_total",
     "Network device statistic receive_nohandler."},
}};

enum class NoHandler { kUnknown, kPresent, kAbsent };

struct NetDevice {
  bool excluded = false;
  std::string nohandler_path;
  // kAbsent once the sysfs file was found missing (kernels before 4.6,
  // sysfs not mounted, another network namespace): not tried again while
  // the device stays listed.
  NoHandler nohandler = NoHandler::kUnknown;
};

struct NetRow {
  size_t device = 0;
  bool has_nohandler = false;
  std::array<uint64_t, kColumns + 1> values{};
};

class NetDevCollector : public Collector {
 public:
  explicit NetDevCollector(const CollectorOptions& options)
      : env_(options.env),
        path_(options.paths.proc + "/net/dev"),
        sys_class_net_(options.paths.sys + "/class/net/"),
        filter_("netdev.device_exclude", options.netdev.device_exclude) {}

  std::string_view name() const override { return "netdev"; }

  Status Collect(MetricSet* out) override {
    if (!filter_.status().ok()) return filter_.status();
    Status read = env_->ReadFile(path_, &buf_);
    if (!read.ok()) return read;

    ParseErrors errors;
    if (buf_.empty()) {
      errors.AddFile(path_, "file is empty (expected two header lines)");
    }
    rows_.clear();
    devices_.BeginCycle();
    LineReader lines(buf_);
    std::string_view line;
    while (lines.Next(&line)) {
      // The two header lines are the only ones with a '|'.
      if (lines.line_number() <= 2 &&
          line.find('|') != std::string_view::npos) {
        continue;
      }
      ParseLine(line, lines.line_number(), &errors);
    }
    lines.Finish(path_, &errors, /*empty_is_error=*/false);
    devices_.EndCycle();

    for (NetRow& row : rows_) ReadNoHandler(&row, &errors);
    Emit(out);
    return errors.ToStatus();
  }

 private:
  void ParseLine(std::string_view line, size_t line_no, ParseErrors* errors) {
    if (Trim(line).empty()) return;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      errors->AddLine(path_, line_no, line, "no ':' after the interface name");
      return;
    }
    std::string_view name = Trim(line.substr(0, colon));
    if (name.empty() || name.find_first_of(" \t/") != std::string_view::npos) {
      errors->AddLine(path_, line_no, line, "bad interface name");
      return;
    }
    SplitFields(line.substr(colon + 1), &fields_);
    if (fields_.size() < kColumns) {
      errors->AddLine(path_, line_no, line,
                      "expected 16 counters after the interface name");
      return;
    }
    NetRow row;
    for (size_t i = 0; i < kColumns; ++i) {
      if (!ParseUint64(fields_[i], &row.values[i])) {
        errors->AddLine(path_, line_no, line,
                        "counter is not an unsigned 64-bit integer");
        return;
      }
    }
    bool created;
    row.device = devices_.Find(name, &created);
    if (row.device == devices_.kDuplicate) {
      errors->AddLine(path_, line_no, line, "interface listed twice");
      return;
    }
    NetDevice& dev = devices_.at(row.device);
    if (created) {
      dev.excluded = filter_.Excludes(name);
      dev.nohandler_path = sys_class_net_;
      dev.nohandler_path.append(name);
      dev.nohandler_path.append("/statistics/rx_nohandler");
    }
    if (dev.excluded) return;
    rows_.push_back(row);
  }

  void ReadNoHandler(NetRow* row, ParseErrors* errors) {
    NetDevice& dev = devices_.at(row->device);
    if (dev.nohandler == NoHandler::kAbsent) return;
    Status s = env_->ReadFile(dev.nohandler_path, &small_buf_);
    if (s.code() == StatusCode::kNotFound) {
      dev.nohandler = NoHandler::kAbsent;
      return;
    }
    if (!s.ok()) {
      errors->Add(s);
      return;
    }
    if (!ParseUint64(Trim(small_buf_), &row->values[kNoHandler])) {
      errors->AddLine(dev.nohandler_path, 1, small_buf_,
                      "not an unsigned 64-bit integer");
      return;
    }
    dev.nohandler = NoHandler::kPresent;
    row->has_nohandler = true;
  }

  void Emit(MetricSet* out) {
    if (rows_.empty()) return;
    for (size_t i = 0; i <= kNoHandler; ++i) {
      MetricFamily* f = nullptr;
      for (const NetRow& row : rows_) {
        if (i == kNoHandler && !row.has_nohandler) continue;
        if (f == nullptr) {
          f = out->Family(kNetMetrics[i].name, MetricType::kCounter,
                          kNetMetrics[i].help);
        }
        f->samples.push_back(
            {Labels{{"device", std::string(devices_.name(row.device))}},
             static_cast<double>(row.values[i])});
      }
    }
  }

  Env* env_;
  const std::string path_;
  const std::string sys_class_net_;
  DeviceFilter filter_;
  DeviceCache<NetDevice> devices_;
  // Reused across cycles.
  std::string buf_;
  std::string small_buf_;
  std::vector<std::string_view> fields_;
  std::vector<NetRow> rows_;
};

}  // namespace

std::unique_ptr<Collector> NewNetDevCollector(const CollectorOptions& options) {
  return std::make_unique<NetDevCollector>(options);
}

}  // namespace tend
