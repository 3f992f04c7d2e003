// AlertingService: the agent's watch-and-heal loop — probes, rule
// evaluation, alerts, notifications and remedies — and their API routes.
//
// Threads:
// - Create/Start/Stop run on the agent's loop thread (Stop also from Run's
//   shutdown path).
// - Collect runs on the collection worker, once per cycle.
// - Route handlers run on HTTP threads.
// Components keep their own threads (the probe scheduler and pool); every
// member here is safe from the threads named above.
#ifndef TEND_AGENT_ALERTING_SERVICE_H_
#define TEND_AGENT_ALERTING_SERVICE_H_

#include <memory>
#include <string>

#include "base/status.h"
#include "config/tend_config.h"
#include "http/server.h"
#include "metrics/metric.h"
#include "probe/probe_service.h"
#include "state/state_db.h"

namespace tend {

class AlertingService {
 public:
  // Builds the probes (nothing runs before Start). `state` is not owned and
  // must outlive this.
  static Result<std::unique_ptr<AlertingService>> Create(
      const TendConfig& config, state::StateDb* state);
  ~AlertingService();

  Status Start();
  void Stop();

  // Collection worker: the probes' latest results and the self metrics.
  void Collect(MetricSet* out) const;

  // GET /api/v1/probes (and later the alert, rule and silence routes).
  void RegisterRoutes(HttpServer* server);

  ProbeService* probes() const { return probes_.get(); }

 private:
  AlertingService() = default;

  state::StateDb* state_ = nullptr;
  std::unique_ptr<ProbeService> probes_;
};

}  // namespace tend

#endif  // TEND_AGENT_ALERTING_SERVICE_H_
