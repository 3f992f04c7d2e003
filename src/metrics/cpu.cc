// The "cpu" collector: per-CPU time from the cpuN lines of /proc/stat.
//
// Unlike the other system collectors it keeps state between cycles, as
// node_exporter 1.5 does: on some kernels iowait (and occasionally idle) in
// /proc/stat goes down between reads, and a counter must never decrease. The
// collector remembers the last value it exposed for every CPU and mode and,
// when the kernel's value is smaller, exposes the remembered one again
// (logged at debug). A CPU's memory is dropped when the CPU is missing from a
// read (offline: hotplug) and reset when its idle time falls by 3 s or more
// (it went offline and came back between two reads), so a CPU that returns
// with smaller counters starts again from them instead of sticking at its
// old values.
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "metrics/collectors_system.h"
#include "metrics/line_parse.h"
#include "metrics/parse.h"

namespace tend {
namespace {

// /proc/stat counts in USER_HZ, which the kernel fixes at 100 for userspace
// on every architecture (sysconf(_SC_CLK_TCK) reports the same).
constexpr double kUserHz = 100.0;

constexpr std::string_view kSecondsName = "node_cpu_seconds_total";
constexpr std::string_view kSecondsHelp =
    "Seconds the CPUs spent in each mode.";
constexpr std::string_view kGuestName = "node_cpu_guest_seconds_total";
constexpr std::string_view kGuestHelp =
    "Seconds the CPUs spent in guests (VMs) for each mode.";

// The columns of a cpuN line, in the kernel's order. Kernels before 2.6.11
// stop after softirq (or earlier); guest and guest_nice came in 2.6.24 and
// 2.6.33.
constexpr size_t kModeColumns = 8;
constexpr std::array<std::string_view, kModeColumns> kModes = {
    "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"};
constexpr size_t kGuestColumn = 8;      // guest: time in guests' user mode.
constexpr size_t kGuestNiceColumn = 9;  // guest_nice.
constexpr size_t kMaxColumns = 10;
constexpr size_t kIdleColumn = 3;
// node_exporter's jumpBackSeconds: an idle drop this large means hotplug.
constexpr uint64_t kJumpBackTicks = 3 * 100;

// One parsed cpuN line. The id is kept inline so parsing does not allocate.
struct CpuRow {
  std::array<char, 10> id{};
  uint8_t id_len = 0;
  uint8_t columns = 0;
  std::array<uint64_t, kMaxColumns> ticks{};

  std::string_view Id() const { return std::string_view(id.data(), id_len); }
};

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

class CpuCollector : public Collector {
 public:
  explicit CpuCollector(const CollectorOptions& options)
      : env_(options.env), path_(options.paths.proc + "/stat") {}

  std::string_view name() const override { return "cpu"; }

  Status Collect(MetricSet* out) override {
    RETURN_IF_ERROR(env_->ReadFile(path_, &buf_));
    ParseErrors errors(path_);
    rows_.clear();
    LineReader reader(buf_);
    std::string_view line;
    while (reader.Next(&line)) {
      if (!line.starts_with("cpu")) continue;
      std::string_view rest;
      std::string_view key = FirstField(line, &rest);
      std::string_view id = key.substr(3);
      if (id.empty()) continue;  // The "cpu" line sums all CPUs.
      if (!IsDigits(id) || id.size() > CpuRow().id.size()) {
        errors.AddLine(reader.line_number(), line, "bad CPU number");
        continue;
      }
      CpuRow row;
      id.copy(row.id.data(), id.size());
      row.id_len = static_cast<uint8_t>(id.size());
      if (!ParseColumns(rest, &row)) {
        errors.AddLine(reader.line_number(), line,
                       "expected unsigned numbers after the CPU");
        continue;
      }
      rows_.push_back(row);
    }
    reader.Finish(&errors);
    if (rows_.empty() && errors.empty()) errors.AddFile("no cpuN lines");
    KeepMonotonic(errors.empty());
    Emit(out);
    return errors.ToStatus();
  }

 private:
  // Parses the numbers after the CPU; false if there are none or a field is
  // not an unsigned number. Columns past the tenth (a future kernel's) are
  // checked but not used.
  static bool ParseColumns(std::string_view rest, CpuRow* row) {
    size_t n = 0;
    uint64_t extra;
    while (!rest.empty()) {
      std::string_view field = FirstField(rest, &rest);
      if (!ParseUint64(field, n < kMaxColumns ? &row->ticks[n] : &extra)) {
        return false;
      }
      ++n;
    }
    row->columns = static_cast<uint8_t>(n < kMaxColumns ? n : kMaxColumns);
    return n > 0;
  }

  // The last exposed row of CPU `id`, or nullptr. `pos` is where the CPU is
  // in this read: CPUs are listed in the same order every time, so the same
  // position in the previous read is almost always the match.
  const CpuRow* Previous(std::string_view id, size_t pos) const {
    if (pos < previous_.size() && previous_[pos].Id() == id) {
      return &previous_[pos];
    }
    for (const CpuRow& p : previous_) {
      if (p.Id() == id) return &p;
    }
    return nullptr;
  }

  // Raises every counter of rows_ that went below what the previous cycle
  // exposed back to that value, then remembers rows_ for the next cycle.
  // CPUs absent from a `complete` read (no malformed lines) are forgotten;
  // after an incomplete one they are kept, since their line may just have
  // been unreadable.
  void KeepMonotonic(bool complete) {
    for (size_t r = 0; r < rows_.size(); ++r) {
      CpuRow& row = rows_[r];
      const CpuRow* prev = Previous(row.Id(), r);
      if (prev == nullptr) continue;
      if (row.columns > kIdleColumn && prev->columns > kIdleColumn &&
          prev->ticks[kIdleColumn] > row.ticks[kIdleColumn] &&
          prev->ticks[kIdleColumn] - row.ticks[kIdleColumn] >= kJumpBackTicks) {
        LogDebug(
            "CPU idle counter jumped backwards by 3 seconds or more, possible "
            "hotplug event, resetting CPU stats",
            {{"cpu", row.Id()},
             {"old_value",
              static_cast<double>(prev->ticks[kIdleColumn]) / kUserHz},
             {"new_value",
              static_cast<double>(row.ticks[kIdleColumn]) / kUserHz}});
        continue;
      }
      const size_t n = std::min(row.columns, prev->columns);
      for (size_t i = 0; i < n; ++i) {
        if (row.ticks[i] >= prev->ticks[i]) continue;
        LogDebug("CPU counter jumped backwards",
                 {{"cpu", row.Id()},
                  {"mode", ColumnName(i)},
                  {"old_value", static_cast<double>(prev->ticks[i]) / kUserHz},
                  {"new_value", static_cast<double>(row.ticks[i]) / kUserHz}});
        row.ticks[i] = prev->ticks[i];
      }
    }
    if (complete) {
      previous_.assign(rows_.begin(), rows_.end());
      return;
    }
    std::vector<CpuRow> next(rows_.begin(), rows_.end());
    for (const CpuRow& p : previous_) {
      bool seen = false;
      for (const CpuRow& row : rows_) seen = seen || row.Id() == p.Id();
      if (!seen) next.push_back(p);
    }
    previous_ = std::move(next);
  }

  static std::string_view ColumnName(size_t column) {
    if (column < kModeColumns) return kModes[column];
    return column == kGuestColumn ? "guest" : "guest_nice";
  }

  void Emit(MetricSet* out) const {
    bool any_guest = false;
    if (!rows_.empty()) {
      MetricFamily* f =
          out->Family(kSecondsName, MetricType::kCounter, kSecondsHelp);
      for (const CpuRow& row : rows_) {
        size_t n = row.columns < kModeColumns ? row.columns : kModeColumns;
        for (size_t i = 0; i < n; ++i) {
          f->samples.push_back({{{"cpu", std::string(row.Id())},
                                 {"mode", std::string(kModes[i])}},
                                static_cast<double>(row.ticks[i]) / kUserHz});
        }
        any_guest = any_guest || row.columns > kGuestColumn;
      }
    }
    if (!any_guest) return;
    MetricFamily* g = out->Family(kGuestName, MetricType::kCounter, kGuestHelp);
    for (const CpuRow& row : rows_) {
      if (row.columns > kGuestColumn) {
        g->samples.push_back(
            {{{"cpu", std::string(row.Id())}, {"mode", "user"}},
             static_cast<double>(row.ticks[kGuestColumn]) / kUserHz});
      }
      if (row.columns > kGuestNiceColumn) {
        g->samples.push_back(
            {{{"cpu", std::string(row.Id())}, {"mode", "nice"}},
             static_cast<double>(row.ticks[kGuestNiceColumn]) / kUserHz});
      }
    }
  }

  Env* env_;
  const std::string path_;
  std::string buf_;
  std::vector<CpuRow> rows_;
  std::vector<CpuRow> previous_;  // What the last read exposed, per CPU.
};

}  // namespace

std::unique_ptr<Collector> NewCpuCollector(const CollectorOptions& options) {
  return std::make_unique<CpuCollector>(options);
}

}  // namespace tend
