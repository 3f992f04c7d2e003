// tend alerts: the firing and pending alerts of the running agent.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "api/prom_params.h"
#include "base/clock.h"
#include "cli/commands.h"
#include "http/client.h"

namespace tend {

const std::string_view kAlertsHelp = R"(NAME
    tend alerts - firing and pending alerts

SYNOPSIS
    tend alerts [-o text|json]

DESCRIPTION
    Lists the alerts of the running agent's rules, firing first: state,
    name, for how long, the labels and the summary annotation.

EXIT STATUS
    0 none firing; 1 an alert fires or the agent did not answer; 2 bad
    flags.
)";

namespace {

std::string Age(int64_t ms) {
  int64_t s = ms / 1000;
  char buf[32];
  if (s < 60) {
    snprintf(buf, sizeof(buf), "%llds", static_cast<long long>(s));
  } else if (s < 3600) {
    snprintf(buf, sizeof(buf), "%lldm%llds", static_cast<long long>(s / 60),
             static_cast<long long>(s % 60));
  } else if (s < 86400) {
    snprintf(buf, sizeof(buf), "%lldh%lldm", static_cast<long long>(s / 3600),
             static_cast<long long>(s % 3600 / 60));
  } else {
    snprintf(buf, sizeof(buf), "%lldd%lldh", static_cast<long long>(s / 86400),
             static_cast<long long>(s % 86400 / 3600));
  }
  return buf;
}

}  // namespace

int RunAlerts(const ParsedFlags& flags) {
  const std::string output = flags.Has("output") ? flags.Get("output") : "text";
  if (output != "text" && output != "json") {
    fprintf(stderr, "tend alerts: -o wants text or json, got \"%s\"\n",
            output.c_str());
    return kExitUsage;
  }
  HttpClientRequest req;
  req.address = AgentAddress(flags);
  req.path = "/api/v1/alerts";
  Result<HttpClientResponse> res = HttpFetch(req);
  if (!res.ok()) {
    fprintf(stderr,
            "tend alerts: no agent answered at %s (%s); rules run inside "
            "`tend agent`\n",
            req.address.c_str(), res.status().message().c_str());
    return kExitFailure;
  }
  nlohmann::json j = nlohmann::json::parse(res->body, nullptr, false);
  if (res->status != 200 || j.is_discarded() || !j.contains("data")) {
    fprintf(stderr, "tend alerts: unexpected answer (HTTP %d): %s\n",
            res->status, res->body.c_str());
    return kExitFailure;
  }
  nlohmann::json alerts = j["data"]["alerts"];
  std::stable_sort(alerts.begin(), alerts.end(),
                   [](const nlohmann::json& a, const nlohmann::json& b) {
                     return a["state"] == "firing" && b["state"] != "firing";
                   });
  bool firing = false;
  for (const auto& a : alerts) firing |= a["state"] == "firing";
  if (output == "json") {
    printf("%s\n", alerts.dump(2).c_str());
    return firing ? kExitFailure : kExitOk;
  }
  if (alerts.empty()) {
    printf("no alerts\n");
    return kExitOk;
  }
  const int64_t now = Clock::Real()->NowUnixNanos() / 1'000'000;
  printf("%-8s %-28s %8s  %s\n", "STATE", "ALERT", "FOR", "LABELS / SUMMARY");
  for (const auto& a : alerts) {
    std::string labels;
    for (const auto& [k, v] : a["labels"].items()) {
      if (k == "alertname") continue;
      if (!labels.empty()) labels += ", ";
      labels += k + "=" + v.get<std::string>();
    }
    Result<int64_t> active = ParseApiTime(a.value("activeAt", ""));
    std::string age = active.ok() ? Age(now - *active) : "-";
    printf("%-8s %-28s %8s  {%s}\n", a["state"].get<std::string>().c_str(),
           a["labels"].value("alertname", "").c_str(), age.c_str(),
           labels.c_str());
    std::string summary = a["annotations"].value("summary", "");
    if (!summary.empty()) printf("%48s%s\n", "", summary.c_str());
  }
  return firing ? kExitFailure : kExitOk;
}

}  // namespace tend
