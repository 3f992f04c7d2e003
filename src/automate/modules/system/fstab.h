// Editing /etc/fstab the way ansible.posix.mount does, as pure functions
// over the file's text so the exact formatting is unit-tested.
#ifndef TEND_AUTOMATE_MODULES_SYSTEM_FSTAB_H_
#define TEND_AUTOMATE_MODULES_SYSTEM_FSTAB_H_

#include <string>
#include <string_view>
#include <vector>

namespace tend::automate::sysmod {

struct FstabEntry {
  std::string src;
  std::string name;  // the mount point
  std::string fstype;
  std::string opts = "defaults";
  std::string dump = "0";
  std::string passno = "0";
};

// fstab's octal escapes for the characters that would break a field:
// backslash \134, space \040, ampersand \046 (Ansible escapes these three).
std::string EscapeFstab(std::string_view v);

// Unescapes \ooo sequences (as /proc/self/mountinfo prints them).
std::string UnescapeOctal(std::string_view v);

struct FstabEdit {
  std::string text;  // the new file
  bool changed = false;
};

// state=present/mounted: the entry for e.name is added at the end, or the
// first line for that mount point is rewritten as
// "src name fstype opts dump passno" when any field differs (other lines,
// comments and spacing are kept). A line with 4 or 5 fields lacks dump or
// passno and so always differs. A swap line (name "none", fstype swap) only
// matches when its src does too.
FstabEdit SetFstabEntry(std::string_view text, const FstabEntry& e);

// state=absent: every six-field line for the mount point is removed.
FstabEdit RemoveFstabEntry(std::string_view text, const std::string& name,
                           const std::string& src);

// Mount points in a /proc/self/mountinfo text (unescaped).
std::vector<std::string> MountPoints(std::string_view mountinfo);

}  // namespace tend::automate::sysmod

#endif  // TEND_AUTOMATE_MODULES_SYSTEM_FSTAB_H_
