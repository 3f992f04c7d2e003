// The target's user and group database as the user and group modules see
// it: /etc/passwd, /etc/group and /etc/shadow read through the connection
// (the target's files, not the controller's NSS), so that "changed" and
// check-mode predictions come from the real state.
#ifndef TEND_AUTOMATE_MODULES_SYSTEM_ACCOUNT_DB_H_
#define TEND_AUTOMATE_MODULES_SYSTEM_ACCOUNT_DB_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automate/modules/module.h"
#include "base/status.h"

namespace tend::automate::sysmod {

struct PasswdEntry {
  std::string name;
  std::string password;  // the passwd field ("x" with shadow)
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string gecos;
  std::string home;
  std::string shell;
};

struct GroupEntry {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

struct AccountDb {
  std::vector<PasswdEntry> users;
  std::vector<GroupEntry> groups;
  // name -> hash from /etc/shadow (empty when unreadable or absent).
  std::vector<std::pair<std::string, std::string>> shadow;

  const PasswdEntry* FindUser(std::string_view name) const;
  // By name, or by number when `name_or_gid` is all digits (as Ansible's
  // group_exists/group_info accept both).
  const GroupEntry* FindGroup(std::string_view name_or_gid) const;
  const GroupEntry* FindGroupById(uint32_t gid) const;
  // The shadow hash, or the passwd field when there is no shadow entry.
  std::string PasswordHash(const PasswdEntry& user) const;
};

// Parses the files' text. Malformed lines (too few fields, bad numbers)
// are skipped, as glibc's files backend skips them. Comment lines too.
AccountDb ParseAccountDb(std::string_view passwd, std::string_view group,
                         std::string_view shadow);

// Reads the three files through the connection; a missing /etc/shadow
// (or one the login cannot read) is an empty shadow table.
Result<AccountDb> LoadAccountDb(ModuleContext& ctx);

}  // namespace tend::automate::sysmod

#endif  // TEND_AUTOMATE_MODULES_SYSTEM_ACCOUNT_DB_H_
