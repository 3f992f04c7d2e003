// apt: Debian packages (ansible.builtin.apt): name/pkg lists with state
// present, latest or absent, update_cache with cache_valid_time, purge,
// autoremove, install_recommends.
//
// What is installed comes from dpkg-query on the target; what an install
// or upgrade would do comes from apt-get's own simulation (-s), which is
// also the check-mode prediction, so check mode and the real run agree by
// construction. Not supported: deb, build-dep, upgrade, default_release.
#include <string>
#include <vector>

#include "automate/modules/args.h"
#include "automate/modules/system/system_util.h"

namespace tend::automate::sysmod {
namespace {

const std::map<std::string, std::string> kAptEnv = {
    {"DEBIAN_FRONTEND", "noninteractive"},
    {"DEBCONF_NONINTERACTIVE_SEEN", "true"},
    {"LANG", "C"},
    {"LC_ALL", "C"}};

constexpr std::string_view kNothingToDo = "0 upgraded, 0 newly installed";

struct PkgState {
  bool installed = false;     // "install ok installed"
  bool config_files = false;  // removed, configuration left (purge target)
  std::string version;
};

// One dpkg-query for all names; unknown packages are simply absent.
Result<std::map<std::string, PkgState>> QueryPackages(
    ModuleContext& ctx, const std::vector<std::string>& names) {
  std::vector<std::string> argv = {"dpkg-query", "-W", "-f",
                                   "${Package} ${Status} ${Version}\\n"};
  for (const auto& n : names) argv.push_back(n);
  ASSIGN_OR_RETURN(ExecResult r, Run(ctx, argv, "", kAptEnv));
  std::map<std::string, PkgState> out;
  for (const auto& line : SplitLines(r.out)) {
    std::vector<std::string> f = SplitWhitespace(line);
    if (f.size() < 4) continue;
    PkgState s;
    s.installed = f[3] == "installed";
    s.config_files = f[3] == "config-files";
    if (f.size() > 4) s.version = f[4];
    out[f[0]] = s;
  }
  return out;
}

class AptModule : public Module {
 public:
  AptModule() {
    spec_.name = "apt";
    spec_.params = {
        Param("name", ParamType::kList).Aliases({"pkg", "package"}),
        Param("state").Default("present").Choices(
            {"absent", "present", "latest"}),
        Param("update_cache", ParamType::kBool).Aliases({"update-cache"}),
        Param("cache_valid_time", ParamType::kInt).Default(0),
        Param("install_recommends", ParamType::kBool)
            .Aliases({"install-recommends"}),
        Param("purge", ParamType::kBool).Default(false),
        Param("autoremove", ParamType::kBool),
    };
    spec_.required_one_of = {{"name", "update_cache", "autoremove"}};
  }

  const ModuleSpec& spec() const override { return spec_; }

  Result<ModuleResult> Run(const Value& args, ModuleContext& ctx) override {
    std::string state = ArgStr(args, "state", "present");
    std::vector<std::string> names;
    if (ArgHas(args, "name")) {
      for (const auto& n : args["name"]) {
        std::string s = n.is_string() ? n.get<std::string>() : n.dump();
        s = std::string(TrimSpace(s));
        if (s.empty()) continue;
        if (s.find_first_of(" \t;|&$`") != std::string::npos) {
          return Failed("invalid package name '" + s + "'");
        }
        names.push_back(s);
      }
    }
    ModuleResult res;

    // The cache first, as Ansible does.
    bool cache_updated = false;
    int64_t valid = ArgInt(args, "cache_valid_time", 0);
    if (ArgBool(args, "update_cache") || valid > 0) {
      ASSIGN_OR_RETURN(int64_t mtime, CacheMtime(ctx));
      const Clock* clock = ctx.clock ? ctx.clock : Clock::Real();
      int64_t now = clock->NowUnixNanos() / 1'000'000'000;
      if (mtime + valid < now) {
        if (!ctx.check_mode) {
          std::vector<std::string> argv = {"apt-get", "update", "-q"};
          ASSIGN_OR_RETURN(ExecResult r, sysmod::Run(ctx, argv, "", kAptEnv));
          if (r.exit_code != 0) {
            return Failed("Failed to update apt cache: " +
                          std::string(TrimSpace(r.err)));
          }
          ASSIGN_OR_RETURN(int64_t after, CacheMtime(ctx));
          cache_updated = after != mtime;
          mtime = after;
        } else {
          cache_updated = true;
        }
      }
      res.data["cache_updated"] = cache_updated;
      res.data["cache_update_time"] = mtime;
      res.changed = cache_updated;
    }
    if (names.empty() && !ArgBool(args, "autoremove")) return res;

    std::vector<std::string> bare;
    for (const auto& n : names) bare.push_back(n.substr(0, n.find('=')));
    ASSIGN_OR_RETURN(auto status, QueryPackages(ctx, bare));

    std::vector<std::string> opts = {"-o", "Dpkg::Options::=--force-confdef",
                                     "-o", "Dpkg::Options::=--force-confold"};
    if (ArgHas(args, "install_recommends")) {
      opts.push_back("-o");
      opts.push_back(std::string("APT::Install-Recommends=") +
                     (ArgBool(args, "install_recommends") ? "yes" : "no"));
    }
    std::vector<std::string> todo;
    std::string verb;
    if (state == "absent") {
      verb = "remove";
      bool purge = ArgBool(args, "purge");
      for (size_t i = 0; i < names.size(); ++i) {
        auto it = status.find(bare[i]);
        if (it == status.end()) continue;
        if (it->second.installed || (purge && it->second.config_files)) {
          todo.push_back(bare[i]);
        }
      }
      if (purge) opts.push_back("--purge");
    } else {
      verb = "install";
      for (size_t i = 0; i < names.size(); ++i) {
        auto it = status.find(bare[i]);
        bool have = it != status.end() && it->second.installed;
        size_t eq = names[i].find('=');
        if (have && eq != std::string::npos) {
          have = it->second.version == names[i].substr(eq + 1);
        }
        // latest: installed ones are candidates too; the simulation below
        // says whether a newer version exists.
        if (!have || state == "latest") todo.push_back(names[i]);
      }
    }
    if (ArgBool(args, "autoremove")) opts.push_back("--auto-remove");
    if (todo.empty() && !(names.empty() && ArgBool(args, "autoremove"))) {
      return res;
    }
    if (names.empty()) verb = "autoremove";

    // Simulate: the prediction, and the check for unknown packages.
    std::vector<std::string> sim = {"apt-get", "-y", "-q", "-s"};
    sim.insert(sim.end(), opts.begin(), opts.end());
    sim.push_back(verb);
    sim.insert(sim.end(), todo.begin(), todo.end());
    ASSIGN_OR_RETURN(ExecResult s, sysmod::Run(ctx, sim, "", kAptEnv));
    if (s.exit_code != 0) {
      ModuleResult f = Failed(DescribeFailure(sim, s));
      f.data["stdout"] = s.out;
      f.data["stderr"] = s.err;
      return f;
    }
    bool would_change =
        s.out.find(kNothingToDo) == std::string::npos ||
        (verb != "install" && s.out.find(", 0 to remove") == std::string::npos);
    if (!would_change) return res;
    res.changed = true;
    if (ctx.check_mode) {
      res.data["stdout"] = s.out;
      res.data["stdout_lines"] = LinesOf(s.out);
      return res;
    }
    std::vector<std::string> real = {"apt-get", "-y", "-q"};
    real.insert(real.end(), opts.begin(), opts.end());
    real.push_back(verb);
    real.insert(real.end(), todo.begin(), todo.end());
    ASSIGN_OR_RETURN(ExecResult r, sysmod::Run(ctx, real, "", kAptEnv));
    res.data["stdout"] = r.out;
    res.data["stderr"] = r.err;
    res.data["stdout_lines"] = LinesOf(r.out);
    res.data["stderr_lines"] = LinesOf(r.err);
    if (r.exit_code != 0) {
      res.failed = true;
      res.msg = DescribeFailure(real, r);
      res.data["rc"] = r.exit_code;
    }
    return res;
  }

 private:
  static Value LinesOf(const std::string& text) {
    Value v = Value::array();
    for (auto& l : PyLines(text)) v.push_back(std::move(l));
    return v;
  }

  // When the package lists were last updated (seconds), as Ansible reads
  // it: the update-success stamp, else the binary cache, else 0.
  static Result<int64_t> CacheMtime(ModuleContext& ctx) {
    for (const char* p : {"/var/lib/apt/periodic/update-success-stamp",
                          "/var/cache/apt/pkgcache.bin"}) {
      ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(p, true, ctx.priv));
      if (st.exists()) return st.mtime_ns / 1'000'000'000;
    }
    return int64_t{0};
  }

  ModuleSpec spec_;
};

}  // namespace

std::unique_ptr<Module> NewAptModule() { return std::make_unique<AptModule>(); }

}  // namespace tend::automate::sysmod
