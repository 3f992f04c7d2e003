// One task on one host: conditions, loops, the action, retries, result
// rewriting (changed_when/failed_when), register and notify.
#include <unistd.h>

#include <chrono>
#include <thread>

#include "automate/modules/args.h"
#include "automate/playbook/actions.h"
#include "automate/run/builtin_actions.h"
#include "automate/run/lookups.h"
#include "automate/run/play_state.h"

namespace tend::automate {
namespace {

struct Once {
  Outcome outcome = Outcome::kOk;
  Value result = Value::object();
  std::vector<FileDiff> diffs;
  bool verbose = false;
};

Once Failed(std::string msg) {
  Once o;
  o.outcome = Outcome::kFailed;
  o.result =
      Value{{"changed", false}, {"failed", true}, {"msg", std::move(msg)}};
  return o;
}

Once Skipped(const Expr& cond) {
  Once o;
  o.outcome = Outcome::kSkipped;
  o.result = Value{{"changed", false},
                   {"skip_reason", "Conditional result was False"},
                   {"skipped", true}};
  if (cond.value.is_string()) o.result["false_condition"] = cond.value;
  return o;
}

// The connection a task uses on `host` (delegated tasks use the local one).
Result<Connection*> ConnectionFor(HostRun* host, bool delegated,
                                  RunShared* shared, IdResolver** ids) {
  if (delegated) {
    *ids = shared->local_ids.get();
    return shared->local.get();
  }
  if (!host->connect_tried) {
    host->connect_tried = true;
    Value vars = host->vars.inventory;
    const ConnectFn& fn = shared->opts->connect;
    auto c =
        fn ? fn(host->vars.name, vars) : DefaultConnect(host->vars.name, vars);
    if (c.ok()) {
      host->conn = std::move(*c);
      host->ids = std::make_unique<IdResolver>(host->conn.get());
    } else {
      host->connect_error = c.status();
    }
  }
  if (!host->connect_error.ok()) return host->connect_error;
  *ids = host->ids.get();
  return host->conn.get();
}

bool Bool(Templar& templar, const Expr& e, TaskScope& scope, bool fallback,
          Status* err) {
  if (!e.set()) return fallback;
  auto r = templar.Condition(e, scope);
  if (!r.ok()) {
    *err = r.status();
    return fallback;
  }
  return *r;
}

Once RunModule(const Task& task, Module& module, TaskScope& scope,
               Templar& templar, HostRun* host, const PlayVars& pv,
               RunShared* shared, bool delegated, const Privilege& priv,
               bool check, bool diff) {
  auto args = templar.RenderArgs(task.args, task.arg_pos, scope);
  if (!args.ok()) return Failed(args.status().message());
  auto valid = ValidateArgs(module.spec(), *args);
  if (!valid.ok()) {
    return Failed(task.args.pos.ToString() + ": " + valid.status().message());
  }
  IdResolver* ids = nullptr;
  Result<Connection*> conn = [&]() -> Result<Connection*> {
    if (delegated) {
      MutexLock lock(&shared->local_mu);
      return ConnectionFor(host, true, shared, &ids);
    }
    return ConnectionFor(host, false, shared, &ids);
  }();
  if (!conn.ok()) {
    Once o;
    o.outcome = Outcome::kUnreachable;
    o.result = Value{{"changed", false},
                     {"msg", conn.status().message()},
                     {"unreachable", true}};
    return o;
  }
  ModuleContext ctx;
  ctx.conn = *conn;
  ctx.ids = ids;
  ctx.priv = priv;
  ctx.check_mode = check;
  ctx.diff = diff;
  ctx.clock = shared->clock;
  ctx.find_src = [&](std::string_view src,
                     std::string_view kind) -> Result<std::string> {
    std::vector<std::string> tried;
    std::string found =
        FindInSearchPath(src, kind, DirsOf(&task, shared->pb->dir), &tried);
    if (!found.empty()) return found;
    std::string where;
    for (const auto& t : tried) where += (where.empty() ? "" : ", ") + t;
    return Status(StatusCode::kNotFound, "could not find '" + std::string(src) +
                                             "' (looked in " + where + ")");
  };
  ctx.render_file = [&](const std::string& path) -> Result<std::string> {
    return RenderTemplateFile(path, templar, scope);
  };
  Result<ModuleResult> r = [&]() -> Result<ModuleResult> {
    if (delegated) {
      MutexLock lock(&shared->local_mu);
      return module.Run(*valid, ctx);
    }
    return module.Run(*valid, ctx);
  }();
  Once o;
  if (!r.ok()) return Failed(r.status().message());
  o.result = r->data.is_object() ? r->data : Value::object();
  o.result["changed"] = r->changed;
  if (!r->msg.empty()) o.result["msg"] = r->msg;
  if (r->failed) {
    o.result["failed"] = true;
    o.outcome = Outcome::kFailed;
  } else if (r->skipped) {
    o.result["skipped"] = true;
    o.outcome = Outcome::kSkipped;
  } else {
    o.outcome = r->changed ? Outcome::kChanged : Outcome::kOk;
  }
  if (r->facts.is_object() && !r->facts.empty()) {
    for (auto it = r->facts.begin(); it != r->facts.end(); ++it) {
      host->vars.facts[it.key()] = *it;
    }
    o.result["ansible_facts"] = r->facts;
  }
  if (diff) o.diffs = std::move(r->diffs);
  (void)pv;
  return o;
}

Once RunAction(const Task& task, TaskScope& scope, Templar& templar,
               HostRun* host, const PlayVars& pv, RunShared* shared) {
  Status err;
  const Play& play = *pv.play;
  bool become =
      task.become.set()   ? Bool(templar, task.become, scope, false, &err)
      : play.become.set() ? Bool(templar, play.become, scope, false, &err)
                          : false;
  if (!err.ok()) return Failed(err.message());
  Privilege priv;
  priv.become = become;
  const Expr& user_expr =
      task.become_user.set() ? task.become_user : play.become_user;
  if (user_expr.set()) {
    auto u = templar.RenderText(user_expr, scope);
    if (!u.ok()) return Failed(u.status().message());
    priv.user = *u;
  }
  bool check = task.check_mode.set()
                   ? Bool(templar, task.check_mode, scope, pv.check_mode, &err)
                   : pv.check_mode;
  bool diff = task.diff.set()
                  ? Bool(templar, task.diff, scope, pv.diff_mode, &err)
                  : pv.diff_mode;
  if (!err.ok()) return Failed(err.message());
  bool delegated = false;
  if (task.delegate_to.set()) {
    auto d = templar.RenderText(task.delegate_to, scope);
    if (!d.ok()) return Failed(d.status().message());
    if (*d != "localhost" && *d != "127.0.0.1" && *d != host->vars.name) {
      return Failed(task.delegate_to.pos.ToString() +
                    ": delegate_to supports localhost only; got '" + *d + "'");
    }
    delegated = *d != host->vars.name;
  }
  const std::string_view name = ShortActionName(task.action);
  if (const Module* m = FindModule(name)) {
    // Modules keep no state between runs; the registry hands out const
    // pointers only to stop callers replacing them.
    return RunModule(task, *const_cast<Module*>(m), scope, templar, host, pv,
                     shared, delegated, priv, check, diff);
  }
  BuiltinContext bctx{&task,       &scope,        &templar,
                      &host->vars, shared->clock, check};
  bctx.gather = [&]() -> Result<Value> {
    IdResolver* ids = nullptr;
    ASSIGN_OR_RETURN(Connection * c,
                     ConnectionFor(host, delegated, shared, &ids));
    return GatherFacts(c);
  };
  auto r = RunBuiltin(name, bctx);
  if (!r.ok()) return Failed(r.status().message());
  Once o;
  o.result = r->result;
  o.verbose = r->verbose;
  o.outcome = r->outcome;
  if (r->unreachable) {
    o.outcome = Outcome::kUnreachable;
  }
  return o;
}

// One run of the task for the current loop item (or the only run).
Once RunOnce(const Task& task, TaskScope& scope, Templar& templar,
             HostRun* host, const PlayVars& pv, RunShared* shared) {
  for (const Expr& w : task.when) {
    auto c = templar.Condition(w, scope);
    if (!c.ok()) return Failed(c.status().message());
    if (!*c) return Skipped(w);
  }
  int retries = 3;
  double delay = 5;
  if (task.until.set()) {
    if (task.retries.set()) {
      auto r = templar.Render(task.retries, scope);
      if (!r.ok()) return Failed(r.status().message());
      auto n = AnsibleBool(*r);
      (void)n;
      if (r->is_number())
        retries = r->get<int>();
      else if (r->is_string())
        retries = std::atoi(r->get<std::string>().c_str());
    }
    if (task.delay.set()) {
      auto d = templar.Render(task.delay, scope);
      if (!d.ok()) return Failed(d.status().message());
      if (d->is_number())
        delay = d->get<double>();
      else if (d->is_string())
        delay = std::atof(d->get<std::string>().c_str());
    }
  }
  Once o;
  for (int attempt = 1;; ++attempt) {
    o = RunAction(task, scope, templar, host, pv, shared);
    if (o.outcome == Outcome::kUnreachable) return o;
    // changed_when / failed_when see the result under the register name.
    const std::string reg =
        task.register_var.empty() ? std::string("result") : task.register_var;
    if (!task.changed_when.empty() || !task.failed_when.empty() ||
        task.until.set()) {
      scope.SetLocal(reg, o.result);
    }
    if (!task.changed_when.empty()) {
      bool all = true;
      for (const Expr& e : task.changed_when) {
        auto c = templar.Condition(e, scope);
        if (!c.ok()) return Failed(c.status().message());
        all = all && *c;
      }
      o.result["changed"] = all;
      if (o.outcome == Outcome::kOk || o.outcome == Outcome::kChanged) {
        o.outcome = all ? Outcome::kChanged : Outcome::kOk;
      }
    }
    if (!task.failed_when.empty()) {
      bool all = true;
      for (const Expr& e : task.failed_when) {
        auto c = templar.Condition(e, scope);
        if (!c.ok()) return Failed(c.status().message());
        all = all && *c;
      }
      o.result["failed_when_result"] = all;
      o.result["failed"] = all;
      if (all) {
        o.outcome = Outcome::kFailed;
      } else if (o.outcome == Outcome::kFailed) {
        o.outcome =
            o.result.value("changed", false) ? Outcome::kChanged : Outcome::kOk;
      }
    }
    if (!task.until.set()) break;
    o.result["attempts"] = attempt;
    scope.SetLocal(reg, o.result);
    auto done = templar.Condition(task.until, scope);
    if (!done.ok()) return Failed(done.status().message());
    if (*done) break;
    if (attempt > retries) {
      o.outcome = Outcome::kFailed;
      o.result["failed"] = true;
      o.result["msg"] = "Retried " + std::to_string(retries) +
                        " times; the until condition never held";
      break;
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(delay));
  }
  return o;
}

void Count(const TaskResult& r, HostRun* host) {
  switch (r.outcome) {
    case Outcome::kOk:
      ++host->stats.ok;
      break;
    case Outcome::kChanged:
      ++host->stats.ok;
      ++host->stats.changed;
      break;
    case Outcome::kSkipped:
      ++host->stats.skipped;
      break;
    case Outcome::kFailed:
      if (r.ignored) {
        // Ansible counts an ignored failure as ok too, and as changed
        // when the result says so (a command that ran and failed).
        ++host->stats.ignored;
        ++host->stats.ok;
        if (r.result.is_object() && r.result.value("changed", false)) {
          ++host->stats.changed;
        }
      } else {
        ++host->pending_failures;
      }
      break;
    case Outcome::kUnreachable:
      if (r.ignored) {
        ++host->stats.ignored;
      } else {
        ++host->stats.unreachable;
      }
      break;
  }
}

}  // namespace

TaskResult RunTaskOnHost(const Task& task, HostRun* host, const PlayVars& pv,
                         RunShared* shared) {
  shared->tasks_run.fetch_add(1, std::memory_order_relaxed);
  Templar templar(&shared->cache);
  TaskScope scope(&templar, &pv, &host->vars, &task);
  TaskResult tr;
  tr.host = host->vars.name;
  tr.action = std::string(ShortActionName(task.action));
  if (task.delegate_to.set()) {
    auto d = templar.RenderText(task.delegate_to, scope);
    if (d.ok() && *d != host->vars.name) tr.delegated_to = *d;
  }
  if (task.loop_kind.empty()) {
    Once o = RunOnce(task, scope, templar, host, pv, shared);
    tr.outcome = o.outcome;
    tr.result = std::move(o.result);
    tr.diffs = std::move(o.diffs);
    tr.verbose = o.verbose;
  } else {
    tr.looped = true;
    Value items;
    auto rendered = templar.Render(task.loop, scope);
    if (rendered.ok()) {
      LookupContext lc{scope.Dirs(), &scope};
      auto li = LoopItems(task.loop_kind, *rendered, lc);
      if (li.ok()) {
        items = std::move(*li);
      } else {
        rendered = Status(li.status().code(), task.loop.pos.ToString() + ": " +
                                                  li.status().message());
      }
    }
    if (!rendered.ok()) {
      Once o = Failed(rendered.status().message());
      tr.looped = false;
      tr.outcome = o.outcome;
      tr.result = std::move(o.result);
    } else {
      const LoopControl& lc = task.loop_control;
      Value results = Value::array();
      bool any_changed = false, any_failed = false, all_skipped = true;
      for (size_t i = 0; i < items.size(); ++i) {
        scope.SetLocal(lc.loop_var, items[i]);
        scope.SetLocal("ansible_loop_var", lc.loop_var);
        if (!lc.index_var.empty()) {
          scope.SetLocal(lc.index_var, static_cast<int64_t>(i));
        }
        scope.SetLocal("ansible_loop",
                       Value{{"index", i + 1},
                             {"index0", i},
                             {"first", i == 0},
                             {"last", i + 1 == items.size()},
                             {"length", items.size()},
                             {"revindex", items.size() - i},
                             {"revindex0", items.size() - i - 1}});
        Once o = RunOnce(task, scope, templar, host, pv, shared);
        ItemResult item;
        item.outcome = o.outcome;
        if (lc.label.set()) {
          auto l = templar.RenderText(lc.label, scope);
          item.label = l.ok() ? *l : jinja::PyStr(items[i]);
        } else {
          item.label = jinja::PyStr(items[i]);
        }
        o.result[lc.loop_var] = items[i];
        o.result["ansible_loop_var"] = lc.loop_var;
        if (!lc.index_var.empty()) {
          o.result["ansible_index_var"] = lc.index_var;
          o.result[lc.index_var] = i;
        }
        any_changed = any_changed || o.outcome == Outcome::kChanged;
        any_failed = any_failed || o.outcome == Outcome::kFailed;
        all_skipped = all_skipped && o.outcome == Outcome::kSkipped;
        item.result = o.result;
        item.diffs = std::move(o.diffs);
        tr.verbose = tr.verbose || o.verbose;
        results.push_back(std::move(o.result));
        tr.items.push_back(std::move(item));
        if (o.outcome == Outcome::kUnreachable) {
          tr.outcome = Outcome::kUnreachable;
          break;
        }
        if (lc.pause.set()) {
          auto p = templar.Render(lc.pause, scope);
          if (p.ok() && p->is_number() && i + 1 < items.size()) {
            std::this_thread::sleep_for(
                std::chrono::duration<double>(p->get<double>()));
          }
        }
      }
      scope.ClearLocals();
      tr.result = Value{{"changed", any_changed},
                        {"msg", any_failed ? "One or more items failed"
                                           : "All items completed"},
                        {"results", std::move(results)}};
      if (tr.outcome != Outcome::kUnreachable) {
        if (any_failed) {
          tr.result["failed"] = true;
          tr.outcome = Outcome::kFailed;
        } else if (all_skipped && !items.empty()) {
          tr.result["skipped"] = true;
          tr.outcome = Outcome::kSkipped;
        } else if (items.empty()) {
          tr.result["skipped"] = true;
          tr.result["skipped_reason"] = "No items in the list";
          tr.outcome = Outcome::kSkipped;
        } else {
          tr.outcome = any_changed ? Outcome::kChanged : Outcome::kOk;
        }
      }
    }
  }
  if (tr.outcome == Outcome::kFailed || tr.outcome == Outcome::kUnreachable) {
    Status err;
    const Expr& ie = tr.outcome == Outcome::kFailed ? task.ignore_errors
                                                    : task.ignore_unreachable;
    const Expr& play_ie = pv.play->ignore_errors;
    tr.ignored = ie.set() ? Bool(templar, ie, scope, false, &err)
                 : (tr.outcome == Outcome::kFailed && play_ie.set())
                     ? Bool(templar, play_ie, scope, false, &err)
                     : false;
  }
  if (!task.register_var.empty()) {
    host->vars.runtime[task.register_var] = tr.result;
  }
  if (tr.outcome == Outcome::kChanged) {
    for (const Expr& n : task.notify) {
      auto name = templar.Render(n, scope);
      if (!name.ok()) continue;
      if (name->is_string()) host->notified.insert(name->get<std::string>());
      if (name->is_array()) {
        for (const Value& x : *name) {
          if (x.is_string()) host->notified.insert(x.get<std::string>());
        }
      }
    }
  }
  Count(tr, host);
  return tr;
}

bool TagsSelected(const std::vector<std::string>& task_tags,
                  const ApplyOptions& opts) {
  auto has = [&](std::string_view t) {
    return std::find(task_tags.begin(), task_tags.end(), t) != task_tags.end();
  };
  auto selected = [&](const std::vector<std::string>& list) {
    for (const std::string& s : list) {
      if (s == "all" && !has("never")) return true;
      if (s == "tagged" && !task_tags.empty()) return true;
      if (s == "untagged" && task_tags.empty()) return true;
      if (has(s)) return true;
    }
    return false;
  };
  if (!opts.skip_tags.empty() && selected(opts.skip_tags)) return false;
  if (opts.tags.empty()) return !has("never");
  if (has("always")) return true;
  return selected(opts.tags);
}

}  // namespace tend::automate
