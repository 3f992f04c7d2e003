// tend query: PromQL from the command line, answered by the agent that owns
// the data dir or, when none does, by opening the store directly.
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>

#include "agent/data_dir.h"
#include "api/prom_params.h"
#include "base/clock.h"
#include "base/env.h"
#include "cli/commands.h"
#include "cli/local_store.h"
#include "http/client.h"
#include "promql/test_script.h"

namespace tend {

const std::string_view kQueryHelp = R"(NAME
    tend query - evaluate a PromQL expression over the stored metrics

SYNOPSIS
    tend query EXPR [--time T] [-o table|json]
    tend query EXPR --start S [--end E] [--step D] [-o table|json]
    tend query test FILE...

DESCRIPTION
    Evaluates EXPR as Prometheus 2.42 would, at one instant (--time,
    default now) or over a range (--start/--end/--step, like
    /api/v1/query_range).

    When an agent owns --data-dir (it holds DIR/LOCK), the query goes to its
    API (found through DIR/agent.json, or --listen). When no agent runs, tend
    takes the lock itself and opens the store read-only, so the agent cannot
    start and write underneath the query.

    `tend query test FILE...` runs PromQL test scripts in Prometheus's own
    format (load, clear, eval instant at, eval_ordered, eval_fail) against
    tend's engine, prints each failing eval, and ends with one line
    "N passed, M failed". To query a metric that is literally named `test`,
    write {__name__="test"}.

OPTIONS
    --time T      Evaluation time: Unix seconds, RFC 3339, "now", or a
                  negative duration back from now ("-1h").
    --start S     Range start (same forms); makes the query a range query.
    --end E       Range end (default now).
    --step D      Resolution: seconds or a duration ("15s"); default the
                  range divided into 60 steps, at least 1s.
    --listen ADDR:PORT  Where the agent listens (skips the data-dir lookup).
    -o, --output FMT    table (default) or json (the API's response body).

EXIT STATUS
    0 on a successful query (even with an empty result) or when every test
    eval passes; 1 when the query fails or a test eval fails; 2 on bad
    usage.
)";

namespace {

int64_t NowMs() { return Clock::Real()->NowUnixNanos() / 1'000'000; }

std::string FormatTime(int64_t ms) {
  time_t secs = static_cast<time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  if (ms % 1000 != 0) {
    char frac[8];
    std::snprintf(
        frac, sizeof(frac), ".%03lld",
        static_cast<long long>(ms % 1000 < 0 ? -(ms % 1000) : ms % 1000));
    out += frac;
  }
  return out + "Z";
}

std::string LabelsText(const nlohmann::json& metric) {
  std::string name;
  std::string rest;
  for (auto it = metric.begin(); it != metric.end(); ++it) {
    std::string v = it.value().is_string() ? it.value().get<std::string>() : "";
    if (it.key() == "__name__") {
      name = v;
      continue;
    }
    if (!rest.empty()) rest += ", ";
    rest += it.key() + "=\"" + v + "\"";
  }
  return name + "{" + rest + "}";
}

int64_t JsonTimeMs(const nlohmann::json& t) {
  return static_cast<int64_t>(std::llround(t.get<double>() * 1000));
}

// Prints the API's response `body` as a table; returns the exit code.
int PrintTable(const nlohmann::json& body) {
  const nlohmann::json& data = body["data"];
  const std::string type = data.value("resultType", "");
  const nlohmann::json& result = data["result"];
  if (type == "scalar" || type == "string") {
    std::printf("%s\n", result[1].get<std::string>().c_str());
  } else if (type == "vector") {
    size_t width = 6;
    std::vector<std::string> names;
    for (const auto& s : result) {
      names.push_back(LabelsText(s["metric"]));
      width = std::max(width, names.back().size());
    }
    std::printf("%-*s  %s\n", static_cast<int>(width), "SERIES", "VALUE");
    for (size_t i = 0; i < result.size(); ++i) {
      std::printf("%-*s  %s\n", static_cast<int>(width), names[i].c_str(),
                  result[i]["value"][1].get<std::string>().c_str());
    }
    if (result.empty()) std::printf("(no series)\n");
  } else if (type == "matrix") {
    for (const auto& s : result) {
      std::printf("%s\n", LabelsText(s["metric"]).c_str());
      for (const auto& p : s["values"]) {
        std::printf("  %s  %s\n", FormatTime(JsonTimeMs(p[0])).c_str(),
                    p[1].get<std::string>().c_str());
      }
    }
    if (result.empty()) std::printf("(no series)\n");
  }
  if (body.contains("warnings")) {
    for (const auto& w : body["warnings"]) {
      std::fprintf(stderr, "warning: %s\n", w.get<std::string>().c_str());
    }
  }
  return kExitOk;
}

int RunScripts(const std::vector<std::string>& files) {
  promql::Engine engine;
  int passed = 0;
  int failed = 0;
  for (const std::string& f : files) {
    std::string text;
    Status read = Env::Default()->ReadFile(f, &text);
    if (!read.ok()) {
      std::fprintf(stderr, "tend query test: %s\n", read.message().c_str());
      ++failed;
      continue;
    }
    auto r = promql::RunTestScript(text, f, engine);
    if (!r.ok()) {
      std::fprintf(stderr, "tend query test: %s\n",
                   r.status().message().c_str());
      ++failed;
      continue;
    }
    for (const std::string& msg : r->failures) {
      std::printf("FAIL %s\n", msg.c_str());
    }
    passed += r->passed;
    failed += r->failed;
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? kExitOk : kExitFailure;
}

}  // namespace

int RunQuery(const ParsedFlags& flags) {
  if (flags.positional.empty()) {
    std::fprintf(stderr,
                 "tend query: missing the expression (see tend query "
                 "--help)\n");
    return kExitUsage;
  }
  if (flags.positional[0] == "test" && flags.positional.size() > 1) {
    return RunScripts(std::vector<std::string>(flags.positional.begin() + 1,
                                               flags.positional.end()));
  }
  if (flags.positional.size() > 1) {
    std::fprintf(stderr,
                 "tend query: one expression expected, got %zu arguments "
                 "(quote the expression)\n",
                 flags.positional.size());
    return kExitUsage;
  }
  const std::string output = flags.Get("output", "table");
  if (output != "table" && output != "json") {
    std::fprintf(stderr, "tend query: -o: want table or json, got \"%s\"\n",
                 output.c_str());
    return kExitUsage;
  }
  const int64_t now = NowMs();
  LocalQuery q;
  q.expr = flags.positional[0];
  q.range = flags.Has("start");
  for (const char* name : {"time", "start", "end"}) {
    if (!flags.Has(name)) continue;
    auto t = ParseCliTime(flags.Get(name), now);
    if (!t.ok()) {
      std::fprintf(stderr, "tend query: --%s: %s\n", name,
                   t.status().message().c_str());
      return kExitUsage;
    }
    (name[0] == 't' ? q.time : name[0] == 's' ? q.start : q.end) = *t;
  }
  if (!flags.Has("time")) q.time = now;
  if (!flags.Has("end")) q.end = now;
  if (!q.range && (flags.Has("end") || flags.Has("step"))) {
    std::fprintf(stderr, "tend query: --end and --step need --start\n");
    return kExitUsage;
  }
  if (q.range) {
    if (q.end < q.start) {
      std::fprintf(stderr, "tend query: --end is before --start\n");
      return kExitUsage;
    }
    q.step = std::max<int64_t>(1000, (q.end - q.start) / 60);
    if (flags.Has("step")) {
      auto d = ParseApiDuration(flags.Get("step"));
      if (!d.ok() || *d <= 0) {
        std::fprintf(stderr,
                     "tend query: --step: want a positive duration, got "
                     "\"%s\"\n",
                     flags.Get("step").c_str());
        return kExitUsage;
      }
      q.step = *d;
    }
  }

  // Who answers: the agent owning the data dir, or the store itself.
  std::string body;
  const std::string dir = DataDirFlag(flags);
  // --listen names the agent outright; otherwise the lock tells who answers.
  Result<std::string> local =
      flags.Has("listen")
          ? Result<std::string>(FailedPreconditionError("agent named"))
          : RunLocalQuery(flags, dir, q);
  if (local.ok()) {
    body = std::move(*local);
  } else if (local.status().code() != StatusCode::kFailedPrecondition) {
    // The store could not be opened (missing, damaged).
    std::fprintf(stderr, "tend query: %s\n", local.status().message().c_str());
    return kExitFailure;
  } else {
    // An agent holds the lock: ask it.
    HttpClientRequest req;
    req.method = "POST";
    req.address = AgentAddress(flags);
    req.path = q.range ? "/api/v1/query_range" : "/api/v1/query";
    req.body = "query=" + UrlEncode(q.expr);
    auto ms = [](int64_t t) {
      return std::to_string(t / 1000) + "." +
             std::to_string(1000 + (t % 1000 + 1000) % 1000).substr(1);
    };
    if (q.range) {
      req.body += "&start=" + ms(q.start) + "&end=" + ms(q.end) +
                  "&step=" + std::to_string(q.step / 1000.0);
    } else {
      req.body += "&time=" + ms(q.time);
    }
    req.timeout_ms = 130000;
    auto res = HttpFetch(req);
    if (!res.ok()) {
      std::fprintf(stderr,
                   "tend query: the agent owning %s did not answer at %s: "
                   "%s\n",
                   dir.c_str(), req.address.c_str(),
                   res.status().message().c_str());
      return kExitFailure;
    }
    body = std::move(res->body);
  }
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    std::fprintf(stderr, "tend query: the answer is not JSON: %.200s\n",
                 body.c_str());
    return kExitFailure;
  }
  if (j.value("status", "") != "success") {
    if (output == "json") {
      std::printf("%s\n", body.c_str());
    } else {
      std::fprintf(stderr, "tend query: %s: %s\n",
                   j.value("errorType", "error").c_str(),
                   j.value("error", "").c_str());
    }
    return kExitFailure;
  }
  if (output == "json") {
    std::printf("%s\n", body.c_str());
    return kExitOk;
  }
  return PrintTable(j);
}

}  // namespace tend
