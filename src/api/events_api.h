// GET /api/v1/events: what tend noticed and did (alerts, notifications,
// remedies, probes, silences, supervised processes), from the state
// database, newest last.
//
// Parameters: since (a duration back from now, "1h", or a time: Unix
// seconds or RFC 3339), until (a time), kind (repeatable or
// comma-separated), subject, limit (default 1000, at most 100000).
// Answer: {"status":"success","data":[{"id","time" (RFC 3339 with ms),
// "kind","subject","outcome","message","details" (object or null)}]}.
// Bad parameters are 400 with Prometheus's error shape.
//
// Threads: handlers run on HTTP threads; StateDb is thread-safe.
#ifndef TEND_API_EVENTS_API_H_
#define TEND_API_EVENTS_API_H_

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/status.h"
#include "base/time_format.h"
#include "http/server.h"
#include "state/state_db.h"

namespace tend {

// The query an /api/v1/events request asks for; kInvalidArgument naming
// the parameter when one is malformed.
Result<state::EventQuery> EventQueryFromRequest(const HttpRequest& req,
                                                int64_t now_ms);

// One event as the API shows it.
nlohmann::json EventJson(const state::Event& e);

class EventsApi {
 public:
  EventsApi(state::StateDb* db, Clock* clock) : db_(db), clock_(clock) {}
  void Register(HttpServer* server);
  void Events(const HttpRequest& req, HttpResponse* res) const;

 private:
  state::StateDb* db_;
  Clock* clock_;
};

}  // namespace tend

#endif  // TEND_API_EVENTS_API_H_
