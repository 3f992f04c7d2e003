// state: restored — extract one archive of the set into restore_to.
//
// The archive's sha256 is checked against its manifest (when the manifest
// is there) before anything is extracted, so a damaged archive changes
// nothing. Extraction itself is tar's: files are replaced one by one, not
// atomically as a tree.
#include "automate/backup/archive_name.h"
#include "automate/backup/backup_module.h"
#include "automate/backup/target_tools.h"
#include "automate/modules/args.h"

namespace tend::automate::backup {
namespace {

ModuleResult Fail(std::string msg, Value data = Value::object()) {
  ModuleResult r;
  r.failed = true;
  r.msg = std::move(msg);
  r.data = std::move(data);
  return r;
}

// The archive path `archive` names: an absolute path as is; "latest" the
// newest of the set; a file name, or a stamp ("20240501T120000Z"), in dest.
Result<std::string> ResolveArchive(const Value& args, ModuleContext& ctx,
                                   const std::string& dest,
                                   const std::string& name) {
  const std::string a = ArgStr(args, "archive", "latest");
  if (!a.empty() && a[0] == '/') return a;
  if (dest.empty() || dest[0] != '/') {
    return InvalidArgumentError("dest '" + dest +
                                "' must be an absolute directory path");
  }
  if (a == "latest") {
    RETURN_IF_ERROR(ValidateSetName(name));
    ASSIGN_OR_RETURN(auto all, ListSetArchives(ctx.conn, ctx.priv, dest, name));
    if (all.empty()) {
      return NotFoundError("no archives of set '" + name + "' in " + dest);
    }
    return JoinPath(dest, all.back().file);
  }
  if (a.find('/') != std::string::npos || a.empty()) {
    return InvalidArgumentError("archive '" + a +
                                "' must be 'latest', a file name in dest, or "
                                "an absolute path");
  }
  if (a.ends_with(kArchiveSuffix)) return JoinPath(dest, a);
  if (auto t = ParseTimestamp(a); t.ok() && a.size() == 16) {
    RETURN_IF_ERROR(ValidateSetName(name));
    return JoinPath(dest, ArchiveFileName(name, *t));
  }
  return JoinPath(dest, a + std::string(kArchiveSuffix));
}

}  // namespace

Result<ModuleResult> RunRestore(const Value& args, ModuleContext& ctx) {
  Connection* conn = ctx.conn;
  const Privilege& priv = ctx.priv;
  std::string dest = ArgStr(args, "dest");
  while (dest.size() > 1 && dest.back() == '/') dest.pop_back();
  if (!ArgHas(args, "restore_to")) {
    return Fail(
        "backup: restore_to is required for state=restored: the directory "
        "to extract into ('/' puts files back where they were)");
  }
  const std::string to = ArgStr(args, "restore_to");
  if (to.empty() || to[0] != '/') {
    return Fail("backup: restore_to '" + to + "' must be an absolute path");
  }
  auto archive = ResolveArchive(args, ctx, dest, SetName(args));
  if (!archive.ok()) return Fail("backup: " + archive.status().message());
  ASSIGN_OR_RETURN(FileStat st, conn->Stat(*archive, true, priv));
  if (st.type != FileType::kFile) {
    return Fail("backup: archive " + *archive + " does not exist");
  }

  // The manifest's sha256, when there is a manifest.
  std::string want_sha;
  const std::string dir = archive->substr(0, archive->rfind('/') + 1);
  const std::string manifest =
      dir + ManifestFor(archive->substr(archive->rfind('/') + 1));
  ASSIGN_OR_RETURN(FileStat mst, conn->Stat(manifest, true, priv));
  if (mst.type == FileType::kFile) {
    ASSIGN_OR_RETURN(std::string text,
                     conn->ReadFile(manifest, 256u << 20, priv));
    Value m = Value::parse(text, nullptr, /*allow_exceptions=*/false);
    if (m.is_object() && m.contains("sha256") && m["sha256"].is_string()) {
      want_sha = m["sha256"].get<std::string>();
    }
  }

  ModuleResult res;
  res.changed = true;
  res.data = {{"archive", *archive},
              {"restore_to", to},
              {"size", st.size},
              {"sha256_checked", !want_sha.empty()}};
  if (ctx.check_mode) {
    res.msg = "would restore " + *archive + " into " + to;
    return res;
  }
  if (!want_sha.empty()) {
    ASSIGN_OR_RETURN(auto sums, Sha256Files(conn, priv, {*archive}));
    if (sums[0] != want_sha) {
      return Fail("backup: archive " + *archive + " has sha256 " + sums[0] +
                      ", but its manifest records " + want_sha +
                      "; nothing restored",
                  res.data);
    }
  }
  Status mk = MakeDirs(conn, to, 0755, priv);
  if (!mk.ok()) return Fail("backup: restore_to: " + mk.message(), res.data);
  ASSIGN_OR_RETURN(
      ExecResult r,
      RunTool(conn, priv,
              {"tar", "--extract", "--file=" + *archive,
               "--use-compress-program=zstd -q", "--directory=" + to,
               "--preserve-permissions", "--verbose", "--quoting-style=c"}));
  if (r.exit_code != 0) {
    return Fail("backup: " + DescribeFailure("tar --extract", r), res.data);
  }
  size_t entries = 0;
  for (char c : r.out) entries += c == '\n';
  res.data["entries"] = entries;
  res.msg = "restored " + std::to_string(entries) + " entries from " +
            *archive + " into " + to;
  return res;
}

}  // namespace tend::automate::backup
