// service and systemd: units through systemctl on the target
// (ansible.builtin.service on a systemd host, ansible.builtin.systemd).
//
// The unit's state comes from `systemctl show` (LoadState, ActiveState,
// UnitFileState) and `systemctl is-enabled`; actions are systemctl's own
// start/stop/restart/reload, enable/disable, mask/unmask and
// daemon-reload. started/stopped change only when needed; restarted and
// reloaded always change (a reload of a stopped unit starts it).
#include <string>
#include <vector>

#include "automate/modules/args.h"
#include "automate/modules/system/system_util.h"

namespace tend::automate::sysmod {
namespace {

const std::map<std::string, std::string> kEnv = {{"LANG", "C"},
                                                 {"LC_ALL", "C"}};

class ServiceModule : public Module {
 public:
  explicit ServiceModule(bool systemd) : systemd_(systemd) {
    spec_.name = systemd ? "systemd" : "service";
    spec_.params = {
        Param("name").Required(!systemd).Aliases({"service", "unit"}),
        Param("state").Choices({"reloaded", "restarted", "started", "stopped"}),
        Param("enabled", ParamType::kBool),
    };
    if (systemd) {
      spec_.params.push_back(Param("masked", ParamType::kBool));
      spec_.params.push_back(Param("daemon_reload", ParamType::kBool)
                                 .Default(false)
                                 .Aliases({"daemon-reload"}));
      spec_.params.push_back(
          Param("no_block", ParamType::kBool).Default(false));
      spec_.required_one_of = {{"state", "enabled", "masked", "daemon_reload"}};
    } else {
      spec_.required_one_of = {{"state", "enabled"}};
    }
  }

  const ModuleSpec& spec() const override { return spec_; }

  Result<ModuleResult> Run(const Value& args, ModuleContext& ctx) override {
    std::string name = ArgStr(args, "name");
    std::string state = ArgStr(args, "state");
    ModuleResult res;
    if (!name.empty()) res.data["name"] = name;
    if (!name.empty() && name[0] == '-') {
      return Failed("invalid unit name '" + name + "'");
    }
    bool no_block = ArgBool(args, "no_block");

    if (systemd_ && ArgBool(args, "daemon_reload") && !ctx.check_mode) {
      ASSIGN_OR_RETURN(ExecResult r, Systemctl(ctx, {"daemon-reload"}));
      if (r.exit_code != 0) {
        return Failed("failure " + std::to_string(r.exit_code) +
                      " during daemon-reload: " + r.err);
      }
    }
    if (name.empty()) return res;

    ASSIGN_OR_RETURN(ExecResult show, Systemctl(ctx, {"show", name}));
    if (show.exit_code != 0) {
      return Failed("failure " + std::to_string(show.exit_code) +
                    " running systemctl show for '" + name +
                    "': " + std::string(TrimSpace(show.err)));
    }
    Value status = Value::object();
    for (const auto& line : SplitLines(show.out)) {
      size_t eq = line.find('=');
      if (eq == std::string::npos || eq == 0) continue;
      status[line.substr(0, eq)] = line.substr(eq + 1);
    }
    std::string load = status.value("LoadState", "");
    std::string active = status.value("ActiveState", "");
    bool found = load != "not-found" && !load.empty();
    bool masked_now =
        load == "masked" || status.value("UnitFileState", "") == "masked";
    if (load == "not-found" && masked_now) found = true;

    // masked first: a masked unit cannot be enabled or started.
    if (systemd_ && ArgHas(args, "masked")) {
      bool want = ArgBool(args, "masked");
      if (want != masked_now) {
        res.changed = true;
        if (!ctx.check_mode) {
          std::string verb = want ? "mask" : "unmask";
          ASSIGN_OR_RETURN(ExecResult r, Systemctl(ctx, {verb, name}));
          if (r.exit_code != 0) {
            return Failed("Unable to " + verb + " service " + name + ": " +
                          std::string(TrimSpace(r.err)));
          }
        }
        masked_now = want;
      }
    }

    if (!found && (ArgHas(args, "enabled") || !state.empty())) {
      return Failed("Could not find the requested service " + name + ": host");
    }

    if (ArgHas(args, "enabled")) {
      bool want = ArgBool(args, "enabled");
      ASSIGN_OR_RETURN(ExecResult e, Systemctl(ctx, {"is-enabled", name}));
      bool enabled = e.exit_code == 0;
      if (enabled != want) {
        res.changed = true;
        if (!ctx.check_mode) {
          std::string verb = want ? "enable" : "disable";
          ASSIGN_OR_RETURN(ExecResult r, Systemctl(ctx, {verb, name}));
          if (r.exit_code != 0) {
            return Failed("Unable to " + verb + " service " + name + ": " +
                          std::string(TrimSpace(r.out + r.err)));
          }
        }
      }
      res.data["enabled"] = want;
    }

    if (!state.empty()) {
      bool running = active == "active" || active == "activating";
      bool deactivating = active == "deactivating";
      std::string action;
      if (state == "started") {
        if (!running) action = "start";
      } else if (state == "stopped") {
        if (running || deactivating) action = "stop";
      } else {
        action = running ? state.substr(0, state.size() - 2) : "start";
      }
      if (!action.empty()) {
        res.changed = true;
        if (!ctx.check_mode) {
          std::vector<std::string> argv = {action, name};
          if (no_block) argv.insert(argv.begin(), "--no-block");
          ASSIGN_OR_RETURN(ExecResult r, Systemctl(ctx, argv));
          if (r.exit_code != 0) {
            return Failed("Unable to " + action + " service " + name + ": " +
                          std::string(TrimSpace(r.err)));
          }
        }
      }
      res.data["state"] = state;
    }
    res.data["status"] = std::move(status);
    return res;
  }

 private:
  static Result<ExecResult> Systemctl(ModuleContext& ctx,
                                      std::vector<std::string> args) {
    args.insert(args.begin(), "systemctl");
    return sysmod::Run(ctx, std::move(args), "", kEnv);
  }

  bool systemd_;
  ModuleSpec spec_;
};

}  // namespace

std::unique_ptr<Module> NewServiceModule() {
  return std::make_unique<ServiceModule>(false);
}
std::unique_ptr<Module> NewSystemdModule() {
  return std::make_unique<ServiceModule>(true);
}

}  // namespace tend::automate::sysmod
