#include "automate/modules/system/account_db.h"

#include <charconv>

#include "automate/modules/system/system_util.h"

namespace tend::automate::sysmod {
namespace {

std::vector<std::string_view> SplitColons(std::string_view line) {
  std::vector<std::string_view> f;
  size_t start = 0;
  while (true) {
    size_t c = line.find(':', start);
    if (c == std::string_view::npos) {
      f.push_back(line.substr(start));
      return f;
    }
    f.push_back(line.substr(start, c - start));
    start = c + 1;
  }
}

bool ParseId(std::string_view s, uint32_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool Skippable(std::string_view line) {
  return line.empty() || line[0] == '#' || line[0] == '+' || line[0] == '-';
}

}  // namespace

const PasswdEntry* AccountDb::FindUser(std::string_view name) const {
  for (const auto& u : users) {
    if (u.name == name) return &u;
  }
  return nullptr;
}

const GroupEntry* AccountDb::FindGroup(std::string_view name_or_gid) const {
  for (const auto& g : groups) {
    if (g.name == name_or_gid) return &g;
  }
  uint32_t gid;
  if (ParseId(name_or_gid, &gid)) return FindGroupById(gid);
  return nullptr;
}

const GroupEntry* AccountDb::FindGroupById(uint32_t gid) const {
  for (const auto& g : groups) {
    if (g.gid == gid) return &g;
  }
  return nullptr;
}

std::string AccountDb::PasswordHash(const PasswdEntry& user) const {
  for (const auto& [name, hash] : shadow) {
    if (name == user.name) return hash;
  }
  return user.password;
}

AccountDb ParseAccountDb(std::string_view passwd, std::string_view group,
                         std::string_view shadow) {
  AccountDb db;
  for (const auto& line : SplitLines(passwd)) {
    if (Skippable(line)) continue;
    auto f = SplitColons(line);
    if (f.size() < 7) continue;
    PasswdEntry e;
    if (!ParseId(f[2], &e.uid) || !ParseId(f[3], &e.gid)) continue;
    e.name = f[0];
    e.password = f[1];
    e.gecos = f[4];
    e.home = f[5];
    e.shell = f[6];
    db.users.push_back(std::move(e));
  }
  for (const auto& line : SplitLines(group)) {
    if (Skippable(line)) continue;
    auto f = SplitColons(line);
    if (f.size() < 4) continue;
    GroupEntry g;
    if (!ParseId(f[2], &g.gid)) continue;
    g.name = f[0];
    std::string_view members = f[3];
    size_t start = 0;
    while (start < members.size()) {
      size_t c = members.find(',', start);
      if (c == std::string_view::npos) c = members.size();
      if (c > start) g.members.emplace_back(members.substr(start, c - start));
      start = c + 1;
    }
    db.groups.push_back(std::move(g));
  }
  for (const auto& line : SplitLines(shadow)) {
    if (Skippable(line)) continue;
    auto f = SplitColons(line);
    if (f.size() < 2) continue;
    db.shadow.emplace_back(std::string(f[0]), std::string(f[1]));
  }
  return db;
}

Result<AccountDb> LoadAccountDb(ModuleContext& ctx) {
  ASSIGN_OR_RETURN(
      std::string passwd,
      ctx.conn->ReadFile("/etc/passwd", kMaxConfigFileBytes, ctx.priv));
  ASSIGN_OR_RETURN(
      std::string group,
      ctx.conn->ReadFile("/etc/group", kMaxConfigFileBytes, ctx.priv));
  // Without root the shadow file is unreadable; password comparisons then
  // see the passwd field, as Ansible's spwd fallback does.
  auto shadow =
      ctx.conn->ReadFile("/etc/shadow", kMaxConfigFileBytes, ctx.priv);
  return ParseAccountDb(passwd, group, shadow.ok() ? *shadow : "");
}

}  // namespace tend::automate::sysmod
