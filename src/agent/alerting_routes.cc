// The HTTP routes of AlertingService: Prometheus's /api/v1/rules and
// /api/v1/alerts, Alertmanager's /api/v2/silences (so amtool and Grafana
// can manage tend's silences), and tend's own /api/v1/probes,
// /api/v1/supervise and /api/v1/remedies.
#include <nlohmann/json.hpp>

#include "agent/alerting_service.h"
#include "alert/engine/api_json.h"
#include "api/events_api.h"
#include "api/prom_params.h"

namespace tend {
namespace {

int64_t NowMs() { return Clock::Real()->NowUnixNanos() / 1'000'000; }

void Json(HttpResponse* res, int status, const nlohmann::json& body) {
  res->status = status;
  res->content_type = "application/json";
  res->body = body.dump();
}

void PromSuccess(HttpResponse* res, nlohmann::json data) {
  Json(res, 200, {{"status", "success"}, {"data", std::move(data)}});
}

void PromError(HttpResponse* res, int status, const std::string& type,
               const std::string& message) {
  Json(res, status,
       {{"status", "error"}, {"errorType", type}, {"error", message}});
}

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

// Alertmanager's matcher object from tend's matcher text, and back.
nlohmann::json AmMatcher(const std::string& text) {
  Result<LabelMatcher> m = alert::ParseSilenceMatcher(text);
  if (!m.ok()) return {{"name", text}, {"value", ""}, {"isRegex", false}};
  const bool regex = m->type() == LabelMatcher::Type::kRegexMatch ||
                     m->type() == LabelMatcher::Type::kRegexNoMatch;
  const bool equal = m->type() == LabelMatcher::Type::kEqual ||
                     m->type() == LabelMatcher::Type::kRegexMatch;
  return {{"name", m->name()},
          {"value", m->value()},
          {"isRegex", regex},
          {"isEqual", equal}};
}

Result<std::string> MatcherText(const nlohmann::json& m) {
  if (!m.is_object() || !m.contains("name") || !m["name"].is_string() ||
      !m.contains("value") || !m["value"].is_string()) {
    return InvalidArgumentError(
        "each matcher needs string fields name and value");
  }
  const bool regex = m.value("isRegex", false);
  const bool equal = m.value("isEqual", true);
  std::string op = regex ? (equal ? "=~" : "!~") : (equal ? "=" : "!=");
  return m["name"].get<std::string>() + op +
         nlohmann::json(m["value"].get<std::string>()).dump();
}

nlohmann::json SilenceJson(const alert::SilenceView& v) {
  nlohmann::json matchers = nlohmann::json::array();
  for (const std::string& m : v.record.matchers)
    matchers.push_back(AmMatcher(m));
  return {
      {"id", v.record.id},
      {"status", {{"state", std::string(alert::SilenceStateName(v.state))}}},
      {"updatedAt", alert::FormatApiTime(v.record.updated_at_ms)},
      {"matchers", matchers},
      {"startsAt", alert::FormatApiTime(v.record.starts_at_ms)},
      {"endsAt", alert::FormatApiTime(v.record.ends_at_ms)},
      {"createdBy", v.record.created_by},
      {"comment", v.record.comment}};
}

Result<int64_t> TimeField(const nlohmann::json& body, const char* name,
                          int64_t fallback) {
  if (!body.contains(name) || body[name].is_null()) return fallback;
  if (!body[name].is_string()) {
    return InvalidArgumentError(std::string(name) + ": want an RFC 3339 time");
  }
  Result<int64_t> t = ParseApiTime(body[name].get<std::string>());
  if (!t.ok()) return t.status().WithContext(name);
  return *t;
}

}  // namespace

void AlertingService::RegisterRoutes(HttpServer* server) {
  server->Handle("GET", "/api/v1/probes",
                 [this](const HttpRequest&, HttpResponse* res) {
                   nlohmann::json data = nlohmann::json::array();
                   for (const ProbeStatus& p : probes_->Results()) {
                     data.push_back(ProbeStatusJson(p));
                   }
                   PromSuccess(res, std::move(data));
                 });

  server->Handle(
      "GET", "/api/v1/rules",
      [this](const HttpRequest& req, HttpResponse* res) {
        alert::RulesFilter f;
        f.type = req.Param("type");
        if (!f.type.empty() && f.type != "alert" && f.type != "record") {
          PromError(res, 400, "bad_data",
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
        PromSuccess(res, alert::RulesData(rules_->Snapshot(), f));
      });

  server->Handle("GET", "/api/v1/alerts",
                 [this](const HttpRequest&, HttpResponse* res) {
                   PromSuccess(res, alert::AlertsData(rules_->Snapshot()));
                 });

  server->Handle(
      "GET", "/api/v2/silences", [this](const HttpRequest&, HttpResponse* res) {
        nlohmann::json out = nlohmann::json::array();
        for (const alert::SilenceView& v : silences_->List(NowMs())) {
          out.push_back(SilenceJson(v));
        }
        Json(res, 200, out);
      });

  server->Handle(
      "POST", "/api/v2/silences",
      [this](const HttpRequest& req, HttpResponse* res) {
        nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
        if (!body.is_object() || !body.contains("matchers") ||
            !body["matchers"].is_array()) {
          Json(res, 400, "want a JSON silence with a matchers array");
          return;
        }
        const int64_t now = NowMs();
        state::SilenceRecord s;
        for (const nlohmann::json& m : body["matchers"]) {
          Result<std::string> text = MatcherText(m);
          if (!text.ok()) {
            Json(res, 400, text.status().message());
            return;
          }
          s.matchers.push_back(std::move(*text));
        }
        Result<int64_t> starts = TimeField(body, "startsAt", now);
        Result<int64_t> ends = TimeField(body, "endsAt", 0);
        if (!starts.ok() || !ends.ok()) {
          Json(res, 400,
               (!starts.ok() ? starts.status() : ends.status()).message());
          return;
        }
        s.starts_at_ms = *starts;
        s.ends_at_ms = *ends;
        s.created_by = body.value("createdBy", "");
        s.comment = body.value("comment", "");
        // Alertmanager updates a silence by id: the old one is expired and
        // the new one replaces it.
        if (std::string old = body.value("id", ""); !old.empty()) {
          Status expired = silences_->Expire(old, now);
          if (!expired.ok() && expired.code() == StatusCode::kNotFound) {
            Json(res, 404, expired.message());
            return;
          }
        }
        Result<std::string> id = silences_->Add(std::move(s), now);
        if (!id.ok()) {
          Json(res,
               id.status().code() == StatusCode::kInvalidArgument ? 400 : 500,
               id.status().message());
          return;
        }
        Json(res, 200, {{"silenceID", *id}});
      });

  server->HandlePrefix(
      "GET", "/api/v2/silence/",
      [this](const HttpRequest& req, HttpResponse* res) {
        const std::string id = req.path.substr(strlen("/api/v2/silence/"));
        for (const alert::SilenceView& v : silences_->List(NowMs())) {
          if (v.record.id == id) {
            Json(res, 200, SilenceJson(v));
            return;
          }
        }
        Json(res, 404, "silence " + id + " not found");
      });

  server->HandlePrefix(
      "DELETE", "/api/v2/silence/",
      [this](const HttpRequest& req, HttpResponse* res) {
        const std::string id = req.path.substr(strlen("/api/v2/silence/"));
        Status s = silences_->Expire(id, NowMs());
        if (s.ok()) {
          Json(res, 200, nullptr);
        } else {
          Json(res, s.code() == StatusCode::kNotFound ? 404 : 500, s.message());
        }
      });

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
        PromSuccess(res, std::move(data));
      });

  // Operator actions: restart a supervised process now (also an escalated
  // one), or forget a remedy's spent budget.
  server->Handle(
      "POST", "/api/v1/supervise/restart",
      [this](const HttpRequest& req, HttpResponse* res) {
        if (!supervisor_) {
          PromError(res, 503, "unavailable", "not started");
          return;
        }
        const std::string name = req.Param("name");
        Status reset = supervisor_->ResetBudget(name);
        Status s = reset.ok() ? supervisor_->Restart(name, 30000) : reset;
        if (!s.ok()) {
          PromError(res, s.code() == StatusCode::kNotFound ? 404 : 500,
                    "execution", s.message());
          return;
        }
        PromSuccess(res, {{"name", name}});
      });
  server->Handle("POST", "/api/v1/remedies/reset",
                 [this](const HttpRequest& req, HttpResponse* res) {
                   if (!remedies_) {
                     PromError(res, 503, "unavailable", "not started");
                     return;
                   }
                   const std::string name = req.Param("name");
                   Status s = remedies_->ResetBudget(name);
                   if (!s.ok()) {
                     PromError(res,
                               s.code() == StatusCode::kNotFound ? 404 : 500,
                               "execution", s.message());
                     return;
                   }
                   {
                     std::lock_guard<std::mutex> lock(escalations_mu_);
                     escalated_remedies_.erase(name);
                   }
                   PromSuccess(res, {{"name", name}});
                 });
}

}  // namespace tend
