#include "metrics/filesystem_mounts.h"

#include "metrics/parse.h"

namespace tend {
namespace {

bool IsOctalDigit(char c) { return c >= '0' && c <= '7'; }

// `root` without trailing slashes; empty for "/" (and for "").
std::string_view NormalizeRoot(std::string_view root) {
  while (!root.empty() && root.back() == '/') root.remove_suffix(1);
  return root;
}

}  // namespace

void AppendUnescapedMountField(std::string_view field, std::string* out) {
  size_t i = 0;
  while (i < field.size()) {
    size_t bs = field.find('\\', i);
    if (bs == std::string_view::npos) {
      out->append(field.substr(i));
      return;
    }
    out->append(field.substr(i, bs - i));
    if (bs + 3 < field.size() && field[bs + 1] >= '0' && field[bs + 1] <= '3' &&
        IsOctalDigit(field[bs + 2]) && IsOctalDigit(field[bs + 3])) {
      int v = (field[bs + 1] - '0') * 64 + (field[bs + 2] - '0') * 8 +
              (field[bs + 3] - '0');
      out->push_back(static_cast<char>(v));
      i = bs + 4;
    } else {
      out->push_back('\\');
      i = bs + 1;
    }
  }
}

bool MountOptionsReadOnly(std::string_view options) {
  while (!options.empty()) {
    size_t comma = options.find(',');
    std::string_view opt = options.substr(0, comma);
    if (opt == "ro") return true;
    if (comma == std::string_view::npos) break;
    options.remove_prefix(comma + 1);
  }
  return false;
}

size_t ParseMounts(std::string_view text, std::vector<MountEntry>* mounts,
                   size_t* first_bad_line) {
  *first_bad_line = 0;
  size_t bad = 0;
  size_t n = 0;
  size_t line_no = 0;
  std::vector<std::string_view> fields;
  fields.reserve(8);
  while (!text.empty()) {
    std::string_view line = NextLine(&text);
    ++line_no;
    SplitFields(line, &fields);
    if (fields.empty()) continue;
    if (fields.size() < 4) {
      if (bad++ == 0) *first_bad_line = line_no;
      continue;
    }
    if (n == mounts->size()) mounts->emplace_back();
    MountEntry& m = (*mounts)[n++];
    m.device.clear();
    AppendUnescapedMountField(fields[0], &m.device);
    m.mount_point.clear();
    AppendUnescapedMountField(fields[1], &m.mount_point);
    m.fs_type.clear();
    AppendUnescapedMountField(fields[2], &m.fs_type);
    m.options.assign(fields[3]);
  }
  // Shrinking keeps the vector's capacity but frees the strings of entries
  // past the end; mount tables rarely shrink, so that is rare.
  mounts->resize(n);
  return bad;
}

std::string_view StripRootPrefix(std::string_view mount_point,
                                 std::string_view root) {
  root = NormalizeRoot(root);
  if (root.empty()) return mount_point;
  if (mount_point.substr(0, root.size()) != root) return mount_point;
  std::string_view rest = mount_point.substr(root.size());
  if (rest.empty()) return "/";
  if (rest.front() != '/') return mount_point;  // "/hostdata" vs "/host".
  return rest;
}

void StatFsPath(std::string_view root, std::string_view mount_point,
                std::string* out) {
  root = NormalizeRoot(root);
  out->assign(root);
  if (root.empty()) {
    out->append(mount_point);
  } else if (mount_point != "/") {
    if (mount_point.empty() || mount_point.front() != '/') out->push_back('/');
    out->append(mount_point);
  }
}

}  // namespace tend
