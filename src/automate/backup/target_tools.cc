#include "automate/backup/target_tools.h"

#include "automate/backup/tar_listing.h"

namespace tend::automate::backup {

Result<ExecResult> RunTool(Connection* conn, const Privilege& priv,
                           std::vector<std::string> argv,
                           std::string stdin_data) {
  ExecRequest req;
  req.argv = std::move(argv);
  req.stdin_data = std::move(stdin_data);
  req.priv = priv;
  for (auto& [k, v] : TarListingEnv()) req.env[k] = v;
  return conn->Exec(req);
}

std::string DescribeFailure(std::string_view program, const ExecResult& r) {
  std::string text = r.err.empty() ? r.out : r.err;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  if (text.size() > 2048) text = text.substr(0, 2048) + "...";
  std::string head = std::string(program) + ": ";
  if (r.timed_out) {
    head += "timed out";
  } else if (r.exit_code < 0) {
    head += "killed by signal " + std::to_string(r.signal);
  } else {
    head += "exit " + std::to_string(r.exit_code);
  }
  return text.empty() ? head : head + ": " + text;
}

Result<std::vector<std::string>> Sha256Files(
    Connection* conn, const Privilege& priv,
    const std::vector<std::string>& paths) {
  std::vector<std::string> argv = {"sha256sum", "-b", "--"};
  argv.insert(argv.end(), paths.begin(), paths.end());
  ASSIGN_OR_RETURN(ExecResult r, RunTool(conn, priv, argv));
  if (r.exit_code != 0) {
    return InternalError(DescribeFailure("sha256sum", r));
  }
  // One line per file, "HASH *NAME"; a name with a newline or backslash is
  // escaped and its line starts with '\', so lines map to files in order.
  std::vector<std::string> sums;
  size_t pos = 0;
  while (pos < r.out.size()) {
    size_t nl = r.out.find('\n', pos);
    std::string_view line(r.out.data() + pos,
                          (nl == std::string::npos ? r.out.size() : nl) - pos);
    pos = nl == std::string::npos ? r.out.size() : nl + 1;
    if (line.starts_with("\\")) line.remove_prefix(1);
    if (line.size() < 64) {
      return InternalError("sha256sum printed an unexpected line: " +
                           std::string(line));
    }
    sums.emplace_back(line.substr(0, 64));
  }
  if (sums.size() != paths.size()) {
    return InternalError("sha256sum printed " + std::to_string(sums.size()) +
                         " sums for " + std::to_string(paths.size()) +
                         " files");
  }
  return sums;
}

std::string ZstdProgram(int level) {
  return "zstd -" + std::to_string(level) + " -q";
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (out.empty() || out.back() != '/') out += '/';
  out += name;
  return out;
}

}  // namespace tend::automate::backup
