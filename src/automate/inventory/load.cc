// LoadInventory: what `-i SOURCE` names (a file, a directory of files, or
// a comma-separated host list), with the group_vars/ and host_vars/ beside
// it.
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "automate/inventory/host_pattern.h"
#include "automate/inventory/inventory.h"
#include "automate/yaml_value.h"
#include "base/file_util.h"

namespace tend::automate {

namespace {

constexpr size_t kMaxInventoryBytes = 64 << 20;

// Ansible's INVENTORY_IGNORE_EXTS default (REJECT_EXTS plus .orig, .ini,
// .cfg, .retry) and the names it always skips in an inventory directory.
bool IgnoredInDir(std::string_view name) {
  if (name.empty() || name[0] == '.' || name == "host_vars" ||
      name == "group_vars" || name == "vars_plugins") {
    return true;
  }
  for (std::string_view ext :
       {".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst",
        ".orig", ".ini", ".cfg", ".retry"}) {
    if (name.size() >= ext.size() &&
        name.substr(name.size() - ext.size()) == ext) {
      return true;
    }
  }
  return false;
}

std::string_view Extension(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view base =
      slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t start = base.find_first_not_of('.');
  size_t dot = base.rfind('.');
  if (start == std::string_view::npos || dot == std::string_view::npos ||
      dot < start) {
    return {};
  }
  return base.substr(dot);
}

// True when the first line that is not blank or a '#' comment cannot start
// a YAML mapping: a section header, a ';' comment, or no ':' at all (a
// host line). Saves a YAML parse of most INI files.
bool CertainlyIni(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line[first] == '#') continue;
    char c = line[first];
    if (c == '[' || c == ';') return true;
    if (c == '{' || c == '?' || c == '-' || c == '%' || c == '&' || c == '!' ||
        c == '*' || c == '"' || c == '\'') {
      return false;
    }
    return line.find(':') == std::string_view::npos;
  }
  return false;
}

Status LoadFile(const std::string& path, Inventory* inv) {
  std::string text;
  RETURN_IF_ERROR(
      ReadFileLimited(path, kMaxInventoryBytes, "inventory", &text));
  std::string_view ext = Extension(path);
  const bool yaml_ext = ext == ".yml" || ext == ".yaml" || ext == ".json";
  if ((yaml_ext || ext.empty()) && !CertainlyIni(text)) {
    // Ansible tries its yaml plugin first for these names and falls back to
    // ini; here a document that is a YAML mapping is a YAML inventory
    // (whose errors are reported), anything else is read as INI.
    Result<std::unique_ptr<YamlDoc>> doc =
        ParseYaml(text, path, kMaxInventoryBytes);
    if (doc.ok() &&
        ((*doc)->value().is_object() || (*doc)->value().is_null())) {
      return ParseYamlInventory(text, path, inv);
    }
    if (yaml_ext) {
      Inventory scratch;
      if (ParseIniInventory(text, path, &scratch).ok()) {
        return ParseIniInventory(text, path, inv);
      }
      if (!doc.ok()) return doc.status();
      return ParseYamlInventory(text, path, inv);
    }
  }
  return ParseIniInventory(text, path, inv);
}

Status LoadDir(const std::string& dir, int depth, Inventory* inv) {
  if (depth > 16)
    return InvalidArgumentError(dir +
                                ": inventory directories nested too deep");
  std::error_code ec;
  std::vector<std::string> names;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return InvalidArgumentError(dir + ": cannot list: " + ec.message());
  for (std::filesystem::directory_iterator end; it != end; it.increment(ec)) {
    if (ec) return InvalidArgumentError(dir + ": cannot list: " + ec.message());
    names.push_back(it->path().filename().string());
  }
  if (ec) return InvalidArgumentError(dir + ": cannot list: " + ec.message());
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    if (IgnoredInDir(n)) continue;
    std::string full = dir + "/" + n;
    struct stat st;
    if (::stat(full.c_str(), &st) != 0) continue;  // a dangling link
    if (S_ISDIR(st.st_mode)) {
      RETURN_IF_ERROR(LoadDir(full, depth + 1, inv));
    } else if (S_ISREG(st.st_mode)) {
      RETURN_IF_ERROR(LoadFile(full, inv));
    }
  }
  return Status::Ok();
}

// "web1,web2:2222,": every non-empty item a host in "ungrouped"; an item
// that parses as an address may carry a port; ranges are not expanded.
void LoadHostList(std::string_view list, Inventory* inv) {
  size_t start = 0;
  for (size_t i = 0; i <= list.size(); ++i) {
    if (i != list.size() && list[i] != ',') continue;
    std::string_view item = list.substr(start, i - start);
    start = i + 1;
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
      item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
      item.remove_suffix(1);
    if (item.empty()) continue;
    std::string name(item);
    std::optional<int> port;
    if (std::optional<HostAddress> a = ParseHostAddress(item, false)) {
      name = a->host;
      port = a->port;
    }
    bool is_new = inv->FindHost(name) == nullptr;
    inv->AddHostToGroup(name, "ungrouped");
    if (is_new && port && *port != 0)
      inv->MutableHost(name)->vars["ansible_port"] = *port;
  }
}

}  // namespace

Result<std::unique_ptr<Inventory>> LoadInventory(const std::string& source) {
  auto inv = std::make_unique<Inventory>();
  struct stat st;
  const bool exists = ::stat(source.c_str(), &st) == 0;
  if (!exists && source.find(',') != std::string::npos) {
    LoadHostList(source, inv.get());
    inv->Finish();
    return inv;
  }
  if (!exists) {
    return NotFoundError("inventory '" + source +
                         "' does not exist (a host list needs a comma, as in "
                         "'web1,' or 'web1,web2')");
  }
  std::string vars_dir;
  if (S_ISDIR(st.st_mode)) {
    RETURN_IF_ERROR(LoadDir(source, 0, inv.get()));
    vars_dir = source;
  } else {
    RETURN_IF_ERROR(LoadFile(source, inv.get()));
    size_t slash = source.rfind('/');
    vars_dir = slash == std::string::npos ? "." : source.substr(0, slash);
    if (vars_dir.empty()) vars_dir = "/";
  }
  inv->Finish();
  RETURN_IF_ERROR(LoadVarsDirs(vars_dir, inv.get()));
  return inv;
}

}  // namespace tend::automate
