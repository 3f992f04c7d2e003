// user: local accounts through useradd/usermod/userdel on the target
// (ansible.builtin.user on Linux). The decision whether anything changes,
// and the check-mode prediction, come from the target's /etc/passwd,
// /etc/group and /etc/shadow, compared field by field the way Ansible's
// module compares them.
#include <algorithm>
#include <string>
#include <vector>

#include "automate/modules/args.h"
#include "automate/modules/system/account_db.h"
#include "automate/modules/system/system_util.h"

namespace tend::automate::sysmod {
namespace {

// The `groups` parameter as Ansible sees it: a list, or a comma string;
// entries trimmed, empties dropped, first occurrence kept.
std::vector<std::string> GroupsParam(const Value& args) {
  std::vector<std::string> out;
  if (!ArgHas(args, "groups")) return out;
  const Value& g = args["groups"];
  auto add = [&](std::string_view s) {
    s = TrimSpace(s);
    if (s.empty()) return;
    if (std::find(out.begin(), out.end(), s) == out.end()) out.emplace_back(s);
  };
  if (g.is_array()) {
    for (const auto& e : g) {
      std::string s = e.is_string() ? e.get<std::string>() : e.dump();
      size_t start = 0;
      while (start <= s.size()) {
        size_t c = s.find(',', start);
        if (c == std::string::npos) c = s.size();
        add(std::string_view(s).substr(start, c - start));
        start = c + 1;
      }
    }
  } else if (g.is_string()) {
    std::string s = g.get<std::string>();
    size_t start = 0;
    while (start <= s.size()) {
      size_t c = s.find(',', start);
      if (c == std::string::npos) c = s.size();
      add(std::string_view(s).substr(start, c - start));
      start = c + 1;
    }
  }
  return out;
}

std::string Join(const std::vector<std::string>& v, char sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::string LStripBang(std::string s) {
  size_t i = s.find_first_not_of('!');
  return i == std::string::npos ? "" : s.substr(i);
}

class UserModule : public Module {
 public:
  UserModule() {
    spec_.name = "user";
    spec_.params = {
        Param("name").Required().Aliases({"user"}),
        Param("state").Default("present").Choices({"present", "absent"}),
        Param("uid", ParamType::kInt),
        Param("group"),
        Param("groups", ParamType::kList),
        Param("append", ParamType::kBool).Default(false),
        Param("shell"),
        Param("home", ParamType::kPath),
        Param("create_home", ParamType::kBool)
            .Default(true)
            .Aliases({"createhome"}),
        Param("move_home", ParamType::kBool).Default(false),
        Param("system", ParamType::kBool).Default(false),
        Param("comment"),
        Param("password"),
        Param("update_password")
            .Default("always")
            .Choices({"always", "on_create"}),
        Param("non_unique", ParamType::kBool).Default(false),
        Param("remove", ParamType::kBool).Default(false),
        Param("force", ParamType::kBool).Default(false),
        Param("skeleton", ParamType::kPath),
    };
  }

  const ModuleSpec& spec() const override { return spec_; }

  Result<ModuleResult> Run(const Value& args, ModuleContext& ctx) override {
    std::string name = ArgStr(args, "name");
    std::string state = ArgStr(args, "state", "present");
    if (name.empty() || name.find_first_of(":\n ") != std::string::npos) {
      return Failed("invalid user name '" + name + "'");
    }
    ASSIGN_OR_RETURN(AccountDb db, LoadAccountDb(ctx));
    const PasswdEntry* user = db.FindUser(name);

    ModuleResult res;
    res.data["name"] = name;
    res.data["state"] = state;
    std::vector<std::string> cmd;
    bool created = false;

    if (state == "absent") {
      if (user == nullptr) return res;
      res.changed = true;
      if (ctx.check_mode) return res;
      cmd = {"userdel"};
      if (ArgBool(args, "force")) cmd.push_back("-f");
      if (ArgBool(args, "remove")) cmd.push_back("-r");
      cmd.push_back(name);
      RETURN_IF_ERROR(RunChange(ctx, cmd, name, &res));
      if (res.failed) return res;
      res.data["force"] = ArgBool(args, "force");
      res.data["remove"] = ArgBool(args, "remove");
      return res;
    }

    // Groups must exist before anything runs (Ansible checks first too).
    std::string group = ArgStr(args, "group");
    if (!group.empty() && db.FindGroup(group) == nullptr) {
      return Failed("Group " + group + " does not exist");
    }
    std::vector<std::string> groups = GroupsParam(args);
    for (const auto& g : groups) {
      if (db.FindGroup(g) == nullptr) {
        return Failed("Group " + g + " does not exist");
      }
    }

    if (user == nullptr) {
      res.changed = true;
      if (ctx.check_mode) {
        res.data = Value::object();
        return res;
      }
      cmd = CreateCommand(args, db, name, group, groups);
      RETURN_IF_ERROR(RunChange(ctx, cmd, name, &res));
      if (res.failed) return res;
      created = true;
      res.data["system"] = ArgBool(args, "system");
      res.data["create_home"] = ArgBool(args, "create_home", true);
    } else {
      cmd = ModifyCommand(args, db, *user, group, groups);
      res.data["append"] = ArgBool(args, "append");
      res.data["move_home"] = ArgBool(args, "move_home");
      if (!cmd.empty()) {
        res.changed = true;
        cmd.insert(cmd.begin(), "usermod");
        cmd.push_back(name);
        if (!ctx.check_mode) {
          RETURN_IF_ERROR(RunChange(ctx, cmd, name, &res));
          if (res.failed) return res;
        }
      }
    }
    if (ArgHas(args, "password")) {
      res.data["password"] = "NOT_LOGGING_PASSWORD";
    }

    // Report the account as it is now (in check mode: as it was, which is
    // what Ansible reports too).
    AccountDb after_db;
    const PasswdEntry* after = user;
    if (res.changed && !ctx.check_mode) {
      ASSIGN_OR_RETURN(after_db, LoadAccountDb(ctx));
      after = after_db.FindUser(name);
      if (after == nullptr) {
        return Failed("failed to look up user name: " + name);
      }
    }
    res.data["uid"] = after->uid;
    res.data["group"] = after->gid;
    res.data["comment"] = after->gecos;
    res.data["home"] = after->home;
    res.data["shell"] = after->shell;
    if (ArgHas(args, "groups")) res.data["groups"] = Join(groups, ',');

    // A missing home directory is created for an existing account too.
    std::string home =
        ArgHas(args, "home") ? ArgStr(args, "home") : after->home;
    if (ArgBool(args, "create_home", true) && !home.empty() && !created) {
      ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(home, true, ctx.priv));
      if (!st.exists()) {
        res.changed = true;
        if (!ctx.check_mode) {
          RETURN_IF_ERROR(CreateHome(ctx, args, home, *after, &res));
        }
      }
    }
    return res;
  }

 private:
  static std::vector<std::string> CreateCommand(
      const Value& args, const AccountDb& db, const std::string& name,
      const std::string& group, const std::vector<std::string>& groups) {
    std::vector<std::string> cmd = {"useradd"};
    if (ArgHas(args, "uid")) {
      cmd.push_back("-u");
      cmd.push_back(std::to_string(ArgInt(args, "uid")));
      if (ArgBool(args, "non_unique")) cmd.push_back("-o");
    }
    if (!group.empty()) {
      cmd.push_back("-g");
      cmd.push_back(group);
    } else if (db.FindGroup(name) != nullptr) {
      // USERGROUPS_ENAB would make useradd fail creating the same group.
      cmd.push_back("-N");
    }
    if (!groups.empty()) {
      cmd.push_back("-G");
      cmd.push_back(Join(groups, ','));
    }
    if (ArgHas(args, "comment")) {
      cmd.push_back("-c");
      cmd.push_back(ArgStr(args, "comment"));
    }
    if (ArgHas(args, "home")) {
      cmd.push_back("-d");
      cmd.push_back(ArgStr(args, "home"));
    }
    if (ArgHas(args, "shell")) {
      cmd.push_back("-s");
      cmd.push_back(ArgStr(args, "shell"));
    }
    if (ArgHas(args, "password")) {
      cmd.push_back("-p");
      cmd.push_back(ArgStr(args, "password"));
    }
    if (ArgBool(args, "create_home", true)) {
      cmd.push_back("-m");
      if (ArgHas(args, "skeleton")) {
        cmd.push_back("-k");
        cmd.push_back(ArgStr(args, "skeleton"));
      }
    } else {
      cmd.push_back("-M");
    }
    if (ArgBool(args, "system")) cmd.push_back("-r");
    cmd.push_back(name);
    return cmd;
  }

  // usermod's options for what differs; empty when nothing does.
  static std::vector<std::string> ModifyCommand(
      const Value& args, const AccountDb& db, const PasswdEntry& user,
      const std::string& group, const std::vector<std::string>& groups) {
    std::vector<std::string> cmd;
    if (ArgHas(args, "uid") &&
        static_cast<int64_t>(user.uid) != ArgInt(args, "uid")) {
      cmd.push_back("-u");
      cmd.push_back(std::to_string(ArgInt(args, "uid")));
      if (ArgBool(args, "non_unique")) cmd.push_back("-o");
    }
    if (!group.empty()) {
      const GroupEntry* g = db.FindGroup(group);
      if (g->gid != user.gid) {
        cmd.push_back("-g");
        cmd.push_back(std::to_string(g->gid));
      }
    }
    if (ArgHas(args, "groups")) {
      // Every group listing the user as a member, the primary one included
      // when it does (Ansible's user_group_membership(exclude_primary=False)).
      std::vector<std::string> current;
      for (const auto& g : db.groups) {
        if (std::find(g.members.begin(), g.members.end(), user.name) !=
            g.members.end()) {
          current.push_back(g.name);
        }
      }
      bool append = ArgBool(args, "append");
      bool need = false;
      if (groups.empty()) {
        need = !current.empty() && !append;
      } else {
        auto in = [](const std::vector<std::string>& v, const std::string& s) {
          return std::find(v.begin(), v.end(), s) != v.end();
        };
        bool missing = false;
        for (const auto& g : groups) missing |= !in(current, g);
        bool extra = false;
        for (const auto& g : current) extra |= !in(groups, g);
        need = append ? missing : (missing || extra);
      }
      if (need) {
        if (append && !groups.empty()) cmd.push_back("-a");
        cmd.push_back("-G");
        cmd.push_back(Join(groups, ','));
      }
    }
    if (ArgHas(args, "comment") && user.gecos != ArgStr(args, "comment")) {
      cmd.push_back("-c");
      cmd.push_back(ArgStr(args, "comment"));
    }
    if (ArgHas(args, "home") && user.home != ArgStr(args, "home")) {
      cmd.push_back("-d");
      cmd.push_back(ArgStr(args, "home"));
      if (ArgBool(args, "move_home")) cmd.push_back("-m");
    }
    if (ArgHas(args, "shell") && user.shell != ArgStr(args, "shell")) {
      cmd.push_back("-s");
      cmd.push_back(ArgStr(args, "shell"));
    }
    if (ArgStr(args, "update_password", "always") == "always" &&
        ArgHas(args, "password") &&
        LStripBang(db.PasswordHash(user)) !=
            LStripBang(ArgStr(args, "password"))) {
      cmd.push_back("-p");
      cmd.push_back(ArgStr(args, "password"));
    }
    return cmd;
  }

  // Runs an account-changing command; a non-zero exit becomes a failed
  // result with Ansible's fields (msg = stderr, rc).
  static Status RunChange(ModuleContext& ctx,
                          const std::vector<std::string>& cmd,
                          const std::string& name, ModuleResult* res) {
    ASSIGN_OR_RETURN(ExecResult r, sysmod::Run(ctx, cmd));
    if (ctx.ids != nullptr) ctx.ids->Invalidate();
    if (!r.out.empty()) res->data["stdout"] = r.out;
    if (!r.err.empty()) res->data["stderr"] = r.err;
    if (r.exit_code != 0) {
      res->failed = true;
      res->msg = DescribeFailure(cmd, r);
      res->data["rc"] = r.exit_code;
      res->data["name"] = name;
    }
    return Status::Ok();
  }

  static Status CreateHome(ModuleContext& ctx, const Value& args,
                           const std::string& home, const PasswdEntry& user,
                           ModuleResult* res) {
    std::string skel =
        ArgHas(args, "skeleton") ? ArgStr(args, "skeleton") : "/etc/skel";
    std::string owner =
        std::to_string(user.uid) + ":" + std::to_string(user.gid);
    ExecRequest req;
    req.priv = ctx.priv;
    req.shell = "set -e; mkdir -p " + ShellQuote(home) + "; if [ -d " +
                ShellQuote(skel) + " ]; then cp -a " + ShellQuote(skel) +
                "/. " + ShellQuote(home) + "/; fi; chown -R " + owner + " " +
                ShellQuote(home);
    ASSIGN_OR_RETURN(ExecResult r, ctx.conn->Exec(req));
    if (r.exit_code != 0) {
      res->failed = true;
      res->msg = "creating home directory " + home +
                 " failed: " + std::string(TrimSpace(r.err));
    }
    return Status::Ok();
  }

  ModuleSpec spec_;
};

}  // namespace

std::unique_ptr<Module> NewUserModule() {
  return std::make_unique<UserModule>();
}

}  // namespace tend::automate::sysmod
