#include "api/loki_api.h"

#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

#include "api/prom_json.h"
#include "base/duration.h"
#include "base/log.h"
#include "logs/logql/parser.h"
#include "logs/parse/timestamp.h"
#include "tend_version.h"

namespace tend {
namespace {

constexpr int64_t kNs = 1'000'000'000;

void Fail(HttpResponse* res, const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kResourceExhausted:
      res->status = 400;
      break;
    case StatusCode::kDeadlineExceeded:
      res->status = 504;
      break;
    default:
      res->status = 500;
      break;
  }
  res->content_type = "text/plain; charset=utf-8";
  res->body = s.message();
  res->body.push_back('\n');
}

void Success(HttpResponse* res, std::string_view data_json) {
  res->status = 200;
  res->content_type = "application/json";
  res->body.reserve(data_json.size() + 32);
  res->body = "{\"status\":\"success\",\"data\":";
  res->body += data_json;
  res->body += "}\n";
}

Result<size_t> ParseLimit(std::string_view s, size_t def) {
  if (s.empty()) return def;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < 0) {
    return InvalidArgumentError("invalid limit \"" + std::string(s) +
                                "\": want a non-negative integer");
  }
  return static_cast<size_t>(v);
}

Result<logs::Direction> ParseDirection(std::string_view s) {
  if (s.empty() || s == "backward" || s == "BACKWARD") {
    return logs::Direction::kBackward;
  }
  if (s == "forward" || s == "FORWARD") return logs::Direction::kForward;
  return InvalidArgumentError("invalid direction \"" + std::string(s) +
                              "\": want forward or backward");
}

void AppendStats(std::string* out, const logql::QueryStats& st) {
  double secs = static_cast<double>(st.exec_ns) / 1e9;
  double per_sec = secs > 0 ? 1 / secs : 0;
  *out += "{\"summary\":{\"bytesProcessedPerSecond\":";
  *out += std::to_string(
      static_cast<int64_t>(static_cast<double>(st.bytes_scanned) * per_sec));
  *out += ",\"linesProcessedPerSecond\":";
  *out += std::to_string(
      static_cast<int64_t>(static_cast<double>(st.lines_scanned) * per_sec));
  *out += ",\"totalBytesProcessed\":" + std::to_string(st.bytes_scanned);
  *out += ",\"totalLinesProcessed\":" + std::to_string(st.lines_scanned);
  *out += ",\"totalEntriesReturned\":" + std::to_string(st.lines_kept);
  char exec[32];
  snprintf(exec, sizeof(exec), "%.6f", secs);
  *out += ",\"execTime\":";
  *out += exec;
  *out += "},\"tend\":{\"blocksRead\":" + std::to_string(st.blocks_read);
  *out += ",\"blocksSkipped\":" + std::to_string(st.blocks_skipped) + "}}";
}

// {"resultType":...,"result":[...],"stats":{...}}
std::string ResultData(const logql::QueryResult& r) {
  std::string out;
  if (r.type == logql::ResultType::kStreams) {
    out = "{\"resultType\":\"streams\",\"result\":[";
    AppendStreams(&out, r.streams);
    out += ']';
  } else {
    AppendQueryData(&out, r.metric);
    out.pop_back();  // The closing '}': the stats go inside.
  }
  out += ",\"stats\":";
  AppendStats(&out, r.stats);
  out += '}';
  return out;
}

// Default step of a range query, as Loki computes it: range / 250, at
// least one second (whole seconds).
int64_t DefaultStep(int64_t start, int64_t end) {
  int64_t secs = (end - start) / kNs / 250;
  return std::max<int64_t>(secs, 1) * kNs;
}

void AppendStringArray(std::string* out, const std::vector<std::string>& v) {
  *out += '[';
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) *out += ',';
    AppendJsonString(v[i], out);
  }
  *out += ']';
}

struct TimeRange {
  int64_t start = 0;
  int64_t end = 0;
};

Result<TimeRange> ParseRange(const HttpRequest& req, int64_t now,
                             int64_t lookback) {
  TimeRange r;
  ASSIGN_OR_RETURN(r.end, ParseLokiTime(req.Param("end"), now));
  ASSIGN_OR_RETURN(r.start,
                   ParseLokiTime(req.Param("start"), r.end - lookback));
  if (r.end < r.start) {
    return InvalidArgumentError(
        "end timestamp must not be before or equal to start time");
  }
  return r;
}

}  // namespace

Result<int64_t> ParseLokiTime(std::string_view s, int64_t def) {
  if (s.empty()) return def;
  auto bad = [&] {
    return InvalidArgumentError("invalid time \"" + std::string(s) +
                                "\": want nanoseconds or seconds since the "
                                "epoch, or RFC 3339");
  };
  if (s.find('.') != std::string_view::npos) {
    double v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && ptr == s.data() + s.size() && std::isfinite(v) &&
        std::fabs(v) < 9.2e9) {
      double whole = 0;
      double frac = std::modf(v, &whole);
      frac = std::round(frac * 1000) / 1000;  // Loki keeps milliseconds.
      return static_cast<int64_t>(whole) * kNs +
             static_cast<int64_t>(std::llround(frac * 1e9));
    }
  }
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc() && ptr == s.data() + s.size()) {
    if (s.size() <= 10) return v * kNs;
    return v;
  }
  int64_t ns = 0;
  if (logs::ParseRfc3339(s, logs::TimeZone::Utc(), &ns) == s.size()) {
    return ns;
  }
  return bad();
}

Result<int64_t> ParseLokiDuration(std::string_view s) {
  double secs = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), secs);
  if (ec == std::errc() && ptr == s.data() + s.size()) {
    if (!(secs > 0) || secs > 1e9) {
      return InvalidArgumentError("invalid step \"" + std::string(s) +
                                  "\": want a positive duration");
    }
    return static_cast<int64_t>(secs * 1e9);
  }
  Result<int64_t> ms = ParseDuration(s);
  if (!ms.ok() || *ms <= 0) {
    return InvalidArgumentError("invalid step \"" + std::string(s) +
                                "\": want a duration like 15s or seconds");
  }
  return *ms * 1'000'000;
}

void AppendStreams(std::string* out,
                   const std::vector<logql::LogStream>& streams) {
  for (size_t i = 0; i < streams.size(); ++i) {
    if (i > 0) *out += ',';
    *out += "{\"stream\":";
    AppendLabelsObject(out, streams[i].labels);
    *out += ",\"values\":[";
    const auto& entries = streams[i].entries;
    for (size_t j = 0; j < entries.size(); ++j) {
      if (j > 0) *out += ',';
      *out += "[\"";
      *out += std::to_string(entries[j].t_ns);
      *out += "\",";
      AppendJsonString(entries[j].line, out);
      *out += ']';
    }
    *out += "]}";
  }
}

LokiApi::LokiApi(const logs::LogStore* store, const Clock* clock,
                 LokiApiOptions options)
    : store_(store), clock_(clock), options_(options) {}

void LokiApi::Register(HttpServer* server) {
  auto route = [&](const std::string& path,
                   void (LokiApi::*fn)(const HttpRequest&, HttpResponse*)
                       const) {
    auto h = [this, fn](const HttpRequest& req, HttpResponse* res) {
      (this->*fn)(req, res);
    };
    server->Handle("GET", path, h);
    server->Handle("POST", path, h);
  };
  route("/loki/api/v1/query", &LokiApi::Query);
  route("/loki/api/v1/query_range", &LokiApi::QueryRange);
  route("/loki/api/v1/labels", &LokiApi::LabelNames);
  route("/loki/api/v1/label", &LokiApi::LabelNames);  // Loki's older alias.
  route("/loki/api/v1/series", &LokiApi::Series);
  route("/loki/api/v1/tail", &LokiApi::Tail);
  server->HandlePrefix("GET", "/loki/api/v1/label/",
                       [this](const HttpRequest& req, HttpResponse* res) {
                         LabelValues(req, res);
                       });
  server->Handle("GET", "/loki/api/v1/status/buildinfo",
                 [](const HttpRequest&, HttpResponse* res) {
                   res->content_type = "application/json";
                   res->body = std::string("{\"version\":\"") + TEND_VERSION +
                               "\",\"revision\":\"" + TEND_REVISION +
                               "\",\"branch\":\"\",\"goVersion\":\"\"}\n";
                 });
}

void LokiApi::Query(const HttpRequest& req, HttpResponse* res) const {
  const int64_t now = clock_->NowUnixNanos();
  Result<std::unique_ptr<logql::Expr>> expr =
      logql::ParseLogQL(req.Param("query"));
  if (!expr.ok()) return Fail(res, expr.status());
  Result<int64_t> t = ParseLokiTime(req.Param("time"), now);
  if (!t.ok()) return Fail(res, t.status());
  Result<size_t> limit = ParseLimit(req.Param("limit"), 100);
  if (!limit.ok()) return Fail(res, limit.status());
  Result<logs::Direction> dir = ParseDirection(req.Param("direction"));
  if (!dir.ok()) return Fail(res, dir.status());
  Result<logql::QueryResult> r =
      logql::EvalInstant(*store_, **expr, *t, *dir, *limit, options_.limits);
  if (!r.ok()) return Fail(res, r.status());
  Success(res, ResultData(*r));
}

void LokiApi::QueryRange(const HttpRequest& req, HttpResponse* res) const {
  const int64_t now = clock_->NowUnixNanos();
  Result<std::unique_ptr<logql::Expr>> expr =
      logql::ParseLogQL(req.Param("query"));
  if (!expr.ok()) return Fail(res, expr.status());
  Result<TimeRange> range = ParseRange(req, now, 3600 * kNs);
  if (!range.ok()) return Fail(res, range.status());
  Result<size_t> limit = ParseLimit(req.Param("limit"), 100);
  if (!limit.ok()) return Fail(res, limit.status());
  Result<logs::Direction> dir = ParseDirection(req.Param("direction"));
  if (!dir.ok()) return Fail(res, dir.status());
  int64_t step = DefaultStep(range->start, range->end);
  if (std::string s = req.Param("step"); !s.empty()) {
    Result<int64_t> st = ParseLokiDuration(s);
    if (!st.ok()) return Fail(res, st.status());
    step = *st;
  }
  Result<logql::QueryResult> r =
      logql::EvalRange(*store_, **expr, range->start, range->end, step, *dir,
                       *limit, options_.limits);
  if (!r.ok()) return Fail(res, r.status());
  Success(res, ResultData(*r));
}

void LokiApi::LabelNames(const HttpRequest& req, HttpResponse* res) const {
  Result<TimeRange> range = ParseRange(req, clock_->NowUnixNanos(),
                                       options_.default_label_lookback_ns);
  if (!range.ok()) return Fail(res, range.status());
  std::string out;
  AppendStringArray(&out, store_->LabelNames(range->start, range->end));
  Success(res, out);
}

void LokiApi::LabelValues(const HttpRequest& req, HttpResponse* res) const {
  // /loki/api/v1/label/<name>/values
  std::string_view path = req.path;
  constexpr std::string_view kPrefix = "/loki/api/v1/label/";
  constexpr std::string_view kSuffix = "/values";
  if (path.size() <= kPrefix.size() + kSuffix.size() ||
      path.substr(path.size() - kSuffix.size()) != kSuffix) {
    res->status = 404;
    res->body = "not found: want /loki/api/v1/label/<name>/values\n";
    return;
  }
  std::string name(path.substr(kPrefix.size(),
                               path.size() - kPrefix.size() - kSuffix.size()));
  Result<TimeRange> range = ParseRange(req, clock_->NowUnixNanos(),
                                       options_.default_label_lookback_ns);
  if (!range.ok()) return Fail(res, range.status());
  Matchers matchers;
  if (std::string q = req.Param("query"); !q.empty()) {
    Result<Matchers> m = logql::ParseLogSelector(q);
    if (!m.ok()) return Fail(res, m.status());
    matchers = std::move(*m);
  }
  std::string out;
  AppendStringArray(
      &out, store_->LabelValues(name, matchers, range->start, range->end));
  Success(res, out);
}

void LokiApi::Series(const HttpRequest& req, HttpResponse* res) const {
  Result<TimeRange> range = ParseRange(req, clock_->NowUnixNanos(),
                                       options_.default_label_lookback_ns);
  if (!range.ok()) return Fail(res, range.status());
  std::vector<std::string> selectors;
  for (const auto& [k, v] : req.params) {
    if (k == "match[]" || k == "match") selectors.push_back(v);
  }
  if (selectors.empty()) selectors.push_back("{}");
  std::vector<Labels> all;
  for (const std::string& sel : selectors) {
    Matchers matchers;
    if (sel != "{}") {
      Result<Matchers> m = logql::ParseLogSelector(sel);
      if (!m.ok()) return Fail(res, m.status());
      matchers = std::move(*m);
    }
    std::vector<Labels> part =
        store_->Streams(matchers, range->start, range->end);
    all.insert(all.end(), std::make_move_iterator(part.begin()),
               std::make_move_iterator(part.end()));
  }
  std::sort(all.begin(), all.end(), [](const Labels& a, const Labels& b) {
    return CompareLabels(a, b) < 0;
  });
  all.erase(std::unique(all.begin(), all.end()), all.end());
  std::string out = "[";
  for (size_t i = 0; i < all.size(); ++i) {
    if (i > 0) out += ',';
    AppendLabelsObject(&out, all[i]);
  }
  out += ']';
  Success(res, out);
}

// The WebSocket accept key of RFC 6455: base64(SHA-1(key + GUID)).
std::string WebSocketAccept(std::string_view key) {
  std::string in(key);
  in += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  EVP_Digest(in.data(), in.size(), md, &md_len, EVP_sha1(), nullptr);
  unsigned char out[64];
  int n = EVP_EncodeBlock(out, md, static_cast<int>(md_len));
  return std::string(reinterpret_cast<char*>(out), static_cast<size_t>(n));
}

// One unmasked, final text frame (a server never masks).
std::string WebSocketTextFrame(std::string_view payload) {
  std::string f;
  f.push_back(static_cast<char>(0x81));
  const uint64_t n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<char>(n));
  } else if (n <= 0xFFFF) {
    f.push_back(static_cast<char>(126));
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n & 0xFF));
  } else {
    f.push_back(static_cast<char>(127));
    for (int i = 7; i >= 0; --i) f.push_back(static_cast<char>(n >> (8 * i)));
  }
  f.append(payload);
  return f;
}

namespace {

bool HeaderHasToken(const HttpRequest& req, const std::string& name,
                    std::string_view token) {
  std::string v = req.Header(name);
  for (char& c : v) c = static_cast<char>(std::tolower(c));
  return v.find(token) != std::string::npos;
}

// Holds one of LokiApi's tail slots; released on destruction.
class TailSlot {
 public:
  explicit TailSlot(std::atomic<int>* active) : active_(active) {}
  ~TailSlot() { active_->fetch_sub(1); }

 private:
  std::atomic<int>* active_;
};

}  // namespace

void LokiApi::Tail(const HttpRequest& req, HttpResponse* res) const {
  const int64_t now = clock_->NowUnixNanos();
  Result<std::unique_ptr<logql::Expr>> parsed =
      logql::ParseLogQL(req.Param("query"));
  if (!parsed.ok()) return Fail(res, parsed.status());
  if ((*parsed)->is_metric()) {
    return Fail(res, InvalidArgumentError("tail needs a log query, not a "
                                          "metric query"));
  }
  Result<int64_t> start = ParseLokiTime(req.Param("start"), now - 3600 * kNs);
  if (!start.ok()) return Fail(res, start.status());
  Result<size_t> limit = ParseLimit(req.Param("limit"), 100);
  if (!limit.ok()) return Fail(res, limit.status());
  const bool websocket = HeaderHasToken(req, "Upgrade", "websocket");
  // WebSocket (Grafana's live tailing): until the client goes, at most
  // options_.max_tail_ns; chunked NDJSON: follow_seconds, at most 60.
  int64_t follow_ns = options_.max_tail_ns;
  if (!websocket) {
    int64_t follow_s = 0;
    if (std::string f = req.Param("follow_seconds"); !f.empty()) {
      auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), follow_s);
      if (ec != std::errc() || p != f.data() + f.size() || follow_s < 0 ||
          follow_s > 60) {
        return Fail(
            res, InvalidArgumentError("invalid follow_seconds: want 0 to 60"));
      }
    }
    follow_ns = follow_s * kNs;
  }
  std::string key = req.Header("Sec-WebSocket-Key");
  if (websocket && key.empty()) {
    return Fail(res, InvalidArgumentError(
                         "WebSocket upgrade without Sec-WebSocket-Key"));
  }
  // Each tail holds a server thread while it runs: bounded.
  if (tails_active_.fetch_add(1) >= options_.max_tails) {
    tails_active_.fetch_sub(1);
    res->status = 429;
    res->body = "too many tails running (" +
                std::to_string(options_.max_tails) + "); try again later\n";
    return;
  }
  auto slot = std::make_shared<TailSlot>(&tails_active_);
  std::shared_ptr<logql::Expr> expr(std::move(*parsed));
  if (websocket) {
    res->status = 101;
    res->headers["Upgrade"] = "websocket";
    res->headers["Connection"] = "Upgrade";
    res->headers["Sec-WebSocket-Accept"] = WebSocketAccept(key);
    res->stream_raw = true;
    res->content_type = "application/octet-stream";
  } else {
    res->content_type = "application/x-ndjson";
  }
  res->stream = [this, expr, slot, websocket, start = *start, limit = *limit,
                 follow_ns, now](const HttpResponse::Writer& write) {
    const auto& q = static_cast<const logql::LogQueryExpr&>(*expr);
    auto send = [&](const std::string& json) {
      return websocket ? write(WebSocketTextFrame(json)) : write(json + "\n");
    };
    // First the newest `limit` lines since start (oldest first), then
    // every new line as it is committed, until the follow time passes or
    // the client goes.
    int64_t from = start;
    int64_t until = now + 1;
    const int64_t deadline = clock_->MonotonicNanos() + follow_ns;
    bool first = true;
    int64_t last_sent = clock_->MonotonicNanos();
    while (true) {
      std::vector<logql::LogStream> frame;
      auto fn = [&](const Labels& labels, int64_t t, std::string_view line) {
        if (frame.empty() || frame.back().labels != labels) {
          frame.push_back({labels, {}});
        }
        frame.back().entries.push_back({t, std::string(line)});
        return true;
      };
      Result<logql::QueryStats> st =
          first ? logql::StreamLogQuery(*store_, q, from, until,
                                        logs::Direction::kBackward, limit,
                                        options_.limits, fn)
                : logql::StreamLogQuery(*store_, q, from, until,
                                        logs::Direction::kForward, 0,
                                        options_.limits, fn);
      if (!st.ok()) {
        std::string e = "{\"error\":";
        AppendJsonString(st.status().message(), &e);
        send(e + "}");
        return;
      }
      if (first) {
        std::reverse(frame.begin(), frame.end());
        for (auto& s : frame) std::reverse(s.entries.begin(), s.entries.end());
      }
      const int64_t mono = clock_->MonotonicNanos();
      // A WebSocket gets an empty frame every 10 s without lines, so a
      // client that left is noticed (the write fails).
      if (!frame.empty() || (websocket && mono - last_sent >= 10 * kNs)) {
        std::string out = "{\"streams\":[";
        AppendStreams(&out, frame);
        out += "],\"dropped_entries\":null}";
        if (!send(out)) return;
        last_sent = mono;
      }
      first = false;
      if (mono >= deadline || !write({})) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      from = until;
      until = clock_->NowUnixNanos() + 1;
    }
  };
}

}  // namespace tend
