// Agent: the long-running `tend agent` process.
//
// Owns one event loop (the thread that calls Run), a one-thread collection
// worker, and the HTTP server. Every `agent.interval` the loop hands a cycle
// to the worker; the worker posts the finished MetricSet back and the loop
// publishes it as an immutable snapshot that HTTP handlers read. A tick that
// comes while the previous cycle is still running is dropped and counted
// (tend_collection_dropped_total): metrics are collected again next tick.
//
// Configuration is reloaded on SIGHUP and POST /-/reload; a new config with
// errors is rejected (errors logged, old one kept running).
#ifndef TEND_AGENT_AGENT_H_
#define TEND_AGENT_AGENT_H_

#include <memory>
#include <string>

#include "base/status.h"

namespace tend {

struct AgentOptions {
  std::string config_path;      // Empty: the built-in default configuration.
  std::string data_dir;         // Created if missing; locked while running.
  std::string listen_override;  // Non-empty: replaces agent.listen.
  // Non-empty: replace log.level / log.format of every loaded config
  // (command-line flags win over the file, on reload too).
  std::string log_level_override;
  std::string log_format_override;
};

class AgentImpl;

class Agent {
 public:
  // Loads the configuration, takes the data dir's lock and binds the HTTP
  // address. Fails (nothing left running) on any of those errors. Call
  // BlockSignals() (src/loop) before, while the process has one thread.
  static Result<std::unique_ptr<Agent>> Create(const AgentOptions& options);
  ~Agent();

  // Serves until SIGTERM/SIGINT or Stop(). Returns OK on a clean stop.
  Status Run();
  // Thread-safe.
  void Stop();
  // The bound HTTP port.
  int port() const;

 private:
  explicit Agent(std::unique_ptr<AgentImpl> impl);
  std::unique_ptr<AgentImpl> impl_;
};

}  // namespace tend

#endif  // TEND_AGENT_AGENT_H_
