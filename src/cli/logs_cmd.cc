// tend logs: search, tail, stats and import of the log store, through the
// agent that owns the data dir or, when none does, the store itself.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "api/prom_params.h"
#include "base/clock.h"
#include "base/log.h"
#include "cli/commands.h"
#include "cli/logs_access.h"
#include "http/client.h"
#include "logs/parse/line_parser.h"

namespace tend {

const std::string_view kLogsHelp = R"(NAME
    tend logs - search, follow and load logs

SYNOPSIS
    tend logs search QUERY [--since D | --start T [--end T]] [--limit N]
                     [--forward] [-o text|json]
    tend logs tail [-f] [QUERY] [--limit N] [-o text|json]
    tend logs stats [-o text|json]
    tend logs import FILE [--parser NAME] [--source NAME]

DESCRIPTION
    search runs a LogQL query (docs/logql.md) such as
    '{app="sshd"} |= "Failed password"' over the last hour (--since) or
    [--start, --end), and prints the newest --limit lines (default 100;
    --forward: the oldest) in time order, or for a metric query such as
    'sum by (app) (count_over_time({source="system"}[5m]))' its series.

    tail prints the newest --limit lines (default 10) of QUERY (default
    every source) and with -f keeps printing new lines as they are stored.

    stats prints the log store's size, streams and each source's counters.

    import loads FILE (plain or .gz) once into the log store, parsed with
    --parser (default auto) and labelled source=--source (default
    "import"); when --source names a configured source (--config), that
    source's parser, labels and processors apply. Import needs the data dir
    for itself: stop the agent first.

    search, tail and stats ask the agent that owns --data-dir (through
    DIR/agent.json, or --listen); when no agent runs they take the data
    dir's lock and read DIR/logs directly.

    Times (--start, --end) are RFC 3339, Unix seconds, "now" or a negative
    duration back from now ("-2h"); --since is a duration ("30m", "2d").

OUTPUT
    text: "TIME {labels} line" per line. json: one object per line with
    "time" (RFC 3339, ns), "labels", "fields" (what the auto parser finds
    in the line: level, app, host, pid and its fields) and "line".

EXIT STATUS
    0 on success (also with no lines); 1 when the query or the store fails;
    2 on bad usage.
)";

int RunLogsImport(const ParsedFlags& flags);  // logs_import.cc

namespace {

constexpr int64_t kNs = 1'000'000'000;

int64_t NowNs() { return Clock::Real()->NowUnixNanos(); }

std::string FormatTimeNs(int64_t ns) {
  time_t secs = static_cast<time_t>(ns / kNs);
  int64_t frac = ns % kNs;
  if (frac < 0) {
    frac += kNs;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char f[16];
  std::snprintf(f, sizeof(f), ".%09lld", static_cast<long long>(frac));
  return std::string(buf) + f + "Z";
}

// --start/--end: ParseCliTime in nanoseconds.
Result<int64_t> ParseCliTimeNs(const std::string& s, int64_t now_ns) {
  ASSIGN_OR_RETURN(int64_t ms, ParseCliTime(s, now_ns / 1'000'000));
  return ms * 1'000'000;
}

struct Line {
  int64_t t;
  std::string labels_text;
  nlohmann::json labels;
  std::string line;
};

std::string LabelsText(const nlohmann::json& labels) {
  std::string out = "{";
  for (auto it = labels.begin(); it != labels.end(); ++it) {
    if (out.size() > 1) out += ", ";
    out += it.key() + "=\"" +
           (it.value().is_string() ? it.value().get<std::string>() : "") + "\"";
  }
  return out + "}";
}

// The entries of a streams result, in time order (ascending). `backward`:
// each stream's values come newest first (the API's order); they are
// reversed first so that lines of equal time keep the order they were
// stored in (lines read in one poll share their receive time).
std::vector<Line> Flatten(const nlohmann::json& result, bool backward) {
  std::vector<Line> out;
  for (const auto& s : result) {
    std::string text = LabelsText(s["stream"]);
    const size_t first = out.size();
    for (const auto& v : s["values"]) {
      int64_t t = std::stoll(v[0].get<std::string>());
      out.push_back({t, text, s["stream"], v[1].get<std::string>()});
    }
    if (backward) std::reverse(out.begin() + first, out.end());
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Line& a, const Line& b) { return a.t < b.t; });
  return out;
}

class Printer {
 public:
  explicit Printer(bool json) : json_(json) {
    parser_ = std::move(*logs::LineParser::Create({}));
  }
  void Print(const Line& l) {
    if (!json_) {
      std::printf("%s %s %s\n", FormatTimeNs(l.t).c_str(),
                  l.labels_text.c_str(), l.line.c_str());
      return;
    }
    logs::ParseOptions po;
    po.receive_time_ns = l.t;
    parser_->Parse(l.line, po, &record_);
    nlohmann::json fields = nlohmann::json::object();
    if (!record_.parse_error) {
      if (record_.level != logs::Level::kUnknown) {
        fields["level"] = std::string(logs::LevelName(record_.level));
      }
      if (!record_.app.empty()) fields["app"] = record_.app;
      if (!record_.host.empty()) fields["host"] = record_.host;
      if (record_.pid >= 0) fields["pid"] = record_.pid;
      for (const logs::Field& f : record_.fields) fields[f.name] = f.value;
    }
    nlohmann::json j = {{"time", FormatTimeNs(l.t)},
                        {"labels", l.labels},
                        {"fields", fields},
                        {"line", l.line}};
    std::printf("%s\n",
                j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                    .c_str());
  }

 private:
  bool json_;
  std::unique_ptr<logs::LineParser> parser_;
  logs::LogRecord record_;
};

// Parses an API answer; prints the error and returns null on failure.
std::optional<nlohmann::json> Data(const char* cmd,
                                   const Result<LogsAnswer>& a) {
  if (!a.ok()) {
    std::fprintf(stderr, "tend logs %s: %s\n", cmd,
                 a.status().message().c_str());
    return std::nullopt;
  }
  if (a->status != 200) {
    std::string msg = a->body;
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    std::fprintf(stderr, "tend logs %s: %s\n", cmd, msg.c_str());
    return std::nullopt;
  }
  nlohmann::json j = nlohmann::json::parse(a->body, nullptr, false);
  if (j.is_discarded() || !j.contains("data")) {
    std::fprintf(stderr, "tend logs %s: the answer is not JSON: %.200s\n", cmd,
                 a->body.c_str());
    return std::nullopt;
  }
  return j["data"];
}

void PrintMetric(const nlohmann::json& data) {
  const std::string type = data.value("resultType", "");
  for (const auto& s : data["result"]) {
    std::string name = LabelsText(s["metric"]);
    if (type == "vector") {
      std::printf("%s  %s\n", name.c_str(),
                  s["value"][1].get<std::string>().c_str());
    } else {
      std::printf("%s\n", name.c_str());
      for (const auto& p : s["values"]) {
        std::printf("  %s  %s\n",
                    FormatTimeNs(static_cast<int64_t>(
                                     std::llround(p[0].get<double>() * 1000)) *
                                 1'000'000)
                        .c_str(),
                    p[1].get<std::string>().c_str());
      }
    }
  }
  if (data["result"].empty()) std::printf("(no series)\n");
}

bool OutputFlag(const ParsedFlags& flags, const char* cmd, bool* json) {
  std::string o = flags.Get("output", "text");
  if (o != "text" && o != "json") {
    std::fprintf(stderr, "tend logs %s: -o: want text or json, got \"%s\"\n",
                 cmd, o.c_str());
    return false;
  }
  *json = o == "json";
  return true;
}

int Search(const ParsedFlags& flags) {
  if (flags.positional.size() != 2) {
    std::fprintf(stderr,
                 "tend logs search: want one QUERY (quote it), got %zu "
                 "arguments\n",
                 flags.positional.size() - 1);
    return kExitUsage;
  }
  bool json;
  if (!OutputFlag(flags, "search", &json)) return kExitUsage;
  const int64_t now = NowNs();
  int64_t start = now - 3600 * kNs, end = now + 1;
  if (flags.Has("since")) {
    if (flags.Has("start")) {
      std::fprintf(stderr, "tend logs search: --since or --start, not both\n");
      return kExitUsage;
    }
    Result<int64_t> d = ParseApiDuration(flags.Get("since"));
    if (!d.ok() || *d <= 0) {
      std::fprintf(stderr,
                   "tend logs search: --since: want a duration like "
                   "30m, got \"%s\"\n",
                   flags.Get("since").c_str());
      return kExitUsage;
    }
    start = now - *d * 1'000'000;
  }
  for (const char* name : {"start", "end"}) {
    if (!flags.Has(name)) continue;
    Result<int64_t> t = ParseCliTimeNs(flags.Get(name), now);
    if (!t.ok()) {
      std::fprintf(stderr, "tend logs search: --%s: %s\n", name,
                   t.status().message().c_str());
      return kExitUsage;
    }
    (name[0] == 's' ? start : end) = *t;
  }
  std::vector<std::pair<std::string, std::string>> params = {
      {"query", flags.positional[1]},
      {"start", std::to_string(start)},
      {"end", std::to_string(end)},
      {"limit", flags.Get("limit", "100")},
      {"direction", flags.Has("forward") ? "forward" : "backward"}};
  std::optional<nlohmann::json> data =
      Data("search", AskLogs(flags, "/loki/api/v1/query_range", params));
  if (!data) return kExitFailure;
  if (data->value("resultType", "") != "streams") {
    if (json) {
      std::printf("%s\n", data->dump().c_str());
    } else {
      PrintMetric(*data);
    }
    return kExitOk;
  }
  Printer p(json);
  for (const Line& l : Flatten((*data)["result"], !flags.Has("forward"))) {
    p.Print(l);
  }
  return kExitOk;
}

int Tail(const ParsedFlags& flags) {
  if (flags.positional.size() > 2) {
    std::fprintf(stderr, "tend logs tail: at most one QUERY (quote it)\n");
    return kExitUsage;
  }
  bool json;
  if (!OutputFlag(flags, "tail", &json)) return kExitUsage;
  const std::string query =
      flags.positional.size() == 2 ? flags.positional[1] : "{source=~\".+\"}";
  Printer p(json);
  int64_t now = NowNs();
  std::vector<std::pair<std::string, std::string>> params = {
      {"query", query},
      {"start", std::to_string(now - 24 * 3600 * kNs)},
      {"end", std::to_string(now + 1)},
      {"limit", flags.Get("limit", "10")},
      {"direction", "backward"}};
  std::optional<nlohmann::json> data =
      Data("tail", AskLogs(flags, "/loki/api/v1/query_range", params));
  if (!data) return kExitFailure;
  if (data->value("resultType", "") != "streams") {
    std::fprintf(stderr,
                 "tend logs tail: want a log query, not a metric "
                 "query\n");
    return kExitUsage;
  }
  int64_t last = now;
  for (const Line& l : Flatten((*data)["result"], /*backward=*/true)) {
    p.Print(l);
    last = std::max(last, l.t);
  }
  std::fflush(stdout);
  if (!flags.Has("follow")) return kExitOk;
  // Follow: ask for lines after the newest one seen, every half second.
  // Lines whose own time is older than that (a late syslog sender) are not
  // shown: tail follows time, as Loki's does.
  int64_t from = last + 1;
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    int64_t until = NowNs() + 1;
    params = {{"query", query},
              {"start", std::to_string(from)},
              {"end", std::to_string(std::max(until, from + 1))},
              {"limit", "5000"},
              {"direction", "forward"}};
    data = Data("tail", AskLogs(flags, "/loki/api/v1/query_range", params));
    if (!data) return kExitFailure;
    for (const Line& l : Flatten((*data)["result"], /*backward=*/false)) {
      p.Print(l);
      from = std::max(from, l.t + 1);
    }
    std::fflush(stdout);
  }
}

int Stats(const ParsedFlags& flags) {
  bool json;
  if (!OutputFlag(flags, "stats", &json)) return kExitUsage;
  std::vector<std::pair<std::string, std::string>> params = {
      {"start", "0"}, {"end", std::to_string(NowNs() + 3600 * kNs)}};
  Result<LogsAnswer> answer = AskLogs(flags, "/loki/api/v1/series", params);
  const bool from_agent = answer.ok() && answer->from_agent;
  std::optional<nlohmann::json> series = Data("stats", answer);
  if (!series) return kExitFailure;
  std::map<std::string, size_t> per_source;
  for (const auto& s : *series) {
    per_source[s.value("source", "")]++;
  }
  nlohmann::json status;
  if (from_agent) {
    HttpClientRequest req;
    req.address = AgentAddress(flags);
    req.path = "/api/v1/status";
    Result<HttpClientResponse> r = HttpFetch(req);
    if (r.ok() && r->status == 200) {
      nlohmann::json j = nlohmann::json::parse(r->body, nullptr, false);
      if (!j.is_discarded() && j.contains("data") &&
          j["data"].contains("logs")) {
        status = j["data"]["logs"];
      }
    }
  }
  if (json) {
    nlohmann::json out = {{"streams", series->size()},
                          {"streams_per_source", per_source}};
    if (!status.is_null()) out["agent"] = status;
    std::printf("%s\n", out.dump().c_str());
    return kExitOk;
  }
  std::printf("streams: %zu\n", series->size());
  for (const auto& [src, n] : per_source) {
    std::printf("  source %-20s %zu streams\n", src.c_str(), n);
  }
  if (!status.is_null()) {
    const auto& st = status["store"];
    std::printf("store: %s in %d segments, %d blocks, %lld lines since start\n",
                HumanBytes(st.value("disk_bytes", 0.0)).c_str(),
                st.value("segments", 0), st.value("blocks", 0),
                static_cast<long long>(st.value("lines_committed", 0LL)));
    std::printf("%-20s %12s %12s %10s %10s %8s\n", "SOURCE", "ENTRIES",
                "STORED", "PARSE_ERR", "DROPPED", "OPEN");
    for (const auto& s : status["sources"]) {
      std::printf("%-20s %12lld %12lld %10lld %10lld %8lld\n",
                  s.value("name", "").c_str(),
                  static_cast<long long>(s.value("entries", 0LL)),
                  static_cast<long long>(s.value("stored", 0LL)),
                  static_cast<long long>(s.value("parse_errors", 0LL)),
                  static_cast<long long>(s.value("dropped", 0LL)),
                  static_cast<long long>(s.value("open", 0LL)));
    }
  }
  return kExitOk;
}

}  // namespace

int RunLogs(const ParsedFlags& flags) {
  if (flags.positional.empty()) {
    std::fprintf(stderr,
                 "tend logs: want search, tail, stats or import (see tend "
                 "logs --help)\n");
    return kExitUsage;
  }
  const std::string& sub = flags.positional[0];
  if (sub == "search") return Search(flags);
  if (sub == "tail") return Tail(flags);
  if (sub == "stats") return Stats(flags);
  if (sub == "import") return RunLogsImport(flags);
  std::fprintf(stderr,
               "tend logs: unknown subcommand \"%s\" (search, tail, stats, "
               "import)\n",
               sub.c_str());
  return kExitUsage;
}

}  // namespace tend
