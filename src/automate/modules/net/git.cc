// ansible.builtin.git: a checkout of a repository at a version (branch,
// tag, commit or HEAD), made and moved with the target's git.
//
// Returns before/after commit ids; changed when the checkout moved (or
// local modifications were discarded with force, or the remote's URL was
// changed). Check mode asks the remote with `git ls-remote` what the
// version names now and compares; nothing is fetched or written.
#include "automate/modules/args.h"
#include "automate/modules/files/file_common.h"
#include "automate/modules/net/net_util.h"
#include "automate/modules/system/system_util.h"

namespace tend::automate::netmod {
namespace {

using sysmod::TrimSpace;

const std::map<std::string, std::string> kEnv = {
    {"LANG", "C"}, {"LC_ALL", "C"}, {"GIT_TERMINAL_PROMPT", "0"}};

bool IsSha(std::string_view v) {
  if (v.size() < 4 || v.size() > 40) return false;
  for (char c : v) {
    if (!isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

class GitModule : public Module {
 public:
  GitModule() {
    spec_.name = "git";
    spec_.params = {
        Param("repo").Required().Aliases({"name"}),
        Param("dest", ParamType::kPath),
        Param("version").Default("HEAD"),
        Param("remote").Default("origin"),
        Param("force", ParamType::kBool).Default(false),
        Param("depth", ParamType::kInt),
        Param("update", ParamType::kBool).Default(true),
        Param("clone", ParamType::kBool).Default(true),
        Param("bare", ParamType::kBool).Default(false),
        Param("single_branch", ParamType::kBool).Default(false),
        Param("executable", ParamType::kPath),
        Param("accept_hostkey", ParamType::kBool).Default(false),
        Param("umask", ParamType::kRaw),
    };
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result<ModuleResult> Run(const Value& args, ModuleContext& ctx) override {
    Git g{
        .ctx = ctx,
        .exe = ArgHas(args, "executable") ? ArgStr(args, "executable") : "git",
        .env = kEnv,
        .dest = ""};
    ModuleResult res;
    const std::string repo = ArgStr(args, "repo");
    const std::string version = ArgStr(args, "version", "HEAD");
    const std::string remote = ArgStr(args, "remote", "origin");
    const bool bare = ArgBool(args, "bare");
    if (ArgBool(args, "accept_hostkey")) {
      g.env["GIT_SSH_COMMAND"] = "ssh -o StrictHostKeyChecking=no";
    }
    if (!ArgHas(args, "dest")) {
      return sysmod::Failed(
          "the destination directory must be specified unless clone=no");
    }
    ASSIGN_OR_RETURN(std::string dest,
                     filemod::ExpandUser(ctx, ArgStr(args, "dest")));
    g.dest = dest;
    res.data["before"] = nullptr;
    std::string gitconfig = bare ? dest + "/config" : dest + "/.git/config";
    ASSIGN_OR_RETURN(FileStat cfg, ctx.conn->Stat(gitconfig, true, ctx.priv));

    if (!cfg.exists()) {
      if (ctx.check_mode || !ArgBool(args, "clone", true)) {
        ASSIGN_OR_RETURN(std::string head, RemoteHead(g, repo, version));
        res.changed = true;
        res.data["after"] = head;
        return res;
      }
      ASSIGN_OR_RETURN(ModuleResult c, Clone(g, args, repo, dest, version));
      if (c.failed) return c;
    } else if (!ArgBool(args, "update", true)) {
      ASSIGN_OR_RETURN(std::string v, Version(g, true));
      res.data["before"] = v;
      res.data["after"] = v;
      return res;
    } else {
      bool local_mods = false;
      if (!bare) {
        ASSIGN_OR_RETURN(ExecResult st,
                         g.Run({"status", "--porcelain", "-uno"}, dest));
        local_mods = !TrimSpace(st.out).empty();
      }
      ASSIGN_OR_RETURN(std::string before, Version(g, true));
      res.data["before"] = before;
      if (local_mods) {
        if (!ArgBool(args, "force")) {
          res.failed = true;
          res.msg = "Local modifications exist in the destination: " + dest +
                    " (force=no).";
          return res;
        }
        res.changed = true;
        if (!ctx.check_mode) {
          ASSIGN_OR_RETURN(ExecResult r,
                           g.Run({"reset", "--hard", "HEAD"}, dest));
          if (r.exit_code != 0) return Failure({"reset", "--hard"}, r);
          res.msg = "Local modifications exist in the destination: " + dest;
        }
      }
      ASSIGN_OR_RETURN(
          ExecResult url,
          g.Run({"config", "--get", "remote." + remote + ".url"}, dest));
      std::string have_url(TrimSpace(url.out));
      bool url_changed = !have_url.empty() && have_url != repo;
      res.data["remote_url_changed"] = url_changed;
      if (ctx.check_mode) {
        ASSIGN_OR_RETURN(std::string head, RemoteHead(g, repo, version));
        res.data["after"] = head;
        res.changed = res.changed || url_changed || !before.starts_with(head) ||
                      head.empty();
        return res;
      }
      if (url_changed || have_url.empty()) {
        std::vector<std::string> cmd =
            have_url.empty()
                ? std::vector<std::string>{"remote", "add", remote, repo}
                : std::vector<std::string>{"remote", "set-url", remote, repo};
        ASSIGN_OR_RETURN(ExecResult r, g.Run(cmd, dest));
        if (r.exit_code != 0) return Failure(cmd, r);
      }
      std::vector<std::string> fetch = {"fetch"};
      if (ArgHas(args, "depth")) {
        fetch.push_back("--depth=" + std::to_string(ArgInt(args, "depth")));
      }
      fetch.insert(fetch.end(),
                   {"--tags", "--force", remote,
                    bare ? "+refs/heads/*:refs/heads/*"
                         : "+refs/heads/*:refs/remotes/" + remote + "/*"});
      ASSIGN_OR_RETURN(ExecResult fr, g.Run(fetch, dest));
      if (fr.exit_code != 0) return Failure(fetch, fr);
      if (url_changed) res.changed = true;
    }
    if (!bare) {
      ASSIGN_OR_RETURN(ModuleResult s, SwitchVersion(g, dest, remote, version));
      if (s.failed) return s;
    }
    ASSIGN_OR_RETURN(std::string after, Version(g, false));
    res.data["after"] = after;
    if (res.data["before"] != res.data["after"]) res.changed = true;
    return res;
  }

 private:
  struct Git {
    ModuleContext& ctx;
    std::string exe;
    std::map<std::string, std::string> env = kEnv;
    std::string dest;
    Result<ExecResult> Run(std::vector<std::string> argv,
                           const std::string& chdir) {
      argv.insert(argv.begin(), exe);
      ExecRequest req;
      req.argv = std::move(argv);
      req.chdir = chdir;
      req.env = env;
      req.priv = ctx.priv;
      return ctx.conn->Exec(req);
    }
  };

  static ModuleResult Failure(std::vector<std::string> argv,
                              const ExecResult& r) {
    argv.insert(argv.begin(), "git");
    ModuleResult f =
        sysmod::Failed("Failed to run " + sysmod::DescribeFailure(argv, r));
    f.data["rc"] = r.exit_code;
    f.data["stdout"] = r.out;
    f.data["stderr"] = r.err;
    return f;
  }

  // The checked-out commit ("HEAD" resolved); on a fresh clone of an empty
  // repository, "".
  static Result<std::string> Version(Git& g, bool allow_missing) {
    ASSIGN_OR_RETURN(ExecResult r, g.Run({"rev-parse", "HEAD"}, g.dest));
    if (r.exit_code != 0) {
      if (allow_missing) return std::string();
      return InternalError("git rev-parse HEAD in " + g.dest + ": " + r.err);
    }
    return std::string(TrimSpace(r.out));
  }

  // What `version` names at `repo` now: HEAD, a branch, a tag (peeled), or
  // the commit id given.
  static Result<std::string> RemoteHead(Git& g, const std::string& repo,
                                        const std::string& version) {
    std::vector<std::string> cmd = {"ls-remote", repo};
    if (version == "HEAD") {
      cmd.push_back("HEAD");
    } else {
      cmd.push_back(version);
      cmd.push_back(version + "^{}");
    }
    ASSIGN_OR_RETURN(ExecResult r, g.Run(cmd, ""));
    if (r.exit_code != 0) {
      return UnavailableError(
          "Failed to run " +
          sysmod::DescribeFailure({"git", "ls-remote", repo}, r));
    }
    std::string branch_sha, tag_sha, peeled_sha, head_sha;
    for (const auto& line : sysmod::SplitLines(r.out)) {
      size_t tab = line.find('\t');
      if (tab == std::string::npos) continue;
      std::string sha = line.substr(0, tab), ref = line.substr(tab + 1);
      if (ref == "HEAD") head_sha = sha;
      if (ref == "refs/heads/" + version) branch_sha = sha;
      if (ref == "refs/tags/" + version) tag_sha = sha;
      if (ref == "refs/tags/" + version + "^{}") peeled_sha = sha;
    }
    if (version == "HEAD") return head_sha;
    if (!branch_sha.empty()) return branch_sha;
    if (!peeled_sha.empty()) return peeled_sha;
    if (!tag_sha.empty()) return tag_sha;
    if (IsSha(version)) return version;
    return NotFoundError("version '" + version +
                         "' is neither a branch, a "
                         "tag nor a commit id of " +
                         repo);
  }

  static Result<ModuleResult> Clone(Git& g, const Value& args,
                                    const std::string& repo,
                                    const std::string& dest,
                                    const std::string& version) {
    std::string parent = filemod::Dirname(dest);
    if (!parent.empty()) {
      ASSIGN_OR_RETURN(ExecResult m,
                       sysmod::Run(g.ctx, {"mkdir", "-p", "--", parent}));
      if (m.exit_code != 0) return Failure({"mkdir", "-p", parent}, m);
    }
    std::vector<std::string> cmd = {"clone"};
    if (ArgBool(args, "bare")) cmd.push_back("--bare");
    if (ArgHas(args, "depth")) {
      cmd.push_back("--depth");
      cmd.push_back(std::to_string(ArgInt(args, "depth")));
      if (version != "HEAD" && !IsSha(version)) {
        cmd.push_back("--branch");
        cmd.push_back(version);
      }
    }
    if (ArgBool(args, "single_branch")) cmd.push_back("--single-branch");
    cmd.insert(cmd.end(),
               {"--origin", ArgStr(args, "remote", "origin"), repo, dest});
    ASSIGN_OR_RETURN(ExecResult r, g.Run(cmd, ""));
    if (r.exit_code != 0) return Failure(cmd, r);
    return ModuleResult{};
  }

  static Result<ModuleResult> SwitchVersion(Git& g, const std::string& dest,
                                            const std::string& remote,
                                            const std::string& version) {
    std::string branch = version;
    if (version == "HEAD") {
      // The remote's default branch, as the clone recorded it.
      ASSIGN_OR_RETURN(ExecResult r, g.Run({"symbolic-ref", "--short",
                                            "refs/remotes/" + remote + "/HEAD"},
                                           dest));
      std::string ref(TrimSpace(r.out));
      if (r.exit_code != 0 || ref.empty()) return ModuleResult{};
      branch = ref.substr(ref.find('/') + 1);
    }
    ASSIGN_OR_RETURN(ExecResult rb,
                     g.Run({"rev-parse", "--verify", "--quiet",
                            "refs/remotes/" + remote + "/" + branch},
                           dest));
    std::vector<std::vector<std::string>> steps;
    if (rb.exit_code == 0) {
      ASSIGN_OR_RETURN(ExecResult lb, g.Run({"rev-parse", "--verify", "--quiet",
                                             "refs/heads/" + branch},
                                            dest));
      if (lb.exit_code != 0) {
        steps.push_back({"checkout", "--force", "--track", "-b", branch,
                         remote + "/" + branch});
      } else {
        steps.push_back({"checkout", "--force", branch});
        steps.push_back({"reset", "--hard", remote + "/" + branch, "--"});
      }
    } else {
      steps.push_back({"checkout", "--force", version});
    }
    for (const auto& s : steps) {
      ASSIGN_OR_RETURN(ExecResult r, g.Run(s, dest));
      if (r.exit_code != 0) return Failure(s, r);
    }
    return ModuleResult{};
  }

  ModuleSpec spec_;
};

}  // namespace

std::unique_ptr<Module> NewGitModule() { return std::make_unique<GitModule>(); }

}  // namespace tend::automate::netmod
