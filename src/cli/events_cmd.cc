// tend events: what tend noticed and did, from the state database.
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "api/events_api.h"
#include "base/clock.h"
#include "cli/agent_access.h"
#include "cli/commands.h"

namespace tend {

const std::string_view kEventsHelp = R"(NAME
    tend events - what tend noticed and did

SYNOPSIS
    tend events [--since D|T] [--kind K[,K...]] [--subject S] [--limit N]
                [-o text|json]

DESCRIPTION
    Prints events oldest first: alerts (pending, firing, resolved),
    notifications (sent, retry, failed), remedies (ok, failed, escalated,
    dry_run), probes, silences and supervised processes, each with its
    outcome and a one-line message.

    --since takes a duration back from now (1h, 2d; default 24h) or a time
    (Unix seconds, RFC 3339). --kind keeps only the given kinds; --subject
    one alert, receiver, remedy or probe; --limit the newest N (default
    1000).

    Through the agent that owns --data-dir when one runs, otherwise from
    DIR/state.db directly.

EXIT STATUS
    0 printed; 1 the events could not be read; 2 bad flags.
)";

int RunEvents(const ParsedFlags& flags) {
  if (!flags.positional.empty()) {
    fprintf(stderr, "tend events: unexpected argument \"%s\"\n",
            flags.positional[0].c_str());
    return kExitUsage;
  }
  const std::string output = flags.Has("output") ? flags.Get("output") : "text";
  if (output != "text" && output != "json") {
    fprintf(stderr, "tend events: -o wants text or json, got \"%s\"\n",
            output.c_str());
    return kExitUsage;
  }
  Params params;
  params.emplace_back("since", flags.Has("since") ? flags.Get("since") : "24h");
  if (flags.Has("kind")) params.emplace_back("kind", flags.Get("kind"));
  if (flags.Has("subject"))
    params.emplace_back("subject", flags.Get("subject"));
  if (flags.Has("limit")) params.emplace_back("limit", flags.Get("limit"));

  const std::string path = DataDirFlag(flags) + "/state.db";
  Result<ApiAnswer> answer = AskAgentOrLocal(
      flags, "GET", "/api/v1/events", params, "",
      [&path](const HttpRequest& req, HttpResponse* res) -> Status {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec)) {
          return NotFoundError("no state database at " + path +
                               " (nothing has happened yet, or --data-dir "
                               "points elsewhere)");
        }
        ASSIGN_OR_RETURN(std::unique_ptr<state::StateDb> db,
                         state::StateDb::Open(path));
        EventsApi(db.get(), Clock::Real()).Events(req, res);
        return Status::Ok();
      });
  if (!answer.ok()) {
    fprintf(stderr, "tend events: %s\n", answer.status().message().c_str());
    return kExitFailure;
  }
  nlohmann::json j = nlohmann::json::parse(answer->body, nullptr, false);
  if (j.is_discarded() || answer->status != 200) {
    std::string err = j.is_object() && j.contains("error")
                          ? j["error"].get<std::string>()
                          : answer->body;
    fprintf(stderr, "tend events: %s\n", err.c_str());
    return answer->status == 400 ? kExitUsage : kExitFailure;
  }
  if (output == "json") {
    printf("%s\n", j["data"].dump(2).c_str());
    return kExitOk;
  }
  for (const auto& e : j["data"]) {
    printf("%s  %-12s %-10s %-20s %s\n", e["time"].get<std::string>().c_str(),
           e["kind"].get<std::string>().c_str(),
           e["outcome"].get<std::string>().c_str(),
           e["subject"].get<std::string>().c_str(),
           e["message"].get<std::string>().c_str());
  }
  return kExitOk;
}

}  // namespace tend
