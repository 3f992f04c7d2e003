#include "automate/deploy/deploy_steps.h"

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "base/clock.h"
#include "base/time_format.h"

namespace tend::automate::deploy {
namespace {

std::string TrimOutput(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' ||
                        s.back() == '\r' || s.back() == '\t')) {
    s.pop_back();
  }
  if (s.size() > 500) s = "..." + s.substr(s.size() - 500);
  return s;
}

std::string DescribeExit(const ExecResult& r) {
  std::string code = r.timed_out        ? "timed out"
                     : r.exit_code >= 0 ? "exit " + std::to_string(r.exit_code)
                                        : "signal " + std::to_string(r.signal);
  std::string why = TrimOutput(r.err.empty() ? r.out : r.err);
  return why.empty() ? code : code + ": " + why;
}

// A name no other writer picks: pid, time and a counter.
std::string UniqueSuffix() {
  static std::atomic<uint64_t> counter{0};
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%d-%llx-%llu", static_cast<int>(getpid()),
                static_cast<unsigned long long>(
                    Clock::Real()->MonotonicNanos() & 0xffffffff),
                static_cast<unsigned long long>(counter++));
  return buf;
}

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t)
      .count();
}

void Sleep(double s) {
  if (s > 0) {
    std::this_thread::sleep_for(
        std::chrono::microseconds(static_cast<int64_t>(s * 1e6)));
  }
}

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1fs", s);
  return buf;
}

Status CopyDirectory(ModuleContext& ctx, const std::string& local,
                     const std::string& dest) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::recursive_directory_iterator it(local, ec), end;
  if (ec) return ErrnoError("reading " + local, ec.value());
  for (; it != end; it.increment(ec)) {
    if (ec) return ErrnoError("reading " + local, ec.value());
    const fs::path& p = it->path();
    // Lexical: fs::relative would resolve a symlink to its target.
    std::string rel = p.lexically_relative(local).string();
    std::string to = dest + "/" + rel;
    struct stat st;
    if (lstat(p.c_str(), &st) != 0) {
      return ErrnoError("stat " + p.string(), errno);
    }
    FileAttrs attrs;
    attrs.mode = st.st_mode & 07777;
    if (S_ISLNK(st.st_mode)) {
      fs::path target = fs::read_symlink(p, ec);
      if (ec) return ErrnoError("readlink " + p.string(), ec.value());
      RETURN_IF_ERROR(ctx.conn->Symlink(target.string(), to, ctx.priv));
    } else if (S_ISDIR(st.st_mode)) {
      RETURN_IF_ERROR(ctx.conn->MakeDir(to, st.st_mode & 07777, ctx.priv));
    } else if (S_ISREG(st.st_mode)) {
      RETURN_IF_ERROR(ctx.conn->Upload(p.string(), to, attrs, ctx.priv));
    } else {
      return InvalidArgumentError(p.string() +
                                  ": not a file, directory or symlink");
    }
  }
  return Status::Ok();
}

Result<ExecResult> Exec(ModuleContext& ctx, std::vector<std::string> argv) {
  ExecRequest req;
  req.argv = std::move(argv);
  req.priv = ctx.priv;
  return ctx.conn->Exec(req);
}

Status FillRelease(ModuleContext& ctx, const Layout& l, const std::string& dir,
                   std::string_view id, const ReleaseSource& source,
                   const std::map<std::string, std::string>& env) {
  if (!source.src.empty()) {
    const std::string& local = source.src;  // resolved by the caller
    struct stat st;
    if (stat(local.c_str(), &st) != 0) {
      return ErrnoError("src " + local, errno);
    }
    if (S_ISDIR(st.st_mode)) {
      RETURN_IF_ERROR(ctx.conn->MakeDir(dir, 0755, ctx.priv));
      RETURN_IF_ERROR(
          CopyDirectory(ctx, local, dir).WithContext("uploading " + local));
    } else {
      // An archive: uploaded next to the releases, unpacked by the
      // target's tar (which recognizes gzip, xz, bzip2 and zstd).
      std::string archive =
          l.base + "/.tend-upload-" + std::string(id) + "-" + UniqueSuffix();
      RETURN_IF_ERROR(ctx.conn->Upload(local, archive, {}, ctx.priv));
      Status made = ctx.conn->MakeDir(dir, 0755, ctx.priv);
      auto r = made.ok() ? Exec(ctx, {"tar", "-xf", archive, "-C", dir})
                         : Result<ExecResult>(made);
      ctx.conn->Remove(archive, false, ctx.priv).IgnoreError();
      if (!r.ok()) return r.status();
      if (r->exit_code != 0) {
        return FailedPreconditionError("unpacking " + local + ": " +
                                       DescribeExit(*r));
      }
    }
  } else if (!source.repo.empty()) {
    ASSIGN_OR_RETURN(ExecResult r,
                     Exec(ctx, {"git", "clone", "--quiet", source.repo, dir}));
    if (r.exit_code != 0) {
      return FailedPreconditionError("git clone " + source.repo + ": " +
                                     DescribeExit(r));
    }
    if (!source.version.empty() && source.version != "HEAD") {
      ASSIGN_OR_RETURN(r, Exec(ctx, {"git", "-C", dir, "checkout", "--quiet",
                                     source.version}));
      if (r.exit_code != 0) {
        return FailedPreconditionError("git checkout " + source.version + ": " +
                                       DescribeExit(r));
      }
    }
  } else {
    RETURN_IF_ERROR(ctx.conn->MakeDir(dir, 0755, ctx.priv));
  }
  RETURN_IF_ERROR(RunCommands(ctx, source.build, dir, "build command", env));
  for (const auto& p : source.shared) {
    std::string shared = l.shared + "/" + p;
    std::string in_release = dir + "/" + p;
    ASSIGN_OR_RETURN(FileStat sst, ctx.conn->Stat(shared, false, ctx.priv));
    ASSIGN_OR_RETURN(FileStat rst, ctx.conn->Stat(in_release, false, ctx.priv));
    if (!sst.exists()) {
      // The first release seeds shared/ with its own copy, if it has one.
      RETURN_IF_ERROR(MakeDirs(
          ctx.conn, std::filesystem::path(shared).parent_path().string(),
          ctx.priv));
      if (rst.exists()) {
        RETURN_IF_ERROR(ctx.conn->Rename(in_release, shared, ctx.priv));
      } else {
        RETURN_IF_ERROR(MakeDirs(ctx.conn, shared, ctx.priv));
      }
    } else if (rst.exists()) {
      RETURN_IF_ERROR(ctx.conn->Remove(in_release, true, ctx.priv));
    }
    RETURN_IF_ERROR(MakeDirs(
        ctx.conn, std::filesystem::path(in_release).parent_path().string(),
        ctx.priv));
    RETURN_IF_ERROR(ctx.conn->Symlink(shared, in_release, ctx.priv));
  }
  return Status::Ok();
}

}  // namespace

Layout::Layout(std::string base_path) : base(std::move(base_path)) {
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  releases = base + "/releases";
  shared = base + "/shared";
  current = base + "/current";
  state_file = base + "/" + std::string(kStateFileName);
}

std::string Layout::Release(std::string_view id) const {
  return releases + "/" + std::string(id);
}

Status ValidateReleaseId(std::string_view id) {
  if (id.empty()) return InvalidArgumentError("the release id is empty");
  if (id.size() > 128) {
    return InvalidArgumentError("release id longer than 128 characters");
  }
  if (id[0] == '.') {
    return InvalidArgumentError("release id '" + std::string(id) +
                                "' must not start with '.'");
  }
  for (char c : id) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' ||
              c == '_' || c == '-' || c == '+';
    if (!ok) {
      return InvalidArgumentError("release id '" + std::string(id) +
                                  "' has the character '" + std::string(1, c) +
                                  "'; use letters, digits, '.', '_', '-', '+'");
    }
  }
  return Status::Ok();
}

std::string TimestampReleaseId(int64_t unix_nanos) {
  time_t secs = static_cast<time_t>(unix_nanos / kNanosPerSecond);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[32];
  strftime(buf, sizeof(buf), "%Y%m%d%H%M%S", &tm);
  return buf;
}

std::string StateTime(int64_t unix_nanos) {
  return FormatRfc3339Millis(unix_nanos / kNanosPerMilli);
}

Result<DeployState> LoadState(Connection* conn, const Layout& l,
                              const Privilege& priv) {
  ASSIGN_OR_RETURN(FileStat st, conn->Stat(l.state_file, true, priv));
  if (!st.exists()) return DeployState{};
  ASSIGN_OR_RETURN(std::string text,
                   conn->ReadFile(l.state_file, kMaxStateFileBytes, priv));
  return ParseDeployState(text, l.state_file);
}

Status SaveState(Connection* conn, const Layout& l, const DeployState& s,
                 const Privilege& priv) {
  FileAttrs attrs;
  attrs.mode = 0644;
  return conn->WriteFile(l.state_file, SerializeDeployState(s), attrs, priv)
      .WithContext("writing " + l.state_file);
}

Result<std::string> CurrentRelease(Connection* conn, const Layout& l,
                                   const Privilege& priv) {
  ASSIGN_OR_RETURN(FileStat st, conn->Stat(l.current, false, priv));
  if (!st.exists()) return std::string();
  if (st.type != FileType::kSymlink) {
    return FailedPreconditionError(
        l.current +
        " exists and is not a symlink; move it away so tend can "
        "manage it");
  }
  std::string t = st.link_target;
  while (t.size() > 1 && t.back() == '/') t.pop_back();
  for (std::string prefix : {std::string("releases/"), l.releases + "/"}) {
    if (t.starts_with(prefix) &&
        t.find('/', prefix.size()) == std::string::npos) {
      return t.substr(prefix.size());
    }
  }
  return FailedPreconditionError(l.current + " points to '" + t +
                                 "', not into " + l.releases);
}

Status SwitchCurrent(Connection* conn, const Layout& l, std::string_view id,
                     const Privilege& priv) {
  std::string tmp = l.current + ".tmp-" + UniqueSuffix();
  RETURN_IF_ERROR(conn->Symlink("releases/" + std::string(id), tmp, priv));
  Status st = conn->Rename(tmp, l.current, priv);
  if (!st.ok()) conn->Remove(tmp, false, priv).IgnoreError();
  return st.WithContext("switching " + l.current);
}

Status MakeDirs(Connection* conn, const std::string& path,
                const Privilege& priv) {
  if (path.empty() || path == "/") return Status::Ok();
  ASSIGN_OR_RETURN(FileStat st, conn->Stat(path, true, priv));
  if (st.type == FileType::kDirectory) return Status::Ok();
  if (st.exists()) {
    return FailedPreconditionError(path + " exists and is not a directory");
  }
  RETURN_IF_ERROR(
      MakeDirs(conn, std::filesystem::path(path).parent_path().string(), priv));
  Status made = conn->MakeDir(path, 0755, priv);
  if (made.code() == StatusCode::kAlreadyExists) return Status::Ok();
  return made;
}

Status BuildRelease(ModuleContext& ctx, const Layout& l, std::string_view id,
                    const ReleaseSource& source,
                    const std::map<std::string, std::string>& env) {
  std::string dir = l.Release(id);
  RETURN_IF_ERROR(ctx.conn->Remove(dir, true, ctx.priv));
  Status st = FillRelease(ctx, l, dir, id, source, env);
  if (!st.ok()) {
    ctx.conn->Remove(dir, true, ctx.priv).IgnoreError();
    return st;
  }
  return Status::Ok();
}

Status RunCommands(ModuleContext& ctx, const std::vector<std::string>& cmds,
                   const std::string& dir, std::string_view what,
                   const std::map<std::string, std::string>& env) {
  for (const auto& cmd : cmds) {
    ExecRequest req;
    req.shell = cmd;
    req.chdir = dir;
    req.env = env;
    req.priv = ctx.priv;
    ASSIGN_OR_RETURN(ExecResult r, ctx.conn->Exec(req));
    if (r.exit_code != 0) {
      return FailedPreconditionError(std::string(what) + " '" + cmd +
                                     "' failed: " + DescribeExit(r));
    }
  }
  return Status::Ok();
}

GateResult RunGate(const HealthCheck& check, Connection* conn,
                   const Privilege& priv, const GateOptions& opt) {
  GateResult g;
  if (check.kind == HealthCheck::Kind::kNone) return g;
  auto start = std::chrono::steady_clock::now();
  while (true) {
    Status st = RunHealthCheck(check, conn, priv);
    ++g.probes;
    if (st.ok()) break;
    if (Since(start) >= opt.first_pass_timeout_s) {
      g.passed = false;
      g.why = "health check " + check.Describe() + " did not pass within " +
              Seconds(opt.first_pass_timeout_s) + ": " + st.message();
      return g;
    }
    Sleep(opt.interval_s);
  }
  auto first_pass = std::chrono::steady_clock::now();
  while (true) {
    double left = opt.bake_s - Since(first_pass);
    if (left <= 0) break;
    Sleep(std::min(opt.interval_s, left));
    Status st = RunHealthCheck(check, conn, priv);
    ++g.probes;
    if (!st.ok()) {
      g.passed = false;
      g.passing_s = Since(first_pass);
      g.why = "health check " + check.Describe() +
              " failed after passing for " + Seconds(g.passing_s) + " of the " +
              Seconds(opt.bake_s) + " bake: " + st.message();
      return g;
    }
  }
  g.passing_s = Since(first_pass);
  return g;
}

Result<std::vector<std::string>> PruneReleases(
    Connection* conn, const Layout& l, DeployState* state, int64_t keep,
    const std::vector<std::string>& protect, bool check_mode,
    const Privilege& priv) {
  std::vector<std::string> pruned;
  ASSIGN_OR_RETURN(FileStat st, conn->Stat(l.releases, true, priv));
  if (st.type != FileType::kDirectory) return pruned;
  ASSIGN_OR_RETURN(std::vector<DirEntry> entries,
                   conn->ListDir(l.releases, priv));
  std::vector<std::string> unknown, known;
  for (const auto& e : entries) {
    if (e.name.empty() || e.name[0] == '.' || e.type != FileType::kDirectory) {
      continue;
    }
    (state->Find(e.name) ? known : unknown).push_back(e.name);
  }
  // Oldest first: unknown (name order, ListDir's), then the state's order.
  std::vector<std::string> order = unknown;
  for (const auto& r : state->releases) {
    if (std::find(known.begin(), known.end(), r.id) != known.end()) {
      order.push_back(r.id);
    }
  }
  int64_t excess = static_cast<int64_t>(order.size()) - keep;
  for (const auto& id : order) {
    if (excess <= 0) break;
    if (std::find(protect.begin(), protect.end(), id) != protect.end()) {
      continue;
    }
    if (!check_mode) {
      RETURN_IF_ERROR(conn->Remove(l.Release(id), true, priv));
      state->Remove(id);
    }
    pruned.push_back(id);
    --excess;
  }
  return pruned;
}

}  // namespace tend::automate::deploy
