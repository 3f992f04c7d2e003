// group_vars/ and host_vars/ directories, found as Ansible's
// host_group_vars plugin finds them (DataLoader.find_vars_files): for an
// entity NAME the first of NAME, NAME.yml, NAME.yaml, NAME.json that
// exists wins; a directory is read whole (sorted, recursively, hidden and
// ~ files skipped, only files with no extension or a YAML/JSON one).
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "automate/inventory/inventory.h"
#include "automate/yaml_value.h"

namespace tend::automate {

namespace {

constexpr std::string_view kExts[] = {".yml", ".yaml", ".json"};

bool IsDir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool IsRegular(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Python's os.path.splitext(name)[1] (a leading dot does not start one).
std::string_view Ext(std::string_view name) {
  size_t start = name.find_first_not_of('.');
  if (start == std::string_view::npos) return {};
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot < start) return {};
  return name.substr(dot);
}

Status ListDir(const std::string& dir, std::vector<std::string>* names) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return InvalidArgumentError(dir + ": cannot list: " + ec.message());
  for (std::filesystem::directory_iterator end; it != end; it.increment(ec)) {
    if (ec) return InvalidArgumentError(dir + ": cannot list: " + ec.message());
    names->push_back(it->path().filename().string());
  }
  if (ec) return InvalidArgumentError(dir + ": cannot list: " + ec.message());
  std::sort(names->begin(), names->end());
  return Status::Ok();
}

Status DirVarsFiles(const std::string& dir, int depth,
                    std::vector<std::string>* out) {
  if (depth > 16)
    return InvalidArgumentError(dir + ": directories nested too deep");
  std::vector<std::string> names;
  RETURN_IF_ERROR(ListDir(dir, &names));
  for (const std::string& n : names) {
    if (n.empty() || n[0] == '.' || n.back() == '~') continue;
    std::string full = dir + "/" + n;
    std::string_view ext = Ext(n);
    if (ext.empty() && IsDir(full)) {
      RETURN_IF_ERROR(DirVarsFiles(full, depth + 1, out));
    } else if (IsRegular(full) &&
               (ext.empty() || std::find(std::begin(kExts), std::end(kExts),
                                         ext) != std::end(kExts))) {
      out->push_back(full);
    }
  }
  return Status::Ok();
}

// Merges the files found for `name` under `dir` (whose entries are
// `entries`) into *vars (a mapping; left empty when nothing is found).
Status LoadEntity(const std::string& dir, const std::set<std::string>& entries,
                  const std::string& name, Value* vars, bool* found) {
  *found = false;
  if (name.empty() || name[0] == '/') return Status::Ok();
  std::vector<std::string> files;
  for (std::string_view ext :
       {std::string_view(), kExts[0], kExts[1], kExts[2]}) {
    std::string candidate = name + std::string(ext);
    if (!entries.contains(candidate)) continue;
    std::string full = dir + "/" + candidate;
    if (IsDir(full)) {
      RETURN_IF_ERROR(DirVarsFiles(full, 0, &files));
    } else {
      files.push_back(full);
    }
    break;
  }
  for (const std::string& f : files) {
    ASSIGN_OR_RETURN(std::unique_ptr<YamlDoc> doc, LoadYamlFile(f));
    const Value& v = doc->value();
    if (v.is_null()) continue;  // an empty file
    if (!v.is_object()) {
      return InvalidArgumentError(
          doc->root().pos.ToString() +
          ": a variables file must hold a mapping of names to values, got " +
          (v.is_array() ? "a list" : "a scalar"));
    }
    for (auto it = v.begin(); it != v.end(); ++it)
      (*vars)[it.key()] = it.value();
    *found = true;
  }
  return Status::Ok();
}

// The names in `dir` (empty when it does not exist).
Status Entries(const std::string& dir, std::set<std::string>* out) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return Status::Ok();
  if (!S_ISDIR(st.st_mode)) {
    return InvalidArgumentError(dir + " is not a directory");
  }
  std::vector<std::string> names;
  RETURN_IF_ERROR(ListDir(dir, &names));
  out->insert(names.begin(), names.end());
  return Status::Ok();
}

}  // namespace

Status LoadVarsDirs(const std::string& dir, Inventory* inv) {
  const size_t layer = inv->AddVarsLayer();
  const std::string base = dir.empty() ? "." : dir;
  std::set<std::string> group_entries, host_entries;
  RETURN_IF_ERROR(Entries(base + "/group_vars", &group_entries));
  RETURN_IF_ERROR(Entries(base + "/host_vars", &host_entries));
  if (!group_entries.empty()) {
    for (const std::string& name : inv->group_order()) {
      Value vars = Value::object();
      bool found = false;
      RETURN_IF_ERROR(
          LoadEntity(base + "/group_vars", group_entries, name, &vars, &found));
      if (!found) continue;
      InventoryGroup* g = inv->MutableGroup(name);
      if (g->dir_vars.size() <= layer)
        g->dir_vars.resize(layer + 1, Value::object());
      g->dir_vars[layer] = std::move(vars);
    }
  }
  if (!host_entries.empty()) {
    for (const InventoryHost& h : inv->hosts()) {
      Value vars = Value::object();
      bool found = false;
      RETURN_IF_ERROR(
          LoadEntity(base + "/host_vars", host_entries, h.name, &vars, &found));
      if (!found) continue;
      InventoryHost* mh = inv->MutableHost(h.name);
      if (mh->dir_vars.size() <= layer)
        mh->dir_vars.resize(layer + 1, Value::object());
      mh->dir_vars[layer] = std::move(vars);
    }
    if (inv->FindHost("localhost") == nullptr) {
      Value vars = Value::object();
      bool found = false;
      RETURN_IF_ERROR(LoadEntity(base + "/host_vars", host_entries, "localhost",
                                 &vars, &found));
      if (found) {
        InventoryHost& lh = inv->implicit_localhost();
        lh.dir_vars.resize(layer + 1, Value::object());
        lh.dir_vars[layer] = std::move(vars);
      }
    }
  }
  return Status::Ok();
}

}  // namespace tend::automate
