// tend_hostdata_gen: writes host-like metrics with timestamps as OpenMetrics
// text, the input of both `tend tsdb import` and `promtool tsdb
// create-blocks-from openmetrics`, for the differential test against
// Prometheus and the side-by-side benchmarks.
//
//   tend_hostdata_gen [--series N] [--duration D] [--step S] [--end SECONDS]
//                     [--seed S] [--out FILE]
//
// The data looks like a fleet scraped by node_exporter plus an API server:
// node_cpu_seconds_total counters that grow and reset when their host
// reboots (with a scrape gap while it is down), node_network_receive_bytes
// counters, wandering node_memory_*_bytes / node_filesystem_avail_bytes
// gauges (integers, page multiples), node_load1 (two decimals),
// node_timex_offset_seconds (nine decimals, negative too), and classic
// http_request_duration_seconds histograms whose counters also reset when
// the application restarts. Exactly N series in total; the same arguments
// always give the same bytes.
//
// Layout, as OpenMetrics and promtool want it: each family is contiguous
// and starts with HELP and TYPE (counters declared without _total, their
// samples named with it); within a family each series' samples are written
// together in increasing time, except histograms, whose buckets, _count and
// _sum are written together per timestamp (one MetricPoint); timestamps are
// whole seconds; the text ends with "# EOF".
//
// Depends on nothing but the standard library, so that a benchmark script
// can compile it on its own.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::string_view kUsage =
    "usage: tend_hostdata_gen [--series N] [--duration D] [--step S]\n"
    "                         [--end UNIX_SECONDS] [--seed S] [--out FILE]\n"
    "  --series N     exactly N series in total (default 1000)\n"
    "  --duration D   span of the data, e.g. 1d, 6h, 90m (default 1d)\n"
    "  --step S       time between samples, whole seconds (default 10s)\n"
    "  --end T        end of the span, unix seconds, exclusive (default\n"
    "                 1700006400 = 2023-11-15T00:00:00Z); samples are at\n"
    "                 T-D, T-D+S, ... < T\n"
    "  --seed S       random seed (default 1)\n"
    "  --out FILE     output file (default: standard output)\n";

// ---------------------------------------------------------------------------
// Random numbers: splitmix64 to seed, xoshiro256** for each stream. Fixed
// algorithms (not std:: distributions) so the output is the same with any
// standard library.

uint64_t SplitMix(uint64_t* x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  // Independent streams for (seed, a, b).
  Rng(uint64_t seed, uint64_t a, uint64_t b) {
    uint64_t x =
        seed ^ (a * 0xd1b54a32d192ed03ULL) ^ (b * 0x8cb92ba72f3d8dd7ULL);
    for (uint64_t& s : s_) s = SplitMix(&x);
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // [0, 1)
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // [lo, hi]
  int64_t Int(int64_t lo, int64_t hi) {
    return lo +
           static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  // Standard normal (Box-Muller; one value per call keeps streams simple).
  double Normal() {
    const double u1 = 1.0 - Uniform();  // (0, 1]
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * M_PI * u2);
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// ---------------------------------------------------------------------------
// Buffered output with std::to_chars (the file has millions of lines).

class Writer {
 public:
  explicit Writer(FILE* f) : f_(f), buf_(kCapacity) {}
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void Str(std::string_view s) {
    if (n_ + s.size() > kCapacity) Flush();
    if (s.size() > kCapacity) {
      ok_ = ok_ && std::fwrite(s.data(), 1, s.size(), f_) == s.size();
      return;
    }
    std::memcpy(buf_.data() + n_, s.data(), s.size());
    n_ += s.size();
  }
  void Char(char c) {
    if (n_ + 1 > kCapacity) Flush();
    buf_[n_++] = c;
  }
  void Int(int64_t v) {
    if (n_ + 24 > kCapacity) Flush();
    n_ = static_cast<size_t>(
        std::to_chars(buf_.data() + n_, buf_.data() + kCapacity, v).ptr -
        buf_.data());
  }
  // The shortest text that reads back as exactly `v`.
  void Double(double v) {
    if (n_ + 32 > kCapacity) Flush();
    n_ = static_cast<size_t>(
        std::to_chars(buf_.data() + n_, buf_.data() + kCapacity, v).ptr -
        buf_.data());
  }
  // Writes the buffer out; false once any write failed.
  bool Flush() {
    if (n_ > 0) ok_ = ok_ && std::fwrite(buf_.data(), 1, n_, f_) == n_;
    n_ = 0;
    return ok_;
  }

 private:
  static constexpr size_t kCapacity = 1 << 20;
  FILE* f_;
  std::vector<char> buf_;
  size_t n_ = 0;
  bool ok_ = true;
};

// ---------------------------------------------------------------------------
// The fleet.

struct Options {
  int64_t series = 1000;
  int64_t duration_s = 86400;
  int64_t step_s = 10;
  int64_t end_s = 1700006400;
  uint64_t seed = 1;
  std::string out;
};

// Per step of a host or application: scraped normally, not scraped (down),
// or scraped for the first time after a (re)start, when counters begin
// again near zero.
enum State : uint8_t { kUp = 0, kDown = 1, kFresh = 2 };

struct Host {
  int index = 0;
  int cpus = 2;
  bool api = false;         // Also runs the API server (job="api").
  double uptime_s = 0;      // Before the first sample.
  double mem_total = 0;     // Bytes.
  std::vector<State> node;  // Per step.
  std::vector<State> app;   // Per step; the app also restarts with the host.
  std::string node_instance;
  std::string app_instance;
};

Host MakeHost(int index, int64_t steps, uint64_t seed) {
  static constexpr int kCpus[] = {2, 4, 8, 4};
  Host h;
  h.index = index;
  h.cpus = kCpus[index % 4];
  h.api = index % 2 == 0;
  Rng rng(seed, 1, static_cast<uint64_t>(index));
  h.uptime_s = rng.Uniform(86400, 200 * 86400.0);
  h.mem_total = static_cast<double>(h.cpus) * 4 * (1ULL << 30);
  char name[32];
  std::snprintf(name, sizeof(name), "host-%02d", index);
  h.node_instance = std::string(name) + ":9100";
  h.app_instance = std::string(name) + ":8080";
  h.node.assign(static_cast<size_t>(steps), kUp);
  // A reboot on some hosts: not scraped for 1 to 10 minutes (some gaps
  // longer than the 5 m lookback), counters start again afterwards.
  if (steps >= 20 && rng.Uniform() < 0.45) {
    const int64_t at = rng.Int(steps / 10, steps * 9 / 10);
    const int64_t gap = rng.Int(6, 60);
    for (int64_t k = at; k < std::min(steps, at + gap); ++k) {
      h.node[static_cast<size_t>(k)] = kDown;
    }
    if (at + gap < steps) h.node[static_cast<size_t>(at + gap)] = kFresh;
  }
  h.app = h.node;
  // Deploys restart the application: no gap or one missed scrape.
  const int64_t restarts = steps >= 20 ? rng.Int(0, 3) : 0;
  for (int64_t r = 0; r < restarts; ++r) {
    const int64_t at = rng.Int(1, steps - 2);
    const int64_t gap = rng.Int(0, 1);
    for (int64_t k = at; k < at + gap; ++k)
      h.app[static_cast<size_t>(k)] = kDown;
    if (h.app[static_cast<size_t>(at + gap)] == kUp) {
      h.app[static_cast<size_t>(at + gap)] = kFresh;
    }
  }
  return h;
}

// The families, in output order.
enum Family {
  kCpu,
  kFsAvail,
  kLoad1,
  kMemBuffers,
  kMemCached,
  kMemAvailable,
  kMemFree,
  kMemTotal,
  kNetRx,
  kTimex,
  kHttp,
  kNumFamilies
};

struct FamilyInfo {
  const char* name;  // As declared in TYPE.
  const char* type;
  const char* help;
};

constexpr FamilyInfo kFamilies[kNumFamilies] = {
    {"node_cpu_seconds", "counter", "Seconds the CPUs spent in each mode."},
    {"node_filesystem_avail_bytes", "gauge",
     "Filesystem space available to non-root users in bytes."},
    {"node_load1", "gauge", "1m load average."},
    {"node_memory_Buffers_bytes", "gauge",
     "Memory information field Buffers_bytes."},
    {"node_memory_Cached_bytes", "gauge",
     "Memory information field Cached_bytes."},
    {"node_memory_MemAvailable_bytes", "gauge",
     "Memory information field MemAvailable_bytes."},
    {"node_memory_MemFree_bytes", "gauge",
     "Memory information field MemFree_bytes."},
    {"node_memory_MemTotal_bytes", "gauge",
     "Memory information field MemTotal_bytes."},
    {"node_network_receive_bytes", "counter",
     "Network device statistic receive_bytes."},
    {"node_timex_offset_seconds", "gauge",
     "Time offset in between local system and reference clock."},
    {"http_request_duration_seconds", "histogram",
     "Latency of HTTP requests by handler."},
};

constexpr const char* kModes[] = {"idle",    "iowait", "irq",    "nice",
                                  "softirq", "steal",  "system", "user"};
constexpr int kNumModes = 8;

struct Filesystem {
  const char* device;
  const char* mountpoint;
  double size;  // Bytes.
};
constexpr Filesystem kFilesystems[] = {
    {"/dev/vda1", "/", 80e9},
    {"/dev/vda15", "/boot/efi", 0.1e9},
    {"/dev/vdb", "/var", 400e9},
};
constexpr int kNumFilesystems = 3;

struct Handler {
  const char* path;
  const char* method;
};
constexpr Handler kHandlers[] = {{"/api/v1/query", "GET"},
                                 {"/api/v1/write", "POST"}};
constexpr int kNumHandlers = 2;

constexpr double kBuckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                               0.5,   1,    2.5,   5,    10};
constexpr int kNumBuckets = 11;                        // Plus +Inf.
constexpr int kHistogramSeries = kNumBuckets + 1 + 2;  // _count and _sum.

// One unit of the plan: a single series, or a whole histogram (14 series),
// or all modes of one CPU (8 series), which are never split.
struct Spec {
  Family family;
  int host;
  int index;  // CPU, filesystem, handler; 0 otherwise.
  int series;
};

// Every spec of one host, largest first (so a host cut short to reach
// exactly N series keeps its histograms and CPUs whole).
std::vector<Spec> HostSpecs(const Host& h) {
  std::vector<Spec> s;
  if (h.api) {
    for (int i = 0; i < kNumHandlers; ++i) {
      s.push_back({kHttp, h.index, i, kHistogramSeries});
    }
  }
  for (int c = 0; c < h.cpus; ++c) s.push_back({kCpu, h.index, c, kNumModes});
  for (int f = 0; f < kNumFilesystems; ++f) {
    s.push_back({kFsAvail, h.index, f, 1});
  }
  for (Family f : {kLoad1, kMemBuffers, kMemCached, kMemAvailable, kMemFree,
                   kMemTotal, kTimex}) {
    s.push_back({f, h.index, 0, 1});
  }
  for (int d = 0; d < 2; ++d) s.push_back({kNetRx, h.index, d, 1});
  return s;
}

class Generator {
 public:
  Generator(const Options& o, Writer* w)
      : o_(o),
        w_(w),
        steps_(o.duration_s / o.step_s),
        start_s_(o.end_s - o.duration_s) {}

  void Run() {
    Plan();
    for (int f = 0; f < kNumFamilies; ++f) {
      bool header = false;
      for (const Spec& s : specs_) {
        if (s.family != f) continue;
        if (!header) {
          WriteHeader(kFamilies[f]);
          header = true;
        }
        WriteSpec(s);
      }
    }
    w_->Str("# EOF\n");
  }

 private:
  // Whole hosts while they fit, then a host cut short, largest units first,
  // then single series, so that the total is exactly o_.series.
  void Plan() {
    int64_t left = o_.series;
    for (int i = 0; left > 0; ++i) {
      hosts_.push_back(MakeHost(i, steps_, o_.seed));
      for (const Spec& s : HostSpecs(hosts_.back())) {
        if (s.series <= left) {
          specs_.push_back(s);
          left -= s.series;
        }
      }
    }
  }

  void WriteHeader(const FamilyInfo& f) {
    w_->Str("# HELP ");
    w_->Str(f.name);
    w_->Char(' ');
    w_->Str(f.help);
    w_->Str("\n# TYPE ");
    w_->Str(f.name);
    w_->Char(' ');
    w_->Str(f.type);
    w_->Char('\n');
  }

  int64_t Ts(int64_t k) const { return start_s_ + k * o_.step_s; }

  void Line(const std::string& prefix, double v, int64_t k) {
    w_->Str(prefix);
    w_->Double(v);
    w_->Char(' ');
    w_->Int(Ts(k));
    w_->Char('\n');
  }

  // A random stream per series, independent of the plan around it.
  Rng SeriesRng(const Spec& s, int sub) const {
    return Rng(o_.seed, 2 + static_cast<uint64_t>(s.family),
               (static_cast<uint64_t>(s.host) << 32) |
                   (static_cast<uint64_t>(s.index) << 8) |
                   static_cast<uint64_t>(sub));
  }

  void WriteSpec(const Spec& s) {
    const Host& h = hosts_[static_cast<size_t>(s.host)];
    switch (s.family) {
      case kCpu:
        for (int m = 0; m < kNumModes; ++m) WriteCpu(s, h, m);
        break;
      case kFsAvail:
        WriteFilesystem(s, h);
        break;
      case kLoad1:
        WriteLoad(s, h);
        break;
      case kMemBuffers:
      case kMemCached:
      case kMemAvailable:
      case kMemFree:
      case kMemTotal:
        WriteMemory(s, h);
        break;
      case kNetRx:
        WriteNetwork(s, h);
        break;
      case kTimex:
        WriteTimex(s, h);
        break;
      case kHttp:
        WriteHistogram(s, h);
        break;
      case kNumFamilies:
        break;
    }
  }

  std::string NodePrefix(const char* name, const Host& h,
                         const std::string& extra_before,
                         const std::string& extra_after) const {
    return std::string(name) + "{" + extra_before + "instance=\"" +
           h.node_instance + "\",job=\"node\"" + extra_after + "} ";
  }

  // Counter of CPU time in 1/100 s ticks (USER_HZ), as /proc/stat has it.
  void WriteCpu(const Spec& s, const Host& h, int mode) {
    static constexpr double kShare[kNumModes] = {0.70,  0.02, 0,    0.004,
                                                 0.012, 0.01, 0.06, 0.15};
    double share = kShare[mode];
    if (mode == 5 && h.index % 3 != 0) share = 0;  // steal: only some VMs.
    const std::string prefix = NodePrefix(
        "node_cpu_seconds_total", h, "cpu=\"" + std::to_string(s.index) + "\",",
        ",mode=\"" + std::string(kModes[mode]) + "\"");
    Rng rng = SeriesRng(s, mode);
    double load = rng.Uniform(0.5, 1.5);
    int64_t ticks =
        static_cast<int64_t>(h.uptime_s * 100 * share * rng.Uniform(0.8, 1.2));
    const double per_step = static_cast<double>(o_.step_s) * 100 * share;
    for (int64_t k = 0; k < steps_; ++k) {
      const State st = h.node[static_cast<size_t>(k)];
      load = std::clamp(load + 0.05 * rng.Normal(), 0.2, 1.9);
      if (st == kDown) continue;
      if (st == kFresh) {
        ticks = static_cast<int64_t>(rng.Uniform(5, 40) * 100 * share);
      } else if (k > 0) {
        ticks += static_cast<int64_t>(std::llround(per_step * load));
      }
      Line(prefix, static_cast<double>(ticks) / 100.0, k);
    }
  }

  // Bytes available: a slow leak with occasional clean-ups, in 4 KiB units.
  void WriteFilesystem(const Spec& s, const Host& h) {
    const Filesystem& fs = kFilesystems[s.index];
    const std::string prefix =
        NodePrefix("node_filesystem_avail_bytes", h,
                   "device=\"" + std::string(fs.device) + "\",fstype=\"" +
                       (s.index == 1 ? "vfat" : "ext4") + "\",",
                   ",mountpoint=\"" + std::string(fs.mountpoint) + "\"");
    Rng rng = SeriesRng(s, 0);
    double avail = fs.size * rng.Uniform(0.2, 0.8);
    const double leak = fs.size * 2e-6;
    for (int64_t k = 0; k < steps_; ++k) {
      const State st = h.node[static_cast<size_t>(k)];
      if (s.index != 1) {  // /boot/efi does not change.
        avail -= leak * rng.Uniform(0, 2);
        if (rng.Uniform() < 0.001) avail += fs.size * rng.Uniform(0.01, 0.1);
        avail = std::clamp(avail, fs.size * 0.01, fs.size * 0.95);
      }
      if (st == kDown) continue;
      Line(prefix, std::floor(avail / 4096) * 4096, k);
    }
  }

  // Mean-reverting around 30 % of the CPUs, two decimals.
  void WriteLoad(const Spec& s, const Host& h) {
    const std::string prefix = NodePrefix("node_load1", h, "", "");
    Rng rng = SeriesRng(s, 0);
    const double mean = 0.3 * h.cpus;
    double load = mean;
    for (int64_t k = 0; k < steps_; ++k) {
      const State st = h.node[static_cast<size_t>(k)];
      load += 0.1 * (mean - load) + 0.15 * std::sqrt(mean) * rng.Normal();
      load = std::max(load, 0.0);
      if (st == kDown) continue;
      if (st == kFresh) load = 0.5;
      Line(prefix, std::round(load * 100) / 100, k);
    }
  }

  void WriteMemory(const Spec& s, const Host& h) {
    const std::string prefix = NodePrefix(kFamilies[s.family].name, h, "", "");
    Rng rng = SeriesRng(s, 0);
    double lo = 0, hi = 0;
    switch (s.family) {
      case kMemBuffers:
        lo = 0.001, hi = 0.03;
        break;
      case kMemCached:
        lo = 0.05, hi = 0.5;
        break;
      case kMemAvailable:
        lo = 0.1, hi = 0.9;
        break;
      case kMemFree:
        lo = 0.02, hi = 0.4;
        break;
      default:
        lo = hi = 1;
        break;
    }
    double frac = rng.Uniform(lo, hi);
    for (int64_t k = 0; k < steps_; ++k) {
      const State st = h.node[static_cast<size_t>(k)];
      frac = std::clamp(frac + (hi - lo) * 0.01 * rng.Normal(), lo, hi);
      if (st == kDown) continue;
      Line(prefix, std::floor(frac * h.mem_total / 4096) * 4096, k);
    }
  }

  // Bytes received on eth0 (a busy link whose rate wanders) and lo.
  void WriteNetwork(const Spec& s, const Host& h) {
    const bool lo = s.index == 1;
    const std::string prefix =
        NodePrefix("node_network_receive_bytes_total", h,
                   std::string("device=\"") + (lo ? "lo" : "eth0") + "\",", "");
    Rng rng = SeriesRng(s, 0);
    const double mean_rate = lo ? 2e3 : 1e6;  // Bytes per second.
    double log_rate = std::log(mean_rate);
    double bytes = std::floor(h.uptime_s * mean_rate * rng.Uniform(0.5, 1.5));
    for (int64_t k = 0; k < steps_; ++k) {
      const State st = h.node[static_cast<size_t>(k)];
      log_rate += 0.1 * (std::log(mean_rate) - log_rate) + 0.2 * rng.Normal();
      if (st == kDown) continue;
      if (st == kFresh) {
        bytes = std::floor(rng.Uniform(1e3, 1e5));
      } else if (k > 0) {
        bytes +=
            std::floor(std::exp(log_rate) * static_cast<double>(o_.step_s) *
                       rng.Uniform(0.8, 1.2));
      }
      Line(prefix, bytes, k);
    }
  }

  // Clock offset: a few hundred microseconds either way, nine decimals.
  void WriteTimex(const Spec& s, const Host& h) {
    const std::string prefix =
        NodePrefix("node_timex_offset_seconds", h, "", "");
    Rng rng = SeriesRng(s, 0);
    double x = 0;
    for (int64_t k = 0; k < steps_; ++k) {
      const State st = h.node[static_cast<size_t>(k)];
      x = 0.95 * x + 3e-5 * rng.Normal();
      if (st == kDown) continue;
      Line(prefix, std::round(x * 1e9) / 1e9, k);
    }
  }

  // Requests per step with a wandering rate and a wandering log-normal
  // latency; cumulative buckets, _count and _sum, reset on restarts.
  void WriteHistogram(const Spec& s, const Host& h) {
    const Handler& hd = kHandlers[s.index];
    const std::string labels = "{handler=\"" + std::string(hd.path) +
                               "\",instance=\"" + h.app_instance +
                               "\",job=\"api\",method=\"" + hd.method + "\"";
    const std::string name = "http_request_duration_seconds";
    std::string bucket_prefix[kNumBuckets + 1];
    for (int b = 0; b <= kNumBuckets; ++b) {
      char le[32];
      if (b == kNumBuckets) {
        std::snprintf(le, sizeof(le), "+Inf");
      } else {
        *std::to_chars(le, le + sizeof(le) - 1, kBuckets[b]).ptr = '\0';
      }
      bucket_prefix[b] = name + "_bucket" + labels + ",le=\"" + le + "\"} ";
    }
    const std::string count_prefix = name + "_count" + labels + "} ";
    const std::string sum_prefix = name + "_sum" + labels + "} ";
    Rng rng = SeriesRng(s, 0);
    const double mean_rps = s.index == 0 ? 20 : 3;
    double log_rps = std::log(mean_rps);
    double log_median = std::log(s.index == 0 ? 0.04 : 0.15);
    const double mean_log_median = log_median;
    constexpr double kSigma = 0.9;
    double cdf[kNumBuckets];
    double buckets[kNumBuckets + 1] = {};
    double sum = 0;
    // Counters before the first sample: the app has been up a while.
    double prior = std::floor(rng.Uniform(1e4, 1e6));
    for (int64_t k = 0; k < steps_; ++k) {
      const State st = h.app[static_cast<size_t>(k)];
      log_rps += 0.05 * (std::log(mean_rps) - log_rps) + 0.15 * rng.Normal();
      log_median += 0.05 * (mean_log_median - log_median) + 0.1 * rng.Normal();
      if (st == kDown) continue;
      double n = std::floor(std::exp(log_rps) * static_cast<double>(o_.step_s) *
                                rng.Uniform(0.9, 1.1) +
                            0.5);
      if (st == kFresh) {
        std::fill(std::begin(buckets), std::end(buckets), 0.0);
        sum = 0;
      } else if (k == 0) {
        n = prior;
      }
      for (int b = 0; b < kNumBuckets; ++b) {
        cdf[b] = 0.5 * std::erfc(-(std::log(kBuckets[b]) - log_median) /
                                 (kSigma * M_SQRT2));
        buckets[b] += std::floor(n * cdf[b] + 0.5);
      }
      buckets[kNumBuckets] += n;
      sum += n * std::exp(log_median + kSigma * kSigma / 2) *
             rng.Uniform(0.8, 1.2);
      for (int b = 0; b <= kNumBuckets; ++b) {
        Line(bucket_prefix[b], buckets[b], k);
      }
      Line(count_prefix, buckets[kNumBuckets], k);
      Line(sum_prefix, sum, k);
    }
  }

  const Options& o_;
  Writer* w_;
  const int64_t steps_;
  const int64_t start_s_;
  std::vector<Host> hosts_;
  std::vector<Spec> specs_;
};

// ---------------------------------------------------------------------------
// Flags.

bool ParseInt(std::string_view s, int64_t* out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// Prometheus-style durations in whole seconds: "10s", "1d", "1h30m".
bool ParseSeconds(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  int64_t total = 0;
  while (!s.empty()) {
    size_t digits = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') {
      ++digits;
    }
    int64_t n = 0;
    if (digits == 0 || !ParseInt(s.substr(0, digits), &n)) return false;
    s.remove_prefix(digits);
    int64_t unit = 0;
    if (s.empty()) return false;
    switch (s[0]) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      case 'w':
        unit = 7 * 86400;
        break;
      default:
        return false;
    }
    s.remove_prefix(1);
    if (n > (int64_t{1} << 40)) return false;
    total += n * unit;
  }
  *out = total;
  return true;
}

int Fail(const std::string& msg) {
  std::fprintf(stderr, "tend_hostdata_gen: %s\n%.*s", msg.c_str(),
               static_cast<int>(kUsage.size()), kUsage.data());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "-h" || flag == "--help") {
      std::fwrite(kUsage.data(), 1, kUsage.size(), stdout);
      return 0;
    }
    std::string_view value;
    if (size_t eq = flag.find('='); eq != std::string_view::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return Fail("flag " + std::string(flag) + " needs a value");
    }
    int64_t n = 0;
    if (flag == "--series") {
      if (!ParseInt(value, &n) || n < 0 || n > 10000000) {
        return Fail("--series: want 0 to 10000000");
      }
      o.series = n;
    } else if (flag == "--duration") {
      if (!ParseSeconds(value, &n) || n <= 0) {
        return Fail("--duration: want a positive duration like 1d or 6h");
      }
      o.duration_s = n;
    } else if (flag == "--step") {
      if (!ParseSeconds(value, &n) || n <= 0) {
        return Fail(
            "--step: want a positive whole number of seconds, e.g. 10s");
      }
      o.step_s = n;
    } else if (flag == "--end") {
      if (!ParseInt(value, &n) || n <= 0 || n > 100000000000) {
        return Fail("--end: want unix seconds");
      }
      o.end_s = n;
    } else if (flag == "--seed") {
      if (!ParseInt(value, &n)) return Fail("--seed: want an integer");
      o.seed = static_cast<uint64_t>(n);
    } else if (flag == "--out") {
      o.out = std::string(value);
    } else {
      return Fail("unknown flag " + std::string(flag));
    }
  }
  if (o.duration_s / o.step_s > 100000000) {
    return Fail("--duration / --step: too many samples per series");
  }
  if (o.duration_s > o.end_s) return Fail("--duration reaches before 1970");
  FILE* f = o.out.empty() ? stdout : std::fopen(o.out.c_str(), "wb");
  if (f == nullptr) {
    std::fprintf(stderr, "tend_hostdata_gen: cannot create %s: %s\n",
                 o.out.c_str(), std::strerror(errno));
    return 1;
  }
  Writer w(f);
  Generator(o, &w).Run();
  bool ok = w.Flush();
  if (f != stdout) ok = std::fclose(f) == 0 && ok;
  if (!ok) {
    std::fprintf(stderr, "tend_hostdata_gen: writing %s failed\n",
                 o.out.empty() ? "standard output" : o.out.c_str());
    return 1;
  }
  return 0;
}
