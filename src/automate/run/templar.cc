#include "automate/run/templar.h"

namespace tend::automate {

Result<std::shared_ptr<const jinja::Template>> TemplateCache::Get(
    std::string_view text, const SourcePos& pos, Kind kind) {
  std::string key;
  key.reserve(text.size() + pos.file.size() + 24);
  key += static_cast<char>('0' + static_cast<int>(kind));
  key += pos.file;
  key += ':';
  key += std::to_string(pos.line);
  key += ':';
  key += std::to_string(pos.column);
  key += '\n';
  key += text;
  {
    MutexLock lock(&mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
  }
  jinja::CompileOptions file_opts;
  file_opts.verbatim_strings_in_output_tags = false;
  auto compiled = kind == Kind::kExpression
                      ? jinja::CompileExpression(text, pos)
                  : kind == Kind::kFile ? jinja::Compile(text, pos, file_opts)
                                        : jinja::Compile(text, pos);
  if (!compiled.ok()) return compiled.status();
  MutexLock lock(&mu_);
  return cache_.emplace(std::move(key), *compiled).first->second;
}

Result<Value> Templar::Render(const Value& v, const SourcePos& pos,
                              jinja::Scope& scope, bool drop_omitted) {
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (!jinja::IsTemplate(s)) return v;
    ASSIGN_OR_RETURN(auto t, cache_->Get(s, pos, TemplateCache::Kind::kText));
    return jinja::Evaluate(*t, scope);
  }
  if (v.is_array()) {
    Value out = Value::array();
    for (const Value& item : v) {
      ASSIGN_OR_RETURN(Value r, Render(item, pos, scope, drop_omitted));
      if (drop_omitted && r.is_string() && r == jinja::kOmitPlaceholder) {
        continue;
      }
      out.push_back(std::move(r));
    }
    return out;
  }
  if (v.is_object()) {
    Value out = Value::object();
    for (auto it = v.begin(); it != v.end(); ++it) {
      ASSIGN_OR_RETURN(Value r, Render(it.value(), pos, scope, drop_omitted));
      if (drop_omitted && r.is_string() && r == jinja::kOmitPlaceholder) {
        continue;
      }
      out[it.key()] = std::move(r);
    }
    return out;
  }
  return v;
}

Result<Value> Templar::RenderArgs(
    const Expr& args,
    const std::vector<std::pair<std::string, SourcePos>>& arg_pos,
    jinja::Scope& scope) {
  if (args.unsafe) return args.value;
  if (!args.value.is_object()) return Render(args.value, args.pos, scope, true);
  Value out = Value::object();
  for (auto it = args.value.begin(); it != args.value.end(); ++it) {
    const SourcePos* pos = &args.pos;
    for (const auto& [k, p] : arg_pos) {
      if (k == it.key()) {
        pos = &p;
        break;
      }
    }
    ASSIGN_OR_RETURN(Value r, Render(it.value(), *pos, scope, true));
    if (r.is_string() && r == jinja::kOmitPlaceholder) continue;
    out[it.key()] = std::move(r);
  }
  return out;
}

Result<bool> Templar::Condition(const Expr& e, jinja::Scope& scope) {
  if (e.value.is_boolean()) return e.value.get<bool>();
  if (e.value.is_string()) {
    ASSIGN_OR_RETURN(auto t,
                     cache_->Get(e.value.get_ref<const std::string&>(), e.pos,
                                 TemplateCache::Kind::kExpression));
    return jinja::EvaluateCondition(*t, scope);
  }
  if (e.value.is_null()) return false;
  return Status(StatusCode::kInvalidArgument,
                e.pos.ToString() +
                    ": a condition must be an expression or a "
                    "boolean; got " +
                    e.value.dump());
}

Result<std::string> Templar::RenderText(const Expr& e, jinja::Scope& scope) {
  ASSIGN_OR_RETURN(Value v, Render(e, scope));
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return std::string();
  return jinja::PyStr(v);
}

}  // namespace tend::automate
