// Reading GNU tar's verbose listing (`tar -tvv` or `tar -cvv` with
// --quoting-style=c --numeric-owner --full-time, under LC_ALL=C and
// TZ=UTC), which is how the module learns what an archive holds without
// reading it into the controller.
#ifndef TEND_AUTOMATE_BACKUP_TAR_LISTING_H_
#define TEND_AUTOMATE_BACKUP_TAR_LISTING_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "automate/value.h"
#include "base/status.h"

namespace tend::automate::backup {

struct TarEntry {
  // The first letter of ls -l's mode: '-' file, 'd' directory, 'l' symlink,
  // 'h' hard link, 'c'/'b' device, 'p' fifo, 's' socket.
  char type = '-';
  uint32_t mode = 0;  // permission bits incl. setuid/setgid/sticky
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t size = 0;  // 0 for anything but regular files
  int64_t mtime = 0;  // Unix seconds (UTC)
  std::string path;   // member name as stored, without a trailing '/'
  std::string link;   // symlink or hard link target
};

// The options that make tar print what ParseTarListing reads, to append to
// a --list or --create command, and the environment to run it under.
std::vector<std::string> TarListingFlags();
std::vector<std::pair<std::string, std::string>> TarListingEnv();

// Parses the listing, one entry per line. kInvalidArgument names the line
// that does not parse (a tar that prints something else).
Result<std::vector<TarEntry>> ParseTarListing(std::string_view text);

// Undoes --quoting-style=c on the text between the quotes (\n, \t, \\, \",
// octal \ooo ...).
std::string UnquoteC(std::string_view quoted);

// {"path": ..., "type": "file"|"dir"|"symlink"|..., "size": N, "mode":
// "0644"} (and "link" for links), as the manifest lists entries.
Value EntryToValue(const TarEntry& e);

}  // namespace tend::automate::backup

#endif  // TEND_AUTOMATE_BACKUP_TAR_LISTING_H_
