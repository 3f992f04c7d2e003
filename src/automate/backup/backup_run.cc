// state: present — write one archive of the set, verify it, prune.
//
// Order of work, chosen so a failure never leaves a partial or unverified
// archive under a final name and never prunes without a new archive:
//   1. tar | zstd into DEST/.NAME-STAMP.tar.zst.tend-XXXXXX (mode 0600)
//   2. fsync it, sha256 it, verify it (list + sample restore)
//   3. rename it to DEST/NAME-STAMP.tar.zst, write NAME-STAMP.json
//   4. delete the archives (and manifests) retention no longer keeps
// Any failure in 1-3 removes the temporary file and fails the task.
#include <chrono>
#include <random>

#include "automate/backup/archive_name.h"
#include "automate/backup/backup_module.h"
#include "automate/backup/retention.h"
#include "automate/backup/target_tools.h"
#include "automate/backup/verify.h"
#include "automate/modules/args.h"
#include "base/time_format.h"

namespace tend::automate::backup {
namespace {

struct Params {
  std::vector<std::string> src;
  std::string dest;
  std::string name;
  std::vector<std::string> exclude;
  int level = 3;
  bool have_retention = false;
  Retention retention;
  bool verify = true;
  int verify_files = 3;
  int64_t now = 0;  // Unix seconds
};

std::string StripSlashes(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

Result<Params> ParseParams(const Value& args, const ModuleContext& ctx) {
  Params p;
  if (!ArgHas(args, "src") || args["src"].empty()) {
    return InvalidArgumentError(
        "src is required for state=present: the paths to back up");
  }
  for (const auto& s : args["src"]) {
    std::string path = s.is_string() ? s.get<std::string>() : s.dump();
    if (path.empty() || path[0] != '/') {
      return InvalidArgumentError("src '" + path +
                                  "' must be an absolute path");
    }
    if (path.find("/../") != std::string::npos || path.ends_with("/..")) {
      return InvalidArgumentError("src '" + path + "' must not contain '..'");
    }
    path = StripSlashes(path);
    if (path == "/") {
      return InvalidArgumentError(
          "src '/' is not supported: name the directories to back up");
    }
    p.src.push_back(path);
  }
  p.dest = StripSlashes(ArgStr(args, "dest"));
  if (p.dest.empty() || p.dest[0] != '/') {
    return InvalidArgumentError("dest '" + p.dest +
                                "' must be an absolute directory path");
  }
  p.name = SetName(args);
  RETURN_IF_ERROR(ValidateSetName(p.name));
  for (const auto& e : args["exclude"]) {
    p.exclude.push_back(e.is_string() ? e.get<std::string>() : e.dump());
  }
  int64_t level = ArgInt(args, "compression_level", 3);
  if (level < 1 || level > 19) {
    return InvalidArgumentError("compression_level must be from 1 to 19; got " +
                                std::to_string(level));
  }
  p.level = static_cast<int>(level);
  if (ArgHas(args, "retention")) {
    ASSIGN_OR_RETURN(p.retention, ParseRetention(args["retention"]));
    p.have_retention = true;
  }
  p.verify = ArgBool(args, "verify", true);
  int64_t vf = ArgInt(args, "verify_files", 3);
  if (vf < 0 || vf > 1000) {
    return InvalidArgumentError("verify_files must be from 0 to 1000; got " +
                                std::to_string(vf));
  }
  p.verify_files = static_cast<int>(vf);
  if (ArgHas(args, "timestamp")) {
    ASSIGN_OR_RETURN(p.now, ParseTimestamp(ArgStr(args, "timestamp")));
  } else {
    const Clock* clock = ctx.clock != nullptr ? ctx.clock : Clock::Real();
    p.now = clock->NowUnixNanos() / 1000000000;
  }
  return p;
}

std::string RandomSuffix() {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;
  std::string s;
  for (int i = 0; i < 8; ++i) s += kChars[rd() % (sizeof kChars - 1)];
  return s;
}

// The tar command writing `archive_path` ("/dev/null" only lists: GNU tar
// then reads no file contents). Members are stored relative to "/", so
// restoring into "/" puts every file back where it was.
std::vector<std::string> CreateArgv(const Params& p,
                                    const std::string& archive_path) {
  std::vector<std::string> argv = {"tar", "--create", "--file=" + archive_path,
                                   "--directory=/"};
  if (archive_path != "/dev/null") {
    argv.push_back("--use-compress-program=" + ZstdProgram(p.level));
  }
  for (auto& f : TarListingFlags()) argv.push_back(f);
  // Older archives must not end up inside newer ones when dest lies within
  // a source.
  for (const auto& s : p.src) {
    if (p.dest == s || p.dest.starts_with(s + "/")) {
      argv.push_back("--anchored");
      argv.push_back("--exclude=" + p.dest.substr(1));
      argv.push_back("--no-anchored");
      break;
    }
  }
  for (const auto& e : p.exclude) argv.push_back("--exclude=" + e);
  argv.push_back("--");
  for (const auto& s : p.src) argv.push_back(s.substr(1));
  return argv;
}

std::string HumanBytes(uint64_t n) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, kUnits[u]);
  return buf;
}

struct Counts {
  size_t files = 0;
  size_t entries = 0;
  uint64_t bytes = 0;
};

Counts Count(const std::vector<TarEntry>& listing) {
  Counts c;
  c.entries = listing.size();
  for (const auto& e : listing) {
    if (e.type != '-') continue;
    ++c.files;
    c.bytes += e.size;
  }
  return c;
}

ModuleResult Fail(std::string msg, Value data = Value::object()) {
  ModuleResult r;
  r.failed = true;
  r.msg = std::move(msg);
  r.data = std::move(data);
  return r;
}

}  // namespace

Result<ModuleResult> RunBackup(const Value& args, ModuleContext& ctx) {
  auto parsed = ParseParams(args, ctx);
  if (!parsed.ok()) return Fail("backup: " + parsed.status().message());
  const Params& p = *parsed;
  Connection* conn = ctx.conn;
  const Privilege& priv = ctx.priv;

  for (const auto& s : p.src) {
    ASSIGN_OR_RETURN(FileStat st, conn->Stat(s, false, priv));
    if (!st.exists()) return Fail("backup: src " + s + " does not exist");
  }
  ASSIGN_OR_RETURN(FileStat dest_st, conn->Stat(p.dest, true, priv));
  if (dest_st.exists() && dest_st.type != FileType::kDirectory) {
    return Fail("backup: dest " + p.dest + " is not a directory");
  }
  ASSIGN_OR_RETURN(std::vector<SetArchive> existing,
                   ListSetArchives(conn, priv, p.dest, p.name));

  const std::string archive_file = ArchiveFileName(p.name, p.now);
  const std::string archive = JoinPath(p.dest, archive_file);
  const std::string manifest = JoinPath(p.dest, ManifestFor(archive_file));
  bool exists = false;
  for (const auto& a : existing) exists = exists || a.file == archive_file;

  // Retention over the existing archives plus the one this run writes,
  // which is always kept.
  std::vector<std::string> pruned;
  if (p.have_retention) {
    std::vector<int64_t> times;
    for (const auto& a : existing) times.push_back(a.time);
    if (!exists) times.push_back(p.now);
    std::vector<bool> keep = SelectKept(times, p.retention);
    for (size_t i = 0; i < existing.size(); ++i) {
      if (!keep[i] && existing[i].file != archive_file) {
        pruned.push_back(JoinPath(p.dest, existing[i].file));
      }
    }
  }
  Value pruned_v = Value::array();
  for (const auto& f : pruned) pruned_v.push_back(f);

  ModuleResult res;
  res.data = {{"archive", archive},
              {"manifest", manifest},
              {"name", p.name},
              {"pruned", pruned_v}};
  res.changed = !exists || !pruned.empty();

  if (ctx.check_mode) {
    if (!exists) {
      // What would be archived, read without writing anything.
      ASSIGN_OR_RETURN(ExecResult r,
                       RunTool(conn, priv, CreateArgv(p, "/dev/null")));
      if (r.exit_code > 1) {
        return Fail("backup: " + DescribeFailure("tar --create", r), res.data);
      }
      ASSIGN_OR_RETURN(auto listing, ParseTarListing(r.out));
      Counts c = Count(listing);
      res.data["files"] = c.files;
      res.data["entries"] = c.entries;
      res.data["bytes"] = c.bytes;
    }
    res.msg =
        (exists ? "archive " + archive + " exists" : "would write " + archive) +
        "; would prune " + std::to_string(pruned.size());
    return res;
  }

  if (!exists) {
    if (!dest_st.exists()) {
      Status s = MakeDirs(conn, p.dest, 0700, priv);
      if (!s.ok()) return Fail("backup: creating dest: " + s.message());
    }
    const std::string tmp =
        JoinPath(p.dest, "." + archive_file + ".tend-" + RandomSuffix());
    const auto t0 = std::chrono::steady_clock::now();
    Value warnings = Value::array();
    // Everything that can fail between creating tmp and renaming it; on
    // failure the caller removes tmp.
    auto write = [&]() -> Result<ModuleResult> {
      ASSIGN_OR_RETURN(ExecResult r, RunTool(conn, priv, CreateArgv(p, tmp)));
      // tar's exit 1: a file changed while it was read; the archive is
      // complete and holds what tar read.
      if (r.exit_code == 1) {
        warnings.push_back(DescribeFailure("tar --create", r));
      } else if (r.exit_code != 0) {
        return Fail("backup: " + DescribeFailure("tar --create", r), res.data);
      }
      auto listing = ParseTarListing(r.out);
      if (!listing.ok()) return Fail("backup: " + listing.status().message());
      Counts c = Count(*listing);
      FileAttrs attrs;
      attrs.mode = 0600;
      RETURN_IF_ERROR(conn->SetAttrs(tmp, attrs, false, priv));
      ASSIGN_OR_RETURN(ExecResult sync, RunTool(conn, priv, {"sync", tmp}));
      if (sync.exit_code != 0) {
        return Fail("backup: " + DescribeFailure("sync", sync), res.data);
      }
      ASSIGN_OR_RETURN(auto sums, Sha256Files(conn, priv, {tmp}));
      ASSIGN_OR_RETURN(FileStat st, conn->Stat(tmp, false, priv));
      res.data["size"] = st.size;
      res.data["sha256"] = sums[0];
      res.data["files"] = c.files;
      res.data["entries"] = c.entries;
      res.data["bytes"] = c.bytes;
      res.data["verified"] = false;
      if (p.verify) {
        VerifyOptions vo;
        vo.sample = p.verify_files;
        ASSIGN_OR_RETURN(VerifyReport rep, VerifyArchive(conn, priv, tmp, vo));
        res.data["verified"] = rep.ok;
        res.data["verify"] = rep.ToValue();
        if (!rep.ok) {
          return Fail("backup: verification failed: " + rep.error, res.data);
        }
      }
      RETURN_IF_ERROR(conn->Rename(tmp, archive, priv));
      const int64_t took_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(
              std::chrono::steady_clock::now() - t0)
              .count();
      res.data["duration_ms"] = took_ms;
      if (!warnings.empty()) res.data["warnings"] = warnings;
      Value contents = Value::array();
      for (const auto& e : *listing) contents.push_back(EntryToValue(e));
      Value src_v = Value::array(), excl_v = Value::array();
      for (const auto& s : p.src) src_v.push_back(s);
      for (const auto& e : p.exclude) excl_v.push_back(e);
      Value m = {{"format", "tend-backup-manifest/1"},
                 {"name", p.name},
                 {"archive", archive_file},
                 {"host", conn->host()},
                 {"created", FormatGoTime(p.now * 1000)},
                 {"sources", src_v},
                 {"exclude", excl_v},
                 {"compression", "zstd"},
                 {"compression_level", p.level},
                 {"size", st.size},
                 {"sha256", sums[0]},
                 {"files", c.files},
                 {"entries", c.entries},
                 {"bytes", c.bytes},
                 {"duration_ms", took_ms},
                 {"verified", res.data["verified"]},
                 {"contents", std::move(contents)}};
      FileAttrs mattrs;
      mattrs.mode = 0600;
      Status ws = conn->WriteFile(manifest, m.dump(1) + "\n", mattrs, priv);
      if (!ws.ok()) {
        return Fail("backup: archive " + archive +
                        " written, but its manifest was not: " + ws.message(),
                    res.data);
      }
      return res;
    };
    auto done = write();
    if (!done.ok() || done->failed) {
      // Best effort: the error being reported matters more than a failed
      // cleanup, which the next run's listing ignores (hidden name).
      conn->Remove(tmp, false, priv).IgnoreError();
      if (!done.ok()) {
        return Fail("backup: " + done.status().message(), res.data);
      }
      done->data["pruned"] = Value::array();
      return *done;
    }
    res = std::move(*done);
    ASSIGN_OR_RETURN(ExecResult dsync, RunTool(conn, priv, {"sync", p.dest}));
    if (dsync.exit_code != 0) {
      return Fail("backup: " + DescribeFailure("sync", dsync), res.data);
    }
  }

  for (const auto& path : pruned) {
    RETURN_IF_ERROR(conn->Remove(path, false, priv));
    RETURN_IF_ERROR(conn->Remove(
        JoinPath(p.dest, ManifestFor(path.substr(p.dest.size() + 1))), false,
        priv));
  }
  if (exists) {
    res.msg = "archive " + archive + " exists";
  } else {
    res.msg = "archived " + std::to_string(res.data.value("files", 0)) +
              " files (" + HumanBytes(res.data.value("bytes", uint64_t{0})) +
              ") into " + archive + " (" +
              HumanBytes(res.data.value("size", uint64_t{0})) + ")";
    if (p.verify) res.msg += ", verified";
  }
  if (!pruned.empty()) {
    res.msg += "; pruned " + std::to_string(pruned.size());
  }
  return res;
}

}  // namespace tend::automate::backup
