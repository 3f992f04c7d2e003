#include "automate/deploy/deploy_module.h"

#include <sys/stat.h>

#include <cerrno>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "automate/deploy/deploy_state.h"
#include "automate/deploy/deploy_steps.h"
#include "automate/deploy/health.h"
#include "automate/deploy/lb_drain.h"
#include "automate/modules/args.h"

namespace tend::automate {
namespace deploy {
namespace {

ParamSpec P(std::string name, ParamType type = ParamType::kStr,
            Value def = nullptr) {
  ParamSpec p;
  p.name = std::move(name);
  p.type = type;
  p.default_value = std::move(def);
  return p;
}

ModuleResult Fail(std::string msg) {
  ModuleResult r;
  r.failed = true;
  r.msg = std::move(msg);
  return r;
}

// A hook or build list: one command as a string, or a list of them. (Not
// kList: a comma inside a shell command must not split it.)
Result<std::vector<std::string>> CommandList(const Value& args,
                                             const char* name) {
  std::vector<std::string> out;
  auto it = args.find(name);
  if (it == args.end() || it->is_null()) return out;
  if (it->is_string()) {
    out.push_back(it->get<std::string>());
    return out;
  }
  if (it->is_array()) {
    for (const auto& c : *it) {
      if (!c.is_string()) {
        return InvalidArgumentError(std::string("parameter '") + name +
                                    "' must be a list of shell commands; "
                                    "got " +
                                    c.dump());
      }
      out.push_back(c.get<std::string>());
    }
    return out;
  }
  return InvalidArgumentError(std::string("parameter '") + name +
                              "' must be a command or a list of commands");
}

double ArgSeconds(const Value& args, const char* name, double fallback) {
  auto it = args.find(name);
  if (it == args.end() || !it->is_number()) return fallback;
  return it->get<double>();
}

// Everything a run needs, parsed and checked before anything is touched.
struct Plan {
  Layout layout{"/"};
  std::string release;
  ReleaseSource source;
  std::vector<std::string> before_switch, after_switch;
  std::string restart;
  HealthCheck health;
  GateOptions gate;
  DrainSpec drain;
  int64_t keep = 5;
  std::string rollback_to;
};

Result<Plan> MakePlan(const Value& args, ModuleContext& ctx) {
  Plan p;
  std::string path = ArgStr(args, "path");
  if (path.empty() || path[0] != '/') {
    return InvalidArgumentError("path must be an absolute directory, got '" +
                                path + "'");
  }
  p.layout = Layout(path);
  p.release = ArgStr(args, "release");
  if (p.release.empty()) {
    const Clock* clock = ctx.clock ? ctx.clock : Clock::Real();
    p.release = TimestampReleaseId(clock->NowUnixNanos());
  }
  RETURN_IF_ERROR(ValidateReleaseId(p.release));
  p.source.src = ArgStr(args, "src");
  if (!p.source.src.empty()) {
    // Resolved and checked before anything is touched, so check mode fails
    // as the real run would.
    if (ctx.find_src) {
      ASSIGN_OR_RETURN(p.source.src, ctx.find_src(p.source.src, "files"));
    }
    struct stat st;
    if (stat(p.source.src.c_str(), &st) != 0) {
      return ErrnoError("src " + p.source.src, errno);
    }
  }
  p.source.repo = ArgStr(args, "repo");
  p.source.version = ArgStr(args, "version", "HEAD");
  ASSIGN_OR_RETURN(p.source.build, CommandList(args, "build"));
  if (ArgHas(args, "shared")) {
    for (const auto& s : args["shared"]) {
      std::string rel = s.is_string() ? s.get<std::string>() : s.dump();
      while (!rel.empty() && rel.back() == '/') rel.pop_back();
      if (rel.empty() || rel[0] == '/' || rel == ".." ||
          rel.starts_with("../") || rel.find("/../") != std::string::npos ||
          rel.ends_with("/..")) {
        return InvalidArgumentError(
            "shared paths are relative to the release and stay inside it; "
            "got '" +
            rel + "'");
      }
      p.source.shared.push_back(rel);
    }
  }
  ASSIGN_OR_RETURN(p.before_switch, CommandList(args, "before_switch"));
  ASSIGN_OR_RETURN(p.after_switch, CommandList(args, "after_switch"));
  p.restart = ArgStr(args, "restart");
  ASSIGN_OR_RETURN(p.health, ParseHealthCheck(args.value("health", Value())));
  p.health.exec_dir = p.layout.base;
  ASSIGN_OR_RETURN(p.drain, ParseDrainSpec(args.value("drain", Value())));
  p.gate.bake_s = ArgSeconds(args, "bake", 0);
  p.gate.interval_s = ArgSeconds(args, "interval", 1);
  p.gate.first_pass_timeout_s = ArgSeconds(args, "health_timeout", 30);
  if (p.gate.bake_s < 0 || p.gate.interval_s <= 0 ||
      p.gate.first_pass_timeout_s < 0) {
    return InvalidArgumentError(
        "bake and health_timeout must be >= 0 and interval > 0 (seconds)");
  }
  p.keep = ArgInt(args, "keep_releases", 5);
  if (p.keep < 1) {
    return InvalidArgumentError("keep_releases must be at least 1, got " +
                                std::to_string(p.keep));
  }
  p.rollback_to = ArgStr(args, "rollback_to");
  if (!p.rollback_to.empty()) RETURN_IF_ERROR(ValidateReleaseId(p.rollback_to));
  return p;
}

std::map<std::string, std::string> HookEnv(const Plan& p, std::string_view id,
                                           std::string_view previous) {
  return {{"TEND_DEPLOY_PATH", p.layout.base},
          {"TEND_RELEASE", std::string(id)},
          {"TEND_RELEASE_DIR", p.layout.Release(id)},
          {"TEND_PREVIOUS_RELEASE", std::string(previous)}};
}

// The deploy of one release, with the state it reads and writes.
class DeployRun {
 public:
  DeployRun(Plan plan, ModuleContext& ctx)
      : p_(std::move(plan)), ctx_(ctx), l_(p_.layout) {}

  Result<ModuleResult> Present();
  Result<ModuleResult> RolledBack();

 private:
  std::string Now() const {
    const Clock* c = ctx_.clock ? ctx_.clock : Clock::Real();
    return StateTime(c->NowUnixNanos());
  }
  Status Save() { return SaveState(ctx_.conn, l_, state_, ctx_.priv); }
  Result<bool> ReleaseDirExists(std::string_view id) {
    ASSIGN_OR_RETURN(FileStat st,
                     ctx_.conn->Stat(l_.Release(id), false, ctx_.priv));
    return st.type == FileType::kDirectory;
  }
  // Switch, after_switch hooks, restart, gate. "" when all passed, else why.
  std::string SwitchAndGate(std::string_view id, std::string_view previous,
                            bool hooks);
  // After `failed_id` failed: back to the last healthy release.
  ModuleResult RollBackFrom(std::string_view failed_id, std::string why,
                            Drainer* drainer);
  void FillData(ModuleResult* r, std::string_view release,
                std::string_view previous);

  Plan p_;
  ModuleContext& ctx_;
  const Layout& l_;
  DeployState state_;
};

void DeployRun::FillData(ModuleResult* r, std::string_view release,
                         std::string_view previous) {
  r->data["path"] = l_.base;
  r->data["release"] = std::string(release);
  r->data["previous_release"] = std::string(previous);
  r->data["releases"] = ReleasesValue(state_);
}

std::string DeployRun::SwitchAndGate(std::string_view id,
                                     std::string_view previous, bool hooks) {
  Status st = SwitchCurrent(ctx_.conn, l_, id, ctx_.priv);
  if (!st.ok()) return st.message();
  if (ReleaseRecord* r = state_.Find(id)) r->switched = Now();
  state_.current = std::string(id);
  Save().IgnoreError();  // the symlink is the truth; the record follows
  auto env = HookEnv(p_, id, previous);
  if (hooks) {
    st = RunCommands(ctx_, p_.after_switch, l_.Release(id), "after_switch hook",
                     env);
    if (!st.ok()) return st.message();
  }
  if (!p_.restart.empty()) {
    st = RunCommands(ctx_, {p_.restart}, l_.base, "restart", env);
    if (!st.ok()) return st.message();
  }
  GateResult g = RunGate(p_.health, ctx_.conn, ctx_.priv, p_.gate);
  return g.passed ? "" : g.why;
}

ModuleResult DeployRun::RollBackFrom(std::string_view failed_id,
                                     std::string why, Drainer* drainer) {
  ModuleResult res;
  res.changed = true;
  res.failed = true;
  if (ReleaseRecord* r = state_.Find(failed_id)) {
    r->outcome = Outcome::kFailed;
    r->finished = Now();
    r->message = why;
  }
  const ReleaseRecord* good = state_.LastHealthy(failed_id);
  auto exists = good ? ReleaseDirExists(good->id) : Result<bool>(false);
  if (!good || !exists.ok() || !*exists) {
    res.msg = "release '" + std::string(failed_id) + "' failed: " + why +
              "; no release is recorded healthy to roll back to, so '" +
              std::string(failed_id) + "' was left in place" +
              (drainer->drained() ? " (and its backend left drained)" : "");
    Save().IgnoreError();
    FillData(&res, failed_id, "");
    return res;
  }
  std::string back = good->id;
  res.msg = "release '" + std::string(failed_id) + "' failed: " + why +
            "; rolled back to release '" + back + "'";
  // The old release is switched to without its hooks: it ran them when
  // it was deployed. Its restart and health are checked again.
  GateOptions once = p_.gate;
  once.bake_s = 0;
  std::swap(p_.gate, once);
  std::string again = SwitchAndGate(back, failed_id, /*hooks=*/false);
  std::swap(p_.gate, once);
  state_.rolled_back_from = std::string(failed_id);
  if (!again.empty()) {
    res.msg += ", which is not healthy either: " + again;
    if (drainer->drained()) res.msg += " (its backend stays drained)";
  } else {
    Status restored = drainer->Restore();
    if (!restored.ok()) {
      res.msg += "; putting the backend back failed: " + restored.message();
    }
  }
  Save().IgnoreError();
  FillData(&res, failed_id, back);
  res.data["rolled_back_to"] = back;
  return res;
}

Result<ModuleResult> DeployRun::Present() {
  ASSIGN_OR_RETURN(state_, LoadState(ctx_.conn, l_, ctx_.priv));
  ASSIGN_OR_RETURN(std::string cur, CurrentRelease(ctx_.conn, l_, ctx_.priv));
  const std::string& id = p_.release;
  const ReleaseRecord* rec = state_.Find(id);
  ModuleResult res;
  if (cur == id && rec && rec->outcome == Outcome::kHealthy) {
    res.msg = "release '" + id + "' is current and healthy";
    FillData(&res, id, "");
    return res;
  }
  ASSIGN_OR_RETURN(bool dir_exists, ReleaseDirExists(id));
  // A release that was deployed whole before is switched back to as it is;
  // anything else (failed, interrupted, unknown) is built again.
  bool reuse = dir_exists && rec &&
               (rec->outcome == Outcome::kHealthy ||
                rec->outcome == Outcome::kRolledBack);
  res.changed = true;
  if (ctx_.check_mode) {
    res.msg = (reuse ? "would switch current to existing release '"
                     : "would create release '") +
              id + "'" + (reuse ? "" : " and switch current to it") +
              (cur.empty() ? "" : " (from '" + cur + "')");
    FillData(&res, id, cur);
    res.data["would_create"] = !reuse;
    res.data["would_switch"] = true;
    ASSIGN_OR_RETURN(
        auto prunable,
        PruneReleases(ctx_.conn, l_, &state_, reuse ? p_.keep : p_.keep - 1,
                      {cur, id}, /*check_mode=*/true, ctx_.priv));
    res.data["would_prune"] = prunable;
    return res;
  }
  RETURN_IF_ERROR(MakeDirs(ctx_.conn, l_.releases, ctx_.priv));
  RETURN_IF_ERROR(MakeDirs(ctx_.conn, l_.shared, ctx_.priv));
  auto env = HookEnv(p_, id, cur);
  ReleaseRecord& r = state_.Upsert(id);
  r.outcome = Outcome::kPending;
  r.message.clear();
  r.finished.clear();
  if (!reuse) r.created = Now();
  state_.rolled_back_from.clear();
  auto fail_before_switch = [&](std::string why) {
    ReleaseRecord* x = state_.Find(id);
    x->outcome = Outcome::kFailed;
    x->finished = Now();
    x->message = why;
    Save().IgnoreError();
    ModuleResult f = Fail(
        "release '" + id + "' failed before the switch: " + why +
        "; current is unchanged" + (cur.empty() ? "" : " ('" + cur + "')"));
    f.changed = true;
    FillData(&f, id, cur);
    return f;
  };
  if (!reuse) {
    RETURN_IF_ERROR(Save());
    Status built = BuildRelease(ctx_, l_, id, p_.source, env);
    if (!built.ok()) return fail_before_switch(built.message());
  }
  RETURN_IF_ERROR(Save());
  Status hooks = RunCommands(ctx_, p_.before_switch, l_.Release(id),
                             "before_switch hook", env);
  if (!hooks.ok()) return fail_before_switch(hooks.message());
  Drainer drainer(p_.drain, ctx_.conn, ctx_.priv);
  Status drained = drainer.Drain();
  if (!drained.ok()) return fail_before_switch(drained.message());

  std::string why = SwitchAndGate(id, cur, /*hooks=*/true);
  if (!why.empty()) return RollBackFrom(id, why, &drainer);

  ReleaseRecord* done = state_.Find(id);
  done->outcome = Outcome::kHealthy;
  done->finished = Now();
  res.msg = "release '" + id + "' is current and healthy";
  Status restored = drainer.Restore();
  ASSIGN_OR_RETURN(auto pruned,
                   PruneReleases(ctx_.conn, l_, &state_, p_.keep, {id, cur},
                                 /*check_mode=*/false, ctx_.priv));
  RETURN_IF_ERROR(Save());
  FillData(&res, id, cur);
  res.data["pruned"] = pruned;
  if (!restored.ok()) {
    res.failed = true;
    res.msg += ", but putting its backend back failed: " + restored.message();
  }
  return res;
}

Result<ModuleResult> DeployRun::RolledBack() {
  ASSIGN_OR_RETURN(state_, LoadState(ctx_.conn, l_, ctx_.priv));
  ASSIGN_OR_RETURN(std::string cur, CurrentRelease(ctx_.conn, l_, ctx_.priv));
  ModuleResult res;
  std::string target = p_.rollback_to;
  if (target.empty()) {
    if (!state_.rolled_back_from.empty() && state_.current == cur) {
      res.msg = "already rolled back to '" + cur + "' (from '" +
                state_.rolled_back_from + "')";
      FillData(&res, cur, state_.rolled_back_from);
      return res;
    }
    const ReleaseRecord* good = state_.LastHealthy(cur);
    if (!good) {
      return Fail("no release other than the current one ('" + cur +
                  "') is recorded healthy in " + l_.state_file +
                  "; name one with rollback_to");
    }
    target = good->id;
  }
  ASSIGN_OR_RETURN(bool exists, ReleaseDirExists(target));
  if (!exists) {
    return Fail("release '" + target + "' does not exist in " + l_.releases);
  }
  if (target == cur) {
    res.msg = "release '" + cur + "' is already current";
    FillData(&res, cur, "");
    return res;
  }
  res.changed = true;
  if (ctx_.check_mode) {
    res.msg = "would switch current from '" + cur + "' to '" + target + "'";
    FillData(&res, target, cur);
    return res;
  }
  Drainer drainer(p_.drain, ctx_.conn, ctx_.priv);
  RETURN_IF_ERROR(drainer.Drain());
  if (ReleaseRecord* left = state_.Find(cur);
      left && left->outcome != Outcome::kFailed) {
    left->outcome = Outcome::kRolledBack;
    left->finished = Now();
  }
  if (!state_.Find(target)) state_.Upsert(target).created = Now();
  state_.rolled_back_from = cur;
  std::string why = SwitchAndGate(target, cur, /*hooks=*/false);
  FillData(&res, target, cur);
  if (!why.empty()) {
    res.failed = true;
    res.msg =
        "switched current from '" + cur + "' to '" + target + "', but: " + why;
  } else {
    ReleaseRecord* t = state_.Find(target);
    if (t->outcome != Outcome::kHealthy &&
        p_.health.kind != HealthCheck::Kind::kNone) {
      t->outcome = Outcome::kHealthy;
    }
    res.msg = "rolled back from '" + cur + "' to '" + target + "'";
    RETURN_IF_ERROR(drainer.Restore());
  }
  RETURN_IF_ERROR(Save());
  res.data["releases"] = ReleasesValue(state_);
  return res;
}

class DeployModule : public Module {
 public:
  DeployModule() {
    spec_.name = "deploy";
    ParamSpec path = P("path", ParamType::kPath);
    path.required = true;
    ParamSpec state = P("state", ParamType::kStr, "present");
    state.choices = {"present", "rolled_back"};
    ParamSpec to = P("rollback_to");
    to.aliases = {"to"};
    spec_.params = {
        path,
        P("release"),
        P("src", ParamType::kPath),
        P("repo"),
        P("version", ParamType::kStr, "HEAD"),
        P("build", ParamType::kRaw),
        P("shared", ParamType::kList),
        P("keep_releases", ParamType::kInt, 5),
        P("before_switch", ParamType::kRaw),
        P("after_switch", ParamType::kRaw),
        P("restart"),
        P("health", ParamType::kDict),
        P("health_timeout", ParamType::kFloat, 30),
        P("bake", ParamType::kFloat, 0),
        P("interval", ParamType::kFloat, 1),
        P("drain", ParamType::kDict),
        state,
        to,
    };
    spec_.mutually_exclusive = {{"src", "repo"}};
  }

  const ModuleSpec& spec() const override { return spec_; }

  Result<ModuleResult> Run(const Value& args, ModuleContext& ctx) override {
    auto plan = MakePlan(args, ctx);
    if (!plan.ok()) return Fail(plan.status().message());
    DeployRun run(std::move(plan).value(), ctx);
    if (ArgStr(args, "state", "present") == "rolled_back") {
      return run.RolledBack();
    }
    return run.Present();
  }

 private:
  ModuleSpec spec_;
};

}  // namespace

std::unique_ptr<Module> NewDeployModule() {
  return std::make_unique<DeployModule>();
}

}  // namespace deploy

void AddDeployModules(ModuleList* out) {
  out->push_back(deploy::NewDeployModule());
}

}  // namespace tend::automate
