#include "api/events_api.h"

#include <ctime>
#include <string>

#include "api/json_response.h"
#include "api/prom_params.h"
#include "base/time_format.h"

namespace tend {
namespace {

constexpr size_t kMaxLimit = 100000;

void SplitInto(const std::string& s, std::vector<std::string>* out) {
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out->push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
}

}  // namespace

Result<state::EventQuery> EventQueryFromRequest(const HttpRequest& req,
                                                int64_t now_ms) {
  state::EventQuery q;
  q.since_ms = 0;
  if (std::string since = req.Param("since"); !since.empty()) {
    // A duration ("1h") counts back from now; anything else is a time.
    Result<int64_t> d = ParseApiDuration(since);
    if (d.ok() && !since.empty() && !isdigit(since.back())) {
      q.since_ms = now_ms - *d;
    } else {
      Result<int64_t> t = ParseApiTime(since);
      if (!t.ok()) {
        return InvalidArgumentError(
            "since: want a duration (1h) or a time (Unix seconds, RFC "
            "3339), got \"" +
            since + "\"");
      }
      q.since_ms = *t;
    }
  }
  if (std::string until = req.Param("until"); !until.empty()) {
    Result<int64_t> t = ParseApiTime(until);
    if (!t.ok()) return t.status().WithContext("until");
    q.until_ms = *t;
  }
  auto [begin, end] = req.params.equal_range("kind");
  for (auto it = begin; it != end; ++it) SplitInto(it->second, &q.kinds);
  q.subject = req.Param("subject");
  if (std::string limit = req.Param("limit"); !limit.empty()) {
    char* rest = nullptr;
    unsigned long long n = strtoull(limit.c_str(), &rest, 10);
    if (rest == limit.c_str() || *rest != '\0' || n == 0 || n > kMaxLimit) {
      return InvalidArgumentError("limit: want 1 to " +
                                  std::to_string(kMaxLimit) + ", got \"" +
                                  limit + "\"");
    }
    q.limit = static_cast<size_t>(n);
  }
  return q;
}

nlohmann::json EventJson(const state::Event& e) {
  nlohmann::json details = nullptr;
  if (!e.details_json.empty()) {
    details = nlohmann::json::parse(e.details_json, nullptr, false);
    if (details.is_discarded()) details = e.details_json;  // Keep the text.
  }
  return {{"id", e.id},           {"time", FormatRfc3339Millis(e.time_ms)},
          {"kind", e.kind},       {"subject", e.subject},
          {"outcome", e.outcome}, {"message", e.message},
          {"details", details}};
}

void EventsApi::Register(HttpServer* server) {
  server->Handle(
      "GET", "/api/v1/events",
      [this](const HttpRequest& req, HttpResponse* res) { Events(req, res); });
}

void EventsApi::Events(const HttpRequest& req, HttpResponse* res) const {
  Result<state::EventQuery> q =
      EventQueryFromRequest(req, clock_->NowUnixNanos() / 1'000'000);
  if (!q.ok()) {
    SetApiError(res, 400, "bad_data", q.status().message());
    return;
  }
  Result<std::vector<state::Event>> events = db_->ListEvents(*q);
  if (!events.ok()) {
    SetApiError(res, 500, "internal", events.status().message());
    return;
  }
  nlohmann::json data = nlohmann::json::array();
  for (const state::Event& e : *events) data.push_back(EventJson(e));
  SetApiSuccess(res, std::move(data));
}

}  // namespace tend
