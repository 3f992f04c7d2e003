#include "api/prom_api.h"

#include <algorithm>
#include <set>
#include <string_view>

#include "api/prom_json.h"
#include "api/prom_params.h"
#include "promql/parser.h"
#include "tend_version.h"

namespace tend {

ApiError ApiErrorFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return {"bad_data", 400};
    case StatusCode::kFailedPrecondition:
    case StatusCode::kResourceExhausted:
      return {"execution", 422};
    case StatusCode::kDeadlineExceeded:
      return {"timeout", 503};
    case StatusCode::kUnavailable:
      return {"unavailable", 503};
    case StatusCode::kNotFound:
      return {"not_found", 404};
    default:
      return {"internal", 500};
  }
}

namespace {

void WriteError(HttpResponse* res, const ApiError& err, std::string_view msg) {
  res->status = err.http_status;
  res->content_type = "application/json";
  res->body = "{\"status\":\"error\",\"errorType\":\"";
  res->body += err.type;
  res->body += "\",\"error\":";
  AppendJsonString(msg, &res->body);
  res->body += '}';
}

void WriteStatusError(HttpResponse* res, const Status& s) {
  WriteError(res, ApiErrorFor(s), s.message());
}

void WriteBadParam(HttpResponse* res, std::string_view param, const Status& s) {
  std::string msg = "invalid parameter \"";
  msg += param;
  msg += "\": ";
  msg += s.message();
  WriteError(res, {"bad_data", 400}, msg);
}

// Starts a success body; the caller appends the data and calls EndSuccess.
std::string* BeginSuccess(HttpResponse* res) {
  res->status = 200;
  res->content_type = "application/json";
  res->body = "{\"status\":\"success\",\"data\":";
  return &res->body;
}

void EndSuccess(HttpResponse* res, const std::vector<std::string>& warnings) {
  if (!warnings.empty()) {
    res->body += ",\"warnings\":[";
    for (size_t i = 0; i < warnings.size(); ++i) {
      if (i > 0) res->body += ',';
      AppendJsonString(warnings[i], &res->body);
    }
    res->body += ']';
  }
  res->body += '}';
}

void WriteStringList(HttpResponse* res, const std::vector<std::string>& v) {
  std::string* out = BeginSuccess(res);
  *out += '[';
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) *out += ',';
    AppendJsonString(v[i], out);
  }
  *out += ']';
  EndSuccess(res, {});
}

// All values of a repeated parameter (match[]).
std::vector<std::string> ParamValues(const HttpRequest& req,
                                     const std::string& name) {
  std::vector<std::string> out;
  auto [b, e] = req.params.equal_range(name);
  for (auto it = b; it != e; ++it) out.push_back(it->second);
  return out;
}

bool HasParam(const HttpRequest& req, const std::string& name) {
  return req.params.count(name) > 0;
}

// Parses the optional time parameter `name`; absent -> `dflt`.
bool TimeParam(const HttpRequest& req, const char* name, int64_t dflt,
               int64_t* out, HttpResponse* res) {
  if (!HasParam(req, name)) {
    *out = dflt;
    return true;
  }
  auto t = ParseApiTime(req.Param(name));
  if (!t.ok()) {
    WriteBadParam(res, name, t.status());
    return false;
  }
  *out = *t;
  return true;
}

// A per-request engine when ?timeout= shortens the default.
bool EngineFor(const HttpRequest& req, const promql::Engine& base,
               std::chrono::milliseconds max_timeout,
               std::optional<promql::Engine>* local, HttpResponse* res) {
  if (!HasParam(req, "timeout")) return true;
  auto d = ParseApiDuration(req.Param("timeout"));
  if (!d.ok()) {
    WriteBadParam(res, "timeout", d.status());
    return false;
  }
  promql::EngineOptions opts = base.options();
  auto t = std::chrono::milliseconds(*d);
  opts.timeout = std::min({opts.timeout, t, max_timeout});
  local->emplace(opts);
  return true;
}

// Matcher sets of every match[] parameter; false (response written) on a
// bad selector.
bool MatchParams(const HttpRequest& req, std::vector<Matchers>* sets,
                 HttpResponse* res) {
  for (const std::string& m : ParamValues(req, "match[]")) {
    auto parsed = promql::ParseMetricSelector(m);
    if (!parsed.ok()) {
      WriteError(res, {"bad_data", 400}, parsed.status().message());
      return false;
    }
    sets->push_back(std::move(*parsed));
  }
  return true;
}

}  // namespace

PromApi::PromApi(Queryable* store, const promql::Engine* engine,
                 const Clock* clock, std::function<MetadataMap()> metadata,
                 PromApiOptions options)
    : store_(store),
      engine_(engine),
      clock_(clock),
      metadata_(std::move(metadata)),
      options_(options) {}

void PromApi::Query(const HttpRequest& req, HttpResponse* res) const {
  int64_t now = clock_->NowUnixNanos() / 1'000'000;
  int64_t t;
  if (!TimeParam(req, "time", now, &t, res)) return;
  std::optional<promql::Engine> local;
  if (!EngineFor(req, *engine_, options_.max_timeout, &local, res)) return;
  const promql::Engine& engine = local ? *local : *engine_;
  auto result = engine.Instant(*store_, req.Param("query"), t);
  if (!result.ok()) {
    if (result.status().code() == StatusCode::kInvalidArgument) {
      WriteBadParam(res, "query", result.status());
    } else {
      WriteStatusError(res, result.status());
    }
    return;
  }
  AppendQueryData(BeginSuccess(res), *result);
  EndSuccess(res, result->warnings);
}

void PromApi::QueryRange(const HttpRequest& req, HttpResponse* res) const {
  int64_t start, end;
  // Prometheus reports a missing parameter as an unparsable empty one.
  for (const char* p : {"start", "end"}) {
    if (!HasParam(req, p)) {
      WriteBadParam(
          res, p,
          InvalidArgumentError("cannot parse \"\" to a valid timestamp"));
      return;
    }
  }
  if (!TimeParam(req, "start", 0, &start, res)) return;
  if (!TimeParam(req, "end", 0, &end, res)) return;
  if (end < start) {
    WriteError(res, {"bad_data", 400},
               "invalid parameter \"end\": end timestamp must not be before "
               "start time");
    return;
  }
  auto step = ParseApiDuration(req.Param("step"));
  if (!step.ok()) {
    WriteBadParam(res, "step", step.status());
    return;
  }
  if (*step <= 0) {
    WriteError(res, {"bad_data", 400},
               "invalid parameter \"step\": zero or negative query resolution "
               "step widths are not accepted. Try a positive integer");
    return;
  }
  if ((end - start) / *step >= options_.max_points_per_series) {
    WriteError(res, {"bad_data", 400},
               "exceeded maximum resolution of 11,000 points per timeseries. "
               "Try decreasing the query resolution (?step=XX)");
    return;
  }
  std::optional<promql::Engine> local;
  if (!EngineFor(req, *engine_, options_.max_timeout, &local, res)) return;
  const promql::Engine& engine = local ? *local : *engine_;
  auto result = engine.Range(*store_, req.Param("query"), start, end, *step);
  if (!result.ok()) {
    if (result.status().code() == StatusCode::kInvalidArgument) {
      WriteBadParam(res, "query", result.status());
    } else {
      WriteStatusError(res, result.status());
    }
    return;
  }
  AppendQueryData(BeginSuccess(res), *result);
  EndSuccess(res, result->warnings);
}

void PromApi::Series(const HttpRequest& req, HttpResponse* res) const {
  std::vector<Matchers> sets;
  if (!MatchParams(req, &sets, res)) return;
  if (sets.empty()) {
    WriteError(res, {"bad_data", 400}, "no match[] parameter provided");
    return;
  }
  int64_t start, end;
  if (!TimeParam(req, "start", kApiMinTimeMs, &start, res)) return;
  if (!TimeParam(req, "end", kApiMaxTimeMs, &end, res)) return;
  auto q = store_->NewQuerier(start, end);
  if (!q.ok()) return WriteStatusError(res, q.status());
  // Union of every match[] set, sorted and unique by labels.
  std::vector<Labels> found;
  for (const Matchers& m : sets) {
    auto set = (*q)->Select(start, end, m);
    while (set->Next()) found.push_back(set->labels());
    if (!set->status().ok()) return WriteStatusError(res, set->status());
  }
  std::sort(found.begin(), found.end(), [](const Labels& a, const Labels& b) {
    return CompareLabels(a, b) < 0;
  });
  found.erase(std::unique(found.begin(), found.end()), found.end());
  std::string* out = BeginSuccess(res);
  *out += '[';
  for (size_t i = 0; i < found.size(); ++i) {
    if (i > 0) *out += ',';
    AppendLabelsObject(out, found[i]);
  }
  *out += ']';
  EndSuccess(res, {});
}

namespace {

// Runs `fn(querier, matchers)` for each match[] set (or once with none) and
// returns the sorted union of the string lists it produces.
template <typename Fn>
Result<std::vector<std::string>> UnionOver(Querier& q,
                                           const std::vector<Matchers>& sets,
                                           Fn fn) {
  std::set<std::string> all;
  if (sets.empty()) {
    ASSIGN_OR_RETURN(auto v, fn(q, Matchers{}));
    all.insert(v.begin(), v.end());
  }
  for (const Matchers& m : sets) {
    ASSIGN_OR_RETURN(auto v, fn(q, m));
    all.insert(v.begin(), v.end());
  }
  return std::vector<std::string>(all.begin(), all.end());
}

}  // namespace

void PromApi::LabelNames(const HttpRequest& req, HttpResponse* res) const {
  std::vector<Matchers> sets;
  if (!MatchParams(req, &sets, res)) return;
  int64_t start, end;
  if (!TimeParam(req, "start", kApiMinTimeMs, &start, res)) return;
  if (!TimeParam(req, "end", kApiMaxTimeMs, &end, res)) return;
  auto q = store_->NewQuerier(start, end);
  if (!q.ok()) return WriteStatusError(res, q.status());
  auto names = UnionOver(
      **q, sets, [](Querier& q, const Matchers& m) { return q.LabelNames(m); });
  if (!names.ok()) return WriteStatusError(res, names.status());
  WriteStringList(res, *names);
}

void PromApi::LabelValues(const HttpRequest& req, HttpResponse* res) const {
  // Path: /api/v1/label/<name>/values
  constexpr std::string_view kPrefix = "/api/v1/label/";
  constexpr std::string_view kSuffix = "/values";
  std::string_view path = req.path;
  if (path.size() <= kPrefix.size() + kSuffix.size() ||
      !path.starts_with(kPrefix) || !path.ends_with(kSuffix)) {
    WriteError(res, {"not_found", 404}, "unknown API endpoint");
    return;
  }
  std::string name(path.substr(kPrefix.size(),
                               path.size() - kPrefix.size() - kSuffix.size()));
  if (!IsValidLabelName(name)) {
    WriteError(res, {"bad_data", 400}, "invalid label name: \"" + name + "\"");
    return;
  }
  std::vector<Matchers> sets;
  if (!MatchParams(req, &sets, res)) return;
  int64_t start, end;
  if (!TimeParam(req, "start", kApiMinTimeMs, &start, res)) return;
  if (!TimeParam(req, "end", kApiMaxTimeMs, &end, res)) return;
  auto q = store_->NewQuerier(start, end);
  if (!q.ok()) return WriteStatusError(res, q.status());
  auto values = UnionOver(**q, sets, [&](Querier& q, const Matchers& m) {
    return q.LabelValues(name, m);
  });
  if (!values.ok()) return WriteStatusError(res, values.status());
  WriteStringList(res, *values);
}

void PromApi::Metadata(const HttpRequest& req, HttpResponse* res) const {
  MetadataMap all = metadata_ ? metadata_() : MetadataMap{};
  std::string only = req.Param("metric");
  int64_t limit = -1;
  if (HasParam(req, "limit")) {
    std::string l = req.Param("limit");
    char* end = nullptr;
    limit = std::strtoll(l.c_str(), &end, 10);
    if (l.empty() || *end != '\0') {
      WriteError(res, {"bad_data", 400}, "limit must be a number");
      return;
    }
  }
  std::string* out = BeginSuccess(res);
  *out += '{';
  int64_t n = 0;
  bool first = true;
  for (const auto& [name, entries] : all) {
    if (!only.empty() && name != only) continue;
    if (limit >= 0 && n >= limit) break;
    ++n;
    if (!first) *out += ',';
    first = false;
    AppendJsonString(name, out);
    *out += ":[";
    for (size_t i = 0; i < entries.size(); ++i) {
      if (i > 0) *out += ',';
      *out += "{\"type\":";
      AppendJsonString(entries[i].type, out);
      *out += ",\"help\":";
      AppendJsonString(entries[i].help, out);
      *out += ",\"unit\":";
      AppendJsonString(entries[i].unit, out);
      *out += '}';
    }
    *out += ']';
  }
  *out += '}';
  EndSuccess(res, {});
}

void PromApi::BuildInfo(const HttpRequest& req, HttpResponse* res) const {
  std::string* out = BeginSuccess(res);
  // Prometheus's field set; "version" is tend's own. Grafana reads it to
  // pick features, and tend implements Prometheus 2.42's query language.
  *out += "{\"version\":";
  AppendJsonString(TEND_VERSION, out);
  *out += ",\"revision\":";
  AppendJsonString(TEND_REVISION, out);
  *out +=
      ",\"branch\":\"\",\"buildUser\":\"\",\"buildDate\":\"\","
      "\"goVersion\":\"\",\"features\":{\"promql\":\"2.42\"}}";
  EndSuccess(res, {});
}

void PromApi::Register(HttpServer* server) {
  auto bind = [this](void (PromApi::*fn)(const HttpRequest&, HttpResponse*)
                         const) {
    return [this, fn](const HttpRequest& req, HttpResponse* res) {
      (this->*fn)(req, res);
    };
  };
  struct Route {
    const char* path;
    void (PromApi::*fn)(const HttpRequest&, HttpResponse*) const;
  };
  const Route routes[] = {
      {"/api/v1/query", &PromApi::Query},
      {"/api/v1/query_range", &PromApi::QueryRange},
      {"/api/v1/series", &PromApi::Series},
      {"/api/v1/labels", &PromApi::LabelNames},
      {"/api/v1/metadata", &PromApi::Metadata},
      {"/api/v1/status/buildinfo", &PromApi::BuildInfo},
  };
  for (const Route& r : routes) {
    server->Handle("GET", r.path, bind(r.fn));
    server->Handle("POST", r.path, bind(r.fn));
  }
  server->HandlePrefix("GET", "/api/v1/label/", bind(&PromApi::LabelValues));
  server->HandlePrefix("POST", "/api/v1/label/", bind(&PromApi::LabelValues));
  // Grafana asks for exemplars; tend has none. (/api/v1/rules and
  // /api/v1/alerts are the alerting service's.)
  auto empty_list = [](const HttpRequest&, HttpResponse* res) {
    BeginSuccess(res)->append("[]");
    EndSuccess(res, {});
  };
  server->Handle("GET", "/api/v1/query_exemplars", empty_list);
  server->Handle("POST", "/api/v1/query_exemplars", empty_list);
}

}  // namespace tend
