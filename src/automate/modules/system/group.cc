// group: local groups through groupadd/groupmod/groupdel on the target
// (ansible.builtin.group on Linux), deciding from the target's /etc/group.
#include <string>
#include <vector>

#include "automate/modules/args.h"
#include "automate/modules/system/account_db.h"
#include "automate/modules/system/system_util.h"

namespace tend::automate::sysmod {
namespace {

class GroupModule : public Module {
 public:
  GroupModule() {
    spec_.name = "group";
    spec_.params = {
        Param("name").Required(),
        Param("gid", ParamType::kInt),
        Param("state").Default("present").Choices({"present", "absent"}),
        Param("system", ParamType::kBool).Default(false),
        Param("non_unique", ParamType::kBool).Default(false),
    };
  }

  const ModuleSpec& spec() const override { return spec_; }

  Result<ModuleResult> Run(const Value& args, ModuleContext& ctx) override {
    std::string name = ArgStr(args, "name");
    std::string state = ArgStr(args, "state", "present");
    if (name.empty() || name.find_first_of(":,\n ") != std::string::npos) {
      return Failed("invalid group name '" + name + "'");
    }
    ASSIGN_OR_RETURN(AccountDb db, LoadAccountDb(ctx));
    const GroupEntry* g = nullptr;
    for (const auto& e : db.groups) {
      if (e.name == name) g = &e;
    }
    ModuleResult res;
    res.data["name"] = name;
    res.data["state"] = state;
    std::vector<std::string> cmd;
    if (state == "absent") {
      if (g == nullptr) return res;
      cmd = {"groupdel", name};
    } else if (g == nullptr) {
      cmd = {"groupadd"};
      if (ArgHas(args, "gid")) {
        cmd.push_back("-g");
        cmd.push_back(std::to_string(ArgInt(args, "gid")));
        if (ArgBool(args, "non_unique")) cmd.push_back("-o");
      }
      if (ArgBool(args, "system")) cmd.push_back("-r");
      cmd.push_back(name);
    } else if (ArgHas(args, "gid") &&
               static_cast<int64_t>(g->gid) != ArgInt(args, "gid")) {
      cmd = {"groupmod", "-g", std::to_string(ArgInt(args, "gid"))};
      if (ArgBool(args, "non_unique")) cmd.push_back("-o");
      cmd.push_back(name);
    }
    if (!cmd.empty()) {
      res.changed = true;
      // Ansible returns only `changed` when it would add or remove.
      if (ctx.check_mode && (g == nullptr || state == "absent")) {
        res.data = Value::object();
        return res;
      }
      if (!ctx.check_mode) {
        ASSIGN_OR_RETURN(ExecResult r, sysmod::Run(ctx, cmd));
        if (ctx.ids != nullptr) ctx.ids->Invalidate();
        if (r.exit_code != 0) {
          res.failed = true;
          res.msg = DescribeFailure(cmd, r);
          res.data["rc"] = r.exit_code;
          return res;
        }
        if (state == "absent") return res;
        ASSIGN_OR_RETURN(db, LoadAccountDb(ctx));
        g = nullptr;
        for (const auto& e : db.groups) {
          if (e.name == name) g = &e;
        }
        if (g == nullptr)
          return Failed("group " + name + " missing after " + cmd[0]);
      }
    }
    if (state == "present" && g != nullptr) {
      res.data["system"] = ArgBool(args, "system");
      res.data["gid"] = g->gid;
    }
    return res;
  }

 private:
  ModuleSpec spec_;
};

}  // namespace

std::unique_ptr<Module> NewGroupModule() {
  return std::make_unique<GroupModule>();
}

}  // namespace tend::automate::sysmod
