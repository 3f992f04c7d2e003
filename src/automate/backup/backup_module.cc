#include "automate/backup/backup_module.h"

#include <algorithm>

#include "automate/backup/archive_name.h"
#include "automate/modules/args.h"
#include "automate/modules/system/system_util.h"

namespace tend::automate::backup {
namespace {

class BackupModule : public Module {
 public:
  BackupModule() {
    spec_.name = "backup";
    spec_.params = {
        Param("src", ParamType::kList),
        Param("dest", ParamType::kPath).Required(),
        Param("name"),
        Param("exclude", ParamType::kList).Default(Value::array()),
        Param("compression_level", ParamType::kInt).Default(3),
        Param("retention", ParamType::kDict),
        Param("verify", ParamType::kBool).Default(true),
        Param("verify_files", ParamType::kInt).Default(3),
        Param("state").Default("present").Choices({"present", "restored"}),
        Param("archive").Default("latest"),
        Param("restore_to", ParamType::kPath),
        Param("timestamp"),
    };
  }

  const ModuleSpec& spec() const override { return spec_; }

  Result<ModuleResult> Run(const Value& args, ModuleContext& ctx) override {
    if (ArgStr(args, "state", "present") == "restored") {
      return RunRestore(args, ctx);
    }
    return RunBackup(args, ctx);
  }

 private:
  ModuleSpec spec_;
};

}  // namespace

std::unique_ptr<Module> NewBackupModule() {
  return std::make_unique<BackupModule>();
}

std::string SetName(const Value& args) {
  if (ArgHas(args, "name")) return ArgStr(args, "name");
  if (!ArgHas(args, "src") || !args["src"].is_array() || args["src"].empty() ||
      !args["src"][0].is_string()) {
    return "";
  }
  std::string first = args["src"][0].get<std::string>();
  while (first.size() > 1 && first.back() == '/') first.pop_back();
  size_t slash = first.rfind('/');
  return slash == std::string::npos ? first : first.substr(slash + 1);
}

Result<std::vector<SetArchive>> ListSetArchives(Connection* conn,
                                                const Privilege& priv,
                                                const std::string& dest,
                                                const std::string& name) {
  ASSIGN_OR_RETURN(FileStat st, conn->Stat(dest, true, priv));
  if (!st.exists()) return std::vector<SetArchive>{};
  if (st.type != FileType::kDirectory) {
    return FailedPreconditionError("dest " + dest + " is not a directory");
  }
  ASSIGN_OR_RETURN(std::vector<DirEntry> entries, conn->ListDir(dest, priv));
  std::vector<SetArchive> out;
  for (const auto& e : entries) {
    if (e.type != FileType::kFile) continue;
    if (auto t = ParseArchiveFileName(e.name, name)) {
      out.push_back({e.name, *t});
    }
  }
  std::stable_sort(
      out.begin(), out.end(),
      [](const SetArchive& a, const SetArchive& b) { return a.time < b.time; });
  return out;
}

Status MakeDirs(Connection* conn, const std::string& path, uint32_t mode,
                const Privilege& priv) {
  ASSIGN_OR_RETURN(FileStat st, conn->Stat(path, true, priv));
  if (st.type == FileType::kDirectory) return Status::Ok();
  if (st.exists()) {
    return FailedPreconditionError(path + " exists and is not a directory");
  }
  size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    RETURN_IF_ERROR(MakeDirs(conn, path.substr(0, slash), mode, priv));
  }
  Status s = conn->MakeDir(path, mode, priv);
  if (s.code() == StatusCode::kAlreadyExists) return Status::Ok();
  return s;
}

}  // namespace tend::automate::backup

namespace tend::automate {

void AddBackupModules(ModuleList* out) {
  out->push_back(backup::NewBackupModule());
}

}  // namespace tend::automate
