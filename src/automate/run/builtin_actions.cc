#include "automate/run/builtin_actions.h"

#include <chrono>
#include <thread>

#include "automate/modules/args.h"
#include "automate/playbook/actions.h"
#include "base/file_util.h"

namespace tend::automate {
namespace {

Status Invalid(std::string msg) {
  return Status(StatusCode::kInvalidArgument, std::move(msg));
}

Result<Value> Args(BuiltinContext& ctx, std::string_view name) {
  const Task& t = *ctx.task;
  ASSIGN_OR_RETURN(Value args,
                   ctx.templar->RenderArgs(t.args, t.arg_pos, *ctx.scope));
  if (name == "set_fact") return args;
  const ModuleSpec* spec = FindActionSpec(name);
  if (spec == nullptr) return args;
  auto valid = ValidateArgs(*spec, args);
  if (!valid.ok()) {
    return Invalid(t.args.pos.ToString() + ": " + valid.status().message());
  }
  return *valid;
}

Result<BuiltinResult> Debug(BuiltinContext& ctx) {
  // debug's msg and var: msg is templated as usual; var names a variable
  // or an expression, shown under its own text.
  const Task& t = *ctx.task;
  BuiltinResult r;
  r.verbose = true;
  const Value& raw = t.args.value;
  if (raw.is_object() && raw.contains("var")) {
    std::string expr = raw["var"].is_string() ? raw["var"].get<std::string>()
                                              : raw["var"].dump();
    SourcePos pos = t.args.pos;
    for (const auto& [k, p] : t.arg_pos) {
      if (k == "var") pos = p;
    }
    auto compiled =
        ctx.templar->cache()->Get(expr, pos, TemplateCache::Kind::kExpression);
    if (!compiled.ok()) return compiled.status();
    auto v = jinja::Evaluate(**compiled, *ctx.scope);
    if (!v.ok()) {
      if (v.status().message().find("is undefined") != std::string::npos) {
        r.result[expr] = "VARIABLE IS NOT DEFINED!";
      } else {
        return v.status();
      }
    } else {
      r.result[expr] = *v;
    }
    r.result["changed"] = false;
    return r;
  }
  ASSIGN_OR_RETURN(Value args, Args(ctx, "debug"));
  r.result["msg"] = args.contains("msg") ? args["msg"] : Value("Hello world!");
  r.result["changed"] = false;
  return r;
}

Result<BuiltinResult> SetFact(BuiltinContext& ctx) {
  ASSIGN_OR_RETURN(Value args, Args(ctx, "set_fact"));
  BuiltinResult r;
  Value facts = Value::object();
  for (auto it = args.begin(); it != args.end(); ++it) {
    if (it.key() == "cacheable") continue;
    ctx.host->runtime[it.key()] = *it;
    facts[it.key()] = *it;
  }
  r.result = Value{{"ansible_facts", facts}, {"changed", false}};
  return r;
}

Result<BuiltinResult> Assert(BuiltinContext& ctx) {
  const Task& t = *ctx.task;
  const Value& raw = t.args.value;
  if (!raw.is_object() || !raw.contains("that")) {
    return Invalid(t.args.pos.ToString() + ": assert needs 'that'");
  }
  SourcePos pos = t.args.pos;
  for (const auto& [k, p] : t.arg_pos) {
    if (k == "that") pos = p;
  }
  Value that =
      raw["that"].is_array() ? raw["that"] : Value::array({raw["that"]});
  BuiltinResult r;
  for (const Value& cond : that) {
    Expr e{cond, pos};
    ASSIGN_OR_RETURN(bool ok, ctx.templar->Condition(e, *ctx.scope));
    if (!ok) {
      r.outcome = Outcome::kFailed;
      r.result["assertion"] = cond;
      r.result["evaluated_to"] = false;
      r.result["changed"] = false;
      r.result["failed"] = true;
      Value msg = "Assertion failed";
      for (const char* k : {"msg", "fail_msg"}) {
        if (raw.contains(k)) {
          ASSIGN_OR_RETURN(msg, ctx.templar->Render(raw[k], pos, *ctx.scope));
        }
      }
      r.result["msg"] = msg;
      return r;
    }
  }
  r.result["changed"] = false;
  Value msg = "All assertions passed";
  if (raw.contains("success_msg")) {
    ASSIGN_OR_RETURN(msg,
                     ctx.templar->Render(raw["success_msg"], pos, *ctx.scope));
  }
  r.result["msg"] = msg;
  r.verbose = !(raw.contains("quiet") && AnsibleBool(raw["quiet"]) == true);
  return r;
}

Result<BuiltinResult> Fail(BuiltinContext& ctx) {
  ASSIGN_OR_RETURN(Value args, Args(ctx, "fail"));
  BuiltinResult r;
  r.outcome = Outcome::kFailed;
  r.result = Value{
      {"changed", false},
      {"failed", true},
      {"msg", args.contains("msg") ? args["msg"]
                                   : Value("Failed as requested from task")}};
  return r;
}

Result<BuiltinResult> Pause(BuiltinContext& ctx) {
  ASSIGN_OR_RETURN(Value args, Args(ctx, "pause"));
  double seconds = 0;
  if (args.contains("seconds")) seconds += args["seconds"].get<double>();
  if (args.contains("minutes")) seconds += 60 * args["minutes"].get<double>();
  if (!args.contains("seconds") && !args.contains("minutes")) {
    return Invalid(ctx.task->pos.ToString() +
                   ": pause without seconds or minutes waits for a keypress, "
                   "which tend does not do; give seconds");
  }
  auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  BuiltinResult r;
  r.result =
      Value{{"changed", false},
            {"delta", static_cast<int64_t>(took)},
            {"echo", true},
            {"rc", 0},
            {"stdout", "Paused for " + std::to_string(seconds) + " seconds"},
            {"user_input", ""}};
  return r;
}

Result<BuiltinResult> Setup(BuiltinContext& ctx) {
  BuiltinResult r;
  auto facts = ctx.gather();
  if (!facts.ok()) {
    r.outcome = Outcome::kUnreachable;
    r.unreachable = true;
    r.result = Value{{"changed", false},
                     {"msg", facts.status().message()},
                     {"unreachable", true}};
    return r;
  }
  for (auto it = facts->begin(); it != facts->end(); ++it) {
    ctx.host->facts[it.key()] = *it;
  }
  r.result = Value{{"ansible_facts", *facts}, {"changed", false}};
  return r;
}

Result<BuiltinResult> IncludeVars(BuiltinContext& ctx) {
  ASSIGN_OR_RETURN(Value args, Args(ctx, "include_vars"));
  std::string file = ArgStr(args, "file", ArgStr(args, "_raw_params"));
  if (file.empty()) {
    return Invalid(ctx.task->pos.ToString() + ": include_vars needs a file");
  }
  std::string path = FindInSearchPath(file, "vars", ctx.scope->Dirs());
  if (path.empty())
    path = ctx.task->base_dir + "/" + file;  // the error names it
  ASSIGN_OR_RETURN(auto doc, LoadYamlFile(path));
  if (!doc->value().is_object() && !doc->value().is_null()) {
    return Invalid(path + ": a vars file must be a mapping");
  }
  Value vars = doc->value().is_null() ? Value::object() : doc->value();
  std::string name = ArgStr(args, "name");
  if (!name.empty()) vars = Value{{name, vars}};
  for (auto it = vars.begin(); it != vars.end(); ++it) {
    ctx.host->runtime[it.key()] = *it;
  }
  BuiltinResult r;
  r.result = Value{{"ansible_facts", vars},
                   {"ansible_included_var_files", Value::array({path})},
                   {"changed", false}};
  return r;
}

}  // namespace

Result<BuiltinResult> RunBuiltin(std::string_view name, BuiltinContext& ctx) {
  if (name == "debug") return Debug(ctx);
  if (name == "set_fact") return SetFact(ctx);
  if (name == "assert") return Assert(ctx);
  if (name == "fail") return Fail(ctx);
  if (name == "pause") return Pause(ctx);
  if (name == "setup" || name == "gather_facts") return Setup(ctx);
  if (name == "include_vars") return IncludeVars(ctx);
  if (name == "ping") {
    BuiltinResult r;
    auto facts = ctx.gather;  // reaching the host is the point
    (void)facts;
    r.result = Value{{"changed", false}, {"ping", "pong"}};
    return r;
  }
  return Invalid(ctx.task->pos.ToString() + ": action '" + std::string(name) +
                 "' cannot run here");
}

Result<std::string> RenderTemplateFile(const std::string& path,
                                       Templar& templar, jinja::Scope& scope) {
  std::string text;
  RETURN_IF_ERROR(ReadFileLimited(path, 64 << 20, "template", &text));
  ASSIGN_OR_RETURN(auto t, templar.cache()->Get(text, SourcePos{path, 1, 1},
                                                TemplateCache::Kind::kFile));
  return jinja::Render(*t, scope);
}

}  // namespace tend::automate
