// tend deploy: the deploy module on this host, from the command line.
#include <cstdio>
#include <string>

#include "automate/deploy/deploy_module.h"
#include "automate/deploy/deploy_state.h"
#include "automate/deploy/deploy_steps.h"
#include "automate/modules/args.h"
#include "automate/transport/local_connection.h"
#include "base/clock.h"
#include "cli/commands.h"

namespace tend {

const std::string_view kDeployHelp = R"(NAME
    tend deploy - deploy a release on this host, roll back, list releases

SYNOPSIS
    tend deploy PATH [--release ID] (--src DIR|ARCHIVE | --repo URL
                [--version REV]) [--build CMD]... [--shared P]...
                [--before-switch CMD]... [--after-switch CMD]...
                [--restart CMD] [--health-http URL [--health-status N]
                [--health-body RE] | --health-tcp HOST:PORT |
                --health-exec CMD] [--health-timeout S] [--bake S]
                [--interval S] [--keep N] [--check] [-o text|json]
    tend deploy rollback PATH [--to ID] [--restart CMD] [--check]
    tend deploy list PATH [-o text|json]

DESCRIPTION
    Runs the deploy module (the same as a playbook's `deploy:` task) on the
    local host: PATH/releases/ID is made from --src (a directory or a tar
    archive) or --repo, --build commands run in it, --shared paths are
    linked to PATH/shared, then PATH/current is switched to it atomically.
    --restart runs after the switch; the health check must then pass and
    keep passing for --bake seconds (probed every --interval). If it fails,
    current goes back to the last release recorded healthy and the restart
    runs again. --keep N keeps that many releases (default 5). The release
    ID defaults to the UTC time, YYYYmmddHHMMSS.

    rollback switches current back to the last healthy release before it,
    or to --to ID. list prints the releases of PATH/.tend-deploy.json,
    oldest first, with their outcome; * marks the current one.

    See docs/automate-deploy.md.

EXIT STATUS
    0 done (or nothing to do); 1 the deploy failed (rolled back when it
    could) or PATH cannot be read; 2 bad flags.
)";

namespace {

using automate::Value;

int Usage(const std::string& msg) {
  std::fprintf(stderr, "tend deploy: %s (see tend deploy --help)\n",
               msg.c_str());
  return kExitUsage;
}

Result<double> Seconds(const ParsedFlags& flags, const char* name) {
  std::string v = flags.Get(name);
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || d < 0) {
    return InvalidArgumentError(std::string("--") + name +
                                " must be a number of seconds, got '" + v +
                                "'");
  }
  return d;
}

int PrintResult(const automate::ModuleResult& r, bool json) {
  if (json) {
    Value out = r.data;
    out["changed"] = r.changed;
    out["failed"] = r.failed;
    out["msg"] = r.msg;
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    const char* word = r.failed ? "failed" : r.changed ? "changed" : "ok";
    std::printf("%s: %s\n", word, r.msg.c_str());
  }
  return r.failed ? kExitFailure : kExitOk;
}

int RunModule(const Value& raw_args, bool check, bool json) {
  auto module = automate::deploy::NewDeployModule();
  auto args = automate::ValidateArgs(module->spec(), raw_args);
  if (!args.ok()) return Usage(args.status().message());
  auto conn = automate::NewLocalConnection("localhost");
  automate::IdResolver ids(conn.get());
  automate::ModuleContext ctx;
  ctx.conn = conn.get();
  ctx.ids = &ids;
  ctx.check_mode = check;
  ctx.clock = Clock::Real();
  auto r = module->Run(*args, ctx);
  if (!r.ok()) {
    std::fprintf(stderr, "tend deploy: %s\n", r.status().message().c_str());
    return kExitFailure;
  }
  return PrintResult(*r, json);
}

int List(const std::string& path, bool json) {
  auto conn = automate::NewLocalConnection("localhost");
  automate::deploy::Layout layout(path);
  auto state = automate::deploy::LoadState(conn.get(), layout, {});
  if (!state.ok()) {
    std::fprintf(stderr, "tend deploy: %s\n", state.status().message().c_str());
    return kExitFailure;
  }
  auto cur = automate::deploy::CurrentRelease(conn.get(), layout, {});
  std::string current = cur.ok() ? *cur : "";
  if (json) {
    Value out = {{"path", layout.base},
                 {"current", current},
                 {"releases", automate::deploy::ReleasesValue(*state)}};
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  if (state->releases.empty()) {
    std::printf("no releases recorded in %s\n", layout.state_file.c_str());
    return kExitOk;
  }
  std::printf("  %-20s %-12s %-25s %s\n", "RELEASE", "OUTCOME", "CREATED",
              "MESSAGE");
  for (const auto& r : state->releases) {
    std::printf("%c %-20s %-12s %-25s %s\n", r.id == current ? '*' : ' ',
                r.id.c_str(),
                std::string(automate::deploy::OutcomeName(r.outcome)).c_str(),
                r.created.c_str(), r.message.c_str());
  }
  return kExitOk;
}

}  // namespace

int RunDeploy(const ParsedFlags& flags) {
  const auto& pos = flags.positional;
  std::string out = flags.Get("output", "text");
  if (out != "text" && out != "json") {
    return Usage("-o must be text or json, got '" + out + "'");
  }
  bool json = out == "json";
  bool check = flags.Has("check");
  if (pos.empty()) return Usage("missing PATH");
  if (pos[0] == "list") {
    if (pos.size() != 2) return Usage("usage: tend deploy list PATH");
    return List(pos[1], json);
  }
  Value args = Value::object();
  if (flags.Has("restart")) args["restart"] = flags.Get("restart");
  if (pos[0] == "rollback") {
    if (pos.size() != 2) return Usage("usage: tend deploy rollback PATH");
    args["path"] = pos[1];
    args["state"] = "rolled_back";
    if (flags.Has("to")) args["rollback_to"] = flags.Get("to");
    return RunModule(args, check, json);
  }
  if (pos.size() != 1) return Usage("one PATH expected");
  args["path"] = pos[0];
  for (const char* name : {"release", "src", "repo", "version"}) {
    if (flags.Has(name)) args[name] = flags.Get(name);
  }
  if (flags.Has("keep")) args["keep_releases"] = flags.Get("keep");
  struct ListFlag {
    const char* flag;
    const char* param;
  };
  for (auto [flag, param] :
       {ListFlag{"build", "build"}, ListFlag{"shared", "shared"},
        ListFlag{"before-switch", "before_switch"},
        ListFlag{"after-switch", "after_switch"}}) {
    if (!flags.Has(flag)) continue;
    Value list = Value::array();
    for (const auto& v : flags.GetAll(flag)) list.push_back(v);
    args[param] = list;
  }
  Value health = Value::object();
  if (flags.Has("health-http")) health["http"] = flags.Get("health-http");
  if (flags.Has("health-tcp")) health["tcp"] = flags.Get("health-tcp");
  if (flags.Has("health-exec")) health["exec"] = flags.Get("health-exec");
  if (flags.Has("health-status")) {
    health["status"] = flags.Get("health-status");
  }
  if (flags.Has("health-body")) health["body_match"] = flags.Get("health-body");
  if (!health.empty()) args["health"] = health;
  for (auto [flag, param] :
       {ListFlag{"bake", "bake"}, ListFlag{"interval", "interval"},
        ListFlag{"health-timeout", "health_timeout"}}) {
    if (!flags.Has(flag)) continue;
    auto s = Seconds(flags, flag);
    if (!s.ok()) return Usage(s.status().message());
    args[param] = *s;
  }
  return RunModule(args, check, json);
}

}  // namespace tend
