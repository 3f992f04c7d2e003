// The Prometheus-compatible HTTP API over tend's metric store:
//
//   /api/v1/query, /api/v1/query_range, /api/v1/series, /api/v1/labels,
//   /api/v1/label/<name>/values, /api/v1/metadata, /api/v1/status/buildinfo
//
// in GET and POST (form) forms, with Prometheus's JSON bodies, error shapes
// and HTTP statuses, so Grafana's Prometheus data source and promtool work
// against tend unchanged. Also answers the few routes Grafana probes
// (/api/v1/query_exemplars, /api/v1/status/runtimeinfo) with empty or
// factual data. /api/v1/rules and /api/v1/alerts are answered by the
// agent's alerting service (src/agent/alerting_routes.cc).
#ifndef TEND_API_PROM_API_H_
#define TEND_API_PROM_API_H_

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/clock.h"
#include "http/server.h"
#include "promql/engine.h"
#include "tsdb/queryable.h"

namespace tend {

struct MetricMetadata {
  std::string type;  // "counter", "gauge", "histogram", "untyped", ...
  std::string help;
  std::string unit;
};
// Metric name -> its metadata (usually one entry).
using MetadataMap = std::map<std::string, std::vector<MetricMetadata>>;

struct PromApiOptions {
  // Prometheus's API refuses range queries with more points per series.
  int64_t max_points_per_series = 11000;
  // Upper bound for a request's ?timeout= (the engine's timeout is the
  // default).
  std::chrono::milliseconds max_timeout{std::chrono::minutes(2)};
};

class PromApi {
 public:
  // All pointers must outlive the API; `metadata` may be empty (no
  // metadata) and is called from server threads.
  PromApi(Queryable* store, const promql::Engine* engine, const Clock* clock,
          std::function<MetadataMap()> metadata, PromApiOptions options = {});

  // Registers every route (GET and POST) on `server`.
  void Register(HttpServer* server);

  // The handlers, callable directly (tests, in-process use).
  void Query(const HttpRequest& req, HttpResponse* res) const;
  void QueryRange(const HttpRequest& req, HttpResponse* res) const;
  void Series(const HttpRequest& req, HttpResponse* res) const;
  void LabelNames(const HttpRequest& req, HttpResponse* res) const;
  void LabelValues(const HttpRequest& req, HttpResponse* res) const;
  void Metadata(const HttpRequest& req, HttpResponse* res) const;
  void BuildInfo(const HttpRequest& req, HttpResponse* res) const;

 private:
  Queryable* store_;
  const promql::Engine* engine_;
  const Clock* clock_;
  std::function<MetadataMap()> metadata_;
  PromApiOptions options_;
};

// Prometheus's error types and the HTTP status each maps to.
struct ApiError {
  const char* type;  // "bad_data", "execution", "timeout", "internal", ...
  int http_status;   // 400, 422, 503, 500, ...
};
ApiError ApiErrorFor(const Status& status);

}  // namespace tend

#endif  // TEND_API_PROM_API_H_
