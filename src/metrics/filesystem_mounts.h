// Parsing of /proc/PID/mounts for the filesystem collector.
//
// Each line is "device mountpoint fstype options dump pass" as the kernel's
// show_vfsmnt() prints it, with space, tab, newline and backslash in the
// first three fields written as the octal escapes \040 \011 \012 \134.
#ifndef TEND_METRICS_FILESYSTEM_MOUNTS_H_
#define TEND_METRICS_FILESYSTEM_MOUNTS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tend {

struct MountEntry {
  std::string device;
  std::string mount_point;
  std::string fs_type;
  std::string options;  // Comma separated, as printed ("rw,relatime").
};

// Appends to *out the value of `field` with every backslash followed by three
// octal digits (value <= 0377) replaced by that byte. Other backslashes are
// kept as they are.
void AppendUnescapedMountField(std::string_view field, std::string* out);

// Whether the comma separated `options` contain the exact option "ro".
bool MountOptionsReadOnly(std::string_view options);

// Parses `text` into *mounts, reusing the strings of entries already there
// (the vector is resized to the number of good lines; its capacity is kept
// across calls so that a parse every second does not allocate).
//
// A line with fewer than four fields is skipped; the number of such lines is
// returned and the first one's 1-based number is stored in *first_bad_line
// (0 when none). Empty lines are ignored.
size_t ParseMounts(std::string_view text, std::vector<MountEntry>* mounts,
                   size_t* first_bad_line);

// node_exporter's --path.rootfs handling: with `root` other than "/" (e.g.
// "/host"), a mount point equal to `root` becomes "/" and one below it
// ("/host/boot") loses the prefix ("/boot"). Mount points outside `root`,
// and every mount point when `root` is "/" or empty, are returned unchanged.
// Unlike a plain string prefix test, "/hostdata" is not below "/host".
std::string_view StripRootPrefix(std::string_view mount_point,
                                 std::string_view root);

// The path to statvfs() for a mount point reported as `mount_point` (after
// StripRootPrefix): `root` joined with it ("/host" + "/boot"), or the mount
// point itself when `root` is "/" or empty. Written into *out (reused).
void StatFsPath(std::string_view root, std::string_view mount_point,
                std::string* out);

}  // namespace tend

#endif  // TEND_METRICS_FILESYSTEM_MOUNTS_H_
