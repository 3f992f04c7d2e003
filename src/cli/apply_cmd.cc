// tend apply: runs Ansible playbooks.
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "automate/backup/backup_record.h"
#include "automate/inventory/inventory.h"
#include "automate/modules/args.h"
#include "automate/playbook/loader.h"
#include "automate/run/executor.h"
#include "automate/run/text_output.h"
#include "automate/transport/ssh_connection.h"
#include "automate/yaml_value.h"
#include "base/clock.h"
#include "cli/commands.h"
#include "state/state_db.h"

namespace tend {

const std::string_view kApplyHelp = R"(NAME
    tend apply - run an Ansible playbook

SYNOPSIS
    tend apply PLAYBOOK.yml [-i INVENTORY] [--limit PATTERN] [--tags T,...]
               [--skip-tags T,...] [--check] [--diff] [-e VARS]...
               [--forks N] [-o text|json] [--syntax-check]
               [--host-key-checking strict|accept-new|off]

DESCRIPTION
    Runs the plays of PLAYBOOK.yml, written in Ansible's syntax, against
    the hosts of INVENTORY (an INI or YAML inventory file, a directory of
    them, or a comma-separated host list such as "web1,web2,"; default:
    the implicit localhost). Modules run in tend itself and reach hosts
    locally or over SSH; nothing is installed on them.

    --check     predict what would change and change nothing
    --diff      print unified diffs of what changes (or would)
    --limit     further limit the hosts with an Ansible host pattern
    --tags, --skip-tags
                run only tasks with (without) these tags
    -e VARS     extra variables, highest precedence: "k=v k2=v2", a JSON or
                YAML mapping, or @FILE; may be given several times
    --forks N   hosts worked on at once (default 50)
    -o json     one JSON report at the end instead of the text lines
    --syntax-check
                load the playbook and inventory, report problems, run nothing
    --host-key-checking MODE
                for SSH hosts: strict (the key must be in ~/.ssh/known_hosts;
                the default), accept-new (record unknown hosts' keys), off;
                a host's ansible_host_key_checking variable still wins.
                Default from TEND_HOST_KEY_CHECKING, else strict

    Every run is recorded as an "apply" event in DIR/state.db when the data
    dir (--data-dir, default ./tend-data) exists: who, which playbook, when,
    and the outcome per host (see `tend events --kind apply`). Each result
    of the backup module is recorded too, as a "backup" event (archive,
    size, files, pruned, verified; `tend events --kind backup`).

EXIT STATUS
    0 every host ok; 1 a host failed or was unreachable, or the run could
    not start; 2 bad flags, or a playbook or inventory that does not load
    (the message says file:line:column).
)";

namespace {

using automate::Value;

Result<Value> ParseExtraVars(const std::string& text) {
  if (text.empty()) return Value::object();
  if (text[0] == '@') {
    ASSIGN_OR_RETURN(auto doc, automate::LoadYamlFile(text.substr(1)));
    if (!doc->value().is_object()) {
      return InvalidArgumentError(text.substr(1) +
                                  ": extra vars must be a mapping");
    }
    return doc->value();
  }
  if (text[0] == '{' || text[0] == '[') {
    ASSIGN_OR_RETURN(auto doc, automate::ParseYaml(text, "-e"));
    if (!doc->value().is_object()) {
      return InvalidArgumentError("-e: extra vars must be a mapping");
    }
    return doc->value();
  }
  return automate::ParseKeyValueArgs(text, false, nullptr);
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t c = s.find(',', start);
    std::string part = s.substr(start, c == std::string::npos ? c : c - start);
    if (!part.empty()) out.push_back(part);
    if (c == std::string::npos) break;
    start = c + 1;
  }
  return out;
}

std::string WhoRuns() {
  if (const char* s = getenv("SUDO_USER"); s != nullptr && *s != '\0') {
    return s;
  }
  if (struct passwd* pw = getpwuid(getuid())) return pw->pw_name;
  return std::to_string(getuid());
}

void Record(const ParsedFlags& flags, const std::string& playbook,
            const std::string& inventory, bool check,
            const automate::RunSummary& sum, int64_t started_ms,
            int64_t duration_ms, const std::vector<state::Event>& backups) {
  const std::string dir = DataDirFlag(flags);
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return;
  auto db = state::StateDb::Open(dir + "/state.db");
  if (!db.ok()) {
    fprintf(stderr, "tend apply: not recorded: %s\n",
            db.status().message().c_str());
    return;
  }
  nlohmann::json stats = nlohmann::json::object();
  int ok = 0, changed = 0, failed = 0;
  for (const auto& [host, s] : sum.stats) {
    stats[host] = {{"ok", s.ok},
                   {"changed", s.changed},
                   {"unreachable", s.unreachable},
                   {"failed", s.failed},
                   {"skipped", s.skipped},
                   {"rescued", s.rescued},
                   {"ignored", s.ignored}};
    ok += s.ok;
    changed += s.changed;
    failed += s.failed + s.unreachable;
  }
  nlohmann::json details = {
      {"user", WhoRuns()},           {"playbook", playbook},
      {"inventory", inventory},      {"check", check},
      {"limit", flags.Get("limit")}, {"tags", flags.Get("tags")},
      {"duration_ms", duration_ms},  {"hosts", stats}};
  state::Event e;
  e.time_ms = started_ms;
  e.kind = "apply";
  e.subject = playbook;
  e.outcome = sum.failed ? "failed" : check ? "checked" : "ok";
  e.message = std::to_string(sum.stats.size()) +
              " hosts: ok=" + std::to_string(ok) +
              " changed=" + std::to_string(changed) +
              " failed=" + std::to_string(failed) + " (by " + WhoRuns() + ")";
  e.details_json = details.dump();
  auto id = (*db)->AppendEvent(e);
  if (!id.ok()) {
    fprintf(stderr, "tend apply: not recorded: %s\n",
            id.status().message().c_str());
  }
  for (const state::Event& b : backups) {
    auto bid = (*db)->AppendEvent(b);
    if (!bid.ok()) {
      fprintf(stderr, "tend apply: backup not recorded: %s\n",
              bid.status().message().c_str());
    }
  }
}

}  // namespace

int RunApply(const ParsedFlags& flags) {
  if (flags.positional.size() != 1) {
    fprintf(stderr,
            "tend apply: give one playbook (tend apply PLAYBOOK.yml)\n");
    return kExitUsage;
  }
  const std::string playbook = flags.positional[0];
  const std::string output = flags.Get("output", "text");
  if (output != "text" && output != "json") {
    fprintf(stderr, "tend apply: -o wants text or json, got \"%s\"\n",
            output.c_str());
    return kExitUsage;
  }
  automate::ApplyOptions opts;
  opts.check = flags.Has("check");
  opts.diff = flags.Has("diff");
  opts.limit = flags.Get("limit");
  opts.tags = SplitComma(flags.Get("tags"));
  opts.skip_tags = SplitComma(flags.Get("skip-tags"));
  if (flags.Has("forks")) {
    const std::string forks = flags.Get("forks");
    char* end = nullptr;
    long n = strtol(forks.c_str(), &end, 10);
    if (forks.empty() || *end != '\0' || n < 1 || n > 10000) {
      fprintf(stderr, "tend apply: --forks wants a number from 1 to 10000\n");
      return kExitUsage;
    }
    opts.forks = static_cast<int>(n);
  }
  if (flags.Has("host-key-checking")) {
    auto mode = automate::ParseHostKeyChecking(flags.Get("host-key-checking"));
    if (!mode.ok()) {
      fprintf(stderr, "tend apply: --host-key-checking: %s\n",
              mode.status().message().c_str());
      return kExitUsage;
    }
    // The flag stands in for the host variable where a host has none.
    const std::string name(automate::HostKeyCheckingName(*mode));
    opts.connect = [name](const std::string& host, const Value& vars) {
      if (vars.contains("ansible_host_key_checking") ||
          vars.contains("ansible_ssh_host_key_checking")) {
        return automate::DefaultConnect(host, vars);
      }
      Value with = vars;
      with["ansible_host_key_checking"] = name;
      return automate::DefaultConnect(host, with);
    };
  }
  for (const std::string& e : flags.GetAll("extra-vars")) {
    auto vars = ParseExtraVars(e);
    if (!vars.ok()) {
      fprintf(stderr, "tend apply: -e %s: %s\n", e.c_str(),
              vars.status().message().c_str());
      return kExitUsage;
    }
    for (auto it = vars->begin(); it != vars->end(); ++it) {
      opts.extra_vars[it.key()] = *it;
    }
  }
  auto pb = automate::LoadPlaybook(playbook);
  if (!pb.ok()) {
    fprintf(stderr, "tend apply: %s\n", pb.status().message().c_str());
    return kExitUsage;
  }
  const std::string inv_source = flags.Get("inventory", "localhost,");
  auto inv = automate::LoadInventory(inv_source);
  if (!inv.ok()) {
    fprintf(stderr, "tend apply: %s\n", inv.status().message().c_str());
    return kExitUsage;
  }
  if (flags.Has("syntax-check")) {
    printf("\nplaybook: %s\n", playbook.c_str());
    return kExitOk;
  }
  automate::TextOutput text(stdout);
  automate::JsonOutput json(stdout);
  // Passes everything on to the output and keeps a "backup" event for
  // each result of the backup module.
  automate::backup::BackupRecorder backups(
      output == "json" ? static_cast<automate::RunObserver*>(&json) : &text,
      opts.check);
  opts.observer = &backups;
  const int64_t started_ms = Clock::Real()->NowUnixNanos() / 1000000;
  const auto t0 = std::chrono::steady_clock::now();
  auto sum = automate::RunPlaybook(**pb, **inv, opts);
  const int64_t took_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - t0)
                              .count();
  if (!sum.ok()) {
    fprintf(stderr, "tend apply: %s\n", sum.status().message().c_str());
    return kExitFailure;
  }
  Record(flags, playbook, inv_source, opts.check, *sum, started_ms, took_ms,
         backups.TakeEvents());
  return sum->failed ? kExitFailure : kExitOk;
}

}  // namespace tend
