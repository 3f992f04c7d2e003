// The Loki-compatible HTTP API over tend's log store, so Grafana's Loki
// data source, logcli and scripts read tend unchanged:
//
//   /loki/api/v1/query         instant metric queries (vector, scalar)
//   /loki/api/v1/query_range   log queries (streams) and metric queries
//                              (matrix)
//   /loki/api/v1/labels, /loki/api/v1/label/<name>/values,
//   /loki/api/v1/series        the label index
//   /loki/api/v1/tail          new lines as they come: WebSocket or chunked
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

#include <atomic>
#include <cstdint>
#include <string>
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
  // Tails running at once (each holds a server thread), and the longest a
  // WebSocket tail runs before the server ends it.
  int max_tails = 2;
  int64_t max_tail_ns = 3600LL * 1'000'000'000;
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
  // The newest `limit` lines matching `query` since `start` (default: an
  // hour ago), then every new line as it is stored, as Loki's tail frames
  // ({"streams":[...],"dropped_entries":null}). With `Upgrade: websocket`
  // (Grafana's live tailing, logcli --tail) the frames are WebSocket text
  // frames until the client goes (at most max_tail_ns); otherwise one JSON
  // object per line of a chunked response for `follow_seconds` (default 0,
  // at most 60). At most max_tails run at once (429 beyond).
  void Tail(const HttpRequest& req, HttpResponse* res) const;

 private:
  const logs::LogStore* store_;
  const Clock* clock_;
  LokiApiOptions options_;
  mutable std::atomic<int> tails_active_{0};
};

// RFC 6455: the Sec-WebSocket-Accept value for a Sec-WebSocket-Key, and an
// unmasked final text frame carrying `payload` (exposed for tests).
std::string WebSocketAccept(std::string_view key);
std::string WebSocketTextFrame(std::string_view payload);

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
