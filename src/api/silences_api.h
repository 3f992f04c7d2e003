// Alertmanager's silence API (v2) over tend's silences, so amtool, Grafana
// and `tend silence` manage them the same way:
//   GET    /api/v2/silences        every silence, with status.state
//   POST   /api/v2/silences        create (or, with "id", replace) one;
//                                  answers {"silenceID": "..."}
//   GET    /api/v2/silence/{id}    one silence
//   DELETE /api/v2/silence/{id}    expire it
// Bodies and answers have Alertmanager's JSON shapes (matchers as objects
// with name, value, isRegex, isEqual; RFC 3339 times). Invalid input is
// 400 with the reason as a JSON string, as Alertmanager answers.
//
// Threads: handlers run on HTTP threads; Silences is thread-safe.
#ifndef TEND_API_SILENCES_API_H_
#define TEND_API_SILENCES_API_H_

#include "alert/engine/silences.h"
#include "base/clock.h"
#include "http/server.h"

namespace tend {

class SilencesApi {
 public:
  // Neither is owned; both must outlive this.
  SilencesApi(alert::Silences* silences, Clock* clock)
      : silences_(silences), clock_(clock) {}

  void Register(HttpServer* server);

  void List(const HttpRequest& req, HttpResponse* res) const;
  void Post(const HttpRequest& req, HttpResponse* res) const;
  void GetOne(const HttpRequest& req, HttpResponse* res) const;
  void Expire(const HttpRequest& req, HttpResponse* res) const;

 private:
  int64_t NowMs() const { return clock_->NowUnixNanos() / 1'000'000; }

  alert::Silences* silences_;
  Clock* clock_;
};

}  // namespace tend

#endif  // TEND_API_SILENCES_API_H_
