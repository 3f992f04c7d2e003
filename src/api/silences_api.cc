#include "api/silences_api.h"

#include <string.h>

#include <nlohmann/json.hpp>
#include <string>

#include "alert/engine/api_json.h"
#include "api/json_response.h"
#include "api/prom_params.h"

namespace tend {
namespace {

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

void SilencesApi::Register(HttpServer* server) {
  auto bind = [this](void (SilencesApi::*fn)(const HttpRequest&, HttpResponse*)
                         const) {
    return [this, fn](const HttpRequest& req, HttpResponse* res) {
      (this->*fn)(req, res);
    };
  };
  server->Handle("GET", "/api/v2/silences", bind(&SilencesApi::List));
  server->Handle("POST", "/api/v2/silences", bind(&SilencesApi::Post));
  server->HandlePrefix("GET", "/api/v2/silence/", bind(&SilencesApi::GetOne));
  server->HandlePrefix("DELETE", "/api/v2/silence/",
                       bind(&SilencesApi::Expire));
}

void SilencesApi::List(const HttpRequest&, HttpResponse* res) const {
  nlohmann::json out = nlohmann::json::array();
  for (const alert::SilenceView& v : silences_->List(NowMs())) {
    out.push_back(SilenceJson(v));
  }
  SetJson(res, 200, out);
}

void SilencesApi::Post(const HttpRequest& req, HttpResponse* res) const {
  nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
  if (!body.is_object() || !body.contains("matchers") ||
      !body["matchers"].is_array()) {
    SetJson(res, 400, "want a JSON silence with a matchers array");
    return;
  }
  const int64_t now = NowMs();
  state::SilenceRecord s;
  for (const nlohmann::json& m : body["matchers"]) {
    Result<std::string> text = MatcherText(m);
    if (!text.ok()) {
      SetJson(res, 400, text.status().message());
      return;
    }
    s.matchers.push_back(std::move(*text));
  }
  Result<int64_t> starts = TimeField(body, "startsAt", now);
  Result<int64_t> ends = TimeField(body, "endsAt", 0);
  if (!starts.ok() || !ends.ok()) {
    SetJson(res, 400,
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
      SetJson(res, 404, expired.message());
      return;
    }
  }
  Result<std::string> id = silences_->Add(std::move(s), now);
  if (!id.ok()) {
    SetJson(res, id.status().code() == StatusCode::kInvalidArgument ? 400 : 500,
            id.status().message());
    return;
  }
  SetJson(res, 200, {{"silenceID", *id}});
}

void SilencesApi::GetOne(const HttpRequest& req, HttpResponse* res) const {
  const std::string id = req.path.substr(strlen("/api/v2/silence/"));
  for (const alert::SilenceView& v : silences_->List(NowMs())) {
    if (v.record.id == id) {
      SetJson(res, 200, SilenceJson(v));
      return;
    }
  }
  SetJson(res, 404, "silence " + id + " not found");
}

void SilencesApi::Expire(const HttpRequest& req, HttpResponse* res) const {
  const std::string id = req.path.substr(strlen("/api/v2/silence/"));
  Status s = silences_->Expire(id, NowMs());
  if (s.ok()) {
    SetJson(res, 200, nullptr);
  } else {
    SetJson(res, s.code() == StatusCode::kNotFound ? 404 : 500, s.message());
  }
}

}  // namespace tend
