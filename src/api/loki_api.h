// The Loki-compatible HTTP API over tend's log store, so Grafana's Loki
// data source, logcli and scripts read tend unchanged:
//
//   /loki/api/v1/query         instant metric queries (vector, scalar)
//   /loki/api/v1/query_range   log queries (streams) and metric queries
//                              (matrix)
//   /loki/api/v1/labels, /loki/api/v1/label/<name>/values,
//   /loki/api/v1/series        the label index
//   /loki/api/v1/tail          a stream of new lines (see Tail below)
//   /loki/api/v1/status/buildinfo, /ready (Grafana probes them)
//
// GET and POST (form). Bodies follow Loki's JSON shapes: streams as
// {"stream":{labels},"values":[["<ns>","line"],...]}, metric results
// exactly as the Prometheus API writes them. Errors are Loki's: the
// message as plain text, HTTP 400 for a bad request or query or a limit
// exceeded, 504 past the timeout, 500 for store errors.
//
// Times (start, end, time) are Loki's: nanoseconds since the epoch, or
// seconds (10 digits or fewer, or with a fraction), or RFC 3339.
#ifndef TEND_API_LOKI_API_H_
#define TEND_API_LOKI_API_H_

#include <cstdint>
#include <string_view>

#include "base/clock.h"
#include "base/status.h"
#include "http/server.h"
#include "logs/query/query.h"
#include "logs/store/log_store.h"

namespace tend {

struct LokiApiOptions {
  logql::QueryLimits limits;
  // Label queries without start look back this far (Loki: 6 h).
  int64_t default_label_lookback_ns = 6LL * 3600 * 1'000'000'000;
};

class LokiApi {
 public:
  // `store` and `clock` must outlive the API. Handlers run on server
  // threads; the store's readers are thread-safe.
  LokiApi(const logs::LogStore* store, const Clock* clock,
          LokiApiOptions options = {});

  void Register(HttpServer* server);

  void Query(const HttpRequest& req, HttpResponse* res) const;
  void QueryRange(const HttpRequest& req, HttpResponse* res) const;
  void LabelNames(const HttpRequest& req, HttpResponse* res) const;
  void LabelValues(const HttpRequest& req, HttpResponse* res) const;
  void Series(const HttpRequest& req, HttpResponse* res) const;
  // A non-WebSocket tail: the lines matching `query` from `start` (default:
  // one hour ago, at most `limit` of them) and then, for `follow_seconds`
  // (default 0, at most 60), polls for new lines, as one JSON object per
  // line ({"streams":[...]} like Loki's tail frames). Grafana's live
  // tailing needs a WebSocket, which this server does not speak; `tend logs
  // tail -f` uses this route.
  void Tail(const HttpRequest& req, HttpResponse* res) const;

 private:
  const logs::LogStore* store_;
  const Clock* clock_;
  LokiApiOptions options_;
};

// Loki's time parameter: "" gives `def`; a value with '.' is float
// seconds; an integer of at most 10 digits is seconds, longer is
// nanoseconds; otherwise RFC 3339. kInvalidArgument names the value.
Result<int64_t> ParseLokiTime(std::string_view s, int64_t def);

// Loki's step/interval: a duration ("15s", "1m30s") or float seconds.
Result<int64_t> ParseLokiDuration(std::string_view s);

// Appends {"stream":{...},"values":[["ns","line"],...]} objects (no
// brackets around the list).
void AppendStreams(std::string* out,
                   const std::vector<logql::LogStream>& streams);

}  // namespace tend

#endif  // TEND_API_LOKI_API_H_
