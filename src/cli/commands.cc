#include "cli/commands.h"

#include <cstdio>

#include "agent/data_dir.h"
#include "api/prom_params.h"
#include "base/log.h"
#include "config/tend_config_schema.h"

namespace tend {

const std::vector<FlagSpec>& CommonFlags() {
  static const auto* flags = new std::vector<FlagSpec>{
      {"data-dir", "", true},   {"config", "c", true}, {"log-level", "", true},
      {"log-format", "", true}, {"help", "h", false},
  };
  return *flags;
}

const std::vector<Command>& Commands() {
  static const auto* commands = new std::vector<Command>{
      {"agent",
       "Run the agent: collect host metrics and serve the API",
       kAgentHelp,
       {{"listen", "", true}},
       RunAgent},
      {"status",
       "Show whether the agent is up, its collectors and the host",
       kStatusHelp,
       {{"listen", "", true}, {"output", "o", true}},
       RunStatus},
      {"query",
       "Evaluate a PromQL expression, or run PromQL test scripts",
       kQueryHelp,
       {{"listen", "", true},
        {"output", "o", true},
        {"time", "", true},
        {"start", "", true},
        {"end", "", true},
        {"step", "", true}},
       RunQuery},
      {"logs",
       "Search, follow and import logs (LogQL)",
       kLogsHelp,
       {{"listen", "", true},
        {"output", "o", true},
        {"since", "", true},
        {"start", "", true},
        {"end", "", true},
        {"limit", "", true},
        {"forward", "", false},
        {"follow", "f", false},
        {"parser", "", true},
        {"source", "", true}},
       RunLogs},
      {"alerts",
       "Firing and pending alerts, with their age",
       kAlertsHelp,
       {{"listen", "", true}, {"output", "o", true}},
       RunAlerts},
      {"silence",
       "Mute alerts for a while: add, ls, expire",
       kSilenceHelp,
       {{"listen", "", true},
        {"output", "o", true},
        {"duration", "d", true},
        {"start", "", true},
        {"end", "", true},
        {"comment", "", true},
        {"author", "", true}},
       RunSilence},
      {"rules",
       "Check Prometheus rule files as promtool does",
       kRulesHelp,
       {{"logql", "", false}},
       RunRules},
      {"apply",
       "Run an Ansible playbook on hosts, locally or over SSH",
       kApplyHelp,
       {{"inventory", "i", true},
        {"limit", "l", true},
        {"tags", "t", true},
        {"skip-tags", "", true},
        {"check", "C", false},
        {"diff", "D", false},
        {"extra-vars", "e", true},
        {"forks", "f", true},
        {"output", "o", true},
        {"syntax-check", "", false},
        {"host-key-checking", "", true}},
       RunApply},
      {"deploy",
       "Deploy a release with a health gate and rollback; list releases",
       kDeployHelp,
       {{"release", "", true},
        {"src", "", true},
        {"repo", "", true},
        {"version", "", true},
        {"build", "", true},
        {"shared", "", true},
        {"before-switch", "", true},
        {"after-switch", "", true},
        {"restart", "", true},
        {"health-http", "", true},
        {"health-status", "", true},
        {"health-body", "", true},
        {"health-tcp", "", true},
        {"health-exec", "", true},
        {"health-timeout", "", true},
        {"bake", "", true},
        {"interval", "", true},
        {"keep", "", true},
        {"to", "", true},
        {"check", "C", false},
        {"output", "o", true}},
       RunDeploy},
      {"events",
       "What tend noticed and did: alerts, notifications, remedies",
       kEventsHelp,
       {{"listen", "", true},
        {"output", "o", true},
        {"since", "", true},
        {"kind", "", true},
        {"subject", "", true},
        {"limit", "", true}},
       RunEvents},
      {"probes",
       "The service checks and their latest results",
       kProbesHelp,
       {{"listen", "", true}, {"output", "o", true}},
       RunProbes},
      {"tsdb",
       "Backfill, inspect and verify the metric store",
       kTsdbHelp,
       {{"listen", "", true},
        {"output", "o", true},
        {"block-duration", "", true}},
       RunTsdb},
      {"config",
       "Check a configuration file, print the defaults or reference",
       kConfigHelp,
       {},
       RunConfig},
      {"version",
       "Print tend's version",
       kVersionHelp,
       {{"output", "o", true}},
       RunVersion},
  };
  return *commands;
}

std::string HumanBytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int u = 0;
  while (b >= 1024 && u < 5) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

bool ApplyLogFlags(const ParsedFlags& flags) {
  if (flags.Has("log-level")) {
    Result<LogLevel> l = ParseLogLevel(flags.Get("log-level"));
    if (!l.ok()) {
      std::fprintf(stderr, "tend: --log-level: %s\n",
                   l.status().message().c_str());
      return false;
    }
    SetLogLevel(*l);
  }
  if (flags.Has("log-format")) {
    Result<LogFormat> f = ParseLogFormat(flags.Get("log-format"));
    if (!f.ok()) {
      std::fprintf(stderr, "tend: --log-format: %s\n",
                   f.status().message().c_str());
      return false;
    }
    SetLogFormat(*f);
  }
  return true;
}

std::string DataDirFlag(const ParsedFlags& flags) {
  return flags.Get("data-dir", "./tend-data");
}

std::string AgentAddress(const ParsedFlags& flags) {
  if (flags.Has("listen")) return flags.Get("listen");
  Result<std::string> from_dir = FindAgentListen(DataDirFlag(flags));
  if (from_dir.ok()) return *from_dir;
  if (flags.Has("config")) {
    Result<TendConfig> c = LoadConfigFile(flags.Get("config"));
    if (c.ok()) return c->agent.listen;
  }
  return TendConfig().agent.listen;
}

Result<int64_t> ParseCliTime(const std::string& s, int64_t now) {
  if (s == "now") return now;
  Result<int64_t> t = ParseApiTime(s);
  if (t.ok() || s.size() < 2 || s[0] != '-') return t;
  Result<int64_t> back = ParseApiDuration(s.substr(1));
  if (!back.ok()) return t.status();
  return now - *back;
}

}  // namespace tend
