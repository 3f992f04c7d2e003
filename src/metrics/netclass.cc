// The netclass collector: interface state from /sys/class/net/<iface>/, as
// node_exporter 1.5 reports it (its sysfs mode, the default).
//
// node_exporter reads every regular file of each interface directory and
// skips, silently, a file that is missing or that the kernel refuses with
// ENOENT, EACCES/EPERM, EINVAL or EOPNOTSUPP: the kernel answers EINVAL for
// carrier, dormant, speed and duplex of an interface that is down, and for
// speed and duplex of devices without link settings (lo); EOPNOTSUPP for
// speed of drivers without ethtool link settings. A skipped file's family
// has no sample for that interface; a skipped string is an empty label of
// node_network_info. We read only the files that become metrics, with the
// same rules.
//
// Differences, on purpose: node_exporter fails the whole collection (no
// sample at all) on a value that does not parse or on any other read error;
// we skip that one value and report it after everything else was emitted.
// node_exporter reads at most 128 bytes of a file; we read it whole, which
// only matters for an ifalias longer than that.
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/utf8.h"
#include "metrics/collectors_net.h"
#include "metrics/device_cache.h"
#include "metrics/device_filter.h"
#include "metrics/line_parse.h"
#include "metrics/parse.h"

namespace tend {
namespace {

struct NumericAttr {
  std::string_view file;
  std::string_view metric;
  MetricType type;
  std::string_view help;
};

// In node_exporter's emission order; help texts are node_exporter's.
constexpr std::array<NumericAttr, 17> kNumeric = {{
    {"addr_assign_type", "node_network_address_assign_type", MetricType::kGauge,
     "Network device property: address_assign_type"},
    {"carrier", "node_network_carrier", MetricType::kGauge,
     "Network device property: carrier"},
    {"carrier_changes", "node_network_carrier_changes_total",
     MetricType::kCounter, "Network device property: carrier_changes_total"},
    {"carrier_up_count", "node_network_carrier_up_changes_total",
     MetricType::kCounter, "Network device property: carrier_up_changes_total"},
    {"carrier_down_count", "node_network_carrier_down_changes_total",
     MetricType::kCounter,
     "Network device property: carrier_down_changes_total"},
    {"dev_id", "node_network_device_id", MetricType::kGauge,
     "Network device property: device_id"},
    {"dormant", "node_network_dormant", MetricType::kGauge,
     "Network device property: dormant"},
    {"flags", "node_network_flags", MetricType::kGauge,
     "Network device property: flags"},
    {"ifindex", "node_network_iface_id", MetricType::kGauge,
     "Network device property: iface_id"},
    {"iflink", "node_network_iface_link", MetricType::kGauge,
     "Network device property: iface_link"},
    {"link_mode", "node_network_iface_link_mode", MetricType::kGauge,
     "Network device property: iface_link_mode"},
    {"mtu", "node_network_mtu_bytes", MetricType::kGauge,
     "Network device property: mtu_bytes"},
    {"name_assign_type", "node_network_name_assign_type", MetricType::kGauge,
     "Network device property: name_assign_type"},
    {"netdev_group", "node_network_net_dev_group", MetricType::kGauge,
     "Network device property: net_dev_group"},
    {"speed", "node_network_speed_bytes", MetricType::kGauge,
     "Network device property: speed_bytes"},
    {"tx_queue_len", "node_network_transmit_queue_length", MetricType::kGauge,
     "Network device property: transmit_queue_length"},
    {"type", "node_network_protocol_type", MetricType::kGauge,
     "Network device property: protocol_type"},
}};
constexpr size_t kSpeed = 14;  // Index of "speed" in kNumeric.

// The label values of node_network_info, in label-name order.
constexpr std::array<std::string_view, 5> kStringFiles = {
    "address", "broadcast", "duplex", "ifalias", "operstate"};
constexpr size_t kOperstate = 4;

// Mb/s to bytes/s, as node_exporter computes it (speed * 1000 * 1000 / 8).
constexpr double kBytesPerMbit = 125000;

// Files of one interface kept open across cycles (kNumeric, then
// kStringFiles): re-reading a kept sysfs file costs a tenth of opening it
// by path (measured: 13 us against 177 us per interface).
constexpr size_t kFilesPerDevice = kNumeric.size() + kStringFiles.size();

struct NetClassDevice {
  bool excluded = false;
  // Null until opened, and after a failure (opened again next cycle).
  std::array<std::unique_ptr<RereadableFile>, kFilesPerDevice> files;
};

// Hosts with many interfaces (container veths) would hold 22 descriptors
// each; beyond this many interfaces files are read by path.
constexpr size_t kMaxKeptDevices = 64;

struct Row {
  size_t device = 0;
  uint32_t present = 0;  // Bit i: kNumeric[i] was read.
  std::array<int64_t, kNumeric.size()> values{};
  std::array<std::string, kStringFiles.size()> strings;  // Reused.
};

enum class Read { kValue, kSkipped, kMissing };

// Parses an integer as Go's strconv.ParseInt(s, 0, 64) does for what sysfs
// prints: optional sign, then "0x" hex (dev_id, flags), a leading "0" octal,
// or decimal. False on anything else or on overflow.
bool ParseGoInt(std::string_view s, int64_t* out) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  uint64_t base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() > 1 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  uint64_t v = 0;
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  for (char c : s) {
    const int h = HexDigitValue(c);
    if (h < 0) return false;
    const uint64_t d = static_cast<uint64_t>(h);
    if (d >= base) return false;
    if (v > (limit - d) / base) return false;
    v = v * base + d;
  }
  *out = negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

class NetClassCollector : public Collector {
 public:
  explicit NetClassCollector(const CollectorOptions& options)
      : env_(options.env),
        dir_(options.paths.sys + "/class/net"),
        ignore_invalid_speed_(options.netclass.ignore_invalid_speed),
        filter_("netclass.device_exclude", options.netclass.device_exclude),
        eopnotsupp_text_(std::strerror(EOPNOTSUPP)) {}

  std::string_view name() const override { return "netclass"; }

  Status Collect(MetricSet* out) override {
    if (!filter_.status().ok()) return filter_.status();
    Status list = env_->ListDir(dir_, &names_);
    // No sysfs (a container without /sys): nothing to report, as in
    // node_exporter.
    if (list.code() == StatusCode::kNotFound) return Status::Ok();
    if (!list.ok()) return list;
    std::sort(names_.begin(), names_.end());

    ParseErrors errors;
    size_t used = 0;
    devices_.BeginCycle();
    for (const std::string& name : names_) {
      bool created;
      size_t index = devices_.Find(name, &created);
      if (index == devices_.kDuplicate) continue;  // ListDir never repeats.
      if (created) devices_.at(index).excluded = filter_.Excludes(name);
      if (devices_.at(index).excluded) continue;
      if (used == rows_.size()) rows_.emplace_back();
      kept_ = names_.size() <= kMaxKeptDevices ? &devices_.at(index) : nullptr;
      if (ReadDevice(name, &rows_[used], &errors)) {
        rows_[used].device = index;
        ++used;
      }
    }
    devices_.EndCycle();
    Emit(used, out);
    return errors.ToStatus();
  }

 private:
  // Reads one attribute file of the interface whose directory path_ holds
  // (up to base_). On kValue, *value is the trimmed content (a view into
  // buf_, valid until the next read).
  Read ReadAttr(size_t slot, std::string_view file, std::string_view* value,
                ParseErrors* errors) {
    path_.resize(base_);
    path_.append(file);
    Status s = ReadKept(slot);
    if (s.ok()) {
      *value = Trim(buf_);
      return Read::kValue;
    }
    switch (s.code()) {
      case StatusCode::kNotFound:
        return Read::kMissing;
      case StatusCode::kPermissionDenied:
      case StatusCode::kInvalidArgument:  // EINVAL.
        return Read::kSkipped;
      default:
        break;
    }
    std::string_view m = s.message();
    if (m.size() >= eopnotsupp_text_.size() &&
        m.substr(m.size() - eopnotsupp_text_.size()) == eopnotsupp_text_) {
      return Read::kSkipped;
    }
    errors->Add(s);
    return Read::kSkipped;
  }

  // Reads path_ into buf_ through the current device's kept file `slot`
  // (opening it first), or by path when files are not kept. A kept file
  // that fails is dropped, so the next cycle opens it afresh (an interface
  // re-created under the same name).
  Status ReadKept(size_t slot) {
    if (kept_ == nullptr) return env_->ReadFile(path_, &buf_);
    std::unique_ptr<RereadableFile>& f = kept_->files[slot];
    if (f == nullptr) {
      Result<std::unique_ptr<RereadableFile>> opened =
          env_->OpenRereadable(path_);
      if (!opened.ok()) return opened.status();
      f = std::move(*opened);
    }
    Status s = f->Read(&buf_);
    if (!s.ok() && s.code() != StatusCode::kInvalidArgument) {
      f.reset();
      if (s.code() == StatusCode::kUnavailable) {
        return env_->ReadFile(path_, &buf_);  // ENODEV: the device is new.
      }
    }
    return s;
  }

  // Fills *row from /sys/class/net/`name`. False when `name` is not an
  // interface directory: every file is missing, as for bonding_masters (a
  // regular file node_exporter skips) or an interface removed since the
  // listing.
  bool ReadDevice(const std::string& name, Row* row, ParseErrors* errors) {
    path_.assign(dir_);
    path_.push_back('/');
    path_.append(name);
    path_.push_back('/');
    base_ = path_.size();
    bool any = false;
    row->present = 0;
    std::string_view value;
    for (size_t i = 0; i < kNumeric.size(); ++i) {
      Read r = ReadAttr(i, kNumeric[i].file, &value, errors);
      if (r != Read::kMissing) any = true;
      if (r != Read::kValue) continue;
      if (!ParseGoInt(value, &row->values[i])) {
        errors->AddLine(path_, 1, value, "not an integer");
        continue;
      }
      row->present |= uint32_t{1} << i;
    }
    for (size_t i = 0; i < kStringFiles.size(); ++i) {
      row->strings[i].clear();
      Read r = ReadAttr(kNumeric.size() + i, kStringFiles[i], &value, errors);
      if (r != Read::kMissing) any = true;
      if (r == Read::kValue) row->strings[i].assign(value);
    }
    return any;
  }

  void Emit(size_t used, MetricSet* out) {
    if (used == 0) return;
    MetricFamily* up = out->Family("node_network_up", MetricType::kGauge,
                                   "Value is 1 if operstate is 'up', 0 "
                                   "otherwise.");
    for (size_t r = 0; r < used; ++r) {
      up->samples.push_back(
          {Labels{{"device", std::string(devices_.name(rows_[r].device))}},
           rows_[r].strings[kOperstate] == "up" ? 1.0 : 0.0});
    }
    MetricFamily* info =
        out->Family("node_network_info", MetricType::kGauge,
                    "Non-numeric data from /sys/class/net/<iface>, value is "
                    "always 1.");
    for (size_t r = 0; r < used; ++r) {
      const Row& row = rows_[r];
      info->samples.push_back(
          {Labels{{"address", row.strings[0]},
                  {"broadcast", row.strings[1]},
                  {"device", std::string(devices_.name(row.device))},
                  {"duplex", row.strings[2]},
                  {"ifalias", row.strings[3]},
                  {"operstate", row.strings[4]}},
           1.0});
    }
    for (size_t i = 0; i < kNumeric.size(); ++i) {
      MetricFamily* f = nullptr;
      for (size_t r = 0; r < used; ++r) {
        const Row& row = rows_[r];
        if ((row.present & (uint32_t{1} << i)) == 0) continue;
        double v = static_cast<double>(row.values[i]);
        if (i == kSpeed) {
          if (row.values[i] < 0 && ignore_invalid_speed_) continue;
          v *= kBytesPerMbit;
        }
        if (f == nullptr) {
          f = out->Family(kNumeric[i].metric, kNumeric[i].type,
                          kNumeric[i].help);
        }
        f->samples.push_back(
            {Labels{{"device", std::string(devices_.name(row.device))}}, v});
      }
    }
  }

  Env* env_;
  const std::string dir_;
  const bool ignore_invalid_speed_;
  DeviceFilter filter_;
  const std::string eopnotsupp_text_;
  DeviceCache<NetClassDevice> devices_;
  // Reused across cycles.
  std::vector<std::string> names_;
  std::vector<Row> rows_;
  std::string path_;
  size_t base_ = 0;
  std::string buf_;
  // The device whose files ReadDevice reads, when files are kept.
  NetClassDevice* kept_ = nullptr;
};

}  // namespace

std::unique_ptr<Collector> NewNetClassCollector(
    const CollectorOptions& options) {
  return std::make_unique<NetClassCollector>(options);
}

}  // namespace tend
