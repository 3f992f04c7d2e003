// hostname: the host's permanent and running name
// (ansible.builtin.hostname).
//
// Strategies: `use: systemd` (or debian, which Ansible maps to the same)
// goes through hostnamectl; `use: generic`, and the default on a host
// where systemd is not running, writes /etc/hostname and sets the running
// name with hostname(1). Without `use`, systemd is chosen when
// /run/systemd/system exists on the target.
//
// Deviation from Ansible 2.14: its Debian default (FileStrategy) only
// writes /etc/hostname and leaves the running name alone; tend also sets
// the running name, so that the task's effect is visible at once.
#include <string>

#include "automate/modules/args.h"
#include "automate/modules/system/system_util.h"

namespace tend::automate::sysmod {
namespace {

constexpr char kHostnameFile[] = "/etc/hostname";

class HostnameModule : public Module {
 public:
  HostnameModule() {
    spec_.name = "hostname";
    spec_.params = {
        Param("name").Required(),
        Param("use").Choices({"systemd", "debian", "generic"}),
    };
  }

  const ModuleSpec& spec() const override { return spec_; }

  Result<ModuleResult> Run(const Value& args, ModuleContext& ctx) override {
    std::string name = ArgStr(args, "name");
    std::string use = ArgStr(args, "use");
    if (name.empty() || name.find_first_of(" \t\n/") != std::string::npos) {
      return Failed("invalid hostname '" + name + "'");
    }
    if (use.empty()) {
      ASSIGN_OR_RETURN(FileStat st,
                       ctx.conn->Stat("/run/systemd/system", true, ctx.priv));
      use = st.type == FileType::kDirectory ? "systemd" : "generic";
    }
    bool systemd = use == "systemd" || use == "debian";
    if (systemd && name.size() > 64) {
      return Failed(
          "name cannot be longer than 64 characters on systemd servers, try "
          "a shorter name");
    }

    std::string current, permanent;
    if (systemd) {
      ASSIGN_OR_RETURN(current, Hostnamectl(ctx, {"--transient", "status"}));
      ASSIGN_OR_RETURN(permanent, Hostnamectl(ctx, {"--static", "status"}));
    } else {
      ASSIGN_OR_RETURN(
          std::string k,
          ctx.conn->ReadFile("/proc/sys/kernel/hostname", 4096, ctx.priv));
      current = std::string(TrimSpace(k));
      ASSIGN_OR_RETURN(auto f, ReadIfExists(ctx, kHostnameFile));
      permanent = f ? std::string(TrimSpace(*f)) : "";
    }

    ModuleResult res;
    bool set_current = current != name;
    bool set_permanent = permanent != name;
    res.changed = set_current || set_permanent;
    res.data["name"] = name;
    res.facts["ansible_hostname"] = name.substr(0, name.find('.'));
    res.facts["ansible_nodename"] = name;
    if (res.changed) {
      std::string before = set_current ? current : permanent;
      if (ctx.diff) {
        res.diffs.push_back(MakeDiff("hostname", "hostname",
                                     "hostname = " + before + "\n",
                                     "hostname = " + name + "\n"));
      }
    }
    if (ctx.check_mode) return res;

    if (set_current) {
      if (systemd) {
        ASSIGN_OR_RETURN(
            std::string ignored,
            Hostnamectl(ctx, {"--transient", "set-hostname", name}));
      } else {
        std::vector<std::string> argv = {"hostname", name};
        ASSIGN_OR_RETURN(ExecResult r, sysmod::Run(ctx, argv));
        if (r.exit_code != 0) return Failed(DescribeFailure(argv, r));
      }
    }
    if (set_permanent) {
      if (systemd) {
        ASSIGN_OR_RETURN(
            std::string ignored,
            Hostnamectl(ctx, {"--pretty", "--static", "set-hostname", name}));
      } else {
        ASSIGN_OR_RETURN(FileStat st,
                         ctx.conn->Stat(kHostnameFile, true, ctx.priv));
        FileAttrs attrs;
        if (!st.exists()) attrs.mode = 0644;
        RETURN_IF_ERROR(
            ctx.conn->WriteFile(kHostnameFile, name + "\n", attrs, ctx.priv));
      }
    }
    return res;
  }

 private:
  static Result<std::string> Hostnamectl(ModuleContext& ctx,
                                         std::vector<std::string> args) {
    args.insert(args.begin(), "hostnamectl");
    ASSIGN_OR_RETURN(ExecResult r, sysmod::Run(ctx, args));
    if (r.exit_code != 0) {
      return FailedPreconditionError("Command failed: " +
                                     DescribeFailure(args, r));
    }
    return std::string(TrimSpace(r.out));
  }

  ModuleSpec spec_;
};

}  // namespace

std::unique_ptr<Module> NewHostnameModule() {
  return std::make_unique<HostnameModule>();
}

}  // namespace tend::automate::sysmod
