// tend probes: the configured probes and their latest results, from the
// running agent.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "http/client.h"

namespace tend {

const std::string_view kProbesHelp = R"(NAME
    tend probes - the service checks and their latest results

SYNOPSIS
    tend probes [-o text|json]

DESCRIPTION
    Lists every probe of the running agent (docs/probes.md): its name,
    type, health (up, down or unknown before its first run), how many
    failures in a row, the last run's duration and, when it failed, why.

EXIT STATUS
    0 every probe is up; 1 a probe is down or the agent did not answer;
    2 bad flags.
)";

int RunProbes(const ParsedFlags& flags) {
  const std::string output = flags.Has("output") ? flags.Get("output") : "text";
  if (output != "text" && output != "json") {
    fprintf(stderr, "tend probes: -o wants text or json, got \"%s\"\n",
            output.c_str());
    return kExitUsage;
  }
  HttpClientRequest req;
  req.address = AgentAddress(flags);
  req.path = "/api/v1/probes";
  Result<HttpClientResponse> res = HttpFetch(req);
  if (!res.ok()) {
    fprintf(stderr,
            "tend probes: no agent answered at %s (%s); probes run inside "
            "`tend agent`\n",
            req.address.c_str(), res.status().message().c_str());
    return kExitFailure;
  }
  nlohmann::json j = nlohmann::json::parse(res->body, nullptr, false);
  if (res->status != 200 || j.is_discarded() || !j.contains("data")) {
    fprintf(stderr, "tend probes: unexpected answer (HTTP %d): %s\n",
            res->status, res->body.c_str());
    return kExitFailure;
  }
  bool all_up = true;
  for (const auto& p : j["data"]) {
    if (p["health"] != "up") all_up = false;
  }
  if (output == "json") {
    printf("%s\n", j["data"].dump(2).c_str());
    return all_up ? kExitOk : kExitFailure;
  }
  printf("%-20s %-8s %-8s %5s %10s  %s\n", "NAME", "TYPE", "HEALTH", "FAILS",
         "DURATION", "TARGET / ERROR");
  for (const auto& p : j["data"]) {
    std::string duration = "-";
    if (p["last_duration_seconds"].is_number()) {
      char buf[32];
      snprintf(buf, sizeof(buf), "%.1fms",
               p["last_duration_seconds"].get<double>() * 1000);
      duration = buf;
    }
    std::string detail = p["last_error"].get<std::string>();
    if (detail.empty()) detail = p["target"].get<std::string>();
    printf("%-20s %-8s %-8s %5lld %10s  %s\n",
           p["name"].get<std::string>().c_str(),
           p["type"].get<std::string>().c_str(),
           p["health"].get<std::string>().c_str(),
           static_cast<long long>(p["consecutive_failures"].get<int64_t>()),
           duration.c_str(), detail.c_str());
  }
  return all_up ? kExitOk : kExitFailure;
}

}  // namespace tend
