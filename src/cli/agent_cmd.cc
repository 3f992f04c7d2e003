#include <signal.h>

#include <cstdio>

#include "agent/agent.h"
#include "cli/commands.h"
#include "loop/event_loop.h"

namespace tend {

const std::string_view kAgentHelp = R"(NAME
    tend agent - collect host metrics and serve them over HTTP

SYNOPSIS
    tend agent [--config FILE] [--data-dir DIR] [--listen ADDR:PORT]
               [--log-level LEVEL] [--log-format human|json]

DESCRIPTION
    Runs in the foreground until SIGTERM or SIGINT. Every agent.interval
    (default 1s) it reads /proc and /sys: CPU, memory, swap, load, pressure,
    vmstat, disk I/O, filesystems, network devices, TCP/UDP and socket
    statistics, file descriptors, boot time, uname, time, entropy and process
    groups. Metric names follow node_exporter (node_*) and process-exporter
    (namedprocess_namegroup_*), so existing dashboards and alert rules work
    unchanged; tend's own health is tend_*.

    Without --config the built-in defaults are used ('tend config default'
    prints them). SIGHUP or 'POST /-/reload' reloads the configuration file;
    a file with errors is rejected, its errors are logged and the running
    configuration stays in force.

    The data dir is created if missing and locked: one agent per data dir.
    DIR/agent.json tells other tend commands where this agent listens.

HTTP
    GET  /metrics         Prometheus text format 0.0.4 (OpenMetrics when the
                          Accept header asks for it)
    GET  /-/healthy       200 while the process runs
    GET  /-/ready         200 once the first collection has finished
    POST /-/reload        reload the configuration file
    GET  /api/v1/status   the agent, its collectors and key host figures

OPTIONS
    --listen ADDR:PORT  Overrides agent.listen (default 127.0.0.1:9955).
                        Only loopback addresses are accepted for now.
    --config FILE       Configuration file (YAML).
    --data-dir DIR      State directory (default ./tend-data).
    --log-level LEVEL   debug, info, warn or error (overrides log.level).
    --log-format FMT    human or json (overrides log.format).

EXIT STATUS
    0 after a clean stop; 1 when the agent cannot start (bad configuration,
    data dir in use, address in use); 2 on bad flags.

EXAMPLES
    tend agent --data-dir /var/lib/tend --config /etc/tend/tend.yml
    curl -s 127.0.0.1:9955/metrics | grep node_load1
)";

int RunAgent(const ParsedFlags& flags) {
  if (!flags.positional.empty()) {
    std::fprintf(stderr, "tend agent: unexpected argument \"%s\"\n",
                 flags.positional[0].c_str());
    return kExitUsage;
  }
  // Before any thread exists, so every thread inherits the mask and the
  // loop receives these through its signalfd.
  Status s = BlockSignals({SIGHUP, SIGTERM, SIGINT});
  if (!s.ok()) {
    std::fprintf(stderr, "tend agent: %s\n", s.ToString().c_str());
    return kExitFailure;
  }
  AgentOptions options;
  options.config_path = flags.Get("config");
  options.data_dir = DataDirFlag(flags);
  options.listen_override = flags.Get("listen");
  options.log_level_override = flags.Get("log-level");
  options.log_format_override = flags.Get("log-format");
  Result<std::unique_ptr<Agent>> agent = Agent::Create(options);
  if (!agent.ok()) {
    std::fprintf(stderr, "tend agent: %s\n", agent.status().message().c_str());
    return kExitFailure;
  }
  s = (*agent)->Run();
  if (!s.ok()) {
    std::fprintf(stderr, "tend agent: %s\n", s.ToString().c_str());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace tend
