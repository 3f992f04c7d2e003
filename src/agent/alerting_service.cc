#include "agent/alerting_service.h"

#include <nlohmann/json.hpp>

#include "agent/probe_wiring.h"
#include "api/events_api.h"

namespace tend {

Result<std::unique_ptr<AlertingService>> AlertingService::Create(
    const TendConfig& config, state::StateDb* state) {
  std::unique_ptr<AlertingService> s(new AlertingService());
  s->state_ = state;
  ASSIGN_OR_RETURN(std::vector<ProbeSpec> specs, ProbeSpecsOf(config.probes));
  ProbeDeps deps;
  ASSIGN_OR_RETURN(s->probes_, ProbeService::Create(specs, deps));
  return s;
}

AlertingService::~AlertingService() { Stop(); }

Status AlertingService::Start() {
  probes_->Start();
  return Status::Ok();
}

void AlertingService::Stop() {
  if (probes_) probes_->Stop();
}

void AlertingService::Collect(MetricSet* out) const { probes_->Collect(out); }

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
      {"consecutive_failures", p.consecutive_failures}};
  if (p.has_run) {
    j["health"] = p.last_success ? "up" : "down";
    j["last_run"] = FormatRfc3339Millis(p.last_run_unix_ms);
    j["last_duration_seconds"] = p.last_duration_s;
    j["last_error"] = p.last_error;
  } else {
    j["health"] = "unknown";
    j["last_run"] = nullptr;
    j["last_duration_seconds"] = nullptr;
    j["last_error"] = "";
  }
  return j;
}

}  // namespace

void AlertingService::RegisterRoutes(HttpServer* server) {
  server->Handle(
      "GET", "/api/v1/probes", [this](const HttpRequest&, HttpResponse* res) {
        nlohmann::json data = nlohmann::json::array();
        for (const ProbeStatus& p : probes_->Results()) {
          data.push_back(ProbeStatusJson(p));
        }
        res->content_type = "application/json";
        res->body =
            nlohmann::json{{"status", "success"}, {"data", data}}.dump();
      });
}

}  // namespace tend
