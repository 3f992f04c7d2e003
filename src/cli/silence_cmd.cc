// tend silence: add, list and expire silences (Alertmanager's semantics),
// through the agent's /api/v2/silences or, with no agent running, in the
// data dir's state database.
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "alert/engine/api_json.h"
#include "alert/engine/silences.h"
#include "api/prom_params.h"
#include "api/silences_api.h"
#include "base/clock.h"
#include "cli/agent_access.h"
#include "cli/commands.h"

namespace tend {

const std::string_view kSilenceHelp = R"(NAME
    tend silence - mute alerts for a while

SYNOPSIS
    tend silence add MATCHER... [--duration D | --end T] --comment TEXT
                     [--author NAME]
    tend silence ls [-o text|json]
    tend silence expire ID

DESCRIPTION
    A silence mutes the notifications of every alert its matchers select
    (alertname="HostDown", instance=~"web-.*", severity!="info") from now
    (or --start) until --end or for --duration (default 1h). Muted alerts
    still show in `tend alerts`; remedies still run. Silences have
    Alertmanager's semantics and API (/api/v2/silences), so amtool works
    against tend too.

    add prints the new silence's id; ls lists every silence with its state
    (active, pending, expired); expire ends one now.

    Through the agent that owns --data-dir when one runs, otherwise in
    DIR/state.db directly.

EXIT STATUS
    0 done; 1 refused or failed; 2 bad arguments.
)";

namespace {

std::string CurrentUser() {
  struct passwd* pw = getpwuid(getuid());
  return pw != nullptr ? pw->pw_name : "unknown";
}

Result<ApiAnswer> Ask(const ParsedFlags& flags, const std::string& method,
                      const std::string& path, const std::string& body) {
  const std::string db_path = DataDirFlag(flags) + "/state.db";
  return AskAgentOrLocal(
      flags, method, path, {}, body,
      [&](const HttpRequest& req, HttpResponse* res) -> Status {
        std::error_code ec;
        if (method == "GET" && !std::filesystem::exists(db_path, ec)) {
          res->status = 200;
          res->body = "[]";
          return Status::Ok();
        }
        std::filesystem::create_directories(DataDirFlag(flags), ec);
        ASSIGN_OR_RETURN(std::unique_ptr<state::StateDb> db,
                         state::StateDb::Open(db_path));
        ASSIGN_OR_RETURN(std::unique_ptr<alert::Silences> silences,
                         alert::Silences::Open(db.get()));
        SilencesApi api(silences.get(), Clock::Real());
        if (method == "GET") {
          api.List(req, res);
        } else if (method == "POST") {
          api.Post(req, res);
        } else {
          api.Expire(req, res);
        }
        return Status::Ok();
      });
}

std::string ErrorText(const ApiAnswer& a) {
  nlohmann::json j = nlohmann::json::parse(a.body, nullptr, false);
  if (j.is_string()) return j.get<std::string>();
  return a.body;
}

int Add(const ParsedFlags& flags) {
  if (flags.positional.size() < 2) {
    fprintf(stderr,
            "tend silence add: name at least one matcher, like "
            "alertname=\"HostDown\"\n");
    return kExitUsage;
  }
  if (!flags.Has("comment")) {
    fprintf(stderr, "tend silence add: --comment is required (say why)\n");
    return kExitUsage;
  }
  const int64_t now = Clock::Real()->NowUnixNanos() / 1'000'000;
  int64_t start = now;
  if (flags.Has("start")) {
    Result<int64_t> t = ParseCliTime(flags.Get("start"), now);
    if (!t.ok()) {
      fprintf(stderr, "tend silence add: --start: %s\n",
              t.status().message().c_str());
      return kExitUsage;
    }
    start = *t;
  }
  int64_t end = 0;
  if (flags.Has("end")) {
    Result<int64_t> t = ParseCliTime(flags.Get("end"), now);
    if (!t.ok()) {
      fprintf(stderr, "tend silence add: --end: %s\n",
              t.status().message().c_str());
      return kExitUsage;
    }
    end = *t;
  } else {
    Result<int64_t> d =
        ParseApiDuration(flags.Has("duration") ? flags.Get("duration") : "1h");
    if (!d.ok()) {
      fprintf(stderr, "tend silence add: --duration: %s\n",
              d.status().message().c_str());
      return kExitUsage;
    }
    end = start + *d;
  }
  nlohmann::json matchers = nlohmann::json::array();
  for (size_t i = 1; i < flags.positional.size(); ++i) {
    Result<LabelMatcher> m = alert::ParseSilenceMatcher(flags.positional[i]);
    if (!m.ok()) {
      fprintf(stderr, "tend silence add: %s\n", m.status().message().c_str());
      return kExitUsage;
    }
    const bool regex = m->type() == LabelMatcher::Type::kRegexMatch ||
                       m->type() == LabelMatcher::Type::kRegexNoMatch;
    const bool equal = m->type() == LabelMatcher::Type::kEqual ||
                       m->type() == LabelMatcher::Type::kRegexMatch;
    matchers.push_back({{"name", m->name()},
                        {"value", m->value()},
                        {"isRegex", regex},
                        {"isEqual", equal}});
  }
  nlohmann::json body = {
      {"matchers", matchers},
      {"startsAt", alert::FormatApiTime(start)},
      {"endsAt", alert::FormatApiTime(end)},
      {"createdBy", flags.Has("author") ? flags.Get("author") : CurrentUser()},
      {"comment", flags.Get("comment")}};
  Result<ApiAnswer> a = Ask(flags, "POST", "/api/v2/silences", body.dump());
  if (!a.ok()) {
    fprintf(stderr, "tend silence add: %s\n", a.status().message().c_str());
    return kExitFailure;
  }
  nlohmann::json j = nlohmann::json::parse(a->body, nullptr, false);
  if (a->status != 200 || !j.is_object() || !j.contains("silenceID")) {
    fprintf(stderr, "tend silence add: %s\n", ErrorText(*a).c_str());
    return kExitFailure;
  }
  printf("%s\n", j["silenceID"].get<std::string>().c_str());
  return kExitOk;
}

int List(const ParsedFlags& flags) {
  const std::string output = flags.Has("output") ? flags.Get("output") : "text";
  Result<ApiAnswer> a = Ask(flags, "GET", "/api/v2/silences", "");
  if (!a.ok()) {
    fprintf(stderr, "tend silence ls: %s\n", a.status().message().c_str());
    return kExitFailure;
  }
  nlohmann::json j = nlohmann::json::parse(a->body, nullptr, false);
  if (a->status != 200 || !j.is_array()) {
    fprintf(stderr, "tend silence ls: %s\n", ErrorText(*a).c_str());
    return kExitFailure;
  }
  if (output == "json") {
    printf("%s\n", j.dump(2).c_str());
    return kExitOk;
  }
  printf("%-36s %-8s %-19s %-19s %-10s %s\n", "ID", "STATE", "STARTS", "ENDS",
         "AUTHOR", "MATCHERS  # COMMENT");
  for (const auto& s : j) {
    std::string matchers;
    for (const auto& m : s["matchers"]) {
      if (!matchers.empty()) matchers += ", ";
      const bool regex = m.value("isRegex", false);
      const bool equal = m.value("isEqual", true);
      matchers += m["name"].get<std::string>() +
                  (regex ? (equal ? "=~" : "!~") : (equal ? "=" : "!=")) +
                  nlohmann::json(m["value"]).dump();
    }
    auto when = [](const nlohmann::json& t) {
      std::string text = t.get<std::string>().substr(0, 19);
      if (text.size() > 10) text[10] = ' ';
      return text;
    };
    printf("%-36s %-8s %-19s %-19s %-10s %s  # %s\n",
           s["id"].get<std::string>().c_str(),
           s["status"]["state"].get<std::string>().c_str(),
           when(s["startsAt"]).c_str(), when(s["endsAt"]).c_str(),
           s["createdBy"].get<std::string>().c_str(), matchers.c_str(),
           s["comment"].get<std::string>().c_str());
  }
  return kExitOk;
}

int Expire(const ParsedFlags& flags) {
  if (flags.positional.size() != 2) {
    fprintf(stderr, "tend silence expire: name one silence id\n");
    return kExitUsage;
  }
  Result<ApiAnswer> a =
      Ask(flags, "DELETE", "/api/v2/silence/" + flags.positional[1], "");
  if (!a.ok()) {
    fprintf(stderr, "tend silence expire: %s\n", a.status().message().c_str());
    return kExitFailure;
  }
  if (a->status != 200) {
    fprintf(stderr, "tend silence expire: %s\n", ErrorText(*a).c_str());
    return kExitFailure;
  }
  printf("expired %s\n", flags.positional[1].c_str());
  return kExitOk;
}

}  // namespace

int RunSilence(const ParsedFlags& flags) {
  const std::string verb = flags.positional.empty() ? "" : flags.positional[0];
  if (verb == "add") return Add(flags);
  if (verb == "ls" || verb == "list") return List(flags);
  if (verb == "expire") return Expire(flags);
  fprintf(stderr, "tend silence: want add, ls or expire (see --help)\n");
  return kExitUsage;
}

}  // namespace tend
