// IdResolver: the target's users and groups from its /etc/passwd and
// /etc/group (read through the connection, without become: both files are
// world-readable). Users known only to NSS (LDAP, sssd) are not seen; a
// numeric id always works.
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "automate/transport/connection.h"

namespace tend::automate {
namespace {

constexpr size_t kMaxDbBytes = 16u << 20;

std::vector<std::string_view> SplitColons(std::string_view line) {
  std::vector<std::string_view> f;
  for (;;) {
    size_t c = line.find(':');
    f.push_back(line.substr(0, c));
    if (c == std::string_view::npos) break;
    line.remove_prefix(c + 1);
  }
  return f;
}

bool ParseId(std::string_view s, uint32_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Calls fn(fields) for each non-empty, non-comment line.
template <typename Fn>
void ForEachLine(std::string_view text, Fn fn) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line[0] != '#') fn(SplitColons(line));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

}  // namespace

Status IdResolver::Load() {
  if (loaded_) return Status::Ok();
  Privilege none;
  Result<std::string> passwd =
      conn_->ReadFile("/etc/passwd", kMaxDbBytes, none);
  if (!passwd.ok()) {
    return passwd.status().WithContext("reading the users of " + conn_->host());
  }
  Result<std::string> group = conn_->ReadFile("/etc/group", kMaxDbBytes, none);
  if (!group.ok()) {
    return group.status().WithContext("reading the groups of " + conn_->host());
  }
  users_.clear();
  groups_.clear();
  // name:password:uid:gid:gecos:home:shell
  ForEachLine(*passwd, [&](const std::vector<std::string_view>& f) {
    User u;
    if (f.size() < 7 || !ParseId(f[2], &u.uid) || !ParseId(f[3], &u.gid)) {
      return;  // a malformed line names nobody; skipping it is what NSS does
    }
    u.name = std::string(f[0]);
    u.home = std::string(f[5]);
    users_.push_back(std::move(u));
  });
  // name:password:gid:members
  ForEachLine(*group, [&](const std::vector<std::string_view>& f) {
    uint32_t gid;
    if (f.size() < 3 || !ParseId(f[2], &gid)) return;
    groups_.emplace_back(std::string(f[0]), gid);
  });
  loaded_ = true;
  return Status::Ok();
}

Result<uint32_t> IdResolver::Uid(std::string_view user_or_id) {
  RETURN_IF_ERROR(Load());
  for (const User& u : users_) {
    if (u.name == user_or_id) return u.uid;
  }
  uint32_t id;
  if (ParseId(user_or_id, &id)) return id;
  return NotFoundError("no user '" + std::string(user_or_id) + "' on " +
                       conn_->host());
}

Result<uint32_t> IdResolver::Gid(std::string_view group_or_id) {
  RETURN_IF_ERROR(Load());
  for (const auto& [name, gid] : groups_) {
    if (name == group_or_id) return gid;
  }
  uint32_t id;
  if (ParseId(group_or_id, &id)) return id;
  return NotFoundError("no group '" + std::string(group_or_id) + "' on " +
                       conn_->host());
}

std::string IdResolver::UserName(uint32_t uid) {
  if (Load().ok()) {
    for (const User& u : users_) {
      if (u.uid == uid) return u.name;
    }
  }
  return std::to_string(uid);
}

std::string IdResolver::GroupName(uint32_t gid) {
  if (Load().ok()) {
    for (const auto& [name, id] : groups_) {
      if (id == gid) return name;
    }
  }
  return std::to_string(gid);
}

Result<uint32_t> IdResolver::PrimaryGid(std::string_view user) {
  RETURN_IF_ERROR(Load());
  for (const User& u : users_) {
    if (u.name == user) return u.gid;
  }
  uint32_t id;
  if (ParseId(user, &id)) {
    for (const User& u : users_) {
      if (u.uid == id) return u.gid;
    }
  }
  return NotFoundError("no user '" + std::string(user) + "' on " +
                       conn_->host());
}

Result<std::string> IdResolver::Home(std::string_view user) {
  RETURN_IF_ERROR(Load());
  for (const User& u : users_) {
    if (u.name == user) return u.home;
  }
  uint32_t id;
  if (ParseId(user, &id)) {
    for (const User& u : users_) {
      if (u.uid == id) return u.home;
    }
  }
  return NotFoundError("no user '" + std::string(user) + "' on " +
                       conn_->host());
}

void IdResolver::Invalidate() {
  loaded_ = false;
  users_.clear();
  groups_.clear();
}

}  // namespace tend::automate
