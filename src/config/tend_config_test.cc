#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <ostream>

#include "base/duration.h"
#include "config/tend_config_schema.h"

namespace tend {

// Failure messages show the whole configuration.
void PrintTo(const TendConfig& config, std::ostream* os) {
  *os << "\n" << ConfigYaml(config);
}

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const char kData[] = "tests/data/config/";

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find('\n', start);
    if (end == std::string::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// The error lines of loading fixture `name`.
std::vector<std::string> FileErrors(const std::string& name) {
  Result<TendConfig> r = LoadConfigFile(kData + name);
  if (r.ok()) return {};
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return Lines(r.status().message());
}

TEST(TendConfigTest, DefaultYamlLoadsBackToTheDefaults) {
  std::string yaml = DefaultConfigYaml();
  Result<TendConfig> loaded = LoadConfigString(yaml, "default.yml");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message() << "\n" << yaml;
  EXPECT_EQ(*loaded, TendConfig{});
  // Not vacuous: the document sets every key explicitly, so a config that
  // starts elsewhere ends up at the defaults too.
  TendConfig changed;
  changed.agent.interval_ms = 5000;
  changed.collectors.processes.options.top_n = 3;
  changed.collectors.filesystem.options.mount_points_exclude = "x";
  ConfigErrors errors("default.yml");
  TendConfigSchema().Load(yaml, &changed, &errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(changed, TendConfig{});
}

TEST(TendConfigTest, DefaultYamlIsDocumented) {
  std::string yaml = DefaultConfigYaml();
  EXPECT_THAT(yaml, StartsWith("# tend configuration: the built-in "
                               "defaults.\n"));
  EXPECT_THAT(yaml, HasSubstr("\nagent:\n"));
  EXPECT_THAT(yaml, HasSubstr("  listen: 127.0.0.1:9955\n"));
  EXPECT_THAT(yaml, HasSubstr("  proc: /proc\n"));
  EXPECT_THAT(yaml, HasSubstr("    device_exclude: ''\n"));
  EXPECT_THAT(yaml,
              HasSubstr("    device_exclude: "
                        "'(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+'"
                        "\n"));
  EXPECT_THAT(yaml, HasSubstr("  # Range: 100ms to 1h.\n  interval: 1s\n"));
  EXPECT_THAT(yaml, HasSubstr("  # One of: debug, info, warn, error.\n  "
                              "level: info\n"));
  EXPECT_THAT(yaml, HasSubstr("  processes:\n"));
  EXPECT_THAT(yaml, HasSubstr("    interval: 5s\n"));
  EXPECT_THAT(yaml, HasSubstr("    top_n: 20\n"));
  EXPECT_THAT(yaml, HasSubstr("    stat_timeout: 1s\n"));
  // Every line is a comment, blank, or a key at an even indent, and none
  // runs past 80 columns except long default values.
  for (const std::string& line : Lines(yaml)) {
    if (line.find("exclude:") != std::string::npos) continue;
    EXPECT_LE(line.size(), 80u) << line;
  }
}

TEST(TendConfigTest, NonDefaultConfigRoundTrips) {
  Result<TendConfig> full = LoadConfigFile("tests/data/config/full.yml");
  ASSERT_TRUE(full.ok()) << full.status().message();
  std::string yaml = ConfigYaml(*full);
  Result<TendConfig> back = LoadConfigString(yaml, "show.yml");
  ASSERT_TRUE(back.ok()) << back.status().message() << "\n" << yaml;
  EXPECT_EQ(*back, *full);
  EXPECT_NE(*back, TendConfig{});
}

// Every member of TendConfig must be bound in the field table: changing any
// of them must make the config differ from the defaults, and the change must
// survive printing and loading.
TEST(TendConfigTest, EveryMemberIsBound) {
  std::vector<std::pair<std::string, std::function<void(TendConfig*)>>>
      mutations = {
          {"agent.listen", [](TendConfig* c) { c->agent.listen = "[::1]:1"; }},
          {"agent.interval", [](TendConfig* c) { c->agent.interval_ms = 200; }},
          {"log.level", [](TendConfig* c) { c->log.level = "debug"; }},
          {"log.format", [](TendConfig* c) { c->log.format = "json"; }},
          {"paths.proc", [](TendConfig* c) { c->paths.proc = "/p"; }},
          {"paths.sys", [](TendConfig* c) { c->paths.sys = "/s"; }},
          {"paths.root", [](TendConfig* c) { c->paths.root = "/r"; }},
          {"filesystem.mount_points_exclude",
           [](TendConfig* c) {
             c->collectors.filesystem.options.mount_points_exclude = "a";
           }},
          {"filesystem.fs_types_exclude",
           [](TendConfig* c) {
             c->collectors.filesystem.options.fs_types_exclude = "b";
           }},
          {"filesystem.stat_timeout",
           [](TendConfig* c) {
             c->collectors.filesystem.options.stat_timeout_ms = 20;
           }},
          {"netdev.device_exclude",
           [](TendConfig* c) {
             c->collectors.netdev.options.device_exclude = "lo";
           }},
          {"netclass.device_exclude",
           [](TendConfig* c) {
             c->collectors.netclass.options.device_exclude = "veth.+";
           }},
          {"netclass.ignore_invalid_speed",
           [](TendConfig* c) {
             c->collectors.netclass.options.ignore_invalid_speed = true;
           }},
          {"diskstats.device_exclude",
           [](TendConfig* c) {
             c->collectors.diskstats.options.device_exclude = "";
           }},
          {"processes.top_n",
           [](TendConfig* c) { c->collectors.processes.options.top_n = 0; }},
      };
  // The toggles of every collector.
  const std::vector<
      std::pair<std::string, std::function<CollectorToggle*(TendConfig*)>>>
      toggles = {
          {"cpu", [](TendConfig* c) { return &c->collectors.cpu; }},
          {"stat", [](TendConfig* c) { return &c->collectors.stat; }},
          {"meminfo", [](TendConfig* c) { return &c->collectors.meminfo; }},
          {"loadavg", [](TendConfig* c) { return &c->collectors.loadavg; }},
          {"pressure", [](TendConfig* c) { return &c->collectors.pressure; }},
          {"vmstat", [](TendConfig* c) { return &c->collectors.vmstat; }},
          {"entropy", [](TendConfig* c) { return &c->collectors.entropy; }},
          {"filefd", [](TendConfig* c) { return &c->collectors.filefd; }},
          {"uname", [](TendConfig* c) { return &c->collectors.uname; }},
          {"time", [](TendConfig* c) { return &c->collectors.time; }},
          {"timex", [](TendConfig* c) { return &c->collectors.timex; }},
          {"diskstats", [](TendConfig* c) { return &c->collectors.diskstats; }},
          {"netdev", [](TendConfig* c) { return &c->collectors.netdev; }},
          {"netclass", [](TendConfig* c) { return &c->collectors.netclass; }},
          {"netstat", [](TendConfig* c) { return &c->collectors.netstat; }},
          {"sockstat", [](TendConfig* c) { return &c->collectors.sockstat; }},
          {"conntrack", [](TendConfig* c) { return &c->collectors.conntrack; }},
          {"filesystem",
           [](TendConfig* c) { return &c->collectors.filesystem; }},
          {"processes", [](TendConfig* c) { return &c->collectors.processes; }},
      };
  for (const auto& [name, get] : toggles) {
    mutations.push_back({name + ".enabled", [get = get](TendConfig* c) {
                           get(c)->enabled = false;
                         }});
    mutations.push_back({name + ".interval", [get = get](TendConfig* c) {
                           get(c)->interval_ms = 123000;
                         }});
  }
  EXPECT_EQ(mutations.size(), 15u + 2 * 19u);
  for (const auto& [name, mutate] : mutations) {
    TendConfig c;
    mutate(&c);
    EXPECT_NE(c, TendConfig{}) << name;
    Result<TendConfig> back = LoadConfigString(ConfigYaml(c), "show.yml");
    ASSERT_TRUE(back.ok()) << name << ": " << back.status().message();
    EXPECT_EQ(*back, c) << name;
  }
}

TEST(TendConfigTest, EmptyAndNullSectionsMeanDefaults) {
  for (const char* name :
       {"empty.yml", "comments_only.yml", "null_sections.yml"}) {
    Result<TendConfig> r = LoadConfigFile(kData + std::string(name));
    ASSERT_TRUE(r.ok()) << name << ": " << r.status().message();
    EXPECT_EQ(*r, TendConfig{}) << name;
  }
}

TEST(TendConfigTest, RealisticFileAppliesEveryOverride) {
  Result<TendConfig> r = LoadConfigFile("tests/data/config/full.yml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const TendConfig& c = *r;
  EXPECT_EQ(c.agent.listen, "[::1]:9100");
  EXPECT_EQ(c.agent.interval_ms, 15000);
  EXPECT_EQ(c.log.level, "warn");
  EXPECT_EQ(c.log.format, "json");
  EXPECT_EQ(c.paths.proc, "/host/proc");
  EXPECT_EQ(c.paths.sys, "/host/sys");
  EXPECT_EQ(c.paths.root, "/host/root");
  const CollectorsSection& k = c.collectors;
  EXPECT_TRUE(k.cpu.enabled);
  EXPECT_EQ(k.cpu.interval_ms, 0);
  EXPECT_TRUE(k.stat.enabled);
  EXPECT_EQ(k.meminfo.interval_ms, 5000);
  EXPECT_TRUE(k.loadavg.enabled);  // "loadavg:" with no value: defaults.
  EXPECT_FALSE(k.pressure.enabled);
  EXPECT_EQ(k.vmstat.interval_ms, 60000);
  EXPECT_FALSE(k.entropy.enabled);
  EXPECT_EQ(k.filefd.interval_ms, 30000);
  EXPECT_EQ(k.uname.interval_ms, 3600000);
  EXPECT_EQ(k.time.interval_ms, 0);
  EXPECT_EQ(k.diskstats.options.device_exclude, "(ram|loop|fd)\\d+");
  EXPECT_TRUE(k.diskstats.enabled);
  EXPECT_EQ(k.netdev.options.device_exclude, "veth.+|docker\\d+|br-[0-9a-f]+");
  EXPECT_EQ(k.netdev.interval_ms, 5000);
  EXPECT_FALSE(k.netstat.enabled);
  EXPECT_FALSE(k.sockstat.enabled);
  EXPECT_EQ(k.netclass.options.device_exclude, "veth.+|docker\\d+");
  EXPECT_TRUE(k.netclass.options.ignore_invalid_speed);
  EXPECT_EQ(k.netclass.interval_ms, 30000);
  EXPECT_TRUE(k.conntrack.enabled);
  EXPECT_EQ(k.conntrack.interval_ms, 10000);
  EXPECT_FALSE(k.timex.enabled);
  EXPECT_EQ(k.filesystem.interval_ms, 60000);
  EXPECT_EQ(k.filesystem.options.stat_timeout_ms, 2500);
  EXPECT_EQ(k.filesystem.options.mount_points_exclude,
            "/(dev|proc|sys|run|var/lib/docker/.+)(|/.*)");
  EXPECT_EQ(k.filesystem.options.fs_types_exclude,
            "tmpfs|devtmpfs|overlay|squashfs|nfs4?");
  EXPECT_EQ(k.processes.interval_ms, 30000);
  EXPECT_EQ(k.processes.options.top_n, 50);
}

TEST(TendConfigTest, DefaultsComeFromTheStructs) {
  TendConfig c;
  EXPECT_EQ(c.collectors.processes.interval_ms, 5000);
  Result<TendConfig> r = LoadConfigString("collectors: {cpu: {}}", "t.yml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->collectors.processes.interval_ms, 5000);
  EXPECT_EQ(r->collectors.cpu.interval_ms, 0);
  EXPECT_EQ(r->collectors.filesystem.options.stat_timeout_ms, 1000);
  EXPECT_EQ(r->collectors.netclass.interval_ms, 5000);
}

TEST(TendConfigTest, UnknownKeyNamesPositionAndSuggests) {
  EXPECT_THAT(FileErrors("unknown_key.yml"),
              ElementsAre("tests/data/config/unknown_key.yml:4:3: unknown key "
                          "\"intervall\" in agent; did you mean "
                          "\"interval\"? (valid keys: interval, listen)"));
  Result<TendConfig> r = LoadConfigString("colectors:\n  cpu: {}\n", "t.yml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(
      r.status().message(),
      "t.yml:1:1: unknown key \"colectors\" at the top level; did you "
      "mean \"collectors\"? (valid keys: agent, alerting, collectors, log, "
      "logs, paths, probes, query, remedies, storage, supervise)");
  r = LoadConfigString("collectors:\n  filesystem:\n    stat_timeot: 1s\n",
                       "t.yml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "t.yml:3:5: unknown key \"stat_timeot\" in collectors.filesystem; "
            "did you mean \"stat_timeout\"? (valid keys: enabled, "
            "fs_types_exclude, interval, mount_points_exclude, "
            "stat_timeout)");
}

TEST(TendConfigTest, WrongTypesNamePathAndValue) {
  EXPECT_THAT(
      FileErrors("wrong_type.yml"),
      ElementsAre("tests/data/config/wrong_type.yml:3:13: agent.interval: "
                  "want a duration like 1s, 500ms or 2m, got \"fast\"",
                  "tests/data/config/wrong_type.yml:6:14: "
                  "collectors.cpu.enabled: want true or false, got \"yes "
                  "please\""));
}

TEST(TendConfigTest, DuplicateKeysAreReported) {
  EXPECT_THAT(FileErrors("duplicate_key.yml"),
              ElementsAre("tests/data/config/duplicate_key.yml:4:3: duplicate "
                          "key \"level\" in log (first at line 2, column 3)"));
}

TEST(TendConfigTest, SyntaxErrorsNameTheFileAndPosition) {
  EXPECT_THAT(FileErrors("syntax_error.yml"),
              ElementsAre("tests/data/config/syntax_error.yml:3:12: invalid "
                          "YAML: illegal map value"));
}

TEST(TendConfigTest, EveryErrorIsReportedTogether) {
  const std::string f = "tests/data/config/many_errors.yml:";
  EXPECT_THAT(
      FileErrors("many_errors.yml"),
      ElementsAre(
          f + "3:11: agent.listen: tend listens on loopback only "
              "(127.0.0.1, [::1] or localhost) until API authentication "
              "exists, got \"0.0.0.0:9955\"",
          f + "4:13: agent.interval: 10ms is below the minimum 100ms",
          f + "6:10: log.level: want one of debug, info, warn or error, got "
              "\"verbose\"",
          f + "7:11: log.format: want one of human or json, got \"xml\"",
          f + "9:9: paths.proc: want an absolute path, got \"host/proc\"",
          f + "10:1: unknown key \"colectors\" at the top level; did you "
              "mean \"collectors\"? (valid keys: agent, alerting, collectors, "
              "log, "
              "logs, paths, probes, query, remedies, storage, supervise)",
          f + "15:27: collectors.filesystem.mount_points_exclude: invalid "
              "regular expression \"/(dev|proc\": missing ): /(dev|proc",
          f + "16:19: collectors.filesystem.stat_timeout: 1h is above the "
              "maximum 1m",
          f + "18:12: collectors.processes.top_n: -5 is below the minimum 0",
          f + "19:15: collectors.processes.interval: want a duration like "
              "1s, 500ms or 2m, got \"5\"; missing unit after 5 (ms, s, m, "
              "h, d, w or y)",
          f + "21:5: unknown key \"devices\" in collectors.netdev (valid "
              "keys: device_exclude, enabled, interval)"));
}

TEST(TendConfigTest, StructuredErrorsCarryPathAndPosition) {
  ConfigErrors errors("t.yml");
  TendConfig c;
  TendConfigSchema().Load("agent:\n  interval: 10ms\n", &c, &errors);
  ASSERT_EQ(errors.errors().size(), 1u);
  EXPECT_EQ(errors.errors()[0], (ConfigError{"t.yml", 2, 13, "agent.interval",
                                             "10ms is below the minimum "
                                             "100ms"}));
}

TEST(TendConfigTest, FileProblemsNameThePath) {
  Result<TendConfig> r = LoadConfigFile("tests/data/config/no-such.yml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(),
              StartsWith("tests/data/config/no-such.yml: "));
  r = LoadConfigFile("tests/data/config");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "tests/data/config: is a directory, not a file");
}

TEST(TendConfigTest, OversizedFileIsRefused) {
  char path[] = "/tmp/tend_config_test_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    std::ofstream out(path);
    out << "# " << std::string(2 << 20, 'x') << "\n";
  }
  Result<TendConfig> r = LoadConfigFile(path);
  std::remove(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            std::string(path) +
                ": the file is larger than 1 MiB, the limit for a "
                "configuration file");
}

struct ListenCase {
  const char* address;
  const char* error;  // nullptr: accepted.
};

TEST(TendConfigTest, ListenAddressRules) {
  const char kLoopbackOnly[] =
      "tend listens on loopback only (127.0.0.1, [::1] or localhost) until "
      "API authentication exists, got ";
  const ListenCase cases[] = {
      {"127.0.0.1:9955", nullptr},
      {"127.0.0.2:1", nullptr},
      {"localhost:65535", nullptr},
      {"[::1]:9955", nullptr},
      {"0.0.0.0:9955", "loopback"},
      {":9955", "loopback"},
      {"[::]:9955", "loopback"},
      {"192.168.1.10:9955", "loopback"},
      {"example.com:80", "loopback"},
      {"127.0.0.1",
       "want host:port such as 127.0.0.1:9955 or [::1]:9955, "
       "got \"127.0.0.1\""},
      {"[::1]",
       "want host:port such as 127.0.0.1:9955 or [::1]:9955, got "
       "\"[::1]\""},
      {"[::1:9955",
       "want host:port such as 127.0.0.1:9955 or [::1]:9955, "
       "got \"[::1:9955\""},
      {"::1:9955",
       "an IPv6 address needs brackets, as in [::1]:9955, got "
       "\"::1:9955\""},
      {"127.0.0.1:0",
       "want a port from 1 to 65535 after the host, got "
       "\"127.0.0.1:0\""},
      {"127.0.0.1:65536",
       "want a port from 1 to 65535 after the host, got "
       "\"127.0.0.1:65536\""},
      {"127.0.0.1:http",
       "want a port from 1 to 65535 after the host, got "
       "\"127.0.0.1:http\""},
      {"127.0.0.1:",
       "want a port from 1 to 65535 after the host, got "
       "\"127.0.0.1:\""},
      {"127.0.0.1:099999",
       "want a port from 1 to 65535 after the host, got "
       "\"127.0.0.1:099999\""},
      // Found by config_fuzz: a long port overflowed while being parsed.
      {"127.0.0.1:58888888888888888888888",
       "want a port from 1 to 65535 after the host, got "
       "\"127.0.0.1:58888888888888888888888\""},
  };
  for (const ListenCase& c : cases) {
    Status s = ValidateListenAddress(c.address);
    if (c.error == nullptr) {
      EXPECT_TRUE(s.ok()) << c.address << ": " << s.message();
    } else if (std::string(c.error) == "loopback") {
      EXPECT_EQ(s.message(),
                kLoopbackOnly + std::string("\"") + c.address + "\"");
    } else {
      EXPECT_EQ(s.message(), c.error) << c.address;
    }
  }
}

TEST(TendConfigTest, ReferenceDocumentsEverySection) {
  std::string md = ConfigReferenceMarkdown();
  EXPECT_THAT(md, StartsWith("# Configuration reference\n"));
  EXPECT_THAT(md, HasSubstr("## `agent`\n"));
  EXPECT_THAT(md, HasSubstr("| `listen` | string | `127.0.0.1:9955` |"));
  EXPECT_THAT(md, HasSubstr("| `interval` | duration | `1s` | 100ms to 1h |"));
  EXPECT_THAT(md, HasSubstr("| `level` | enum | `info` | `debug`, `info`, "
                            "`warn`, `error` |"));
  EXPECT_THAT(md, HasSubstr("## `collectors`\n"));
  for (const char* c :
       {"cpu", "stat", "meminfo", "loadavg", "pressure", "vmstat", "entropy",
        "filefd", "uname", "time", "timex", "diskstats", "netdev", "netclass",
        "netstat", "sockstat", "conntrack", "filesystem", "processes"}) {
    EXPECT_THAT(md, HasSubstr("## `collectors." + std::string(c) + "`\n"));
  }
  // Pipes inside regex defaults are escaped so the table keeps its columns.
  EXPECT_THAT(md, HasSubstr("| `fs_types_exclude` | regex | "
                            "`autofs\\|binfmt_misc\\|"));
  EXPECT_THAT(md, HasSubstr("| `top_n` | integer | `20` | 0 to 100000 |"));
  EXPECT_THAT(md, HasSubstr("| `interval` | duration | `5s` | 0s to 1d |"));
  // Every table row has the same number of unescaped pipes.
  for (const std::string& line : Lines(md)) {
    if (line.empty() || line[0] != '|') continue;
    int pipes = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '|' && (i == 0 || line[i - 1] != '\\')) ++pipes;
    }
    EXPECT_EQ(pipes, 6) << line;
  }
  EXPECT_EQ(md.substr(md.size() - 2), "|\n");
}

}  // namespace
}  // namespace tend

namespace tend {
namespace {

TEST(LogsConfigTest, DefaultReadsTheSyslogFilesFromTheirEnd) {
  TendConfig c;
  ASSERT_EQ(c.logs.sources.size(), 1u);
  EXPECT_EQ(c.logs.sources[0].name, "system");
  EXPECT_EQ(c.logs.sources[0].start_at, "end");
  Result<TendConfig> back = LoadConfigString(DefaultConfigYaml(), "d.yml");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == c);
}

TEST(LogsConfigTest, SourcesProcessorsAndMetricsLoad) {
  Result<TendConfig> c = LoadConfigString(R"(
logs:
  fsync: always
  sources:
    - name: nginx
      paths: [/var/log/nginx/access.log]
      parser: nginx
      labels: [status]
      processors:
        - drop: 'status < 400 and method="HEAD"'
        - redact: [password, card]
        - sample: 10
          unless: 'status >= 500'
    - name: net
      type: syslog
      udp: ["127.0.0.1:5514"]
  metrics:
    - name: nginx_requests_total
      source: nginx
      labels: [status, method]
    - name: nginx_request_seconds
      type: histogram
      value: request_time
      buckets: ["0.1", "0.5", "1"]
)",
                                          "l.yml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->logs.sources.size(), 2u);
  EXPECT_EQ(c->logs.fsync, "always");
  const LogSourceSection& n = c->logs.sources[0];
  EXPECT_EQ(n.parser, "nginx");
  ASSERT_EQ(n.processors.size(), 3u);
  EXPECT_EQ(n.processors[2].sample, 10);
  EXPECT_EQ(n.processors[2].unless, "status >= 500");
  EXPECT_EQ(c->logs.sources[1].udp[0], "127.0.0.1:5514");
  ASSERT_EQ(c->logs.metrics.size(), 2u);
  EXPECT_EQ(c->logs.metrics[1].buckets.size(), 3u);
  // What was loaded prints and reads back equal.
  Result<TendConfig> back = LoadConfigString(ConfigYaml(*c), "show.yml");
  ASSERT_TRUE(back.ok()) << back.status().ToString() << ConfigYaml(*c);
  EXPECT_TRUE(*back == *c);
}

TEST(LogsConfigTest, ErrorsNameTheElement) {
  Result<TendConfig> c = LoadConfigString(R"(
logs:
  sources:
    - name: a
      paths: [/x]
      processors:
        - keep: 'status >>= 5'
        - redact: [passwords]
        - sample: 2
          drop: 'a="b"'
    - name: a
      type: syslog
  metrics:
    - name: m
      type: histogram
)",
                                          "e.yml");
  ASSERT_FALSE(c.ok());
  std::string m(c.status().message());
  EXPECT_NE(m.find("e.yml:7:17: logs.sources[0].processors[0].keep: invalid "
                   "condition \"status >>= 5\": parse error at column 9"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("logs.sources[0].processors[1]: unknown redact rule "
                   "\"passwords\""),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("logs.sources[0].processors[2]: a processor does exactly "
                   "one thing"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("logs.sources[1]: source \"a\": a syslog source needs"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("logs.metrics[0]: log metric \"m\": a histogram needs "
                   "`value`"),
            std::string::npos)
      << m;
  Result<TendConfig> dup = LoadConfigString(
      "logs:\n  sources:\n    - {name: a, paths: [/x]}\n    - {name: a, "
      "paths: [/y]}\n",
      "d.yml");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("two sources are named \"a\""),
            std::string::npos);
}

}  // namespace
}  // namespace tend
