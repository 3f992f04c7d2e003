// The INI inventory format, read as Ansible 2.14's ini plugin reads it:
// one pass over the lines, hosts before any section go to "ungrouped",
// sections [g], [g:vars] and [g:children] (which may name groups declared
// further down), host lines split like shlex (POSIX mode, '#' comments),
// values through Python's literal rules (py_literal.h).
#include <map>
#include <string>
#include <vector>

#include "automate/inventory/host_pattern.h"
#include "automate/inventory/inventory.h"
#include "automate/inventory/py_literal.h"
#include "base/utf8.h"

namespace tend::automate {

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
         c == '\f';
}

std::string_view Strip(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    int w = 0;
    if (DecodeRune(s, i, &w) == kRuneError && w == 1) return false;
    i += w;
  }
  return true;
}

// Python's shlex.split(line, comments=True): POSIX quoting, backslash
// escapes outside single quotes, '#' outside quotes ends the line.
Status ShlexSplit(std::string_view line, std::vector<std::string>* out) {
  std::string token;
  bool in_token = false;
  size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (IsSpace(c)) {
      if (in_token) out->push_back(std::move(token));
      token.clear();
      in_token = false;
      ++i;
    } else if (c == '#') {
      break;
    } else if (c == '\\') {
      if (i + 1 >= line.size())
        return InvalidArgumentError("No escaped character");
      token.push_back(line[i + 1]);
      in_token = true;
      i += 2;
    } else if (c == '\'' || c == '"') {
      in_token = true;
      size_t j = i + 1;
      while (true) {
        if (j >= line.size())
          return InvalidArgumentError("No closing quotation");
        char d = line[j];
        if (d == c) break;
        if (c == '"' && d == '\\' && j + 1 < line.size() &&
            (line[j + 1] == '"' || line[j + 1] == '\\')) {
          token.push_back(line[j + 1]);
          j += 2;
          continue;
        }
        token.push_back(d);
        ++j;
      }
      i = j + 1;
    } else {
      token.push_back(c);
      in_token = true;
      ++i;
    }
  }
  if (in_token) out->push_back(std::move(token));
  return Status::Ok();
}

bool IsGroupChar(char c) { return c != ':' && c != ']' && !IsSpace(c); }
bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Trailing whitespace then an optional '#' comment, to the end.
bool OnlyCommentLeft(std::string_view rest) {
  rest = Strip(rest);
  return rest.empty() || rest[0] == '#';
}

// "[name]" or "[name:tag]" with an optional trailing comment.
bool MatchSection(std::string_view line, std::string* name, std::string* tag) {
  if (line.empty() || line[0] != '[') return false;
  size_t i = 1;
  while (i < line.size() && IsGroupChar(line[i])) ++i;
  if (i == 1) return false;
  *name = std::string(line.substr(1, i - 1));
  tag->clear();
  if (i < line.size() && line[i] == ':') {
    size_t j = i + 1;
    while (j < line.size() && IsWordChar(line[j])) ++j;
    if (j == i + 1) return false;
    *tag = std::string(line.substr(i + 1, j - i - 1));
    i = j;
  }
  if (i >= line.size() || line[i] != ']') return false;
  return OnlyCommentLeft(line.substr(i + 1));
}

bool MatchGroupName(std::string_view line, std::string* name) {
  size_t i = 0;
  while (i < line.size() && IsGroupChar(line[i])) ++i;
  if (i == 0) return false;
  *name = std::string(line.substr(0, i));
  return OnlyCommentLeft(line.substr(i));
}

struct Pending {
  int line = 0;
  bool children = false;  // else a [g:vars] section for an undeclared group
  std::vector<std::string> parents;
};

class IniParser {
 public:
  IniParser(std::string_view file, Inventory* inv) : file_(file), inv_(inv) {}

  Status Parse(std::string_view text) {
    std::string group = "ungrouped";
    std::string state = "hosts";
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      std::string_view raw = text.substr(pos, nl - pos);
      pos = nl + 1;
      ++lineno_;
      std::string_view line = Strip(raw);
      if (line.empty() || line[0] == '#' || line[0] == ';') continue;
      if (!ValidUtf8(line)) return Error("the line is not valid UTF-8");
      std::string name, tag;
      if (MatchSection(line, &name, &tag)) {
        RETURN_IF_ERROR(Section(name, tag, &group, &state));
        continue;
      }
      if (line[0] == '[' && line.back() == ']') {
        return Error("invalid section header '" + std::string(line) +
                     "': a section is [group], [group:vars] or "
                     "[group:children], with no spaces in it");
      }
      if (state == "hosts") {
        RETURN_IF_ERROR(HostLine(line, group));
      } else if (state == "vars") {
        size_t eq = line.find('=');
        if (eq == std::string_view::npos) {
          return Error("expected key=value in [" + group +
                       ":vars], got: " + std::string(line));
        }
        std::string key(Strip(line.substr(0, eq)));
        Status s =
            inv_->SetGroupVar(group, key, IniValue(Strip(line.substr(eq + 1))));
        if (!s.ok()) return Error(s.message());
      } else {
        std::string child;
        if (!MatchGroupName(line, &child)) {
          return Error("expected a group name in [" + group +
                       ":children], got: " + std::string(line));
        }
        if (inv_->FindGroup(child) == nullptr) {
          Pending& p = pending_[child];
          if (p.line == 0) {
            p.line = lineno_;
            p.children = true;
          }
          p.parents.push_back(group);
        } else {
          Status s = inv_->AddChild(group, child);
          if (!s.ok()) return Error(s.message());
        }
      }
    }
    // Report the first undeclared group, in the order first mentioned.
    const Pending* first = nullptr;
    std::string first_name;
    for (const auto& [name, p] : pending_) {
      if (first == nullptr || p.line < first->line) {
        first = &p;
        first_name = name;
      }
    }
    if (first != nullptr) {
      lineno_ = first->line;
      if (first->children) {
        return Error("[" + first->parents.back() + ":children] names group '" +
                     first_name + "', which is never declared (add a [" +
                     first_name + "] section)");
      }
      return Error("[" + first_name + ":vars] is for group '" + first_name +
                   "', which is never declared (add a [" + first_name +
                   "] section)");
    }
    return Status::Ok();
  }

 private:
  Status Error(std::string_view msg) const {
    return InvalidArgumentError(std::string(file_) + ":" +
                                std::to_string(lineno_) + ": " +
                                std::string(msg));
  }

  Status Section(const std::string& name, const std::string& tag,
                 std::string* group, std::string* state) {
    *group = name;
    *state = tag.empty() ? "hosts" : tag;
    if (*state != "hosts" && *state != "vars" && *state != "children") {
      return Error("section [" + name + ":" + tag + "] has unknown type '" +
                   tag + "' (expected vars or children)");
    }
    auto pend = pending_.find(name);
    if (inv_->FindGroup(name) == nullptr) {
      if (*state == "vars" && pend == pending_.end()) {
        pending_[name] = Pending{lineno_, false, {}};
      }
      inv_->AddGroup(name);
    }
    pend = pending_.find(name);
    if (pend != pending_.end() && *state != "vars") {
      if (pend->second.children) {
        int line = lineno_;
        for (const std::string& parent : pend->second.parents) {
          Status s = inv_->AddChild(parent, name);
          lineno_ = pend->second.line;
          if (!s.ok()) return Error(s.message());
          lineno_ = line;
        }
      }
      pending_.erase(pend);
    }
    return Status::Ok();
  }

  Status HostLine(std::string_view line, const std::string& group) {
    std::vector<std::string> tokens;
    Status split = ShlexSplit(line, &tokens);
    if (!split.ok()) {
      return Error("cannot split host line '" + std::string(line) +
                   "': " + split.message());
    }
    if (tokens.empty()) return Status::Ok();
    const std::string& pattern = tokens[0];
    if (budget_ == 0) {
      return Error("more than " + std::to_string(inv_->max_hosts()) +
                   " host names in one file");
    }
    Result<ExpandedHosts> hosts = ExpandHostPattern(pattern, budget_);
    if (!hosts.ok()) return Error(hosts.status().message());
    std::string_view stripped = Strip(pattern);
    if (!stripped.empty() && stripped.back() == ':' && !hosts->port) {
      return Error("invalid host pattern '" + pattern +
                   "': it ends in ':', which is reserved for a port");
    }
    Value vars = Value::object();
    for (size_t i = 1; i < tokens.size(); ++i) {
      size_t eq = tokens[i].find('=');
      if (eq == std::string::npos) {
        return Error("expected key=value host variable assignment, got: " +
                     tokens[i]);
      }
      vars[tokens[i].substr(0, eq)] =
          IniValue(std::string_view(tokens[i]).substr(eq + 1));
    }
    budget_ -= hosts->names.size();
    for (const std::string& h : hosts->names) {
      if (Strip(h) == "---") {
        return Error("invalid host pattern '" + pattern +
                     "': '---' is normally a sign this is a YAML file");
      }
      if (h.empty()) return Error("empty host name");
      bool is_new = inv_->FindHost(h) == nullptr;
      inv_->AddHostToGroup(h, group);
      InventoryHost& host = *inv_->MutableHost(h);
      if (is_new) {
        host.source = std::string(file_);
        // Ansible applies a host:port only where the host is first seen.
        if (hosts->port && *hosts->port != 0)
          host.vars["ansible_port"] = *hosts->port;
      }
      for (auto it = vars.begin(); it != vars.end(); ++it) {
        host.vars[it.key()] = it.value();
      }
    }
    return Status::Ok();
  }

  std::string_view file_;
  Inventory* inv_;
  size_t budget_ = inv_->max_hosts();  // host names this file may still produce
  int lineno_ = 0;
  std::map<std::string, Pending> pending_;
};

}  // namespace

Status ParseIniInventory(std::string_view text, std::string_view file,
                         Inventory* inv) {
  IniParser parser(file, inv);
  return parser.Parse(text);
}

}  // namespace tend::automate
