#include "automate/backup/verify.h"

#include <algorithm>

#include "automate/backup/target_tools.h"

namespace tend::automate::backup {
namespace {

std::string TrimNewline(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// Restores the sampled members into a fresh temporary directory and
// compares them with their sources. Fills report->samples; sets
// report->error on a mismatch or a failed restore.
Status CheckSample(Connection* conn, const Privilege& priv,
                   const std::string& archive, const VerifyOptions& opts,
                   VerifyReport* report) {
  std::vector<size_t> pick = ChooseSample(report->listing, opts.sample);
  if (pick.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(
      ExecResult mk,
      RunTool(conn, priv, {"mktemp", "-d", "-t", "tend-verify.XXXXXXXX"}));
  if (mk.exit_code != 0) {
    return InternalError("verify: " + DescribeFailure("mktemp", mk));
  }
  const std::string tmp = TrimNewline(mk.out);
  if (tmp.empty() || tmp[0] != '/') {
    return InternalError("verify: mktemp printed no directory");
  }
  std::string names;
  for (size_t i : pick) {
    names += report->listing[i].path;
    names.push_back('\0');
  }
  Status st = [&]() -> Status {
    ASSIGN_OR_RETURN(
        ExecResult x,
        RunTool(conn, priv,
                {"tar", "--extract", "--file=" + archive,
                 "--use-compress-program=zstd -q", "--directory=" + tmp,
                 "--null", "--verbatim-files-from", "--files-from=-"},
                names));
    if (x.exit_code != 0) {
      report->error =
          "restoring the sample failed: " + DescribeFailure("tar --extract", x);
      return Status::Ok();
    }
    std::vector<std::string> paths;
    std::vector<std::string> sources;
    for (size_t i : pick) {
      const std::string& m = report->listing[i].path;
      paths.push_back(JoinPath(tmp, m));
      std::string src = JoinPath(opts.source_root, m);
      ASSIGN_OR_RETURN(FileStat fs, conn->Stat(src, false, priv));
      sources.push_back(fs.type == FileType::kFile ? src : "");
      SampleCheck c;
      c.path = m;
      c.size = report->listing[i].size;
      if (fs.type != FileType::kFile) {
        c.note = "source missing";
      } else if (fs.size != c.size ||
                 fs.mtime_ns / 1000000000 != report->listing[i].mtime) {
        c.note = "source changed since archived";
      }
      report->samples.push_back(std::move(c));
    }
    for (const auto& s : sources) {
      if (!s.empty()) paths.push_back(s);
    }
    ASSIGN_OR_RETURN(std::vector<std::string> sums,
                     Sha256Files(conn, priv, paths));
    size_t next_src = pick.size();
    for (size_t k = 0; k < pick.size(); ++k) {
      SampleCheck& c = report->samples[k];
      c.archive_sha256 = sums[k];
      if (!sources[k].empty()) c.source_sha256 = sums[next_src++];
      c.ok = c.archive_sha256 == c.source_sha256;
      if (!c.ok && c.note.empty() && report->error.empty()) {
        report->error = "restored " + c.path +
                        " differs from its source (sha256 " + c.archive_sha256 +
                        " vs " + c.source_sha256 + ")";
      }
    }
    return Status::Ok();
  }();
  Status rm = conn->Remove(tmp, /*recursive=*/true, priv);
  RETURN_IF_ERROR(st);
  return rm;
}

}  // namespace

Value VerifyReport::ToValue() const {
  Value s = Value::array();
  for (const auto& c : samples) {
    Value v = {{"path", c.path},
               {"size", c.size},
               {"ok", c.ok},
               {"sha256", c.archive_sha256}};
    if (!c.note.empty()) v["note"] = c.note;
    s.push_back(std::move(v));
  }
  Value v = {{"ok", ok}, {"entries", entries}, {"samples", std::move(s)}};
  if (!error.empty()) v["error"] = error;
  return v;
}

std::vector<size_t> ChooseSample(const std::vector<TarEntry>& entries, int n) {
  std::vector<size_t> nonempty, empty;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].type != '-') continue;
    (entries[i].size > 0 ? nonempty : empty).push_back(i);
  }
  std::vector<size_t> pool = nonempty.empty() ? empty : nonempty;
  if (n <= 0 || pool.empty()) return {};
  size_t k = std::min(pool.size(), static_cast<size_t>(n));
  std::vector<size_t> out;
  for (size_t j = 0; j < k; ++j) {
    size_t idx = k == 1 ? 0 : j * (pool.size() - 1) / (k - 1);
    out.push_back(pool[idx]);
  }
  return out;
}

Result<VerifyReport> VerifyArchive(Connection* conn, const Privilege& priv,
                                   const std::string& archive,
                                   const VerifyOptions& opts) {
  VerifyReport report;
  if (!opts.expected_sha256.empty()) {
    auto sums = Sha256Files(conn, priv, {archive});
    if (!sums.ok()) {
      report.error = sums.status().message();
      return report;
    }
    report.sha256 = (*sums)[0];
    if (report.sha256 != opts.expected_sha256) {
      report.error = "sha256 " + report.sha256 + " differs from the recorded " +
                     opts.expected_sha256;
      return report;
    }
  }
  std::vector<std::string> argv = {"tar", "--list", "--file=" + archive,
                                   "--use-compress-program=zstd -q"};
  for (auto& f : TarListingFlags()) argv.push_back(f);
  ASSIGN_OR_RETURN(ExecResult list, RunTool(conn, priv, argv));
  if (list.exit_code != 0) {
    report.error = "the archive does not read back: " +
                   DescribeFailure("tar --list", list);
    return report;
  }
  auto entries = ParseTarListing(list.out);
  if (!entries.ok()) {
    report.error = entries.status().message();
    return report;
  }
  report.listing = std::move(*entries);
  report.entries = report.listing.size();
  if (report.entries == 0) {
    report.error = "the archive is empty";
    return report;
  }
  RETURN_IF_ERROR(CheckSample(conn, priv, archive, opts, &report));
  report.ok = report.error.empty();
  return report;
}

}  // namespace tend::automate::backup
