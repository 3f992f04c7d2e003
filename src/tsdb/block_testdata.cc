#include "tsdb/block_testdata.h"

#include <stdlib.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>

#include "tsdb/block_io.h"

namespace tend {
namespace {

class Gen {
 public:
  Gen(int64_t start, int64_t duration, int64_t step, uint64_t seed)
      : rng_(seed) {
    std::uniform_int_distribution<int> jitter(1, 40);
    std::bernoulli_distribution late(0.03);
    for (int64_t t = start; t < start + duration; t += step) {
      const int64_t j = late(rng_) ? jitter(rng_) : 0;
      if (t + j < start + duration) times_.push_back(t + j);
    }
  }

  std::mt19937_64& rng() { return rng_; }
  size_t n() const { return times_.size(); }

  // Adds one series whose i-th value is f(i).
  void Add(std::string family, std::string type, std::string name,
           Labels labels, const std::function<double(size_t)>& f) {
    TestSeries s;
    s.family = std::move(family);
    s.type = std::move(type);
    labels.push_back(Label{std::string(kMetricNameLabel), std::move(name)});
    CanonicalizeLabels(&labels);
    s.labels = std::move(labels);
    s.points.reserve(times_.size());
    for (size_t i = 0; i < times_.size(); ++i) {
      s.points.push_back(Point{times_[i], f(i)});
    }
    out_.push_back(std::move(s));
  }
  void Counter(const std::string& name, Labels labels,
               const std::function<double(size_t)>& f) {
    Add(name.substr(0, name.size() - 6), "counter", name, std::move(labels), f);
  }
  void Gauge(const std::string& name, Labels labels,
             const std::function<double(size_t)>& f) {
    Add(name, "gauge", name, std::move(labels), f);
  }

  // A precomputed integer walk: start, then each step adds step(rng).
  template <typename Step>
  std::vector<int64_t> Walk(int64_t start, Step step) {
    std::vector<int64_t> v(times_.size());
    int64_t x = start;
    for (size_t i = 0; i < v.size(); ++i) {
      if (i > 0) x += step(rng_);
      v[i] = x;
    }
    return v;
  }

  std::vector<TestSeries> Take() { return std::move(out_); }
  int64_t time(size_t i) const { return times_[i]; }

 private:
  std::mt19937_64 rng_;
  std::vector<int64_t> times_;
  std::vector<TestSeries> out_;
};

using Rng = std::mt19937_64;

int64_t Poisson(Rng& r, double mean) {
  return std::poisson_distribution<int64_t>(mean)(r);
}

// A counter that grows by Poisson(mean) per step and, rarely, resets.
std::vector<int64_t> CounterWalk(Gen& g, int64_t start, double mean,
                                 double reset_prob = 0) {
  std::vector<int64_t> v =
      g.Walk(start, [&](Rng& r) { return Poisson(r, mean); });
  std::bernoulli_distribution reset(reset_prob);
  int64_t offset = 0;
  for (size_t i = 1; i < v.size(); ++i) {
    if (reset_prob > 0 && reset(g.rng())) offset = v[i];
    v[i] -= offset;
  }
  return v;
}

// A gauge wandering around `center` with normal steps, clamped at lo.
std::vector<int64_t> GaugeWalk(Gen& g, int64_t center, double sd, int64_t lo,
                               double change_prob = 1.0) {
  std::normal_distribution<double> step(0, sd);
  std::bernoulli_distribution changes(change_prob);
  std::vector<int64_t> v(g.n());
  int64_t x = center;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0 && changes(g.rng())) {
      x += static_cast<int64_t>(
          std::llround(step(g.rng()) - 0.01 * (x - center)));
      x = std::max(x, lo);
    }
    v[i] = x;
  }
  return v;
}

}  // namespace

std::vector<TestSeries> MakeHostSeries(int64_t start_ms, int64_t duration_ms,
                                       int64_t step_ms, uint64_t seed) {
  Gen g(start_ms, duration_ms, step_ms, seed);
  const double steps_per_s = 1000.0 / static_cast<double>(step_ms);
  const double secs = static_cast<double>(step_ms) / 1000.0;

  // CPU: per cpu, USER_HZ ticks per mode summing to 100/s, as ticks / 100.
  const char* modes[] = {"idle",    "iowait", "irq",    "nice",
                         "softirq", "steal",  "system", "user"};
  for (int cpu = 0; cpu < 8; ++cpu) {
    const int64_t total = static_cast<int64_t>(100 * secs);
    std::vector<std::vector<int64_t>> ticks(8, std::vector<int64_t>(g.n()));
    std::vector<int64_t> acc = {90'000'000, 120'000, 300,     1'500,
                                40'000,     0,       900'000, 2'500'000};
    std::normal_distribution<double> busy(0.12, 0.08);
    for (size_t i = 0; i < g.n(); ++i) {
      if (i > 0) {
        const double b = std::clamp(busy(g.rng()), 0.0, 0.95);
        const int64_t user = static_cast<int64_t>(b * total * 0.7);
        const int64_t system = static_cast<int64_t>(b * total * 0.25);
        const int64_t iowait = Poisson(g.rng(), 0.8);
        const int64_t softirq = Poisson(g.rng(), 0.5);
        const int64_t irq = Poisson(g.rng(), 0.05);
        const int64_t nice = Poisson(g.rng(), 0.01);
        const int64_t idle = std::max<int64_t>(
            0, total - user - system - iowait - softirq - irq - nice);
        const int64_t d[8] = {idle,    iowait, irq,    nice,
                              softirq, 0,      system, user};
        for (int m = 0; m < 8; ++m) acc[m] += d[m];
      }
      for (int m = 0; m < 8; ++m) ticks[m][i] = acc[m];
    }
    for (int m = 0; m < 8; ++m) {
      auto v = ticks[m];
      g.Counter("node_cpu_seconds_total",
                {{"cpu", std::to_string(cpu)}, {"mode", modes[m]}},
                [v](size_t i) { return static_cast<double>(v[i]) / 100.0; });
    }
    for (const char* mode : {"nice", "user"}) {
      g.Counter("node_cpu_guest_seconds_total",
                {{"cpu", std::to_string(cpu)}, {"mode", mode}},
                [](size_t) { return 0.0; });
    }
  }

  // Memory, in KiB * 1024 like /proc/meminfo.
  struct Mem {
    const char* name;
    int64_t kib;
    double sd;
    double change;
  };
  const Mem mems[] = {
      {"MemTotal", 32'594'212, 0, 0},
      {"MemFree", 9'812'000, 3000, 1},
      {"MemAvailable", 21'400'000, 3000, 1},
      {"Buffers", 412'000, 40, 0.6},
      {"Cached", 11'200'000, 900, 1},
      {"SwapCached", 1'024, 1, 0.01},
      {"Active", 12'000'000, 1500, 1},
      {"Inactive", 8'100'000, 900, 1},
      {"Active_anon", 7'900'000, 1400, 1},
      {"Inactive_anon", 310'000, 50, 0.8},
      {"Active_file", 4'100'000, 300, 1},
      {"Inactive_file", 7'800'000, 600, 1},
      {"Unevictable", 64, 0, 0},
      {"Mlocked", 64, 0, 0},
      {"SwapTotal", 8'388'604, 0, 0},
      {"SwapFree", 8'300'000, 4, 0.02},
      {"Dirty", 1'200, 400, 1},
      {"Writeback", 0, 2, 0.05},
      {"AnonPages", 8'000'000, 1400, 1},
      {"Mapped", 1'100'000, 100, 0.9},
      {"Shmem", 520'000, 30, 0.5},
      {"KReclaimable", 600'000, 60, 0.8},
      {"Slab", 980'000, 80, 1},
      {"SReclaimable", 600'000, 60, 0.8},
      {"SUnreclaim", 380'000, 40, 0.9},
      {"KernelStack", 24'000, 30, 0.9},
      {"PageTables", 98'000, 60, 0.9},
      {"CommitLimit", 24'685'708, 0, 0},
      {"Committed_AS", 21'000'000, 2000, 1},
      {"VmallocTotal", 34'359'738'367, 0, 0},
      {"VmallocUsed", 88'000, 10, 0.3},
      {"HugePages_Total", 0, 0, 0},
      {"Hugepagesize", 2'048, 0, 0},
      {"DirectMap4k", 812'000, 0, 0},
      {"DirectMap2M", 21'000'000, 0, 0},
      {"DirectMap1G", 12'582'912, 0, 0},
  };
  for (const Mem& m : mems) {
    auto v = GaugeWalk(g, m.kib, m.sd, 0, m.change);
    g.Gauge(std::string("node_memory_") + m.name + "_bytes", {},
            [v](size_t i) { return static_cast<double>(v[i] * 1024); });
  }

  // Load averages: 2 decimals.
  {
    auto l1 = GaugeWalk(g, 85, 12, 0);
    auto l5 = GaugeWalk(g, 80, 4, 0);
    auto l15 = GaugeWalk(g, 78, 1.5, 0);
    g.Gauge("node_load1", {}, [l1](size_t i) { return l1[i] / 100.0; });
    g.Gauge("node_load5", {}, [l5](size_t i) { return l5[i] / 100.0; });
    g.Gauge("node_load15", {}, [l15](size_t i) { return l15[i] / 100.0; });
  }

  // Network.
  struct Dev {
    const char* name;
    double bytes_per_s;
  };
  for (const Dev& d : {Dev{"eth0", 180'000}, Dev{"lo", 25'000},
                       Dev{"docker0", 300}, Dev{"wlan0", 0}}) {
    for (const char* dir : {"receive", "transmit"}) {
      auto bytes = CounterWalk(g, 48'000'000'000, d.bytes_per_s * secs);
      auto packets = bytes;
      for (auto& p : packets) p /= 900;
      auto errs = CounterWalk(g, 0, d.bytes_per_s > 1e5 ? 0.0005 : 0);
      auto drop = CounterWalk(g, 12, d.bytes_per_s > 1e5 ? 0.003 : 0);
      auto mk = [](std::vector<int64_t> v) {
        return [v](size_t i) { return static_cast<double>(v[i]); };
      };
      Labels l = {{"device", d.name}};
      g.Counter(std::string("node_network_") + dir + "_bytes_total", l,
                mk(bytes));
      g.Counter(std::string("node_network_") + dir + "_packets_total", l,
                mk(packets));
      g.Counter(std::string("node_network_") + dir + "_errs_total", l,
                mk(errs));
      g.Counter(std::string("node_network_") + dir + "_drop_total", l,
                mk(drop));
    }
  }

  // Per-interface attributes: constant or nearly so, as node_exporter's
  // netclass collector reports them.
  for (const char* dev : {"eth0", "lo", "docker0", "wlan0"}) {
    Labels l = {{"device", dev}};
    const bool up = dev[0] != 'w';
    const std::pair<const char*, double> attrs[] = {
        {"node_network_up", up ? 1 : 0},
        {"node_network_mtu_bytes", dev[0] == 'l' ? 65536 : 1500},
        {"node_network_speed_bytes", dev[0] == 'e' ? 125000000 : 0},
        {"node_network_carrier", up ? 1 : 0},
        {"node_network_iface_id", static_cast<double>(dev[0])},
        {"node_network_iface_link", static_cast<double>(dev[0])},
        {"node_network_address_assign_type", 0},
        {"node_network_dormant", 0},
        {"node_network_flags", up ? 4099 : 4098},
        {"node_network_protocol_type", dev[0] == 'l' ? 772 : 1},
        {"node_network_transmit_queue_length", 1000},
        {"node_network_net_dev_group", 0},
        {"node_network_name_assign_type", 4},
    };
    for (const auto& [name, value] : attrs) {
      const double v = value;
      g.Gauge(name, l, [v](size_t) { return v; });
    }
    auto changes = CounterWalk(g, 2, up ? 0.0002 : 0);
    g.Counter("node_network_carrier_changes_total", l,
              [changes](size_t i) { return static_cast<double>(changes[i]); });
    for (const char* dir : {"receive", "transmit"}) {
      for (const char* what : {"fifo", "frame", "compressed", "multicast"}) {
        if (dir[0] == 't' && what[1] == 'r') continue;
        auto v = CounterWalk(g, 0, what[0] == 'm' && up ? 0.02 : 0);
        g.Counter(std::string("node_network_") + dir + "_" + what + "_total", l,
                  [v](size_t i) { return static_cast<double>(v[i]); });
      }
    }
  }
  // CPU frequency in Hz (kHz steps), throttles, info.
  for (int cpu = 0; cpu < 8; ++cpu) {
    Labels l = {{"cpu", std::to_string(cpu)}};
    auto khz = GaugeWalk(g, 2'100'000, 150'000, 800'000, 0.8);
    g.Gauge("node_cpu_scaling_frequency_hertz", l,
            [khz](size_t i) { return static_cast<double>(khz[i]) * 1000; });
    g.Gauge("node_cpu_scaling_frequency_max_hertz", l,
            [](size_t) { return 4.2e9; });
    g.Gauge("node_cpu_scaling_frequency_min_hertz", l,
            [](size_t) { return 8e8; });
    g.Counter("node_cpu_core_throttles_total", l, [](size_t) { return 0.0; });
  }
  // Disks: counts, bytes (sectors * 512), times in ms / 1000.
  for (const char* dev :
       {"nvme0n1", "sda", "dm-0", "loop0", "loop1", "loop2"}) {
    const bool active = dev[0] != 'l';
    const double rate = dev[0] == 'n'   ? 30
                        : dev[0] == 'd' ? 28
                        : active        ? 2
                                        : 0;
    auto reads = CounterWalk(g, 1'200'000, rate * 0.3 * secs / 10);
    auto writes = CounterWalk(g, 5'400'000, rate * secs / 10);
    auto rbytes = reads;
    auto wbytes = writes;
    for (size_t i = 1; i < reads.size(); ++i) {
      rbytes[i] = rbytes[i - 1] +
                  (reads[i] - reads[i - 1]) * 512 * (8 + Poisson(g.rng(), 24));
      wbytes[i] = wbytes[i - 1] + (writes[i] - writes[i - 1]) * 512 *
                                      (8 + Poisson(g.rng(), 40));
    }
    auto iot = CounterWalk(g, 8'000'000, rate * secs / 10 * 0.9);
    auto rt = CounterWalk(g, 900'000, rate * secs / 10 * 0.2);
    auto wt = CounterWalk(g, 15'000'000, rate * secs / 10 * 3.1);
    auto ionow = GaugeWalk(g, 0, active ? 0.4 : 0, 0, active ? 0.2 : 0);
    Labels l = {{"device", dev}};
    auto num = [](std::vector<int64_t> v) {
      return [v](size_t i) { return static_cast<double>(v[i]); };
    };
    auto ms = [](std::vector<int64_t> v) {
      return [v](size_t i) { return v[i] / 1000.0; };
    };
    g.Counter("node_disk_reads_completed_total", l, num(reads));
    g.Counter("node_disk_writes_completed_total", l, num(writes));
    g.Counter("node_disk_read_bytes_total", l, num(rbytes));
    g.Counter("node_disk_written_bytes_total", l, num(wbytes));
    g.Counter("node_disk_io_time_seconds_total", l, ms(iot));
    g.Counter("node_disk_read_time_seconds_total", l, ms(rt));
    g.Counter("node_disk_write_time_seconds_total", l, ms(wt));
    g.Gauge("node_disk_io_now", l, num(ionow));
    auto rmerged = CounterWalk(g, 90'000, rate * 0.02 * secs / 10);
    auto wmerged = CounterWalk(g, 2'000'000, rate * 0.4 * secs / 10);
    auto flushes = CounterWalk(g, 300'000, rate * 0.05 * secs / 10);
    auto weighted = CounterWalk(g, 30'000'000, rate * 4 * secs / 10);
    g.Counter("node_disk_reads_merged_total", l, num(rmerged));
    g.Counter("node_disk_writes_merged_total", l, num(wmerged));
    g.Counter("node_disk_flush_requests_total", l, num(flushes));
    g.Counter("node_disk_io_time_weighted_seconds_total", l, ms(weighted));
    g.Counter("node_disk_discards_completed_total", l,
              [](size_t) { return 0.0; });
    g.Counter("node_disk_discarded_sectors_total", l,
              [](size_t) { return 0.0; });
    g.Gauge("node_disk_info", {{"device", dev}, {"major", "259"}},
            [](size_t) { return 1.0; });
  }

  // Filesystems: blocks of 4096.
  for (const char* mp : {"/", "/boot", "/home", "/var", "/run", "/tmp"}) {
    Labels l = {{"device", std::string("/dev/") + (mp[1] ? mp + 1 : "root")},
                {"fstype", mp[1] == 'r' || mp[1] == 't' ? "tmpfs" : "ext4"},
                {"mountpoint", mp}};
    const int64_t size_blocks = 120'000'000 / (mp[1] ? 4 : 1);
    auto avail = GaugeWalk(g, size_blocks / 3, 40, 0, 0.7);
    auto files_free = GaugeWalk(g, 7'000'000, 6, 0, 0.6);
    g.Gauge("node_filesystem_size_bytes", l,
            [=](size_t) { return static_cast<double>(size_blocks * 4096); });
    g.Gauge("node_filesystem_avail_bytes", l,
            [avail](size_t i) { return static_cast<double>(avail[i] * 4096); });
    g.Gauge("node_filesystem_free_bytes", l, [avail](size_t i) {
      return static_cast<double>((avail[i] + 1'500'000) * 4096);
    });
    g.Gauge("node_filesystem_files", l, [](size_t) { return 7'864'320.0; });
    g.Gauge("node_filesystem_readonly", l, [](size_t) { return 0.0; });
    g.Gauge("node_filesystem_device_error", l, [](size_t) { return 0.0; });
    g.Gauge("node_filesystem_files_free", l, [files_free](size_t i) {
      return static_cast<double>(files_free[i]);
    });
  }

  // vmstat and netstat counters with a spread of rates (many idle).
  const double vm_rates[] = {0, 0, 0.02, 0.5, 3,   15, 40, 120,  800, 2000,
                             0, 0, 1,    7,   0.1, 0,  60, 0.01, 300, 5};
  for (size_t k = 0; k < std::size(vm_rates); ++k) {
    auto v = CounterWalk(g, 1'000'000 + 37'000 * k, vm_rates[k] * secs);
    g.Gauge("node_vmstat_field" + std::to_string(k), {},
            [v](size_t i) { return static_cast<double>(v[i]); });
  }
  const double ns_rates[] = {0, 0, 0, 0.01, 0.05, 0.2, 1,   4, 20, 90,
                             0, 0, 0, 0,    0.3,  2,   0,   0, 11, 0.02,
                             0, 0, 0, 0.01, 0,    5,   0.5, 0, 0,  1.5};
  for (size_t k = 0; k < std::size(ns_rates); ++k) {
    auto v = CounterWalk(g, 5'000 * k, ns_rates[k] * secs);
    g.Gauge("node_netstat_field" + std::to_string(k), {},
            [v](size_t i) { return static_cast<double>(v[i]); });
  }
  {
    auto cs = CounterWalk(g, 9'000'000'000, 21'000 * secs);
    auto intr = CounterWalk(g, 4'000'000'000, 9'500 * secs);
    auto forks = CounterWalk(g, 2'100'000, 3 * secs);
    g.Counter("node_context_switches_total", {},
              [cs](size_t i) { return static_cast<double>(cs[i]); });
    g.Counter("node_intr_total", {},
              [intr](size_t i) { return static_cast<double>(intr[i]); });
    g.Counter("node_forks_total", {},
              [forks](size_t i) { return static_cast<double>(forks[i]); });
    auto running = GaugeWalk(g, 2, 1, 1, 0.5);
    auto blocked = GaugeWalk(g, 0, 0.5, 0, 0.1);
    g.Gauge("node_procs_running", {},
            [running](size_t i) { return static_cast<double>(running[i]); });
    g.Gauge("node_procs_blocked", {},
            [blocked](size_t i) { return static_cast<double>(blocked[i]); });
    g.Gauge("node_boot_time_seconds", {}, [](size_t) { return 1.763e9; });
  }
  // Wall clock with ns precision (float seconds; not a short decimal).
  {
    std::uniform_int_distribution<int64_t> us(0, 999'999);
    std::vector<double> v(g.n());
    for (size_t i = 0; i < v.size(); ++i) {
      v[i] = static_cast<double>(g.time(i) * 1'000'000 + us(g.rng())) / 1e9;
    }
    g.Gauge("node_time_seconds", {}, [v](size_t i) { return v[i]; });
  }
  // Per-collector scrape durations (ns / 1e9) and success.
  for (int c = 0; c < 35; ++c) {
    std::lognormal_distribution<double> ns(std::log(50'000.0 * (1 + c % 7)),
                                           0.5);
    std::vector<double> v(g.n());
    for (auto& x : v)
      x = static_cast<double>(static_cast<int64_t>(ns(g.rng()))) / 1e9;
    Labels l = {{"collector", "collector" + std::to_string(c)}};
    g.Gauge("node_scrape_collector_duration_seconds", l,
            [v](size_t i) { return v[i]; });
    g.Gauge("node_scrape_collector_success", l, [](size_t) { return 1.0; });
  }
  // Scheduler statistics: ns / 1e9 counters.
  for (int cpu = 0; cpu < 8; ++cpu) {
    Labels l = {{"cpu", std::to_string(cpu)}};
    auto run = CounterWalk(g, 400'000'000'000'000, 1.2e9 * secs);
    auto wait = CounterWalk(g, 9'000'000'000'000, 4e7 * secs);
    auto slices = CounterWalk(g, 800'000'000, 900 * secs);
    g.Counter("node_schedstat_running_seconds_total", l,
              [run](size_t i) { return static_cast<double>(run[i]) / 1e9; });
    g.Counter("node_schedstat_waiting_seconds_total", l,
              [wait](size_t i) { return static_cast<double>(wait[i]) / 1e9; });
    g.Counter("node_schedstat_timeslices_total", l,
              [slices](size_t i) { return static_cast<double>(slices[i]); });
  }
  // Timex: offsets in ns / 1e9, a frequency ratio, constants.
  {
    auto off = GaugeWalk(g, 0, 20'000, -10'000'000, 0.1);
    g.Gauge("node_timex_offset_seconds", {},
            [off](size_t i) { return static_cast<double>(off[i]) / 1e9; });
    auto freq = GaugeWalk(g, -1'200'000, 300, -100'000'000, 0.05);
    g.Gauge("node_timex_frequency_adjustment_ratio", {}, [freq](size_t i) {
      return 1.0 + static_cast<double>(freq[i]) / 65536.0 / 1e6;
    });
    g.Gauge("node_timex_sync_status", {}, [](size_t) { return 1.0; });
    g.Gauge("node_timex_maxerror_seconds", {}, [](size_t) { return 0.016; });
    g.Gauge("node_timex_tai_offset_seconds", {}, [](size_t) { return 0.0; });
    auto est = GaugeWalk(g, 400, 30, 0, 0.1);
    g.Gauge("node_timex_estimated_error_seconds", {},
            [est](size_t i) { return static_cast<double>(est[i]) / 1e6; });
  }
  // Temperatures in millidegrees / 1000.
  for (int s = 0; s < 6; ++s) {
    auto t = GaugeWalk(g, 45 + 2 * s, 1, 20, 0.3);
    g.Gauge("node_hwmon_temp_celsius",
            {{"chip", "platform_coretemp_0"},
             {"sensor", "temp" + std::to_string(s + 1)}},
            [t](size_t i) { return static_cast<double>(t[i]); });
  }
  // Sockets, conntrack, entropy: small integer gauges.
  for (int k = 0; k < 12; ++k) {
    auto v = GaugeWalk(g, 20 * (k + 1), 2, 0, 0.4);
    g.Gauge("node_sockstat_field" + std::to_string(k), {},
            [v](size_t i) { return static_cast<double>(v[i]); });
  }
  {
    auto ct = GaugeWalk(g, 600, 15, 0, 1);
    g.Gauge("node_nf_conntrack_entries", {},
            [ct](size_t i) { return static_cast<double>(ct[i]); });
    g.Gauge("node_nf_conntrack_entries_limit", {},
            [](size_t) { return 262144.0; });
    g.Gauge("node_entropy_available_bits", {}, [](size_t) { return 256.0; });
    g.Gauge("node_uname_info",
            {{"machine", "x86_64"},
             {"nodename", "web-01"},
             {"release", "6.18.0"},
             {"sysname", "Linux"}},
            [](size_t) { return 1.0; });
    g.Gauge("node_os_info", {{"id", "debian"}, {"version_id", "12"}},
            [](size_t) { return 1.0; });
  }
  // The exporter's own Go runtime and process.
  {
    auto gor = GaugeWalk(g, 9, 1, 6, 0.3);
    g.Gauge("go_goroutines", {},
            [gor](size_t i) { return static_cast<double>(gor[i]); });
    g.Gauge("go_threads", {}, [](size_t) { return 7.0; });
    auto alloc = GaugeWalk(g, 3'400'000, 250'000, 1'000'000);
    g.Gauge("go_memstats_alloc_bytes", {},
            [alloc](size_t i) { return static_cast<double>(alloc[i]); });
    auto total = CounterWalk(g, 90'000'000'000, 1'900'000 * secs / 10);
    g.Counter("go_memstats_alloc_bytes_total", {},
              [total](size_t i) { return static_cast<double>(total[i]); });
    const char* heap[] = {"heap_alloc",    "heap_idle", "heap_inuse",
                          "heap_released", "heap_sys",  "stack_inuse",
                          "mspan_inuse",   "next_gc"};
    for (const char* h : heap) {
      auto v = GaugeWalk(g, 4'000'000, 8192, 0, 0.6);
      for (auto& x : v) x = x / 8192 * 8192;
      g.Gauge(std::string("go_memstats_") + h + "_bytes", {},
              [v](size_t i) { return static_cast<double>(v[i]); });
    }
    auto mallocs = CounterWalk(g, 700'000'000, 14'000 * secs / 10);
    g.Counter("go_memstats_mallocs_total", {},
              [mallocs](size_t i) { return static_cast<double>(mallocs[i]); });
    // GC pause summary: quantiles change at each GC (about every 30 s).
    std::lognormal_distribution<double> pause(std::log(60'000.0), 0.6);
    std::bernoulli_distribution gc(secs / 30);
    std::vector<std::array<double, 5>> q(g.n());
    std::vector<double> sum(g.n()), count(g.n());
    std::array<double, 5> cur = {1.2e-5, 3.1e-5, 4.4e-5, 6.0e-5, 2.1e-4};
    double s = 41.2, c = 120'000;
    for (size_t i = 0; i < g.n(); ++i) {
      if (i > 0 && gc(g.rng())) {
        const double p =
            static_cast<double>(static_cast<int64_t>(pause(g.rng()))) / 1e9;
        s += p;
        c += 1;
        std::array<double, 5> fresh;
        for (auto& x : fresh) {
          x = static_cast<double>(static_cast<int64_t>(pause(g.rng()))) / 1e9;
        }
        std::sort(fresh.begin(), fresh.end());
        cur = fresh;
      }
      q[i] = cur;
      sum[i] = s;
      count[i] = c;
    }
    const char* qs[] = {"0", "0.25", "0.5", "0.75", "1"};
    for (int k = 0; k < 5; ++k) {
      g.Add("go_gc_duration_seconds", "summary", "go_gc_duration_seconds",
            {{"quantile", qs[k]}}, [q, k](size_t i) { return q[i][k]; });
    }
    g.Add("go_gc_duration_seconds", "summary", "go_gc_duration_seconds_sum", {},
          [sum](size_t i) { return sum[i]; });
    g.Add("go_gc_duration_seconds", "summary", "go_gc_duration_seconds_count",
          {}, [count](size_t i) { return count[i]; });

    auto pcpu = CounterWalk(g, 412'300, 0.6 * secs);
    g.Counter("process_cpu_seconds_total", {}, [pcpu](size_t i) {
      return static_cast<double>(pcpu[i]) / 100.0;
    });
    auto rss = GaugeWalk(g, 5'300, 20, 1'000, 0.5);
    g.Gauge("process_resident_memory_bytes", {},
            [rss](size_t i) { return static_cast<double>(rss[i] * 4096); });
    g.Gauge("process_virtual_memory_bytes", {}, [](size_t) { return 7.4e8; });
    auto fds = GaugeWalk(g, 10, 1, 8, 0.2);
    g.Gauge("process_open_fds", {},
            [fds](size_t i) { return static_cast<double>(fds[i]); });
    g.Gauge("process_start_time_seconds", {},
            [](size_t) { return 1763012345.67; });
  }
  // Two latency histograms.
  const double les[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                        0.5,   1,    2.5,   5,    10};
  for (const char* handler : {"/api/v1/query", "/metrics"}) {
    const double rate = handler[1] == 'm' ? 0.1 : 0.4;  // Requests per step.
    std::lognormal_distribution<double> lat(
        std::log(handler[1] == 'm' ? 0.004 : 0.03), 1.0);
    std::vector<std::array<int64_t, 12>> b(g.n());
    std::vector<double> sum(g.n());
    std::array<int64_t, 12> cur{};
    double s = 0;
    for (size_t i = 0; i < g.n(); ++i) {
      if (i > 0) {
        const int64_t k = Poisson(g.rng(), rate * steps_per_s * secs);
        for (int64_t r = 0; r < k; ++r) {
          const double x =
              static_cast<double>(static_cast<int64_t>(lat(g.rng()) * 1e6)) /
              1e6;
          s += x;
          for (int j = 0; j < 12; ++j) {
            if (j == 11 || x <= les[j]) ++cur[j];
          }
        }
      }
      b[i] = cur;
      sum[i] = s;
    }
    const std::string fam = "tend_http_request_duration_seconds";
    for (int j = 0; j < 12; ++j) {
      char le[32];
      if (j == 11) {
        std::snprintf(le, sizeof le, "+Inf");
      } else {
        std::snprintf(le, sizeof le, "%g", les[j]);
      }
      g.Add(fam, "histogram", fam + "_bucket",
            {{"handler", handler}, {"le", le}},
            [b, j](size_t i) { return static_cast<double>(b[i][j]); });
    }
    g.Add(fam, "histogram", fam + "_sum", {{"handler", handler}},
          [sum](size_t i) { return sum[i]; });
    g.Add(fam, "histogram", fam + "_count", {{"handler", handler}},
          [b](size_t i) { return static_cast<double>(b[i][11]); });
  }
  return g.Take();
}

TempDir::TempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp != nullptr && *tmp ? tmp : "/tmp") +
                      "/tend-block-test-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) std::abort();
  path_ = templ;
}

TempDir::~TempDir() { RemoveAll(path_).IgnoreError(); }

void SortSeries(std::vector<TestSeries>* series) {
  std::sort(series->begin(), series->end(),
            [](const TestSeries& a, const TestSeries& b) {
              return CompareLabels(a.labels, b.labels) < 0;
            });
}

std::string ToOpenMetrics(const std::vector<TestSeries>& series) {
  // OpenMetrics wants each family's samples together.
  std::vector<const TestSeries*> order;
  for (const TestSeries& s : series) order.push_back(&s);
  std::stable_sort(order.begin(), order.end(),
                   [](const TestSeries* a, const TestSeries* b) {
                     return a->family < b->family;
                   });
  std::string out;
  std::string last_family;
  char buf[64];
  for (const TestSeries* sp : order) {
    const TestSeries& s = *sp;
    if (s.family != last_family) {
      out += "# TYPE " + s.family + " " + s.type + "\n";
      last_family = s.family;
    }
    std::string name;
    std::string labels;
    for (const Label& l : s.labels) {
      if (l.name == kMetricNameLabel) {
        name = l.value;
        continue;
      }
      labels += labels.empty() ? "{" : ",";
      labels += l.name + "=\"" + l.value + "\"";
    }
    if (!labels.empty()) labels += "}";
    const std::string prefix = name + labels + " ";
    for (const Point& p : s.points) {
      out += prefix;
      auto r = std::to_chars(buf, buf + sizeof buf, p.v);
      out.append(buf, r.ptr);
      std::snprintf(buf, sizeof buf, " %lld.%03lld\n",
                    static_cast<long long>(p.t / 1000),
                    static_cast<long long>(p.t % 1000));
      out += buf;
    }
  }
  out += "# EOF\n";
  return out;
}

}  // namespace tend
