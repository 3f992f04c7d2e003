// The HTTP routes of AlertingService: Prometheus's /api/v1/rules and
// /api/v1/alerts, Alertmanager's /api/v2/silences (so amtool and Grafana
// can manage tend's silences), and tend's own /api/v1/probes,
// /api/v1/supervise and /api/v1/remedies.
#include <nlohmann/json.hpp>

#include "agent/alerting_service.h"
#include "alert/engine/api_json.h"
#include "api/events_api.h"
#include "api/json_response.h"
#include "api/silences_api.h"

namespace tend {
namespace {

nlohmann::json ProbeStatusJson(const ProbeStatus& p) {
  nlohmann::json j = {
      {"name", p.name},
      {"type", std::string(ProbeKindName(p.kind))},
      {"target", p.target},
      {"interval_seconds", static_cast<double>(p.interval_ms) / 1000},
      {"timeout_seconds", static_cast<double>(p.timeout_ms) / 1000},
      {"runs", p.runs},
      {"failures", p.failures},
      {"overruns", p.overruns},
      {"skipped", p.skipped},
      {"consecutive_failures", p.consecutive_failures},
      {"last_error", p.last_error}};
  j["health"] = !p.has_run ? "unknown" : p.last_success ? "up" : "down";
  j["last_run"] = p.has_run
                      ? nlohmann::json(FormatRfc3339Millis(p.last_run_unix_ms))
                      : nlohmann::json(nullptr);
  j["last_duration_seconds"] =
      p.has_run ? nlohmann::json(p.last_duration_s) : nlohmann::json(nullptr);
  return j;
}

}  // namespace

void AlertingService::RegisterRoutes(HttpServer* server) {
  server->Handle("GET", "/api/v1/probes",
                 [this](const HttpRequest&, HttpResponse* res) {
                   nlohmann::json data = nlohmann::json::array();
                   for (const ProbeStatus& p : probes_->Results()) {
                     data.push_back(ProbeStatusJson(p));
                   }
                   SetApiSuccess(res, std::move(data));
                 });

  server->Handle(
      "GET", "/api/v1/rules",
      [this](const HttpRequest& req, HttpResponse* res) {
        alert::RulesFilter f;
        f.type = req.Param("type");
        if (!f.type.empty() && f.type != "alert" && f.type != "record") {
          SetApiError(res, 400, "bad_data",
                      "unsupported type \"" + f.type + "\"");
          return;
        }
        auto add = [&req](const char* key, std::vector<std::string>* out) {
          auto [b, e] = req.params.equal_range(key);
          for (auto it = b; it != e; ++it) out->push_back(it->second);
        };
        add("rule_name[]", &f.rule_names);
        add("rule_group[]", &f.rule_groups);
        add("file[]", &f.files);
        SetApiSuccess(res, alert::RulesData(rules_->Snapshot(), f));
      });

  server->Handle("GET", "/api/v1/alerts",
                 [this](const HttpRequest&, HttpResponse* res) {
                   SetApiSuccess(res, alert::AlertsData(rules_->Snapshot()));
                 });

  silences_api_ = std::make_unique<SilencesApi>(silences_.get(), Clock::Real());
  silences_api_->Register(server);

  server->Handle(
      "GET", "/api/v1/supervise",
      [this](const HttpRequest&, HttpResponse* res) {
        nlohmann::json data = nlohmann::json::array();
        if (supervisor_) {
          for (const remedy::ProcessStatus& p : supervisor_->Snapshot()) {
            data.push_back(
                {{"name", p.name},
                 {"pid", p.pid},
                 {"state", remedy::ProcessStateName(p.state)},
                 {"restarts", p.restarts},
                 {"last_exit_code", p.last_exit_code},
                 {"last_signal", p.last_signal},
                 {"started_at",
                  p.started_at_ms > 0
                      ? nlohmann::json(FormatRfc3339Millis(p.started_at_ms))
                      : nlohmann::json(nullptr)},
                 {"budget_runs", p.budget_runs}});
          }
        }
        SetApiSuccess(res, std::move(data));
      });

  // Operator actions: restart a supervised process now (also an escalated
  // one), or forget a remedy's spent budget.
  server->Handle(
      "POST", "/api/v1/supervise/restart",
      [this](const HttpRequest& req, HttpResponse* res) {
        if (!supervisor_) {
          SetApiError(res, 503, "unavailable", "not started");
          return;
        }
        const std::string name = req.Param("name");
        Status reset = supervisor_->ResetBudget(name);
        Status s = reset.ok() ? supervisor_->Restart(name, 30000) : reset;
        if (!s.ok()) {
          SetApiError(res, s.code() == StatusCode::kNotFound ? 404 : 500,
                      "execution", s.message());
          return;
        }
        SetApiSuccess(res, {{"name", name}});
      });
  server->Handle("POST", "/api/v1/remedies/reset",
                 [this](const HttpRequest& req, HttpResponse* res) {
                   if (!remedies_) {
                     SetApiError(res, 503, "unavailable", "not started");
                     return;
                   }
                   const std::string name = req.Param("name");
                   Status s = remedies_->ResetBudget(name);
                   if (!s.ok()) {
                     SetApiError(res,
                                 s.code() == StatusCode::kNotFound ? 404 : 500,
                                 "execution", s.message());
                     return;
                   }
                   {
                     std::lock_guard<std::mutex> lock(escalations_mu_);
                     escalated_remedies_.erase(name);
                   }
                   SetApiSuccess(res, {{"name", name}});
                 });
}

}  // namespace tend
