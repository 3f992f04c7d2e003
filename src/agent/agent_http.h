// The agent's HTTP routes: /metrics, /-/healthy, /-/ready, /-/reload and
// /api/v1/status.
#ifndef TEND_AGENT_AGENT_HTTP_H_
#define TEND_AGENT_AGENT_HTTP_H_

#include <memory>
#include <nlohmann/json.hpp>

#include "agent/snapshot.h"
#include "base/status.h"
#include "http/server.h"

namespace tend {

// What the routes need from the agent. Every method is called from HTTP
// server threads and must be thread-safe.
class AgentView {
 public:
  virtual ~AgentView() = default;
  // The latest published collection; null before the first one.
  virtual std::shared_ptr<const Snapshot> snapshot() const = 0;
  // Reloads the configuration on the loop thread and waits for the outcome.
  virtual Status RequestReload() = 0;
  // The body of /api/v1/status.
  virtual nlohmann::json StatusJson() const = 0;
};

// Registers the routes on `server`. `view` must outlive the server.
void RegisterAgentRoutes(AgentView* view, HttpServer* server);

}  // namespace tend

#endif  // TEND_AGENT_AGENT_HTTP_H_
