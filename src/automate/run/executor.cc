#include "automate/run/executor.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

#include "automate/playbook/actions.h"
#include "automate/playbook/loader.h"
#include "automate/run/lookups.h"
#include "automate/run/play_state.h"
#include "automate/transport/local_connection.h"
#include "automate/transport/ssh_connection.h"

namespace tend::automate {
namespace {

class PlayRunner {
 public:
  PlayRunner(const Play& play, RunShared* shared) : play_(play), s_(shared) {}

  Status Run(std::vector<HostRun*> hosts) {
    const ApplyOptions& o = *s_->opts;
    Templar templar(&s_->cache);
    // Play-level values are rendered with the first host's scope (Ansible
    // templates them with play vars and extra vars only).
    pv_.play = &play_;
    pv_.extra = o.extra_vars;
    pv_.check_mode = o.check;
    pv_.diff_mode = o.diff;
    pv_.vars = play_.vars;
    all_.clear();
    for (HostRun* h : hosts) all_.push_back(&h->vars);
    pv_.hosts = &all_;
    BuildMagic(hosts);
    HostVarState nobody;
    nobody.name = hosts.empty() ? "localhost" : hosts[0]->vars.name;
    if (!hosts.empty()) nobody.inventory = hosts[0]->vars.inventory;
    TaskScope play_scope(&templar, &pv_, &nobody, nullptr);
    std::string name = "";
    if (play_.name.set()) {
      auto n = templar.RenderText(play_.name, play_scope);
      name = n.ok() ? *n : play_.name.value.dump();
    } else if (play_.hosts.value.is_string()) {
      name = play_.hosts.value.get<std::string>();
    }
    if (o.observer) o.observer->OnPlayStart(name);
    if (hosts.empty()) {
      if (o.observer) o.observer->OnNoHostsMatched();
      return Status::Ok();
    }
    for (const Expr& vf : play_.vars_files) {
      auto file = templar.RenderText(vf, play_scope);
      if (!file.ok()) return file.status();
      std::string path = *file;
      if (!path.empty() && path[0] != '/') path = s_->pb->dir + "/" + path;
      auto doc = LoadYamlFile(path);
      if (!doc.ok()) {
        return Status(
            StatusCode::kInvalidArgument,
            vf.pos.ToString() + ": vars_files: " + doc.status().message());
      }
      const Value& v = (*doc)->value();
      if (v.is_object()) {
        for (auto it = v.begin(); it != v.end(); ++it) pv_.vars[it.key()] = *it;
      }
    }
    bool gather = true;
    if (play_.gather_facts.set()) {
      auto g = templar.Condition(play_.gather_facts, play_scope);
      if (!g.ok()) return g.status();
      gather = *g;
    }
    ASSIGN_OR_RETURN(std::vector<size_t> sizes,
                     BatchSizes(templar, play_scope, hosts.size()));
    double max_fail = -1;
    if (play_.max_fail_percentage.set()) {
      auto m = templar.Render(play_.max_fail_percentage, play_scope);
      if (!m.ok()) return m.status();
      max_fail = m->is_number() ? m->get<double>()
                                : std::atof(jinja::PyStr(*m).c_str());
    }
    size_t start = 0;
    for (size_t bi = 0; start < hosts.size(); ++bi) {
      size_t n = sizes[std::min(bi, sizes.size() - 1)];
      std::vector<HostRun*> batch(
          hosts.begin() + start,
          hosts.begin() + std::min(hosts.size(), start + n));
      start += batch.size();
      batch_size_ = batch.size();
      max_fail_ = max_fail;
      Value names = Value::array();
      for (HostRun* h : batch) names.push_back(h->vars.name);
      pv_.magic["ansible_play_batch"] = names;
      if (gather) {
        Task setup;
        setup.action = "gather_facts";
        setup.name = Expr{Value("Gathering Facts"), play_.pos};
        setup.args = Expr{Value::object(), play_.pos};
        setup.base_dir = s_->pb->dir;
        RunOnHosts(setup, Active(batch), false);
      }
      RunList(play_.pre_tasks, batch);
      FlushHandlers(batch);
      RunList(play_.role_tasks, batch);
      RunList(play_.tasks, batch);
      FlushHandlers(batch);
      RunList(play_.post_tasks, batch);
      FlushHandlers(batch);
      if (abort_) break;
    }
    return Status::Ok();
  }

 private:
  void BuildMagic(const std::vector<HostRun*>& hosts) {
    pv_.magic["groups"] = s_->inv->GroupsVar();
    pv_.magic["playbook_dir"] = s_->pb->dir;
    Value play_hosts = Value::array();
    Value group_names = Value::object();
    for (HostRun* h : hosts) {
      play_hosts.push_back(h->vars.name);
      Value g = Value::array();
      for (const std::string& n : s_->inv->GroupNamesOf(h->vars.name)) {
        if (n != "all") g.push_back(n);
      }
      group_names[h->vars.name] = g;
    }
    pv_.magic["ansible_play_hosts"] = play_hosts;
    pv_.magic["ansible_play_hosts_all"] = play_hosts;
    pv_.magic["__group_names"] = group_names;
    pv_.magic["ansible_version"] = Value{
        {"full", "2.14.0"}, {"major", 2}, {"minor", 14}, {"string", "2.14.0"}};
  }

  Result<std::vector<size_t>> BatchSizes(Templar& templar, TaskScope& scope,
                                         size_t total) {
    if (!play_.serial.set()) return std::vector<size_t>{total};
    ASSIGN_OR_RETURN(Value v, templar.Render(play_.serial, scope));
    Value list = v.is_array() ? v : Value::array({v});
    std::vector<size_t> out;
    for (const Value& x : list) {
      double n = 0;
      if (x.is_number()) {
        n = x.get<double>();
      } else if (x.is_string()) {
        std::string s = x.get<std::string>();
        if (!s.empty() && s.back() == '%') {
          n = std::floor(std::atof(s.c_str()) * static_cast<double>(total) /
                         100);
          if (n < 1) n = 1;
        } else {
          n = std::atof(s.c_str());
        }
      }
      if (n <= 0) n = static_cast<double>(total);
      out.push_back(static_cast<size_t>(n));
    }
    if (out.empty()) out.push_back(total);
    return out;
  }

  static std::vector<HostRun*> Active(const std::vector<HostRun*>& hosts) {
    std::vector<HostRun*> out;
    for (HostRun* h : hosts) {
      if (!h->failed && !h->unreachable && !h->ended) out.push_back(h);
    }
    return out;
  }

  void RunList(const std::vector<Task>& tasks,
               const std::vector<HostRun*>& hosts) {
    for (const Task& t : tasks) {
      if (abort_) return;
      std::vector<HostRun*> active = Active(hosts);
      if (active.empty()) return;
      switch (t.kind) {
        case Task::Kind::kBlock:
          RunBlock(t, active);
          break;
        case Task::Kind::kIncludeTasks:
        case Task::Kind::kIncludeRole:
          RunInclude(t, active);
          break;
        case Task::Kind::kMeta:
          RunMeta(t, active, hosts);
          break;
        case Task::Kind::kModule:
          if (!TagsSelected(t.tags, *s_->opts)) break;
          RunOnHosts(t, active, false);
          break;
      }
      CheckFailures(hosts);
    }
  }

  // Aborts the play when max_fail_percentage or any_errors_fatal say so.
  void CheckFailures(const std::vector<HostRun*>& batch) {
    size_t failed = 0;
    for (HostRun* h : batch) failed += (h->failed || h->unreachable) ? 1 : 0;
    if (failed == 0) return;
    bool fatal = false;
    if (play_.any_errors_fatal.set() && play_.any_errors_fatal.value == true) {
      fatal = true;
    }
    if (max_fail_ >= 0 && batch_size_ > 0 &&
        100.0 * static_cast<double>(failed) / static_cast<double>(batch_size_) >
            max_fail_) {
      fatal = true;
    }
    if (fatal && !abort_) {
      abort_ = true;
      for (HostRun* h : batch) {
        if (!h->failed && !h->unreachable) h->ended = true;
      }
      if (s_->opts->observer) s_->opts->observer->OnNoMoreHosts();
    }
  }

  void RunBlock(const Task& block, const std::vector<HostRun*>& hosts) {
    std::vector<int> before;
    for (HostRun* h : hosts) before.push_back(h->pending_failures);
    RunList(block.block, hosts);
    std::vector<HostRun*> failed_in_block;
    for (size_t i = 0; i < hosts.size(); ++i) {
      if (hosts[i]->failed && hosts[i]->pending_failures > before[i]) {
        failed_in_block.push_back(hosts[i]);
      }
    }
    if (!block.rescue.empty() && !failed_in_block.empty()) {
      for (HostRun* h : failed_in_block) h->failed = false;
      std::vector<int> mark;
      for (HostRun* h : failed_in_block) mark.push_back(h->pending_failures);
      RunList(block.rescue, failed_in_block);
      for (size_t i = 0; i < failed_in_block.size(); ++i) {
        HostRun* h = failed_in_block[i];
        if (!h->failed) {
          // Rescued: the block's failures do not count as failed.
          h->pending_failures = mark[i] - 1 >= 0 ? mark[i] - 1 : 0;
          ++h->stats.rescued;
        }
      }
    }
    if (!block.always.empty()) {
      std::vector<HostRun*> still_failed;
      for (HostRun* h : hosts) {
        if (h->failed && !h->unreachable) {
          still_failed.push_back(h);
          h->failed = false;
        }
      }
      RunList(block.always, hosts);
      for (HostRun* h : still_failed) h->failed = true;
    }
  }

  void RunInclude(const Task& t, const std::vector<HostRun*>& hosts) {
    if (!TagsSelected(t.tags, *s_->opts) && !t.tags.empty()) return;
    // Each host decides (when, loop, file name); hosts that load the same
    // file with the same item run it together.
    struct Unit {
      std::string file;
      Value params;
      std::vector<HostRun*> hosts;
      std::string label;  // "(item=...)" text, "" without a loop
    };
    std::vector<Unit> units;
    Templar templar(&s_->cache);
    for (HostRun* h : hosts) {
      TaskScope scope(&templar, &pv_, &h->vars, &t);
      auto add = [&](const Value& item, bool has_item) -> Status {
        if (has_item) scope.SetLocal(t.loop_control.loop_var, item);
        for (const Expr& w : t.when) {
          ASSIGN_OR_RETURN(bool ok, templar.Condition(w, scope));
          if (!ok) return Status::Ok();
        }
        ASSIGN_OR_RETURN(Value args,
                         templar.RenderArgs(t.args, t.arg_pos, scope));
        std::string file = args.value("file", args.value("_raw_params", ""));
        if (t.kind == Task::Kind::kIncludeRole) {
          file = "role:" + args.value("name", "") + ":" +
                 args.value("tasks_from", "main");
        }
        Value params = t.vars;
        if (has_item) params[t.loop_control.loop_var] = item;
        for (auto& u : units) {
          if (u.file == file && u.params == params) {
            u.hosts.push_back(h);
            return Status::Ok();
          }
        }
        units.push_back(
            Unit{file, params, {h}, has_item ? jinja::PyStr(item) : ""});
        return Status::Ok();
      };
      Status st;
      if (t.loop_kind.empty()) {
        st = add(Value(), false);
      } else {
        auto rendered = templar.Render(t.loop, scope);
        if (!rendered.ok()) {
          st = rendered.status();
        } else {
          LookupContext lc{scope.Dirs(), &scope};
          auto items = LoopItems(t.loop_kind, *rendered, lc);
          if (!items.ok()) {
            st = items.status();
          } else {
            for (const Value& item : *items) {
              st = add(item, true);
              if (!st.ok()) break;
            }
          }
        }
      }
      if (!st.ok()) FailHost(t, h, st.message());
    }
    // As Ansible: one banner, an "included:" line per file and item
    // (each counted ok on its hosts), then the included tasks run.
    const Role* role = t.role;
    for (Unit& u : units) {
      if (u.file.starts_with("role:")) continue;
      std::string path =
          FindInSearchPath(u.file, "tasks", DirsOf(&t, s_->pb->dir));
      if (path.empty()) path = t.base_dir + "/" + u.file;  // the error names it
      u.file = path;
    }
    RunObserver* obs = s_->opts->observer;
    bool banner = false;
    for (const Unit& u : units) {
      if (u.file.starts_with("role:")) continue;
      if (!banner && obs) obs->OnTaskStart(TaskName(t, u.hosts[0]), false);
      banner = true;
      std::vector<std::string> names;
      for (HostRun* h : u.hosts) {
        names.push_back(h->vars.name);
        ++h->stats.ok;
        h->ran = true;
      }
      if (obs) obs->OnIncluded(u.file, names, u.label);
    }
    for (Unit& u : units) {
      std::vector<Task> tasks;
      if (u.file.starts_with("role:")) {
        std::string rest = u.file.substr(5);
        std::string name = rest.substr(0, rest.find(':'));
        std::string from = rest.substr(rest.find(':') + 1);
        auto r = LoadRole(name, s_->pb->dir, from);
        if (!r.ok()) {
          for (HostRun* h : u.hosts) FailHost(t, h, r.status().message());
          continue;
        }
        tasks = std::move((*r)->tasks);
        MutexLock lock(&s_->roles_mu);
        s_->dynamic_roles.push_back(std::move(*r));
      } else {
        auto loaded = LoadTaskFile(u.file, role);
        if (!loaded.ok()) {
          for (HostRun* h : u.hosts) {
            FailHost(t, h,
                     t.pos.ToString() +
                         ": include_tasks: " + loaded.status().message());
          }
          continue;
        }
        tasks = std::move(*loaded);
      }
      for (Task& x : tasks) {
        for (const auto& tag : t.tags) x.tags.push_back(tag);
      }
      for (HostRun* h : u.hosts) h->vars.include_stack.push_back(u.params);
      auto keep = std::make_shared<std::vector<Task>>(std::move(tasks));
      RunList(*keep, u.hosts);
      for (HostRun* h : u.hosts) h->vars.include_stack.pop_back();
      MutexLock lock(&kept_mu_);
      kept_.push_back(keep);  // tasks may be referenced by results
    }
  }

  void FailHost(const Task& t, HostRun* h, const std::string& msg) {
    TaskResult r;
    r.host = h->vars.name;
    r.outcome = Outcome::kFailed;
    r.result = Value{{"changed", false}, {"failed", true}, {"msg", msg}};
    ++h->pending_failures;
    h->failed = true;
    h->ran = true;
    if (s_->opts->observer) {
      s_->opts->observer->OnTaskStart(TaskName(t, h), false);
      s_->opts->observer->OnHostResult(r);
    }
  }

  void RunMeta(const Task& t, const std::vector<HostRun*>& active,
               const std::vector<HostRun*>& batch) {
    std::string verb;
    const Value& a = t.args.value;
    if (a.is_object()) verb = a.value("_raw_params", "");
    if (a.is_string()) verb = a.get<std::string>();
    if (verb == "flush_handlers") {
      FlushHandlers(batch);
    } else if (verb == "end_play") {
      abort_ = true;
    } else if (verb == "end_host") {
      for (HostRun* h : active) h->ended = true;
    } else if (verb == "noop" || verb == "clear_facts" ||
               verb == "refresh_inventory" || verb == "clear_host_errors" ||
               verb == "reset_connection" || verb == "end_batch") {
      if (verb == "clear_facts") {
        for (HostRun* h : active) h->vars.facts = Value::object();
      }
      if (verb == "end_batch") abort_batch_ = true;
    } else {
      for (HostRun* h : active) {
        FailHost(t, h,
                 t.pos.ToString() + ": unknown meta action '" + verb + "'");
      }
    }
  }

  void FlushHandlers(const std::vector<HostRun*>& hosts) {
    for (const Task& h : play_.handlers) {
      std::vector<HostRun*> notified;
      for (HostRun* host : Active(hosts)) {
        bool hit = false;
        if (h.name.value.is_string() &&
            host->notified.contains(h.name.value.get<std::string>())) {
          hit = true;
        }
        for (const std::string& topic : h.listen) {
          if (host->notified.contains(topic)) hit = true;
        }
        if (hit) notified.push_back(host);
      }
      if (notified.empty()) continue;
      RunOnHosts(h, notified, true);
    }
    for (HostRun* host : hosts) host->notified.clear();
  }

  std::string TaskName(const Task& t, HostRun* h) {
    std::string prefix = t.role != nullptr ? t.role->name + " : " : "";
    if (!t.name.set()) return prefix + t.action;
    Templar templar(&s_->cache);
    TaskScope scope(&templar, &pv_, &h->vars, &t);
    auto n = templar.RenderText(t.name, scope);
    // A name that cannot render yet (it uses a loop item) shows as written.
    return prefix + (n.ok() ? *n : t.name.value.get<std::string>());
  }

  void RunOnHosts(const Task& t, const std::vector<HostRun*>& hosts,
                  bool handler) {
    if (hosts.empty()) return;
    RunObserver* obs = s_->opts->observer;
    if (obs) obs->OnTaskStart(TaskName(t, hosts[0]), handler);
    bool run_once = false;
    if (t.run_once.set()) {
      Templar templar(&s_->cache);
      TaskScope scope(&templar, &pv_, &hosts[0]->vars, &t);
      auto r = templar.Condition(t.run_once, scope);
      run_once = r.ok() && *r;
    }
    std::vector<HostRun*> targets = hosts;
    if (run_once) targets.resize(1);
    auto one = [&](HostRun* h) {
      h->ran = true;
      TaskResult r = RunTaskOnHost(t, h, pv_, s_);
      if (r.outcome == Outcome::kUnreachable && !r.ignored)
        h->unreachable = true;
      if (r.outcome == Outcome::kFailed && !r.ignored) h->failed = true;
      if (obs) obs->OnHostResult(r);
      return r;
    };
    const int forks = std::max(1, s_->opts->forks);
    if (targets.size() == 1 || forks == 1) {
      for (HostRun* h : targets) one(h);
    } else {
      std::atomic<size_t> next{0};
      std::vector<std::thread> workers;
      const size_t n =
          std::min<size_t>(targets.size(), static_cast<size_t>(forks));
      for (size_t w = 0; w < n; ++w) {
        workers.emplace_back([&] {
          for (size_t i; (i = next.fetch_add(1)) < targets.size();)
            one(targets[i]);
        });
      }
      for (auto& w : workers) w.join();
    }
    if (run_once && !t.register_var.empty()) {
      const Value& reg = targets[0]->vars.runtime[t.register_var];
      for (HostRun* h : hosts) h->vars.runtime[t.register_var] = reg;
    }
  }

  const Play& play_;
  RunShared* s_;
  PlayVars pv_;
  std::vector<HostVarState*> all_;
  bool abort_ = false;
  bool abort_batch_ = false;
  size_t batch_size_ = 0;
  double max_fail_ = -1;
  Mutex kept_mu_;
  std::vector<std::shared_ptr<std::vector<Task>>> kept_ GUARDED_BY(kept_mu_);
};

}  // namespace

Result<std::unique_ptr<Connection>> DefaultConnect(const std::string& host,
                                                   const Value& vars) {
  std::string conn = vars.value("ansible_connection", "");
  std::string addr = vars.value("ansible_host", host);
  // An address on this host is reached directly unless the inventory
  // names a port or user to log in with (test hosts on loopback sshd).
  const bool login_given = vars.contains("ansible_port") ||
                           vars.contains("ansible_user") ||
                           vars.contains("ansible_ssh_private_key_file");
  if (conn == "local" ||
      (conn.empty() && IsLocalhostName(addr) && !login_given)) {
    return NewLocalConnection(host);
  }
  if (!conn.empty() && conn != "ssh" && conn != "paramiko" && conn != "smart") {
    return Status(StatusCode::kUnavailable,
                  "no transport for " + host + " (ansible_connection=" + conn +
                      "): tend connects with local or ssh");
  }
  ASSIGN_OR_RETURN(SshOptions ssh, SshOptionsFromVars(host, vars));
  return OpenSsh(host, ssh);
}

Result<RunSummary> RunPlaybook(const Playbook& pb, const Inventory& inv,
                               const ApplyOptions& opts) {
  RunShared shared;
  shared.pb = &pb;
  shared.inv = &inv;
  shared.opts = &opts;
  shared.clock = opts.clock != nullptr ? opts.clock : Clock::Real();
  shared.local = NewLocalConnection("localhost");
  shared.local_ids = std::make_unique<IdResolver>(shared.local.get());
  std::vector<std::string> limit;
  bool have_limit = !opts.limit.empty();
  if (have_limit) {
    ASSIGN_OR_RETURN(limit, inv.Match(opts.limit));
  }
  std::map<std::string, std::unique_ptr<HostRun>> hosts;
  auto host_run = [&](const std::string& name) -> HostRun* {
    auto& slot = hosts[name];
    if (!slot) {
      slot = std::make_unique<HostRun>();
      slot->vars.name = name;
      // The implicit localhost gets `all`'s vars and its own
      // (ansible_connection=local), as in Ansible.
      slot->vars.inventory = inv.VarsForHost(name);
      if (inv.FindHost(name) == nullptr) {
        const Value local = ImplicitLocalhost().vars;
        for (auto it = local.begin(); it != local.end(); ++it) {
          slot->vars.inventory[it.key()] = *it;
        }
      }
    }
    return slot.get();
  };
  for (const Play& play : pb.plays) {
    Templar templar(&shared.cache);
    std::string pattern;
    if (play.hosts.value.is_array()) {
      for (const Value& h : play.hosts.value) {
        if (!pattern.empty()) pattern += ",";
        pattern += h.is_string() ? h.get<std::string>() : h.dump();
      }
    } else if (play.hosts.value.is_string()) {
      pattern = play.hosts.value.get<std::string>();
    }
    if (jinja::IsTemplate(pattern)) {
      PlayVars pv;
      pv.play = &play;
      pv.extra = opts.extra_vars;
      pv.vars = play.vars;
      HostVarState none;
      TaskScope scope(&templar, &pv, &none, nullptr);
      ASSIGN_OR_RETURN(
          pattern,
          templar.RenderText(Expr{Value(pattern), play.hosts.pos}, scope));
    }
    auto matched = inv.Match(pattern);
    if (!matched.ok()) {
      return Status(
          StatusCode::kInvalidArgument,
          play.hosts.pos.ToString() + ": " + matched.status().message());
    }
    // Match() already yields the implicit localhost for its names.
    std::vector<std::string> names = *matched;
    std::vector<HostRun*> play_hosts;
    for (const std::string& n : names) {
      if (have_limit &&
          std::find(limit.begin(), limit.end(), n) == limit.end()) {
        continue;
      }
      HostRun* h = host_run(n);
      h->failed = false;
      h->ended = false;
      if (h->unreachable) continue;
      play_hosts.push_back(h);
    }
    PlayRunner runner(play, &shared);
    RETURN_IF_ERROR(runner.Run(play_hosts));
  }
  RunSummary sum;
  for (auto& [name, h] : hosts) {
    if (!h->ran) continue;
    h->stats.failed = h->pending_failures;
    sum.stats[name] = h->stats;
    if (h->stats.failed > 0 || h->stats.unreachable > 0) sum.failed = true;
  }
  sum.tasks_run = shared.tasks_run.load();
  if (opts.observer) opts.observer->OnRecap(sum.stats);
  return sum;
}

}  // namespace tend::automate
