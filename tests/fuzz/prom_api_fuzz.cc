// Fuzz target: the Prometheus HTTP API's handlers (src/api/prom_api.h) with
// arbitrary parameters, over a small in-memory store.
//
// Input: lines. The first byte of the first line picks the handler; every
// further line is a parameter "name=value" (the API's multimap, as the
// server hands it over after decoding the query string and form). Every
// handler must answer with a JSON body and a status of 200, 400, 404
// (label values of an empty name), 422 or 503 (Prometheus's statuses),
// never crash, hang or exhaust memory. Query
// limits are kept small so that a fuzzed range or subquery cannot run for
// long: too-large requests must be refused, which is part of what is
// tested.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/prom_api.h"
#include "base/clock.h"
#include "promql/engine.h"
#include "promql/mem_storage.h"

namespace {

tend::promql::MemStorage* Store() {
  static tend::promql::MemStorage* store = [] {
    auto* s = new tend::promql::MemStorage();
    for (int i = 0; i < 4; ++i) {
      std::vector<tend::Point> pts;
      for (int t = 0; t < 60; ++t) {
        pts.push_back({t * 15'000, static_cast<double>(t * (i + 1))});
      }
      s->Add({{"__name__", "node_cpu_seconds_total"},
              {"cpu", std::to_string(i)},
              {"mode", i % 2 == 0 ? "idle" : "user"}},
             pts);
      s->Add({{"__name__", "http_request_duration_seconds_bucket"},
              {"le", i == 3 ? "+Inf" : std::to_string(0.1 * (i + 1))}},
             pts);
    }
    return s;
  }();
  return store;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static tend::FakeClock clock;
  static tend::promql::Engine engine([] {
    tend::promql::EngineOptions o;
    o.max_samples = 100'000;
    o.timeout = std::chrono::milliseconds(200);
    return o;
  }());
  tend::PromApiOptions options;
  options.max_points_per_series = 2000;
  options.max_timeout = std::chrono::milliseconds(200);
  tend::PromApi api(Store(), &engine, &clock, nullptr, options);

  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (in.empty()) return 0;
  const char which = in[0];
  tend::HttpRequest req;
  req.method = "GET";
  size_t nl = in.find('\n');
  in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  while (!in.empty()) {
    nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    req.params.emplace(std::string(line.substr(0, eq)),
                       std::string(line.substr(eq + 1)));
  }
  tend::HttpResponse res;
  switch (static_cast<unsigned char>(which) % 6) {
    case 0:
      api.Query(req, &res);
      break;
    case 1:
      api.QueryRange(req, &res);
      break;
    case 2:
      api.Series(req, &res);
      break;
    case 3:
      api.LabelNames(req, &res);
      break;
    case 4:
      req.path = "/api/v1/label/" + req.Param("name") + "/values";
      api.LabelValues(req, &res);
      break;
    default:
      api.Metadata(req, &res);
      break;
  }
  if (res.status != 200 && res.status != 400 && res.status != 404 &&
      res.status != 422 && res.status != 503) {
    __builtin_trap();
  }
  if (res.body.empty() || res.body.front() != '{' || res.body.back() != '}') {
    __builtin_trap();
  }
  return 0;
}
