#include <cmath>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "http/client.h"

namespace tend {

const std::string_view kStatusHelp = R"(NAME
    tend status - is the agent up, and how are its collectors and the host

SYNOPSIS
    tend status [--listen ADDR:PORT] [--data-dir DIR] [-o table|json]

DESCRIPTION
    Asks the running agent (GET /api/v1/status) and prints its version,
    uptime, configuration, each collector's last duration and errors, and a
    few key host figures (CPUs, load, memory, root filesystem).

    The agent is found at --listen if given, else through DIR/agent.json of
    the agent that owns --data-dir, else at agent.listen of --config, else
    at 127.0.0.1:9955.

OPTIONS
    --listen ADDR:PORT  Where the agent listens.
    -o, --output FMT    table (default) or json (the API's data object).

EXIT STATUS
    0 when the agent answers and every collector's last run succeeded;
    1 when the agent cannot be reached or a collector is failing;
    2 on bad usage.
)";

namespace {

std::string Duration(double secs) {
  long s = static_cast<long>(secs);
  char buf[64];
  if (s >= 86400) {
    std::snprintf(buf, sizeof(buf), "%ldd %ldh", s / 86400, (s % 86400) / 3600);
  } else if (s >= 3600) {
    std::snprintf(buf, sizeof(buf), "%ldh %ldm", s / 3600, (s % 3600) / 60);
  } else if (s >= 60) {
    std::snprintf(buf, sizeof(buf), "%ldm %lds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%.1fs", secs);
  }
  return buf;
}

std::string Millis(double secs) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f ms", secs * 1000);
  return buf;
}

double Num(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0;
}

std::string Str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

int RunStatus(const ParsedFlags& flags) {
  std::string output = flags.Get("output", "table");
  if (output != "table" && output != "json") {
    std::fprintf(stderr, "tend status: -o wants table or json, got \"%s\"\n",
                 output.c_str());
    return kExitUsage;
  }
  const std::string address = AgentAddress(flags);
  HttpClientRequest req;
  req.address = address;
  req.path = "/api/v1/status";
  Result<HttpClientResponse> res = HttpFetch(req);
  if (!res.ok()) {
    std::fprintf(stderr,
                 "tend status: no agent answering at %s (%s)\n"
                 "Start one with 'tend agent', or point --listen or "
                 "--data-dir at the running one.\n",
                 address.c_str(), res.status().message().c_str());
    return kExitFailure;
  }
  nlohmann::json j = nlohmann::json::parse(res->body, nullptr, false);
  if (res->status != 200 || j.is_discarded() || !j.contains("data")) {
    std::fprintf(stderr,
                 "tend status: unexpected answer from %s: HTTP %d: %.200s\n",
                 address.c_str(), res->status, res->body.c_str());
    return kExitFailure;
  }
  const nlohmann::json& d = j["data"];
  bool all_ok = true;
  for (const auto& c : d.value("collectors", nlohmann::json::array())) {
    if (c.value("runs", 0) > 0 && !c.value("last_ok", false)) all_ok = false;
  }
  if (output == "json") {
    std::printf("%s\n", d.dump(2).c_str());
    return all_ok ? kExitOk : kExitFailure;
  }

  std::printf("tend agent at %s: up\n", address.c_str());
  std::printf("  version     %s (revision %s), pid %d\n",
              Str(d, "version").c_str(), Str(d, "revision").c_str(),
              static_cast<int>(Num(d, "pid")));
  std::printf("  uptime      %s\n", Duration(Num(d, "uptime_seconds")).c_str());
  std::printf("  config      %s, %d reloads, %d rejected%s%s\n",
              Str(d, "config_file").c_str(),
              static_cast<int>(Num(d, "reloads")),
              static_cast<int>(Num(d, "reload_failures")),
              Str(d, "last_reload_error").empty() ? "" : ": ",
              Str(d, "last_reload_error").c_str());
  std::printf("  data dir    %s\n", Str(d, "data_dir").c_str());
  std::printf(
      "  collection  every %gs, %.0f cycles, %.0f dropped, last took %s, "
      "%.0f series\n",
      Num(d, "interval_seconds"), Num(d, "cycles"), Num(d, "dropped_cycles"),
      Millis(Num(d, "last_cycle_seconds")).c_str(), Num(d, "series"));

  std::printf("\n%-12s %-9s %8s %7s %10s  %s\n", "COLLECTOR", "INTERVAL",
              "RUNS", "ERRORS", "LAST", "STATUS");
  for (const auto& c : d.value("collectors", nlohmann::json::array())) {
    double interval = Num(c, "interval_seconds");
    char iv[16];
    if (interval > 0) {
      std::snprintf(iv, sizeof(iv), "%gs", interval);
    } else {
      std::snprintf(iv, sizeof(iv), "-");
    }
    std::string state = c.value("runs", 0) == 0 ? "not run yet"
                        : c.value("last_ok", false)
                            ? "ok"
                            : "error: " + Str(c, "last_error");
    std::printf("%-12s %-9s %8.0f %7.0f %10s  %s\n", Str(c, "name").c_str(), iv,
                Num(c, "runs"), Num(c, "errors"),
                Millis(Num(c, "last_duration_seconds")).c_str(), state.c_str());
  }
  if (d.contains("host")) {
    const nlohmann::json& h = d["host"];
    std::printf("\nHOST\n");
    std::printf("  cpus %.0f, load1 %.2f\n", Num(h, "cpus"), Num(h, "load1"));
    std::printf("  memory %s available of %s\n",
                HumanBytes(Num(h, "memory_available_bytes")).c_str(),
                HumanBytes(Num(h, "memory_total_bytes")).c_str());
    if (Num(h, "root_fs_size_bytes") > 0) {
      std::printf("  / %s available of %s\n",
                  HumanBytes(Num(h, "root_fs_avail_bytes")).c_str(),
                  HumanBytes(Num(h, "root_fs_size_bytes")).c_str());
    }
    double boot = Num(h, "boot_time_unix");
    if (boot > 0) {
      std::printf(
          "  up %s\n",
          Duration(static_cast<double>(std::time(nullptr)) - boot).c_str());
    }
  }
  return all_ok ? kExitOk : kExitFailure;
}

}  // namespace tend
