// Integration tests: the real tend binary, scraped over real HTTP, checked
// by the real promtool and compared with the real node_exporter running
// side by side on the same host.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "base/subprocess.h"
#include "harness.h"
#include "http/client.h"
#include "http/exposition_parser.h"
#include "metrics/collector.h"

namespace tend::testing {
namespace {

using Families = std::map<std::string, ParsedFamily>;

Families Parse(const std::string& text, const std::string& what) {
  Result<std::vector<ParsedFamily>> r = ParseExposition(text, what);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  Families out;
  if (r.ok()) {
    for (ParsedFamily& f : *r) out[f.name] = std::move(f);
  }
  return out;
}

std::set<std::string> LabelNames(const ParsedSample& s) {
  std::set<std::string> out;
  for (const Label& l : s.labels) out.insert(l.name);
  return out;
}

std::string LabelKey(const ParsedSample& s) {
  std::map<std::string, std::string> sorted;
  for (const Label& l : s.labels) sorted[l.name] = l.value;
  std::string k;
  for (const auto& [n, v] : sorted) k += n + "=" + v + ",";
  return k;
}

const ParsedSample* FindSample(const Families& fams, const std::string& name,
                               const std::string& key) {
  auto it = fams.find(name);
  if (it == fams.end()) return nullptr;
  for (const ParsedSample& s : it->second.samples) {
    if (LabelKey(s) == key) return &s;
  }
  return nullptr;
}

// Runs promtool check metrics on `text`: (exit code, output lines).
std::pair<int, std::set<std::string>> PromtoolCheck(const std::string& text) {
  SubprocessOptions o;
  o.argv = {PeerBinary("promtool"), "check", "metrics"};
  o.stdin_data = text;
  o.timeout_ms = 60000;
  Result<SubprocessResult> r = RunSubprocess(o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  std::set<std::string> lines;
  if (!r.ok()) return {-1, lines};
  std::string all = r->stdout_data + r->stderr_data;
  size_t pos = 0;
  while (pos < all.size()) {
    size_t eol = all.find('\n', pos);
    if (eol == std::string::npos) eol = all.size();
    if (eol > pos) lines.insert(all.substr(pos, eol - pos));
    pos = eol + 1;
  }
  return {r->exit_code, lines};
}

// One tend agent and one node_exporter for the whole suite.
class SideBySideTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    tend_ = new ChildProcess();
    ne_ = new ChildProcess();
    tend_addr_ = "127.0.0.1:" + std::to_string(FreePort());
    ne_addr_ = "127.0.0.1:" + std::to_string(FreePort());
    ASSERT_TRUE(tend_
                    ->Start({TendBinary(), "agent", "--data-dir",
                             dir_->path() + "/data", "--listen", tend_addr_},
                            dir_->path() + "/tend.log")
                    .ok());
    // Debian's node_exporter build changes upstream's default filters
    // (it hides lo, /run, /mnt and /media); give it tend's, so both look at
    // the same devices and mounts.
    const CollectorOptions defaults;
    ASSERT_TRUE(ne_->Start({PeerBinary("prometheus-node-exporter"),
                            "--web.listen-address=" + ne_addr_,
                            "--collector.filesystem.mount-points-exclude=^(?:" +
                                defaults.filesystem.mount_points_exclude + ")$",
                            "--collector.filesystem.fs-types-exclude=^(?:" +
                                defaults.filesystem.fs_types_exclude + ")$",
                            "--collector.diskstats.device-exclude=^(?:" +
                                defaults.diskstats.device_exclude + ")$",
                            "--collector.netdev.device-exclude="},
                           dir_->path() + "/ne.log")
                    .ok());
    ASSERT_TRUE(WaitForHttp200(tend_addr_, "/-/ready", 20000)) << tend_->Log();
    ASSERT_TRUE(WaitForHttp200(ne_addr_, "/metrics", 20000)) << ne_->Log();
  }
  static void TearDownTestSuite() {
    delete tend_;
    delete ne_;
    delete dir_;
  }
  static TempDir* dir_;
  static ChildProcess* tend_;
  static ChildProcess* ne_;
  static std::string tend_addr_;
  static std::string ne_addr_;
};
TempDir* SideBySideTest::dir_ = nullptr;
ChildProcess* SideBySideTest::tend_ = nullptr;
ChildProcess* SideBySideTest::ne_ = nullptr;
std::string SideBySideTest::tend_addr_;
std::string SideBySideTest::ne_addr_;

TEST_F(SideBySideTest, PromtoolAcceptsMetrics) {
  Result<std::string> tend = Get(tend_addr_, "/metrics");
  ASSERT_TRUE(tend.ok()) << tend.status().ToString();
  Result<std::string> ne = Get(ne_addr_, "/metrics");
  ASSERT_TRUE(ne.ok()) << ne.status().ToString();
  auto [tend_rc, tend_lint] = PromtoolCheck(*tend);
  auto [ne_rc, ne_lint] = PromtoolCheck(*ne);
  // 0: clean; 3: lint findings only. 1 would be a parse failure.
  EXPECT_TRUE(tend_rc == 0 || tend_rc == 3) << tend_rc;
  // Every lint finding on tend's output is one node_exporter's own output
  // has too (its names, e.g. node_memory_MemTotal_bytes, are camelCase):
  // tend adds no problem of its own, and tend_* metrics have none.
  for (const std::string& l : tend_lint) {
    EXPECT_TRUE(ne_lint.count(l) == 1 || l.rfind("node_", 0) != 0 ||
                l.rfind("tend_", 0) == 0)
        << "tend-only promtool finding: " << l;
    EXPECT_NE(l.rfind("tend_", 0), 0u) << "promtool finding: " << l;
    EXPECT_EQ(l.find("error"), std::string::npos) << l;
  }
}

TEST_F(SideBySideTest, EveryNodeMetricMatchesNodeExporter) {
  Families tend = Parse(*Get(tend_addr_, "/metrics"), "tend");
  Families ne = Parse(*Get(ne_addr_, "/metrics"), "node_exporter");
  int compared = 0;
  for (const auto& [name, fam] : tend) {
    if (name.rfind("node_", 0) != 0) continue;
    auto it = ne.find(name);
    ASSERT_NE(it, ne.end()) << name << " is not in node_exporter's output";
    EXPECT_EQ(fam.type, it->second.type) << name;
    std::set<std::set<std::string>> ne_label_sets;
    for (const ParsedSample& s : it->second.samples) {
      ne_label_sets.insert(LabelNames(s));
    }
    for (const ParsedSample& s : fam.samples) {
      EXPECT_EQ(ne_label_sets.count(LabelNames(s)), 1u)
          << name << " has labels node_exporter does not use: " << LabelKey(s);
    }
    ++compared;
  }
  EXPECT_GT(compared, 150);
}

TEST_F(SideBySideTest, ValuesAgree) {
  Families tend = Parse(*Get(tend_addr_, "/metrics"), "tend");
  Families ne = Parse(*Get(ne_addr_, "/metrics"), "node_exporter");
  // Exact: memory size and filesystem sizes.
  const ParsedSample* a = FindSample(tend, "node_memory_MemTotal_bytes", "");
  const ParsedSample* b = FindSample(ne, "node_memory_MemTotal_bytes", "");
  ASSERT_TRUE(a != nullptr && b != nullptr);
  EXPECT_EQ(a->value, b->value);
  int fs = 0;
  for (const ParsedSample& s : tend["node_filesystem_size_bytes"].samples) {
    const ParsedSample* o =
        FindSample(ne, "node_filesystem_size_bytes", LabelKey(s));
    ASSERT_NE(o, nullptr) << "filesystem " << LabelKey(s)
                          << " missing in node_exporter";
    EXPECT_EQ(s.value, o->value) << LabelKey(s);
    ++fs;
  }
  EXPECT_GT(fs, 0);
  // Same set of filesystems.
  EXPECT_EQ(tend["node_filesystem_size_bytes"].samples.size(),
            ne["node_filesystem_size_bytes"].samples.size());
  // Close: boot time, and per-CPU counters (collected moments apart).
  EXPECT_NEAR(FindSample(tend, "node_boot_time_seconds", "")->value,
              FindSample(ne, "node_boot_time_seconds", "")->value, 1.0);
  int cpu = 0;
  for (const ParsedSample& s : tend["node_cpu_seconds_total"].samples) {
    const ParsedSample* o =
        FindSample(ne, "node_cpu_seconds_total", LabelKey(s));
    ASSERT_NE(o, nullptr) << LabelKey(s);
    EXPECT_NEAR(s.value, o->value, 5.0) << LabelKey(s);
    ++cpu;
  }
  EXPECT_GE(cpu, 8);
  // Same network devices and close byte counters.
  for (const ParsedSample& s :
       tend["node_network_receive_bytes_total"].samples) {
    const ParsedSample* o =
        FindSample(ne, "node_network_receive_bytes_total", LabelKey(s));
    ASSERT_NE(o, nullptr) << LabelKey(s);
    EXPECT_NEAR(s.value, o->value, 1e6 + 0.01 * o->value) << LabelKey(s);
  }
}

// The netclass, conntrack and timex families: the same samples (every label
// value included) and the same values, exact where the kernel's value does
// not move between the two scrapes.
TEST_F(SideBySideTest, InterfaceConntrackAndClockValuesAgree) {
  Families tend = Parse(*Get(tend_addr_, "/metrics"), "tend");
  Families ne = Parse(*Get(ne_addr_, "/metrics"), "node_exporter");
  // Samples must match one to one; `slack(ne_value)` is the allowed
  // difference.
  auto same_samples = [&](const std::string& name, auto slack) {
    auto t = tend.find(name);
    auto n = ne.find(name);
    ASSERT_EQ(t == tend.end(), n == ne.end())
        << name << " is exposed by only one of tend and node_exporter";
    if (t == tend.end()) return;
    EXPECT_EQ(t->second.type, n->second.type) << name;
    EXPECT_EQ(t->second.samples.size(), n->second.samples.size()) << name;
    for (const ParsedSample& s : t->second.samples) {
      const ParsedSample* o = FindSample(ne, name, LabelKey(s));
      ASSERT_NE(o, nullptr)
          << name << "{" << LabelKey(s) << "} is not in node_exporter's output";
      EXPECT_NEAR(s.value, o->value, slack(o->value))
          << name << "{" << LabelKey(s) << "}";
    }
  };
  auto exact = [](double) { return 0.0; };
  int netclass = 0;
  for (const char* name :
       {"node_network_up", "node_network_info", "node_network_carrier",
        "node_network_speed_bytes", "node_network_mtu_bytes",
        "node_network_transmit_queue_length",
        "node_network_carrier_changes_total",
        "node_network_carrier_up_changes_total",
        "node_network_carrier_down_changes_total", "node_network_device_id",
        "node_network_dormant", "node_network_flags", "node_network_iface_id",
        "node_network_iface_link", "node_network_iface_link_mode",
        "node_network_name_assign_type", "node_network_net_dev_group",
        "node_network_address_assign_type", "node_network_protocol_type"}) {
    same_samples(name, exact);
    if (tend.count(name) != 0) ++netclass;
  }
  // Every interface has up, info, mtu, iface_id and protocol_type at least.
  EXPECT_GE(netclass, 5);
  ASSERT_NE(tend.count("node_network_up"), 0u);
  EXPECT_GE(tend["node_network_up"].samples.size(), 1u);  // lo at least.

  // conntrack: present on both or neither (the module may not be loaded).
  same_samples("node_nf_conntrack_entries_limit", exact);
  same_samples("node_nf_conntrack_entries",
               [](double v) { return 100 + 0.1 * v; });
  for (const char* stat :
       {"node_nf_conntrack_stat_found", "node_nf_conntrack_stat_invalid",
        "node_nf_conntrack_stat_ignore", "node_nf_conntrack_stat_insert",
        "node_nf_conntrack_stat_insert_failed", "node_nf_conntrack_stat_drop",
        "node_nf_conntrack_stat_early_drop",
        "node_nf_conntrack_stat_search_restart"}) {
    same_samples(stat, [](double v) { return 1000 + 0.01 * v; });
  }

  // timex: the state and constants are equal; the error bounds grow by
  // 500 us per second of unsynchronized time, and the offset and frequency
  // move slowly while a daemon disciplines the clock.
  ASSERT_NE(tend.count("node_timex_status"), 0u);
  for (const char* name :
       {"node_timex_status", "node_timex_sync_status",
        "node_timex_loop_time_constant", "node_timex_tick_seconds",
        "node_timex_tai_offset_seconds", "node_timex_pps_frequency_hertz",
        "node_timex_pps_shift_seconds", "node_timex_pps_stability_hertz",
        "node_timex_pps_jitter_total", "node_timex_pps_calibration_total",
        "node_timex_pps_error_total",
        "node_timex_pps_stability_exceeded_total"}) {
    same_samples(name, exact);
  }
  same_samples("node_timex_offset_seconds", [](double) { return 0.001; });
  same_samples("node_timex_frequency_adjustment_ratio",
               [](double) { return 1e-6; });
  same_samples("node_timex_pps_jitter_seconds", [](double) { return 0.001; });
  same_samples("node_timex_maxerror_seconds", [](double) { return 0.05; });
  same_samples("node_timex_estimated_error_seconds",
               [](double) { return 0.05; });
}

TEST_F(SideBySideTest, CountersAreMonotonic) {
  Families first = Parse(*Get(tend_addr_, "/metrics"), "tend");
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  Families second = Parse(*Get(tend_addr_, "/metrics"), "tend");
  int checked = 0;
  for (const auto& [name, fam] : first) {
    if (fam.type != "counter") continue;
    for (const ParsedSample& s : fam.samples) {
      const ParsedSample* later = FindSample(second, name, LabelKey(s));
      if (later == nullptr) continue;  // E.g. a process group that ended.
      EXPECT_GE(later->value, s.value) << name << "{" << LabelKey(s) << "}";
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
  // The collection moved on: more cycles.
  EXPECT_GT(FindSample(second, "tend_collection_cycles_total", "")->value,
            FindSample(first, "tend_collection_cycles_total", "")->value);
}

// docs/metrics.md lists what tend exposes. Families whose set depends on the
// host's kernel or hardware (one per /proc/meminfo field, per udev device
// property) are documented as patterns and not checked one by one.
TEST_F(SideBySideTest, MetricsDocListsEveryFamily) {
  std::ifstream in(std::string(std::getenv("TEND_SOURCE_DIR")) +
                   "/docs/metrics.md");
  std::string doc((std::istreambuf_iterator<char>(in)),
                  std::istreambuf_iterator<char>());
  ASSERT_FALSE(doc.empty());
  Families tend = Parse(*Get(tend_addr_, "/metrics"), "tend");
  for (const auto& [name, fam] : tend) {
    if (name.rfind("node_memory_", 0) == 0 ||
        name.rfind("node_disk_ata_", 0) == 0) {
      continue;
    }
    EXPECT_NE(doc.find("| `" + name + "` |"), std::string::npos)
        << name << " is exposed but not in docs/metrics.md";
  }
}

TEST_F(SideBySideTest, OpenMetricsWhenAsked) {
  HttpClientRequest req;
  req.address = tend_addr_;
  req.path = "/metrics";
  req.headers = {{"Accept", "application/openmetrics-text;version=1.0.0"}};
  Result<HttpClientResponse> r = HttpFetch(req);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->content_type.find("application/openmetrics-text"),
            std::string::npos);
  EXPECT_NE(r->body.find("# TYPE node_cpu_seconds counter\n"),
            std::string::npos);
  EXPECT_EQ(r->body.substr(r->body.size() - 6), "# EOF\n");
}

TEST_F(SideBySideTest, StatusCommandReportsCollectors) {
  SubprocessOptions o;
  const std::string data_dir = dir_->path() + "/data";
  o.argv = {TendBinary(), "status", "--data-dir", data_dir, "-o", "json"};
  o.timeout_ms = 20000;
  Result<SubprocessResult> r = RunSubprocess(o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0) << r->stderr_data;
  nlohmann::json j = nlohmann::json::parse(r->stdout_data, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r->stdout_data;
  EXPECT_EQ(j["listen"], tend_addr_);
  EXPECT_GT(j["host"]["memory_total_bytes"].get<double>(), 0);
  std::set<std::string> names;
  for (const auto& c : j["collectors"]) names.insert(c["name"]);
  for (const char* want : {"cpu", "meminfo", "filesystem", "netdev",
                           "diskstats", "processes", "pressure"}) {
    EXPECT_EQ(names.count(want), 1u) << want;
  }
  // The human form names the agent and every collector.
  o.argv = {TendBinary(), "status", "--listen", tend_addr_};
  r = RunSubprocess(o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0) << r->stderr_data;
  EXPECT_NE(r->stdout_data.find("tend agent at " + tend_addr_ + ": up"),
            std::string::npos)
      << r->stdout_data;
  EXPECT_NE(r->stdout_data.find("filesystem"), std::string::npos);
}

TEST_F(SideBySideTest, SecondAgentOnSameDataDirIsRefused) {
  SubprocessOptions o;
  o.argv = {TendBinary(), "agent",
            "--data-dir", dir_->path() + "/data",
            "--listen",   "127.0.0.1:" + std::to_string(FreePort())};
  o.timeout_ms = 20000;
  Result<SubprocessResult> r = RunSubprocess(o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_NE(r->stderr_data.find("is in use by another tend process (pid " +
                                std::to_string(tend_->pid()) + ")"),
            std::string::npos)
      << r->stderr_data;
}

}  // namespace
}  // namespace tend::testing
