// The diskstats collector: /proc/diskstats, as node_exporter 1.5 reports it.
//
// Each line is "major minor name" followed by 11 counters (kernels before
// 4.18), 15 (4.18+: discards) or 17 (5.5+: flushes); node_exporter reports
// as many as the line has, so do we. Sectors are the kernel's fixed 512-byte
// unit, times are milliseconds. node_disk_info and the udev-derived info
// metrics come from <root>/run/udev/data/b<major>:<minor>, which is re-read
// only when its modification time or size changes.
#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/collectors_net.h"
#include "metrics/device_cache.h"
#include "metrics/device_filter.h"
#include "metrics/line_parse.h"
#include "metrics/parse.h"
#include "metrics/udev_info.h"

namespace tend {
namespace {

constexpr size_t kMinFields = 14;  // 3 + the 11 counters of every kernel.
constexpr size_t kMaxStats = 17;   // Counters of 5.5+ kernels.
constexpr double kSectorBytes = 512.0;
constexpr double kSecondsPerTick = 1.0 / 1000.0;

struct DiskMetric {
  std::string_view name;
  std::string_view help;
  MetricType type;
  double scale;
};

// In /proc/diskstats column order (Documentation/admin-guide/iostats.rst).
constexpr std::array<DiskMetric, kMaxStats> kDiskMetrics = {{
    {"node_disk_reads_completed_total",
     "The total number of reads completed successfully.", MetricType::kCounter,
     1},
    {"node_disk_reads_merged_total", "The total number of reads merged.",
     MetricType::kCounter, 1},
    {"node_disk_read_bytes_total",
     "The total number of bytes read successfully.", MetricType::kCounter,
     kSectorBytes},
    {"node_disk_read_time_seconds_total",
     "The total number of seconds spent by all reads.", MetricType::kCounter,
     kSecondsPerTick},
    {"node_disk_writes_completed_total",
     "The total number of writes completed successfully.", MetricType::kCounter,
     1},
    {"node_disk_writes_merged_total", "The number of writes merged.",
     MetricType::kCounter, 1},
    {"node_disk_written_bytes_total",
     "The total number of bytes written successfully.", MetricType::kCounter,
     kSectorBytes},
    {"node_disk_write_time_seconds_total",
     "This is the total number of seconds spent by all writes.",
     MetricType::kCounter, kSecondsPerTick},
    {"node_disk_io_now", "The number of I/Os currently in progress.",
     MetricType::kGauge, 1},
    {"node_disk_io_time_seconds_total", "Total seconds spent doing I/Os.",
     MetricType::kCounter, kSecondsPerTick},
    {"node_disk_io_time_weighted_seconds_total",
     "The weighted # of seconds spent doing I/Os.", MetricType::kCounter,
     kSecondsPerTick},
    {"node_disk_discards_completed_total",
     "The total number of discards completed successfully.",
     MetricType::kCounter, 1},
    {"node_disk_discards_merged_total", "The total number of discards merged.",
     MetricType::kCounter, 1},
    // Sectors, not bytes: node_exporter reports this one unscaled.
    {"node_disk_discarded_sectors_total",
     "The total number of sectors discarded successfully.",
     MetricType::kCounter, 1},
    {"node_disk_discard_time_seconds_total",
     "This is the total number of seconds spent by all discards.",
     MetricType::kCounter, kSecondsPerTick},
    {"node_disk_flush_requests_total",
     "The total number of flush requests completed successfully",
     MetricType::kCounter, 1},
    {"node_disk_flush_requests_time_seconds_total",
     "This is the total number of seconds spent by all flush requests.",
     MetricType::kCounter, kSecondsPerTick},
}};

// What is kept per device between cycles.
struct DiskDevice {
  bool excluded = false;
  uint64_t major = 0;
  uint64_t minor = 0;
  std::string major_text;
  std::string minor_text;
  std::string udev_path;
  bool udev_loaded = false;  // `udev` holds the file as of `udev_times`.
  FileTimes udev_times;
  UdevInfo udev;
};

// One parsed line of this cycle.
struct DiskRow {
  size_t device = 0;  // Index in the DeviceCache.
  size_t count = 0;   // Counters on the line, at most kMaxStats.
  std::array<uint64_t, kMaxStats> values{};
};

class DiskstatsCollector : public Collector {
 public:
  explicit DiskstatsCollector(const CollectorOptions& options)
      : env_(options.env),
        path_(options.paths.proc + "/diskstats"),
        udev_dir_(options.paths.root + (!options.paths.root.empty() &&
                                                options.paths.root.back() == '/'
                                            ? "run/udev/data"
                                            : "/run/udev/data")),
        filter_("diskstats.device_exclude", options.diskstats.device_exclude) {}

  std::string_view name() const override { return "diskstats"; }

  Status Collect(MetricSet* out) override {
    if (!filter_.status().ok()) return filter_.status();
    Status read = env_->ReadFile(path_, &buf_);
    if (!read.ok()) return read;

    ParseErrors errors;
    rows_.clear();
    devices_.BeginCycle();
    LineReader lines(buf_);
    std::string_view line;
    while (lines.Next(&line)) {
      ParseLine(line, lines.line_number(), &errors);
    }
    lines.Finish(path_, &errors, /*empty_is_error=*/false);
    devices_.EndCycle();

    for (DiskRow& row : rows_) RefreshUdev(&devices_.at(row.device));
    Emit(out);
    return errors.ToStatus();
  }

 private:
  void ParseLine(std::string_view line, size_t line_no, ParseErrors* errors) {
    SplitFields(line, &fields_);
    if (fields_.empty()) return;
    if (fields_.size() < kMinFields) {
      errors->AddLine(path_, line_no, line,
                      "expected at least 14 fields (major minor name and 11 "
                      "counters)");
      return;
    }
    uint64_t major, minor;
    if (!ParseUint64(fields_[0], &major) || !ParseUint64(fields_[1], &minor)) {
      errors->AddLine(path_, line_no, line, "bad major or minor number");
      return;
    }
    DiskRow row;
    row.count = std::min(fields_.size() - 3, kMaxStats);
    for (size_t i = 0; i < row.count; ++i) {
      if (!ParseUint64(fields_[3 + i], &row.values[i])) {
        errors->AddLine(path_, line_no, line,
                        "counter is not an unsigned 64-bit integer");
        return;
      }
    }
    std::string_view name = fields_[2];
    bool created;
    row.device = devices_.Find(name, &created);
    if (row.device == devices_.kDuplicate) {
      errors->AddLine(path_, line_no, line, "device listed twice");
      return;
    }
    DiskDevice& dev = devices_.at(row.device);
    if (created) dev.excluded = filter_.Excludes(name);
    if (dev.excluded) return;
    if (created || dev.major != major || dev.minor != minor) {
      dev.major = major;
      dev.minor = minor;
      dev.major_text = std::to_string(major);
      dev.minor_text = std::to_string(minor);
      dev.udev_path = udev_dir_ + "/b" + dev.major_text + ":" + dev.minor_text;
      dev.udev_loaded = false;
      dev.udev = UdevInfo();
    }
    rows_.push_back(row);
  }

  // Brings dev->udev up to date with its udev data file. A missing or
  // unreadable file (no udev, e.g. in a container) means no properties,
  // as in node_exporter, and is not an error.
  void RefreshUdev(DiskDevice* dev) {
    Result<FileTimes> times = env_->Stat(dev->udev_path);
    if (!times.ok()) {
      if (dev->udev_loaded) dev->udev = UdevInfo();
      dev->udev_loaded = false;
      return;
    }
    if (dev->udev_loaded &&
        times->mtime_unix_nanos == dev->udev_times.mtime_unix_nanos &&
        times->size == dev->udev_times.size) {
      return;
    }
    if (!env_->ReadFile(dev->udev_path, &udev_buf_).ok()) {
      dev->udev = UdevInfo();
      dev->udev_loaded = false;
      return;
    }
    ParseUdevData(udev_buf_, &dev->udev);
    dev->udev_times = *times;
    dev->udev_loaded = true;
  }

  Labels DeviceLabel(const DiskRow& row) {
    return Labels{{"device", std::string(devices_.name(row.device))}};
  }

  void Emit(MetricSet* out) {
    if (rows_.empty()) return;
    // Labels in name order, as node_exporter's exposition prints them.
    MetricFamily* info = out->Family("node_disk_info", MetricType::kGauge,
                                     "Info of /sys/block/<block_device>.");
    for (const DiskRow& row : rows_) {
      const DiskDevice& dev = devices_.at(row.device);
      info->samples.push_back(
          {Labels{{"device", std::string(devices_.name(row.device))},
                  {"major", dev.major_text},
                  {"minor", dev.minor_text},
                  {"model", dev.udev.id_model},
                  {"path", dev.udev.id_path},
                  {"revision", dev.udev.id_revision},
                  {"serial", dev.udev.id_serial_short},
                  {"wwn", dev.udev.id_wwn}},
           1});
    }

    size_t max_count = 0;
    for (const DiskRow& row : rows_) max_count = std::max(max_count, row.count);
    for (size_t i = 0; i < max_count; ++i) {
      const DiskMetric& m = kDiskMetrics[i];
      MetricFamily* f = out->Family(m.name, m.type, m.help);
      for (const DiskRow& row : rows_) {
        if (i >= row.count) continue;
        f->samples.push_back(
            {DeviceLabel(row), static_cast<double>(row.values[i]) * m.scale});
      }
    }

    EmitUdevInfo(out);
  }

  void EmitUdevInfo(MetricSet* out) {
    MetricFamily* f = nullptr;
    for (const DiskRow& row : rows_) {
      const UdevInfo& u = devices_.at(row.device).udev;
      if (u.fs_type.empty()) continue;
      if (f == nullptr) {
        f = out->Family("node_disk_filesystem_info", MetricType::kGauge,
                        "Info about disk filesystem.");
      }
      f->samples.push_back(
          {Labels{{"device", std::string(devices_.name(row.device))},
                  {"type", u.fs_type},
                  {"usage", u.fs_usage},
                  {"uuid", u.fs_uuid},
                  {"version", u.fs_version}},
           1});
    }
    f = nullptr;
    for (const DiskRow& row : rows_) {
      const UdevInfo& u = devices_.at(row.device).udev;
      if (u.dm_name.empty()) continue;
      if (f == nullptr) {
        f = out->Family("node_disk_device_mapper_info", MetricType::kGauge,
                        "Info about disk device mapper.");
      }
      f->samples.push_back(
          {Labels{{"device", std::string(devices_.name(row.device))},
                  {"lv_layer", u.dm_lv_layer},
                  {"lv_name", u.dm_lv_name},
                  {"name", u.dm_name},
                  {"uuid", u.dm_uuid},
                  {"vg_name", u.dm_vg_name}},
           1});
    }
    struct AtaMetric {
      std::string_view name;
      std::string_view help;
      std::optional<double> UdevInfo::*value;
    };
    static constexpr AtaMetric kAta[] = {
        {"node_disk_ata_write_cache", "ATA disk has a write cache.",
         &UdevInfo::ata_write_cache},
        {"node_disk_ata_write_cache_enabled",
         "ATA disk has its write cache enabled.",
         &UdevInfo::ata_write_cache_enabled},
        {"node_disk_ata_rotation_rate_rpm",
         "ATA disk rotation rate in RPMs (0 for SSDs).",
         &UdevInfo::ata_rotation_rate_rpm},
    };
    for (const AtaMetric& m : kAta) {
      f = nullptr;
      for (const DiskRow& row : rows_) {
        const UdevInfo& u = devices_.at(row.device).udev;
        const std::optional<double>& v = u.*(m.value);
        if (u.ata.empty() || !v.has_value()) continue;
        if (f == nullptr) f = out->Family(m.name, MetricType::kGauge, m.help);
        f->samples.push_back({DeviceLabel(row), *v});
      }
    }
  }

  Env* env_;
  const std::string path_;
  const std::string udev_dir_;
  DeviceFilter filter_;
  DeviceCache<DiskDevice> devices_;
  // Reused across cycles.
  std::string buf_;
  std::string udev_buf_;
  std::vector<std::string_view> fields_;
  std::vector<DiskRow> rows_;
};

}  // namespace

std::unique_ptr<Collector> NewDiskstatsCollector(
    const CollectorOptions& options) {
  return std::make_unique<DiskstatsCollector>(options);
}

}  // namespace tend
