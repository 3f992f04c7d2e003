// The filesystem collector: node_exporter 1.5's node_filesystem_* metrics.
//
// Per mounted filesystem, labels {device, fstype, mountpoint}, all gauges:
//   node_filesystem_device_error  1 when statvfs() failed, timed out, or an
//                                 earlier call is still blocked; else 0
//   node_filesystem_readonly      1 when the mount options hold "ro" (0 on a
//                                 device error, as node_exporter 1.5 does)
//   node_filesystem_size_bytes, _free_bytes, _avail_bytes (blocks times
//   the block size), node_filesystem_files, _files_free: only without a
//   device error.
//
// Mounts come from <proc>/1/mounts (the init process's mount namespace, the
// host's when tend runs in a container with the host's /proc), or from
// <proc>/self/mounts when that is hidden (hidepid) or absent. Mounts whose
// mount point or type fully matches the exclude patterns are skipped; the
// decisions are cached per string since mount tables barely change. The
// same (device, mountpoint, fstype) listed twice is reported once.
//
// statvfs() can block forever on a dead network mount; TimedStatFs
// (filesystem_statfs.h) bounds each call and remembers stuck mounts.
#include <re2/re2.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/log.h"
#include "metrics/collectors_fs_proc.h"
#include "metrics/filesystem_mounts.h"
#include "metrics/filesystem_statfs.h"

namespace tend {
namespace {

// Exclusion decisions are cached per mount point / fs type. Container hosts
// create and remove mounts all day; past this many distinct strings the
// cache starts over rather than grow without bound.
constexpr size_t kMaxCachedDecisions = 4096;

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const {
    return std::hash<std::string_view>()(s);
  }
};

// A compiled exclude pattern and its per-string decisions.
class Excluder {
 public:
  // Returns an error naming `option` when `pattern` does not compile.
  Status Init(std::string_view option, const std::string& pattern) {
    RE2::Options opts;
    opts.set_log_errors(false);
    re_ = std::make_unique<RE2>(pattern, opts);
    if (!re_->ok()) {
      Status s = InvalidArgumentError(
          "filesystem: " + std::string(option) + " \"" + pattern +
          "\" is not a valid regular expression: " + re_->error() +
          " (fix the pattern; it must be RE2 syntax, fully anchored)");
      re_.reset();
      return s;
    }
    return Status::Ok();
  }

  bool Excluded(const std::string& s) {
    auto it = cache_.find(s);
    if (it != cache_.end()) return it->second;
    if (cache_.size() >= kMaxCachedDecisions) cache_.clear();
    bool match = RE2::FullMatch(s, *re_);
    cache_.emplace(s, match);
    return match;
  }

 private:
  std::unique_ptr<RE2> re_;
  std::unordered_map<std::string, bool, StringHash, std::equal_to<>> cache_;
};

class FilesystemCollector : public Collector {
 public:
  explicit FilesystemCollector(const CollectorOptions& options)
      : env_(options.env),
        root_(options.paths.root),
        mounts_path_(options.paths.proc + "/1/mounts"),
        fallback_mounts_path_(options.paths.proc + "/self/mounts"),
        timeout_(std::max<int64_t>(1, options.filesystem.stat_timeout_ms)),
        statfs_(options.env) {
    init_status_ = mount_points_.Init("mount_points_exclude",
                                      options.filesystem.mount_points_exclude);
    if (init_status_.ok()) {
      init_status_ = fs_types_.Init("fs_types_exclude",
                                    options.filesystem.fs_types_exclude);
    }
  }

  std::string_view name() const override { return "filesystem"; }

  Status Collect(MetricSet* out) override;

 private:
  Status ReadMounts();
  void SelectMounts();
  void Report(const MountEntry& m, MetricSet* out);

  Env* const env_;
  const std::string root_;
  const std::string mounts_path_;
  const std::string fallback_mounts_path_;
  const std::chrono::milliseconds timeout_;
  Status init_status_;
  Excluder mount_points_;
  Excluder fs_types_;

  // Buffers reused from cycle to cycle.
  std::string text_;
  const std::string* read_path_ = nullptr;  // The file text_ came from.
  std::vector<MountEntry> mounts_;
  std::vector<std::pair<uint64_t, uint32_t>> by_hash_;  // (hash, index)
  std::vector<uint32_t> selected_;  // Indexes into mounts_, in file order.
  std::string statfs_path_;
  TimedStatFs::Answer answer_;

  TimedStatFs statfs_;  // Last: its helper may use env_ until destroyed.
};

Status FilesystemCollector::ReadMounts() {
  read_path_ = &mounts_path_;
  Status s = env_->ReadFile(mounts_path_, &text_);
  if (s.ok()) return s;
  if (s.code() != StatusCode::kNotFound &&
      s.code() != StatusCode::kPermissionDenied) {
    return s;
  }
  read_path_ = &fallback_mounts_path_;
  Status fallback = env_->ReadFile(fallback_mounts_path_, &text_);
  if (fallback.ok()) return fallback;
  return Status(fallback.code(), "filesystem: no mount table readable: " +
                                     s.message() + "; " + fallback.message());
}

// Fills selected_ with the mounts to report: not excluded, first of their
// (device, mountpoint, fstype), in file order.
void FilesystemCollector::SelectMounts() {
  by_hash_.clear();
  std::hash<std::string_view> h;
  for (uint32_t i = 0; i < mounts_.size(); ++i) {
    const MountEntry& m = mounts_[i];
    if (mount_points_.Excluded(m.mount_point) || fs_types_.Excluded(m.fs_type))
      continue;
    uint64_t key = h(m.device);
    key = key * 1000003 ^ h(m.mount_point);
    key = key * 1000003 ^ h(m.fs_type);
    by_hash_.emplace_back(key, i);
  }
  std::sort(by_hash_.begin(), by_hash_.end());
  selected_.clear();
  for (size_t j = 0; j < by_hash_.size(); ++j) {
    const MountEntry& m = mounts_[by_hash_[j].second];
    bool duplicate = false;
    // Same hash sorts adjacent, lower index first: compare with the earlier
    // ones of this run.
    for (size_t k = j; k > 0 && by_hash_[k - 1].first == by_hash_[j].first;
         --k) {
      const MountEntry& o = mounts_[by_hash_[k - 1].second];
      if (o.device == m.device && o.mount_point == m.mount_point &&
          o.fs_type == m.fs_type) {
        duplicate = true;
        break;
      }
    }
    if (!duplicate) selected_.push_back(by_hash_[j].second);
  }
  std::sort(selected_.begin(), selected_.end());
}

void FilesystemCollector::Report(const MountEntry& m, MetricSet* out) {
  StatFsPath(root_, m.mount_point, &statfs_path_);
  statfs_.Stat(m.mount_point, statfs_path_, timeout_, &answer_);
  bool ok =
      answer_.outcome == TimedStatFs::Outcome::kDone && answer_.status.ok();
  if (answer_.outcome == TimedStatFs::Outcome::kDone && !ok) {
    LogDebug("statfs failed", {{"mountpoint", m.mount_point},
                               {"path", statfs_path_},
                               {"err", answer_.status}});
  }
  auto labels = [&m] {
    return Labels{{"device", m.device},
                  {"fstype", m.fs_type},
                  {"mountpoint", m.mount_point}};
  };
  out->Gauge("node_filesystem_device_error",
             "Whether an error occurred while getting statistics for the "
             "given device.",
             ok ? 0 : 1, labels());
  out->Gauge("node_filesystem_readonly", "Filesystem read-only status.",
             ok && MountOptionsReadOnly(m.options) ? 1 : 0, labels());
  if (!ok) return;
  const FsStats& st = answer_.stats;
  const double bsize = static_cast<double>(st.block_size);
  out->Gauge("node_filesystem_size_bytes", "Filesystem size in bytes.",
             static_cast<double>(st.blocks) * bsize, labels());
  out->Gauge("node_filesystem_free_bytes", "Filesystem free space in bytes.",
             static_cast<double>(st.blocks_free) * bsize, labels());
  out->Gauge("node_filesystem_avail_bytes",
             "Filesystem space available to non-root users in bytes.",
             static_cast<double>(st.blocks_avail) * bsize, labels());
  out->Gauge("node_filesystem_files", "Filesystem total file nodes.",
             static_cast<double>(st.files), labels());
  out->Gauge("node_filesystem_files_free", "Filesystem total free file nodes.",
             static_cast<double>(st.files_free), labels());
}

Status FilesystemCollector::Collect(MetricSet* out) {
  RETURN_IF_ERROR(init_status_);
  RETURN_IF_ERROR(ReadMounts());
  size_t first_bad = 0;
  size_t bad = ParseMounts(text_, &mounts_, &first_bad);
  for (MountEntry& m : mounts_) {
    std::string_view stripped = StripRootPrefix(m.mount_point, root_);
    if (stripped.size() == m.mount_point.size()) continue;
    if (stripped == "/") {
      m.mount_point.assign("/");
    } else {
      m.mount_point.erase(0, m.mount_point.size() - stripped.size());
    }
  }
  SelectMounts();
  for (uint32_t i : selected_) Report(mounts_[i], out);
  if (bad > 0) {
    return DataLossError(
        "filesystem: " + *read_path_ + ":" + std::to_string(first_bad) +
        ": malformed mount line (want \"device mountpoint fstype options "
        "...\"); " +
        std::to_string(bad) +
        " such line(s) skipped, the other mounts were reported");
  }
  return Status::Ok();
}

}  // namespace

std::unique_ptr<Collector> NewFilesystemCollector(
    const CollectorOptions& options) {
  return std::make_unique<FilesystemCollector>(options);
}

}  // namespace tend
