// JSON encoding of query results exactly as Prometheus's HTTP API writes
// them, so clients (Grafana, promtool) parse tend's answers unchanged.
//
// Hand-written rather than through a JSON library: a dashboard range query
// returns hundreds of thousands of points, and building a DOM for them costs
// more than evaluating the query.
#ifndef TEND_API_PROM_JSON_H_
#define TEND_API_PROM_JSON_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/log.h"  // AppendJsonString
#include "model/labels.h"
#include "promql/engine.h"

namespace tend {

// Milliseconds as Prometheus prints them: seconds with the millisecond
// fraction only when non-zero, always three digits ("1.500", "-0.001",
// "1435781451").
void AppendPromTimestamp(std::string* out, int64_t t_ms);

// A sample value as a JSON string: shortest round-trip decimal without an
// exponent (Go's FormatFloat(v, 'f', -1, 64)), or "NaN", "+Inf", "-Inf".
void AppendPromValue(std::string* out, double v);

// {"name":"value",...} in label order.
void AppendLabelsObject(std::string* out, const Labels& labels);

// The "data" member of a query response:
// {"resultType":"vector","result":[...]} etc.
void AppendQueryData(std::string* out, const promql::QueryResult& result);

}  // namespace tend

#endif  // TEND_API_PROM_JSON_H_
