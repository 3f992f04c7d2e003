#include "automate/run/lookups.h"

#include <glob.h>
#include <sys/stat.h>

#include <cstdlib>

#include "base/file_util.h"
#include "base/subprocess.h"

namespace tend::automate {
namespace {

constexpr size_t kMaxLookupFile = 64 << 20;

Status Invalid(std::string msg) {
  return Status(StatusCode::kInvalidArgument, std::move(msg));
}

// A file a lookup names: found on the task's search path, else relative
// to the task's directory (where the error will then point).
std::string Resolve(const LookupContext& ctx, const std::string& p,
                    const char* subdir) {
  std::string found = FindInSearchPath(p, subdir, ctx.dirs);
  return found.empty() ? ctx.dirs.base_dir + "/" + p : found;
}

Result<std::string> Str(const Value& v, std::string_view plugin) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return jinja::PyStr(v);
  return Invalid("lookup '" + std::string(plugin) +
                 "' needs string arguments; got " + jinja::PyStr(v));
}

void FlattenInto(const Value& v, Value* out, int levels) {
  if (v.is_array() && levels != 0) {
    for (const Value& x : v) FlattenInto(x, out, levels - 1);
  } else {
    out->push_back(v);
  }
}

Result<Value> Sequence(const std::vector<Value>& args, const Value& kwargs) {
  int64_t start = 1, end = 0, stride = 1;
  std::string format = "%d";
  bool have_end = false;
  auto num = [](const Value& v, int64_t* out) -> bool {
    if (v.is_number_integer()) {
      *out = v.get<int64_t>();
      return true;
    }
    if (!v.is_string()) return false;
    const std::string& s = v.get_ref<const std::string&>();
    char* e = nullptr;
    long long n = std::strtoll(s.c_str(), &e, 0);
    if (s.empty() || *e != '\0') return false;
    *out = n;
    return true;
  };
  Value kv = kwargs.is_object() ? kwargs : Value::object();
  // "start=1 end=5 format=x%02d" or "1-5" shorthand.
  for (const Value& a : args) {
    if (!a.is_string()) continue;
    std::string s = a.get<std::string>();
    size_t pos = 0;
    while (pos < s.size()) {
      size_t sp = s.find(' ', pos);
      std::string word = s.substr(pos, sp == std::string::npos ? sp : sp - pos);
      pos = sp == std::string::npos ? s.size() : sp + 1;
      if (word.empty()) continue;
      size_t eq = word.find('=');
      if (eq != std::string::npos) {
        kv[word.substr(0, eq)] = word.substr(eq + 1);
      } else if (size_t dash = word.find('-', 1); dash != std::string::npos) {
        kv["start"] = word.substr(0, dash);
        kv["end"] = word.substr(dash + 1);
      } else {
        kv["end"] = word;
      }
    }
  }
  for (auto it = kv.begin(); it != kv.end(); ++it) {
    const std::string& k = it.key();
    if (k == "format") {
      format = it->is_string() ? it->get<std::string>() : it->dump();
      continue;
    }
    int64_t n;
    if (!num(*it, &n)) {
      return Invalid("lookup 'sequence': '" + k + "' must be a number");
    }
    if (k == "start")
      start = n;
    else if (k == "end") {
      end = n;
      have_end = true;
    } else if (k == "count") {
      end = start + n - 1;
      have_end = true;
    } else if (k == "stride")
      stride = n;
    else
      return Invalid("lookup 'sequence': unknown option '" + k + "'");
  }
  if (!have_end) return Invalid("lookup 'sequence' needs end or count");
  if (stride == 0) return Invalid("lookup 'sequence': stride cannot be 0");
  Value out = Value::array();
  for (int64_t i = start; stride > 0 ? i <= end : i >= end; i += stride) {
    if (out.size() >= 1000000) {
      return Invalid("lookup 'sequence' would make more than 1000000 items");
    }
    char buf[256];
    std::snprintf(buf, sizeof buf, format.c_str(), static_cast<int>(i));
    out.push_back(std::string(buf));
  }
  return out;
}

}  // namespace

Result<Value> RunLookup(std::string_view plugin, const std::vector<Value>& args,
                        const Value& kwargs, const LookupContext& ctx) {
  Value out = Value::array();
  if (plugin == "env") {
    for (const Value& a : args) {
      ASSIGN_OR_RETURN(std::string name, Str(a, plugin));
      const char* v = std::getenv(name.c_str());
      out.push_back(
          v == nullptr
              ? (kwargs.contains("default") ? kwargs["default"] : Value(""))
              : Value(v));
    }
    return out;
  }
  if (plugin == "file" || plugin == "lines") {
    for (const Value& a : args) {
      ASSIGN_OR_RETURN(std::string name, Str(a, plugin));
      std::string path = Resolve(ctx, name, "files");
      std::string text;
      Status st = ReadFileLimited(path, kMaxLookupFile, "lookup file", &text);
      if (!st.ok()) {
        return Invalid("lookup '" + std::string(plugin) +
                       "': could not read '" + name + "': " + st.message());
      }
      if (plugin == "lines") {
        size_t start = 0;
        while (start < text.size()) {
          size_t nl = text.find('\n', start);
          out.push_back(text.substr(
              start, nl == std::string::npos ? std::string::npos : nl - start));
          if (nl == std::string::npos) break;
          start = nl + 1;
        }
      } else {
        bool rstrip = !kwargs.contains("rstrip") || kwargs["rstrip"] == true;
        if (rstrip) {
          while (!text.empty() &&
                 isspace(static_cast<unsigned char>(text.back()))) {
            text.pop_back();
          }
        }
        out.push_back(text);
      }
    }
    return out;
  }
  if (plugin == "fileglob") {
    for (const Value& a : args) {
      ASSIGN_OR_RETURN(std::string pat, Str(a, plugin));
      // The first search-path directory where the pattern matches.
      glob_t g{};
      for (const std::string& full : SearchCandidates(pat, "files", ctx.dirs)) {
        if (::glob(full.c_str(), 0, nullptr, &g) == 0) break;
        globfree(&g);
        g = glob_t{};
      }
      for (size_t i = 0; i < g.gl_pathc; ++i) {
        struct stat st;
        if (::stat(g.gl_pathv[i], &st) == 0 && S_ISREG(st.st_mode)) {
          out.push_back(std::string(g.gl_pathv[i]));
        }
      }
      globfree(&g);
    }
    return out;
  }
  if (plugin == "first_found") {
    std::vector<std::string> candidates;
    for (const Value& a : args) {
      Value items = Value::array();
      FlattenInto(a, &items, -1);
      for (const Value& x : items) {
        if (x.is_string()) candidates.push_back(x.get<std::string>());
        if (x.is_object() && x.contains("files")) {
          for (const Value& f : x["files"]) {
            if (!f.is_string()) continue;
            if (x.contains("paths") && x["paths"].is_array()) {
              for (const Value& p : x["paths"]) {
                if (p.is_string()) {
                  candidates.push_back(p.get<std::string>() + "/" +
                                       f.get<std::string>());
                }
              }
            } else {
              candidates.push_back(f.get<std::string>());
            }
          }
        }
      }
    }
    for (const std::string& c : candidates) {
      std::string path = Resolve(ctx, c, "files");
      struct stat st;
      if (::stat(path.c_str(), &st) == 0) {
        out.push_back(path);
        return out;
      }
    }
    if (kwargs.contains("skip") && kwargs["skip"] == true) return out;
    return Invalid("lookup 'first_found': none of the files was found");
  }
  if (plugin == "pipe") {
    for (const Value& a : args) {
      ASSIGN_OR_RETURN(std::string cmd, Str(a, plugin));
      SubprocessOptions opts;
      opts.argv = {"/bin/sh", "-c", cmd};
      opts.working_dir = ctx.dirs.base_dir;
      auto r = RunSubprocess(opts);
      if (!r.ok()) return Invalid("lookup 'pipe': " + r.status().message());
      if (r->exit_code != 0) {
        return Invalid("lookup 'pipe': '" + cmd + "' exited with " +
                       std::to_string(r->exit_code));
      }
      std::string s = r->stdout_data;
      while (!s.empty() && s.back() == '\n') s.pop_back();
      out.push_back(s);
    }
    return out;
  }
  if (plugin == "vars") {
    for (const Value& a : args) {
      ASSIGN_OR_RETURN(std::string name, Str(a, plugin));
      ASSIGN_OR_RETURN(std::optional<Value> v, ctx.scope->Lookup(name));
      if (!v) {
        if (kwargs.contains("default")) {
          out.push_back(kwargs["default"]);
          continue;
        }
        return Invalid("lookup 'vars': no variable named '" + name + "'");
      }
      out.push_back(*v);
    }
    return out;
  }
  if (plugin == "items" || plugin == "flattened") {
    for (const Value& a : args)
      // The terms are a list; with_items flattens one level below it.
      FlattenInto(a, &out, plugin == "items" ? 2 : -1);
    return out;
  }
  if (plugin == "list") {
    if (args.size() == 1 && args[0].is_array()) return args[0];
    for (const Value& a : args) out.push_back(a);
    return out;
  }
  if (plugin == "dict") {
    for (const Value& a : args) {
      if (!a.is_object()) return Invalid("with_dict needs a mapping");
      for (auto it = a.begin(); it != a.end(); ++it) {
        out.push_back(Value{{"key", it.key()}, {"value", it.value()}});
      }
    }
    return out;
  }
  if (plugin == "indexed_items") {
    Value flat = Value::array();
    for (const Value& a : args) FlattenInto(a, &flat, 2);
    for (size_t i = 0; i < flat.size(); ++i) {
      out.push_back(Value::array({i, flat[i]}));
    }
    return out;
  }
  if (plugin == "sequence") return Sequence(args, kwargs);
  if (plugin == "nested" || plugin == "together") {
    std::vector<Value> lists;
    for (const Value& a : args) {
      if (a.is_array() && !a.empty() && a[0].is_array() && args.size() == 1) {
        for (const Value& x : a) lists.push_back(x);
      } else {
        lists.push_back(a.is_array() ? a : Value::array({a}));
      }
    }
    if (plugin == "together") {
      size_t n = 0;
      for (const Value& l : lists) n = std::max(n, l.size());
      for (size_t i = 0; i < n; ++i) {
        Value row = Value::array();
        for (const Value& l : lists)
          row.push_back(i < l.size() ? l[i] : Value());
        out.push_back(row);
      }
      return out;
    }
    out.push_back(Value::array());
    for (const Value& l : lists) {
      Value next = Value::array();
      for (const Value& prefix : out) {
        for (const Value& x : l) {
          Value row = prefix;
          row.push_back(x);
          next.push_back(row);
          if (next.size() > 1000000) {
            return Invalid("with_nested would make more than 1000000 items");
          }
        }
      }
      out = std::move(next);
    }
    return out;
  }
  if (plugin == "subelements") {
    if (args.size() < 2 || !args[1].is_string()) {
      return Invalid("with_subelements needs a list and a key name");
    }
    Value list = args[0].is_array() ? args[0] : Value::array({args[0]});
    std::string key = args[1].get<std::string>();
    bool skip_missing = args.size() > 2 && args[2].is_object() &&
                        args[2].value("skip_missing", false);
    for (const Value& e : list) {
      if (!e.is_object() || !e.contains(key)) {
        if (skip_missing) continue;
        return Invalid("with_subelements: an element has no key '" + key + "'");
      }
      for (const Value& sub : e[key]) out.push_back(Value::array({e, sub}));
    }
    return out;
  }
  return Status(StatusCode::kNotFound,
                "lookup plugin '" + std::string(plugin) + "' is not supported");
}

Result<Value> LoopItems(std::string_view kind, const Value& rendered,
                        const LookupContext& ctx) {
  if (kind == "loop") {
    if (rendered.is_array()) return rendered;
    return Invalid("loop needs a list; got " + jinja::PyRepr(rendered) +
                   " (use with_dict, or dict2items, for a mapping)");
  }
  std::vector<Value> args;
  if (kind == "nested" || kind == "together" || kind == "subelements") {
    if (!rendered.is_array())
      return Invalid("with_" + std::string(kind) + " needs a list");
    for (const Value& x : rendered) args.push_back(x);
  } else {
    args.push_back(rendered);
  }
  return RunLookup(kind, args, Value::object(), ctx);
}

}  // namespace tend::automate
