// authorized_key: SSH public keys in a user's authorized_keys
// (ansible.posix.authorized_key). Keys are identified by their base64 blob;
// a key present with other options or another comment is rewritten in
// place. The file keeps its line order; new keys go after the existing
// ones in the order given. Lines that are not keys (comments, blanks) stay.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "automate/modules/args.h"
#include "automate/modules/system/system_util.h"

namespace tend::automate::sysmod {
namespace {

using Options = std::vector<std::pair<std::string, std::optional<std::string>>>;

constexpr std::string_view kKeyTypes[] = {
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "ssh-ed25519",
    "ssh-dss",
    "ssh-rsa",
};

struct Key {
  std::string id;    // the blob, or the raw line for a skipped line
  std::string type;  // "" for a skipped line
  Options options;
  std::string comment;
  size_t rank = 0;

  // A line that is not a key, kept as it is.
  static Key Skipped(std::string line, size_t rank) {
    Key k;
    k.id = std::move(line);
    k.rank = rank;
    return k;
  }

  bool SameAs(const Key& o) const {
    return id == o.id && type == o.type && options == o.options &&
           comment == o.comment;
  }
};

// "a,b=\"x,y\",c" -> a, b="x,y", c (commas inside quotes do not split).
Options ParseOptions(std::string_view text) {
  Options out;
  std::string part;
  char quote = 0;
  auto flush = [&] {
    if (part.empty()) return;
    size_t eq = part.find('=');
    std::string key = part.substr(0, eq);
    std::optional<std::string> value;
    if (eq != std::string::npos) value = part.substr(eq + 1);
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const auto& kv) { return kv.first == key; });
    if (it != out.end()) {
      it->second = value;
    } else {
      out.emplace_back(key, value);
    }
    part.clear();
  };
  for (char c : text) {
    if (quote) {
      if (c == quote) quote = 0;
      part += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
      part += c;
    } else if (c == ',') {
      flush();
    } else {
      part += c;
    }
  }
  flush();
  return out;
}

// Ansible's parsekey: nullopt when the line holds no key of a known type.
std::optional<Key> ParseKey(std::string raw, size_t rank) {
  for (size_t at = 0; (at = raw.find("\\#", at)) != std::string::npos;) {
    raw.replace(at, 2, "#");
    ++at;
  }
  std::vector<std::string> parts = SplitWhitespace(raw);
  if (!parts.empty() && parts[0] == "#") {
    return Key::Skipped(raw, rank);
  }
  size_t type_index = parts.size();
  for (size_t i = 0; i < parts.size() && type_index == parts.size(); ++i) {
    for (auto t : kKeyTypes) {
      if (parts[i] == t) {
        type_index = i;
        break;
      }
    }
  }
  if (type_index + 1 >= parts.size()) return std::nullopt;
  Key k;
  k.type = parts[type_index];
  k.id = parts[type_index + 1];
  k.rank = rank;
  std::string opts;
  for (size_t i = 0; i < type_index; ++i) {
    if (i) opts += ' ';
    opts += parts[i];
  }
  k.options = ParseOptions(opts);
  for (size_t i = type_index + 2; i < parts.size(); ++i) {
    if (i > type_index + 2) k.comment += ' ';
    k.comment += parts[i];
  }
  return k;
}

std::string Serialize(const std::map<std::string, Key>& keys) {
  std::vector<const Key*> ordered;
  for (const auto& [id, k] : keys) ordered.push_back(&k);
  std::stable_sort(
      ordered.begin(), ordered.end(),
      [](const Key* a, const Key* b) { return a->rank < b->rank; });
  std::string out;
  for (const Key* k : ordered) {
    if (k->type.empty()) {
      out += k->id;
      continue;
    }
    std::string opts;
    for (const auto& [name, value] : k->options) {
      if (!opts.empty()) opts += ',';
      opts += value ? name + "=" + *value : name;
    }
    if (!opts.empty()) opts += ' ';
    // Ansible writes the separator even when the comment is empty.
    out += opts + k->type + " " + k->id + " " + k->comment + "\n";
  }
  return out;
}

class AuthorizedKeyModule : public Module {
 public:
  AuthorizedKeyModule() {
    spec_.name = "authorized_key";
    spec_.params = {
        Param("user").Required(),
        Param("key").Required(),
        Param("path", ParamType::kPath),
        Param("manage_dir", ParamType::kBool).Default(true),
        Param("state").Default("present").Choices({"absent", "present"}),
        Param("key_options"),
        Param("exclusive", ParamType::kBool).Default(false),
        Param("comment"),
    };
  }

  const ModuleSpec& spec() const override { return spec_; }

  Result<ModuleResult> Run(const Value& args, ModuleContext& ctx) override {
    std::string user = ArgStr(args, "user");
    std::string key_text = ArgStr(args, "key");
    bool present = ArgStr(args, "state", "present") == "present";
    if (key_text.rfind("http", 0) == 0) {
      return Failed(
          "authorized_key: fetching keys from a URL is not "
          "supported; use get_url first, or a lookup");
    }

    // Where the file is: from the user's home unless `path` is given.
    std::string path = ArgStr(args, "path");
    std::optional<uint32_t> uid, gid;
    if (ctx.ids == nullptr) return InternalError("authorized_key: no ids");
    auto home = ctx.ids->Home(user);
    if (home.ok()) {
      ASSIGN_OR_RETURN(uid, ctx.ids->Uid(user));
      ASSIGN_OR_RETURN(gid, ctx.ids->PrimaryGid(user));
    } else if (path.empty()) {
      if (ctx.check_mode) {
        return Failed(
            "Either user must exist or you must provide full path to key "
            "file in check mode");
      }
      return Failed("Failed to lookup user " + user + ": " +
                    home.status().message());
    } else if (!ctx.check_mode) {
      return Failed("Failed to lookup user " + user + ": " +
                    home.status().message());
    }
    std::string sshdir;
    if (path.empty()) {
      sshdir = *home + "/.ssh";
      path = sshdir + "/authorized_keys";
    } else {
      size_t slash = path.rfind('/');
      sshdir = slash == std::string::npos ? "." : path.substr(0, slash);
      if (sshdir.empty()) sshdir = "/";
    }

    ASSIGN_OR_RETURN(auto existing_text, ReadIfExists(ctx, path));
    std::string existing = existing_text.value_or("");
    std::map<std::string, Key> keys;
    {
      size_t rank = 0, start = 0;
      while (start < existing.size()) {
        size_t nl = existing.find('\n', start);
        size_t end = nl == std::string::npos ? existing.size() : nl + 1;
        std::string line = existing.substr(start, end - start);
        std::optional<Key> k = ParseKey(line, rank);
        if (!k) k = Key::Skipped(line, rank);
        keys[k->id] = *k;
        ++rank;
        start = end;
      }
    }
    size_t max_rank = keys.size();

    bool do_write = false;
    std::vector<std::string> to_exist;
    size_t index = 0;
    for (const auto& raw : SplitLines(key_text)) {
      std::string line = raw;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty() || line[0] == '#') continue;
      std::optional<Key> k = ParseKey(line, index++);
      if (!k || k->type.empty()) {
        return Failed("invalid key specified: " + line);
      }
      if (ArgHas(args, "key_options")) {
        k->options = ParseOptions(ArgStr(args, "key_options"));
      }
      if (ArgHas(args, "comment")) k->comment = ArgStr(args, "comment");
      auto it = keys.find(k->id);
      bool matched = it != keys.end() && (!present || it->second.SameAs(*k));
      if (present) {
        to_exist.push_back(k->id);
        if (it != keys.end() && !matched) {
          keys.erase(it);
          do_write = true;
        }
        if (!matched) {
          k->rank += max_rank;
          keys[k->id] = *k;
          do_write = true;
        }
      } else if (matched) {
        keys.erase(it);
        do_write = true;
      }
    }
    if (present && ArgBool(args, "exclusive")) {
      for (auto it = keys.begin(); it != keys.end();) {
        if (std::find(to_exist.begin(), to_exist.end(), it->first) ==
            to_exist.end()) {
          it = keys.erase(it);
          do_write = true;
        } else {
          ++it;
        }
      }
    }

    ModuleResult res;
    res.changed = do_write;
    std::string new_text = do_write ? Serialize(keys) : existing;
    if (do_write && ctx.diff) {
      res.diffs.push_back(MakeDiff(path, path, existing, new_text));
    }
    if (ctx.check_mode) return res;
    res.data = {
        {"user", user},
        {"key", key_text},
        {"path",
         ArgHas(args, "path") ? Value(ArgStr(args, "path")) : Value(nullptr)},
        {"manage_dir", ArgBool(args, "manage_dir", true)},
        {"state", present ? "present" : "absent"},
        {"key_options", ArgHas(args, "key_options")
                            ? Value(ArgStr(args, "key_options"))
                            : Value(nullptr)},
        {"exclusive", ArgBool(args, "exclusive")},
        {"comment", ArgHas(args, "comment") ? Value(ArgStr(args, "comment"))
                                            : Value(nullptr)},
        {"keyfile", path}};
    if (!do_write) return res;

    FileAttrs owner;
    owner.uid = uid;
    owner.gid = gid;
    if (ArgBool(args, "manage_dir", true)) {
      ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(sshdir, true, ctx.priv));
      if (!st.exists()) {
        RETURN_IF_ERROR(ctx.conn->MakeDir(sshdir, 0700, ctx.priv));
      }
      FileAttrs dir_attrs = owner;
      dir_attrs.mode = 0700;
      RETURN_IF_ERROR(ctx.conn->SetAttrs(sshdir, dir_attrs, true, ctx.priv));
    }
    FileAttrs file_attrs = owner;
    file_attrs.mode = 0600;
    RETURN_IF_ERROR(ctx.conn->WriteFile(path, new_text, file_attrs, ctx.priv));
    return res;
  }

 private:
  ModuleSpec spec_;
};

}  // namespace

std::unique_ptr<Module> NewAuthorizedKeyModule() {
  return std::make_unique<AuthorizedKeyModule>();
}

}  // namespace tend::automate::sysmod
