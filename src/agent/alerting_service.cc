#include "agent/alerting_service.h"

#include <glob.h>

#include <algorithm>
#include <set>
#include <unordered_map>

#include "agent/probe_wiring.h"
#include "agent/remedy_wiring.h"
#include "alert/engine/log_rule_evaluator.h"
#include "alert/rules/rule_file.h"
#include "base/log.h"
#include "notify/config.h"
#include "notify/integration.h"
#include "systemd/unit_client.h"

namespace tend {

// Appends what rules produce (record rules, ALERTS, ALERTS_FOR_STATE) to
// the head, committing per rule so later rules of the group see it.
// Collection worker only (the head's single writer).
class AlertingService::HeadSink : public alert::RecordSink {
 public:
  explicit HeadSink(Head* head) : app_(head->NewAppender()) {}

  Status Append(const promql::Vector& samples) override {
    for (const promql::VectorSample& s : samples) {
      const uint64_t key = HashLabels(s.labels);
      auto it = refs_.find(key);
      Result<SeriesRef> ref =
          app_->Append(it == refs_.end() ? 0 : it->second, s.labels, s.t, s.v);
      if (ref.ok()) {
        refs_[key] = *ref;
      } else if (ref.status().code() != StatusCode::kAlreadyExists &&
                 ref.status().code() != StatusCode::kOutOfRange) {
        app_->Rollback();
        return ref.status();
      }
    }
    return app_->Commit();
  }

 private:
  std::unique_ptr<Head::Appender> app_;
  // A hash collision only costs a lookup: a stale or wrong hint is checked
  // by the head against the labels.
  std::unordered_map<uint64_t, SeriesRef> refs_;
};

class AlertingService::LogsEvaluator : public alert::LogStoreRuleEvaluator {
 public:
  using LogStoreRuleEvaluator::LogStoreRuleEvaluator;
};

namespace {

std::string Resolve(const std::string& dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || dir.empty()) return path;
  return dir + "/" + path;
}

// Every file the patterns name, sorted and without repeats. A pattern
// without glob characters must name an existing file.
Result<std::vector<std::string>> ExpandGlobs(
    const std::vector<std::string>& patterns, const std::string& dir) {
  std::vector<std::string> out;
  for (const std::string& raw : patterns) {
    const std::string pattern = Resolve(dir, raw);
    glob_t g{};
    int rc = glob(pattern.c_str(), GLOB_ERR | GLOB_NOSORT, nullptr, &g);
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
    }
    globfree(&g);
    if (rc == GLOB_NOMATCH &&
        pattern.find_first_of("*?[") == std::string::npos) {
      return NotFoundError("rule file " + pattern + " does not exist");
    }
    if (rc != 0 && rc != GLOB_NOMATCH) {
      return UnavailableError("cannot read the directory of " + pattern);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Loads every rule file of the configuration; all errors are reported
// together, one per line.
Result<std::vector<alert::RuleFile>> LoadRules(const AlertingSection& a,
                                               const std::string& dir) {
  std::vector<alert::RuleFile> files;
  std::string errors;
  auto load = [&](const std::vector<std::string>& patterns,
                  alert::QueryLanguage lang) {
    Result<std::vector<std::string>> paths = ExpandGlobs(patterns, dir);
    if (!paths.ok()) {
      errors += paths.status().message() + "\n";
      return;
    }
    for (const std::string& p : *paths) {
      Result<alert::RuleFile> f = alert::LoadRuleFile(p, lang);
      if (f.ok()) {
        files.push_back(std::move(*f));
      } else {
        errors += f.status().message() + "\n";
      }
    }
  };
  load(a.rule_files, alert::QueryLanguage::kPromQL);
  load(a.log_rule_files, alert::QueryLanguage::kLogQL);
  if (!errors.empty()) {
    errors.pop_back();
    return InvalidArgumentError(errors);
  }
  return files;
}

Labels ParseExternalLabels(const std::vector<std::string>& pairs) {
  Labels out;
  for (const std::string& p : pairs) {
    size_t eq = p.find('=');
    if (eq == std::string::npos) continue;  // The schema refused it.
    out.push_back({p.substr(0, eq), p.substr(eq + 1)});
  }
  CanonicalizeLabels(&out);
  return out;
}

void SetAnnotation(alert::Alert* a, std::string_view name,
                   std::string_view value) {
  SetLabel(&a->annotations, name, value);
}

}  // namespace

Status CheckAlertingFiles(const TendConfig& config,
                          const std::string& config_dir) {
  Result<std::vector<alert::RuleFile>> rules =
      LoadRules(config.alerting, config_dir);
  std::string errors = rules.ok() ? "" : rules.status().message();
  if (!config.alerting.notifications_file.empty()) {
    Result<notify::NotifyConfig> n = notify::LoadNotifyConfigFile(
        Resolve(config_dir, config.alerting.notifications_file));
    if (!n.ok()) {
      if (!errors.empty()) errors += "\n";
      errors += n.status().message();
    }
  }
  if (!errors.empty()) return InvalidArgumentError(errors);
  return Status::Ok();
}

Result<std::unique_ptr<AlertingService>> AlertingService::Create(
    const TendConfig& config, AlertingDeps deps) {
  std::unique_ptr<AlertingService> s(new AlertingService());
  s->deps_ = std::move(deps);
  const AlertingSection& a = config.alerting;
  s->external_url_ =
      a.external_url.empty() ? "http://" + s->deps_.listen : a.external_url;
  s->external_labels_ = ParseExternalLabels(a.external_labels);

  ASSIGN_OR_RETURN(std::vector<ProbeSpec> specs, ProbeSpecsOf(config.probes));
  for (const ProbeSpec& p : specs) {
    if (p.kind == ProbeKind::kUnit)
      s->unit_probes_[p.unit.unit].push_back(p.name);
    if (p.kind == ProbeKind::kProcess && !p.process.unit.empty()) {
      s->unit_probes_[p.process.unit].push_back(p.name);
    }
  }
  ProbeDeps probe_deps;
  probe_deps.unit_client_factory = [] { return UnitClient::Connect(); };
  ASSIGN_OR_RETURN(s->probes_, ProbeService::Create(specs, probe_deps));

  if (s->deps_.head != nullptr) {
    s->sink_ = std::make_unique<HeadSink>(s->deps_.head);
  }
  if (s->deps_.log_store != nullptr) {
    s->logs_eval_ = std::make_unique<LogsEvaluator>(s->deps_.log_store);
  }
  alert::RuleManagerOptions ro;
  ro.default_interval_ms = a.evaluation_interval_ms;
  ro.external_labels = s->external_labels_;
  ro.external_url = s->external_url_;
  ro.db = s->deps_.state;
  alert::EvalContext ctx;
  ctx.engine = s->deps_.engine;
  ctx.store = s->deps_.store;
  ctx.logs = s->logs_eval_.get();
  ctx.sink = s->sink_.get();
  s->rules_ = std::make_unique<alert::RuleManager>(ro, ctx);
  ASSIGN_OR_RETURN(std::vector<alert::RuleFile> files,
                   LoadRules(a, s->deps_.config_dir));
  RETURN_IF_ERROR(s->rules_->Load(std::move(files)));

  ASSIGN_OR_RETURN(s->silences_, alert::Silences::Open(s->deps_.state));
  RETURN_IF_ERROR(s->BuildNotifications(config, s->deps_.config_dir));

  ASSIGN_OR_RETURN(s->supervise_specs_, SuperviseSpecsOf(config.supervise));
  for (const SuperviseConfig& p : config.supervise) {
    if (!p.log_output) s->quiet_processes_.insert(p.name);
  }
  ASSIGN_OR_RETURN(s->remedy_plan_, RemedyPlanOf(config.remedies));
  for (const RemedyConfig& r : config.remedies) {
    s->remedy_window_ms_ = std::max(s->remedy_window_ms_, r.budget.window_ms);
  }
  return s;
}

Status AlertingService::BuildNotifications(const TendConfig& config,
                                           const std::string& config_dir) {
  const AlertingSection& a = config.alerting;
  std::unique_ptr<notify::Dispatcher> dispatcher;
  if (!a.notifications_file.empty()) {
    const std::string path = Resolve(config_dir, a.notifications_file);
    ASSIGN_OR_RETURN(notify::NotifyConfig nc,
                     notify::LoadNotifyConfigFile(path));
    notify::IntegrationEnv env;
    env.external_url = external_url_;
    std::shared_ptr<const notify::ReceiverSet> receivers =
        notify::BuildReceivers(nc, env);
    if (!nflog_) {
      ASSIGN_OR_RETURN(nflog_, notify::Nflog::Load(deps_.state));
    }
    if (!deliverer_) {
      deliverer_ = std::make_unique<notify::Deliverer>(
          deps_.state, nflog_.get(), Clock::Real(), &notify_metrics_,
          notify::DelivererOptions{});
      deliverer_->SetReceivers(receivers);
      if (started_) RETURN_IF_ERROR(deliverer_->Start());
    } else {
      deliverer_->SetReceivers(receivers);
    }
    notify::DispatcherOptions dopts;
    dopts.external_url = external_url_;
    alert::Silences* silences = silences_.get();
    dopts.is_silenced = [silences](const Labels& labels) {
      return !silences->Mutes(labels, Clock::Real()->NowUnixNanos() / 1'000'000)
                  .empty();
    };
    dispatcher = std::make_unique<notify::Dispatcher>(
        nc, receivers, nflog_.get(), deliverer_.get(), std::move(dopts));
  }
  {
    std::lock_guard<std::mutex> lock(dispatcher_mu_);
    dispatcher_ = std::move(dispatcher);
  }
  if (forwarder_) {
    forwarder_->Stop();
    forwarder_.reset();
  }
  if (!a.alertmanagers.empty()) {
    notify::ForwarderOptions fo;
    fo.urls = a.alertmanagers;
    fo.resend_delay_ms = a.resend_delay_ms;
    forwarder_ = std::make_unique<notify::AlertmanagerForwarder>(
        fo, Clock::Real(), &notify_metrics_);
    if (started_) forwarder_->Start();
  }
  return Status::Ok();
}

AlertingService::~AlertingService() { Stop(); }

Status AlertingService::Start() {
  if (started_) return Status::Ok();
  // Delivery first: it replays the outbox's nflog entries before the first
  // dispatcher flush (notify/deliverer.h).
  if (deliverer_) RETURN_IF_ERROR(deliverer_->Start());
  if (forwarder_) forwarder_->Start();

  remedy::SupervisorOptions so;
  so.db = deps_.state;
  auto on_line = deps_.on_process_line;
  std::set<std::string> quiet = quiet_processes_;
  if (on_line) {
    so.on_line = [on_line, quiet](const std::string& name,
                                  remedy::OutputStream stream,
                                  std::string_view line) {
      if (quiet.count(name)) return;
      on_line(name, stream == remedy::OutputStream::kStderr, line);
    };
  }
  ASSIGN_OR_RETURN(supervisor_,
                   remedy::Supervisor::Start(supervise_specs_, so));

  remedy::RemedyManagerOptions mo;
  mo.db = deps_.state;
  mo.supervisor = supervisor_.get();
  mo.connect_units = [] { return UnitClient::Connect(); };
  ProbeService* probes = probes_.get();
  mo.reprobe = [probes](const std::string& name) {
    Result<ProbeResult> r = probes->RunNow(name);
    return r.ok() && r->success;
  };
  mo.on_outcome = [this](const remedy::RemedyOutcome& o) {
    OnRemedyOutcome(o);
  };
  ASSIGN_OR_RETURN(remedies_,
                   remedy::RemedyManager::Create(remedy_plan_.remedies,
                                                 remedy_plan_.bindings, mo));
  probes_->SetResultCallback(
      [this](const std::string& name, const ProbeResult& r) {
        OnProbeResult(name, r);
      });
  started_ = true;
  probes_->Start();
  StartUnitWatcher();
  return Status::Ok();
}

void AlertingService::StartUnitWatcher() {
  if (unit_probes_.empty()) return;
  unit_probe_pool_ = std::make_unique<WorkerPool>(1, 64);
  ProbeService* probes = probes_.get();
  WorkerPool* pool = unit_probe_pool_.get();
  auto by_unit = unit_probes_;
  Result<std::unique_ptr<UnitWatcher>> w = UnitWatcher::Start(
      "", [probes, pool, by_unit](const UnitStateChange& change) {
        auto it = by_unit.find(change.unit);
        if (it == by_unit.end()) return;
        for (const std::string& name : it->second) {
          // A full queue means runs are already pending: nothing is lost.
          (void)pool->Submit([probes, name] {
            Result<ProbeResult> r = probes->RunNow(name);
            if (!r.ok()) {
              LogWarn("probe after a unit change failed to run",
                      {{"probe", name}, {"err", r.status().message()}});
            }
          });
        }
      });
  if (!w.ok()) {
    // No system bus (a container): unit probes still run on their interval
    // and say why they fail.
    LogWarn("unit state changes are not watched; unit probes poll",
            {{"err", w.status().message()}});
    return;
  }
  unit_watcher_ = std::move(*w);
  for (const auto& [unit, names] : unit_probes_) {
    Result<std::string> state = unit_watcher_->Watch(unit);
    if (!state.ok()) {
      LogWarn("cannot watch unit",
              {{"unit", unit}, {"err", state.status().message()}});
    }
  }
}

void AlertingService::Stop() {
  unit_watcher_.reset();
  if (unit_probe_pool_) unit_probe_pool_->Shutdown();
  if (probes_) probes_->Stop();
  remedies_.reset();
  if (supervisor_) supervisor_->Shutdown();
  if (forwarder_) forwarder_->Stop();
  if (deliverer_) deliverer_->Stop();
}

void AlertingService::Cycle(int64_t now_ms) {
  alert::EvalOutput out = rules_->EvaluateDue(now_ms);
  RecordEvents(out.events);
  alert::Alerts alerts = std::move(out.alerts);
  const bool evaluated = out.groups_evaluated > 0;
  if (remedies_ && evaluated) remedies_->OnAlerts(alerts);
  alert::Alerts self = SelfAlerts(now_ms);
  alerts.insert(alerts.end(), self.begin(), self.end());
  AddRemedyAnnotations(&alerts);
  // alerting.external_labels on every alert sent out (after the remedy
  // lookups, which go by the rule's own labels); the alert's own label
  // wins, as in Prometheus's notifier.
  for (alert::Alert& a : alerts) {
    for (const Label& l : external_labels_) {
      if (GetLabel(a.labels, l.name).empty()) {
        SetLabel(&a.labels, l.name, l.value);
      }
    }
  }
  if (forwarder_ && (evaluated || !self.empty())) forwarder_->Handle(alerts);
  std::lock_guard<std::mutex> lock(dispatcher_mu_);
  if (dispatcher_) {
    if (evaluated || !self.empty()) dispatcher_->Receive(alerts, now_ms);
    dispatcher_->Tick(now_ms);
  }
}

void AlertingService::RecordEvents(const std::vector<state::Event>& events) {
  for (const state::Event& e : events) {
    Result<int64_t> id = deps_.state->AppendEvent(e);
    if (!id.ok()) {
      LogWarn("recording an event failed", {{"err", id.status().message()}});
      return;
    }
  }
}

void AlertingService::AddRemedyAnnotations(alert::Alerts* alerts) {
  if (!remedies_) return;
  for (alert::Alert& a : *alerts) {
    std::optional<remedy::RemedyOutcome> o =
        remedies_->LastOutcomeForAlert(a.fingerprint());
    if (!o) continue;
    SetAnnotation(&a, "remedy", o->remedy);
    SetAnnotation(&a, "remedy_outcome", o->outcome);
    std::string message = o->message;
    if (o->reprobe_passed.has_value()) {
      message += *o->reprobe_passed ? "; the probe passed afterwards"
                                    : "; the probe still failed afterwards";
    }
    SetAnnotation(&a, "remedy_message", message);
  }
}

alert::Alerts AlertingService::SelfAlerts(int64_t now_ms) {
  alert::Alerts out;
  if (supervisor_) {
    std::set<std::string> escalated;
    for (const remedy::ProcessStatus& p : supervisor_->Snapshot()) {
      if (p.state != remedy::ProcessState::kEscalated) continue;
      escalated.insert(p.name);
      escalated_processes_.emplace(p.name, now_ms);
    }
    // One alert per escalation, started when it was first seen; handed on
    // resolved once when the process is no longer escalated (an operator
    // restarted it), so receivers hear of it at once rather than after
    // resolve_timeout.
    for (auto it = escalated_processes_.begin();
         it != escalated_processes_.end();) {
      const bool still = escalated.count(it->first) > 0;
      alert::Alert a;
      a.labels = {{"alertname", "SupervisedProcessEscalated"},
                  {"process", it->first},
                  {"severity", "critical"}};
      CanonicalizeLabels(&a.labels);
      a.annotations = {{"summary", "tend stopped restarting " + it->first},
                       {"description",
                        "Its restart budget is spent; it stays down until "
                        "an operator restarts it."}};
      a.starts_at_ms = it->second;
      a.generator = "supervise:" + it->first;
      if (!still) a.ends_at_ms = now_ms;
      out.push_back(std::move(a));
      it = still ? std::next(it) : escalated_processes_.erase(it);
    }
  }
  std::lock_guard<std::mutex> lock(escalations_mu_);
  for (auto it = escalated_remedies_.begin();
       it != escalated_remedies_.end();) {
    const bool active =
        now_ms - it->second < std::max<int64_t>(remedy_window_ms_, 60'000);
    alert::Alert a;
    a.labels = {{"alertname", "RemedyEscalated"},
                {"remedy", it->first},
                {"severity", "critical"}};
    CanonicalizeLabels(&a.labels);
    a.annotations = {{"summary", "remedy " + it->first +
                                     " spent its budget; tend stopped trying"}};
    a.starts_at_ms = it->second;
    a.generator = "remedy:" + it->first;
    if (!active) a.ends_at_ms = now_ms;
    out.push_back(std::move(a));
    it = active ? std::next(it) : escalated_remedies_.erase(it);
  }
  return out;
}

void AlertingService::OnProbeResult(const std::string& name,
                                    const ProbeResult& r) {
  if (remedies_) remedies_->OnProbeResult(name, r.success);
  {
    std::lock_guard<std::mutex> lock(probe_health_mu_);
    auto [it, first] = probe_health_.emplace(name, r.success);
    if (!first && it->second == r.success) return;
    it->second = r.success;
    if (first && r.success) return;  // Up from the start: nothing to tell.
  }
  state::Event e;
  e.time_ms = Clock::Real()->NowUnixNanos() / 1'000'000;
  e.kind = "probe";
  e.subject = name;
  e.outcome = r.success ? "up" : "down";
  e.message = r.success ? "probe " + name + " passes again"
                        : "probe " + name + " failed: " + r.error;
  RecordEvents({e});
}

void AlertingService::OnRemedyOutcome(const remedy::RemedyOutcome& o) {
  {
    std::lock_guard<std::mutex> lock(remedy_counts_mu_);
    ++remedy_counts_[{o.remedy, o.outcome}];
  }
  if (o.outcome != "escalated") return;
  std::lock_guard<std::mutex> lock(escalations_mu_);
  escalated_remedies_.emplace(o.remedy,
                              Clock::Real()->NowUnixNanos() / 1'000'000);
}

Status AlertingService::Reload(const TendConfig& config,
                               const std::string& config_dir) {
  ASSIGN_OR_RETURN(std::vector<alert::RuleFile> files,
                   LoadRules(config.alerting, config_dir));
  RETURN_IF_ERROR(rules_->Load(std::move(files)));
  deps_.config_dir = config_dir;
  return BuildNotifications(config, config_dir);
}

void AlertingService::Collect(MetricSet* out) const {
  probes_->Collect(out);
  rules_->CollectMetrics(out);
  notify_metrics_.Collect(out);
  if (supervisor_) {
    for (const remedy::ProcessStatus& p : supervisor_->Snapshot()) {
      Labels l = {{"process", p.name}};
      out->Gauge("tend_supervised_process_up",
                 "1 while the supervised process runs.",
                 p.state == remedy::ProcessState::kRunning ? 1 : 0, l);
      out->Gauge("tend_supervised_process_escalated",
                 "1 when tend stopped restarting the process (its budget is "
                 "spent) until an operator restarts it.",
                 p.state == remedy::ProcessState::kEscalated ? 1 : 0, l);
      out->Counter("tend_supervised_process_restarts_total",
                   "Restarts of the supervised process since tend started.",
                   static_cast<double>(p.restarts), l);
      out->Gauge("tend_supervised_process_start_time_seconds",
                 "When the running instance started, in seconds since the "
                 "epoch (0 while it is down).",
                 static_cast<double>(p.started_at_ms) / 1000, std::move(l));
    }
  }
  std::lock_guard<std::mutex> lock(remedy_counts_mu_);
  for (const auto& [key, n] : remedy_counts_) {
    out->Counter("tend_remedy_runs_total",
                 "Remedy runs by outcome (ok, failed, escalated, dry_run, "
                 "skipped).",
                 static_cast<double>(n),
                 {{"remedy", key.first}, {"outcome", key.second}});
  }
}

}  // namespace tend
