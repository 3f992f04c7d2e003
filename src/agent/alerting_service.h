// AlertingService: the agent's watch-and-heal loop — probes, rule
// evaluation, alerts, silences, notifications, supervised processes and
// remedies — and their API routes.
//
// Data flow (docs/alerting.md):
//   probes ──► metrics ─┐                      ┌─► dispatcher ─► outbox ─►
//   receivers
//                       ├─► rules ─► alerts ───┼─► Alertmanager forwarder
//   collectors ─────────┘              │       └─► remedies ─► re-probe ─►
//   events probe results ─────────────────────┴──────────► remedies
//
// Threads:
// - Create/Start/Stop/Reload run on the agent's loop thread (Stop also on
//   the shutdown path after the collection worker stopped).
// - Cycle and Collect run on the collection worker (the metric store's
//   single writer), once per collection cycle: rules are evaluated there
//   so record rules append to the store like a collection does, and the
//   dispatcher (not thread-safe) is only ever touched there.
// - Route handlers run on HTTP threads and use only thread-safe members
//   (rule snapshots, silences, probe results, the supervisor's snapshot).
// Probes, the supervisor, the remedy worker and notification delivery keep
// their own threads.
#ifndef TEND_AGENT_ALERTING_SERVICE_H_
#define TEND_AGENT_ALERTING_SERVICE_H_

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "agent/remedy_wiring.h"
#include "alert/engine/rule_manager.h"
#include "alert/engine/silences.h"
#include "api/silences_api.h"
#include "base/status.h"
#include "config/tend_config.h"
#include "http/server.h"
#include "logs/store/log_store.h"
#include "loop/worker_pool.h"
#include "metrics/metric.h"
#include "notify/deliverer.h"
#include "notify/dispatcher.h"
#include "notify/forwarder.h"
#include "notify/nflog.h"
#include "notify/notify_metrics.h"
#include "probe/probe_service.h"
#include "promql/engine.h"
#include "remedy/remedy_manager.h"
#include "remedy/supervisor.h"
#include "state/state_db.h"
#include "systemd/unit_watcher.h"
#include "tsdb/head.h"
#include "tsdb/queryable.h"

namespace tend {

// What the service reads from and writes to; not owned, each outlives it.
// `engine`, `store` and `head` are null when storage is disabled (rules
// then fail as rule health); `log_store` is null when logs are disabled
// (log rules fail).
struct AlertingDeps {
  state::StateDb* state = nullptr;
  const promql::Engine* engine = nullptr;
  Queryable* store = nullptr;
  Head* head = nullptr;
  const logs::LogStore* log_store = nullptr;
  // The configuration file's directory: relative rule_files and
  // notifications_file are resolved against it ("" for the defaults).
  std::string config_dir;
  // agent.listen as bound: the default external URL.
  std::string listen;
  // Each line a supervised process writes (with log_output on). May be
  // empty. Called on the supervisor's thread; may block (backpressure).
  std::function<void(const std::string& process, bool stderr_stream,
                     std::string_view line)>
      on_process_line;
};

// Loads the rule files and the notifications file `config` names (relative
// to `config_dir`) and reports every error, as the agent would at start.
Status CheckAlertingFiles(const TendConfig& config,
                          const std::string& config_dir);

class AlertingService {
 public:
  // Loads rule files and the notifications file, builds probes, remedies
  // and the supervisor's specs. Nothing runs before Start. Errors name the
  // file and position (rule files, alertmanager.yml) or the entry.
  static Result<std::unique_ptr<AlertingService>> Create(
      const TendConfig& config, AlertingDeps deps);
  ~AlertingService();

  // Starts supervised processes, the probes, delivery and forwarding.
  Status Start();
  void Stop();

  // Loop thread: applies new rule files and notification settings, keeping
  // alert state (probes, supervise and remedies need a restart: their
  // changes are logged and ignored). On error nothing changes.
  Status Reload(const TendConfig& config, const std::string& config_dir);

  // Collection worker, after the cycle was stored: evaluates due rule
  // groups and moves their alerts to notifications and remedies, then lets
  // the dispatcher flush what is due.
  void Cycle(int64_t now_ms);

  // Collection worker: probe results and the self metrics of rules,
  // notifications and probes.
  void Collect(MetricSet* out) const;

  // /api/v1/probes, /api/v1/rules, /api/v1/alerts, /api/v1/supervise,
  // /api/v1/remedies and Alertmanager's /api/v2/silences routes.
  void RegisterRoutes(HttpServer* server);

  ProbeService* probes() const { return probes_.get(); }
  alert::RuleManager* rules() const { return rules_.get(); }
  alert::Silences* silences() const { return silences_.get(); }

 private:
  class HeadSink;
  class LogsEvaluator;
  AlertingService() = default;

  Status BuildNotifications(const TendConfig& config,
                            const std::string& config_dir);
  // Alerts tend raises about itself: an escalated remedy or supervised
  // process.
  alert::Alerts SelfAlerts(int64_t now_ms);
  void AddRemedyAnnotations(alert::Alerts* alerts);
  void RecordEvents(const std::vector<state::Event>& events);
  void OnRemedyOutcome(const remedy::RemedyOutcome& o);
  // Subscribes to the units unit probes watch (no-op without unit probes;
  // a warning without a system bus).
  void StartUnitWatcher();
  // Probe threads: remedies, and an event when a probe goes down or up.
  void OnProbeResult(const std::string& name, const ProbeResult& r);

  AlertingDeps deps_;
  std::string external_url_;
  Labels external_labels_;
  int64_t remedy_window_ms_ = 0;

  std::unique_ptr<ProbeService> probes_;
  std::unique_ptr<HeadSink> sink_;
  std::unique_ptr<LogsEvaluator> logs_eval_;
  std::unique_ptr<alert::RuleManager> rules_;
  std::unique_ptr<alert::Silences> silences_;
  std::unique_ptr<SilencesApi> silences_api_;

  notify::NotifyMetrics notify_metrics_;
  std::unique_ptr<notify::Nflog> nflog_;
  std::unique_ptr<notify::Deliverer> deliverer_;
  // Touched only by the collection worker (Cycle), and replaced by Reload
  // under dispatcher_mu_ (Reload runs on the loop thread).
  std::mutex dispatcher_mu_;
  std::unique_ptr<notify::Dispatcher> dispatcher_;
  std::unique_ptr<notify::AlertmanagerForwarder> forwarder_;

  std::vector<remedy::SuperviseSpec> supervise_specs_;
  RemedyPlan remedy_plan_;
  std::set<std::string> quiet_processes_;  // log_output: false.
  std::unique_ptr<remedy::Supervisor> supervisor_;
  std::unique_ptr<remedy::RemedyManager> remedies_;

  // Supervised processes seen escalated (name -> since when), for
  // SelfAlerts: the alert keeps its start, and resolves when the process
  // runs again. Collection worker only.
  std::map<std::string, int64_t> escalated_processes_;
  // Escalations seen (remedy name -> when), for SelfAlerts.
  std::mutex escalations_mu_;
  std::map<std::string, int64_t> escalated_remedies_;
  mutable std::mutex remedy_counts_mu_;
  // (remedy, outcome) -> runs, for tend_remedy_runs_total.
  std::map<std::pair<std::string, std::string>, uint64_t> remedy_counts_;
  // Unit probes by unit: a D-Bus signal that a unit changed state runs
  // them at once (on unit_probe_pool_), so a dead unit is noticed and
  // remedied without waiting for the next interval.
  std::map<std::string, std::vector<std::string>> unit_probes_;
  std::unique_ptr<WorkerPool> unit_probe_pool_;
  std::unique_ptr<UnitWatcher> unit_watcher_;
  std::mutex probe_health_mu_;
  std::map<std::string, bool> probe_health_;  // Last success per probe.
  bool started_ = false;
};

}  // namespace tend

#endif  // TEND_AGENT_ALERTING_SERVICE_H_
