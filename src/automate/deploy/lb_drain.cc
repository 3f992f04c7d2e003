#include "automate/deploy/lb_drain.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

namespace tend::automate::deploy {
namespace {

Status Bad(const std::string& msg) {
  return InvalidArgumentError("drain: " + msg);
}

std::vector<std::string> SplitOn(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.emplace_back(s.substr(start, pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.pop_back();
  }
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

void SleepSeconds(double s) {
  if (s > 0) {
    std::this_thread::sleep_for(
        std::chrono::microseconds(static_cast<int64_t>(s * 1e6)));
  }
}

// One exchange on a unix stream socket: the command, then everything
// haproxy answers until it closes the connection (non-interactive mode).
Result<std::string> UnixExchange(const std::string& path,
                                 const std::string& command) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) {
    return InvalidArgumentError("socket path too long: " + path);
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoError("socket", errno);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    Status s = ErrnoError("connect to haproxy socket " + path, errno);
    close(fd);
    return s;
  }
  std::string line = command + "\n";
  size_t off = 0;
  while (off < line.size()) {
    ssize_t n = send(fd, line.data() + off, line.size() - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = ErrnoError("write to haproxy socket " + path, errno);
      close(fd);
      return s;
    }
    off += static_cast<size_t>(n);
  }
  std::string out;
  char buf[8192];
  while (true) {
    pollfd p{fd, POLLIN, 0};
    int ready = poll(&p, 1, 10000);
    if (ready == 0) {
      close(fd);
      return DeadlineExceededError("haproxy socket " + path +
                                   ": no answer within 10 s");
    }
    if (ready < 0 && errno == EINTR) continue;
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > (16u << 20)) break;
  }
  close(fd);
  return out;
}

}  // namespace

std::string DrainSpec::Describe() const {
  switch (kind) {
    case Kind::kHaproxy:
      return "haproxy " + backend + "/" + server;
    case Kind::kNginx:
      return "nginx " + server + " in " + upstream_file;
    case Kind::kNone:
      break;
  }
  return "none";
}

Result<DrainSpec> ParseDrainSpec(const Value& v) {
  DrainSpec d;
  if (v.is_null() || (v.is_object() && v.empty())) return d;
  if (!v.is_object() || v.size() != 1 ||
      (!v.contains("haproxy") && !v.contains("nginx"))) {
    return Bad("must be a mapping with one key, haproxy or nginx; got " +
               v.dump());
  }
  bool haproxy = v.contains("haproxy");
  const Value& o = haproxy ? v["haproxy"] : v["nginx"];
  std::string where = haproxy ? "haproxy" : "nginx";
  if (!o.is_object()) return Bad("'" + where + "' must be a mapping");
  d.kind = haproxy ? DrainSpec::Kind::kHaproxy : DrainSpec::Kind::kNginx;
  const char* const kHaproxyKeys[] = {"socket", "backend", "server", "mode",
                                      "timeout"};
  const char* const kNginxKeys[] = {"upstream_file", "server", "reload",
                                    "settle"};
  for (auto it = o.begin(); it != o.end(); ++it) {
    const std::string& k = it.key();
    const Value& x = it.value();
    bool known = false;
    if (haproxy) {
      for (const char* n : kHaproxyKeys) known = known || k == n;
    } else {
      for (const char* n : kNginxKeys) known = known || k == n;
    }
    if (!known) {
      return Bad(where + ": unknown key '" + k + "'; supported: " +
                 (haproxy ? "socket, backend, server, mode, timeout"
                          : "upstream_file, server, reload, settle"));
    }
    if (k == "timeout" || k == "settle") {
      if (!x.is_number() || x.get<double>() < 0) {
        return Bad(where + ": '" + k +
                   "' must be a non-negative number of seconds");
      }
      (k == "timeout" ? d.timeout_s : d.settle_s) = x.get<double>();
      continue;
    }
    if (!x.is_string() || x.get<std::string>().empty()) {
      return Bad(where + ": '" + k + "' must be a non-empty string");
    }
    std::string s = x.get<std::string>();
    if (k == "socket") d.socket = s;
    if (k == "backend") d.backend = s;
    if (k == "server") d.server = s;
    if (k == "mode") d.mode = s;
    if (k == "upstream_file") d.upstream_file = s;
    if (k == "reload") d.reload = s;
  }
  auto need = [&](const std::string& val, const char* key) -> Status {
    if (val.empty()) return Bad(where + ": missing '" + key + "'");
    return Status::Ok();
  };
  RETURN_IF_ERROR(need(d.server, "server"));
  if (haproxy) {
    RETURN_IF_ERROR(need(d.socket, "socket"));
    RETURN_IF_ERROR(need(d.backend, "backend"));
    if (d.mode != "drain" && d.mode != "maint") {
      return Bad("haproxy: 'mode' must be drain or maint, got '" + d.mode +
                 "'");
    }
  } else {
    RETURN_IF_ERROR(need(d.upstream_file, "upstream_file"));
  }
  return d;
}

HaproxyChannel HaproxyChannelFor(Connection* conn, const std::string& socket,
                                 const Privilege& priv) {
  if (conn->is_local() && !priv.become) {
    return
        [socket](const std::string& cmd) { return UnixExchange(socket, cmd); };
  }
  return [conn, socket, priv](const std::string& cmd) -> Result<std::string> {
    ExecRequest req;
    req.argv = {"socat", "-", "UNIX-CONNECT:" + socket};
    req.stdin_data = cmd + "\n";
    req.timeout_ms = 10000;
    req.priv = priv;
    ASSIGN_OR_RETURN(ExecResult r, conn->Exec(req));
    if (r.exit_code != 0) {
      return UnavailableError("socat to haproxy socket " + socket + ": " +
                              Trim(r.err));
    }
    return r.out;
  };
}

Result<int64_t> HaproxyActiveSessions(std::string_view show_stat,
                                      std::string_view backend,
                                      std::string_view server) {
  std::vector<std::string> lines = SplitOn(show_stat, '\n');
  int px = -1, sv = -1, qcur = -1, scur = -1;
  for (const auto& raw : lines) {
    std::string line = raw;
    if (line.starts_with("# ")) {
      auto cols = SplitOn(line.substr(2), ',');
      for (size_t i = 0; i < cols.size(); ++i) {
        if (cols[i] == "pxname") px = static_cast<int>(i);
        if (cols[i] == "svname") sv = static_cast<int>(i);
        if (cols[i] == "qcur") qcur = static_cast<int>(i);
        if (cols[i] == "scur") scur = static_cast<int>(i);
      }
      continue;
    }
    if (px < 0 || sv < 0 || scur < 0 || line.empty()) continue;
    auto f = SplitOn(line, ',');
    int need = std::max({px, sv, scur, qcur});
    if (static_cast<int>(f.size()) <= need) continue;
    if (f[px] != backend || f[sv] != server) continue;
    int64_t total = 0;
    for (int col : {scur, qcur}) {
      if (col < 0 || f[col].empty()) continue;
      int64_t n = 0;
      const char* b = f[col].data();
      const char* e = b + f[col].size();
      auto [end, ec] = std::from_chars(b, e, n);
      // Counts of sessions: a few digits; bounded so the sum cannot overflow.
      if (ec != std::errc() || end != e || n < 0 || n > (int64_t{1} << 40)) {
        return InvalidArgumentError("haproxy show stat: bad number '" + f[col] +
                                    "'");
      }
      total += n;
    }
    return total;
  }
  if (px < 0 || scur < 0) {
    return InvalidArgumentError(
        "haproxy show stat: no CSV header in the answer: '" +
        std::string(show_stat.substr(0, 200)) + "'");
  }
  return NotFoundError("haproxy has no server " + std::string(backend) + "/" +
                       std::string(server));
}

Result<std::string> NginxSetDown(std::string_view text,
                                 std::string_view address, bool down,
                                 bool* changed) {
  *changed = false;
  bool found = false;
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    std::string line(text.substr(start, end - start));
    start = end;
    size_t semi = line.find(';');
    size_t hash = line.find('#');
    if (semi == std::string::npos ||
        (hash != std::string::npos && hash < semi)) {
      out += line;
      continue;
    }
    std::vector<std::string> w = Words(std::string_view(line).substr(0, semi));
    if (w.size() < 2 || w[0] != "server" || w[1] != address) {
      out += line;
      continue;
    }
    found = true;
    bool has_down = false;
    for (const auto& x : w) has_down = has_down || x == "down";
    if (has_down == down) {
      out += line;
      continue;
    }
    // Edited in place so that restoring gives back the exact text: " down"
    // goes right before the ';', and removing takes out each "down" word
    // with the one blank before it.
    std::string rebuilt = line;
    if (down) {
      rebuilt.insert(semi, " down");
    } else {
      for (size_t i = semi; i-- > 0;) {
        bool word = rebuilt.compare(i, 4, "down") == 0 && i > 0 &&
                    std::isspace(static_cast<unsigned char>(rebuilt[i - 1])) &&
                    (i + 4 == semi ||
                     std::isspace(static_cast<unsigned char>(rebuilt[i + 4])));
        if (word) {
          rebuilt.erase(i - 1, 5);
          semi -= 5;
        }
      }
    }
    out += rebuilt;
    *changed = true;
  }
  if (!found) {
    return NotFoundError("no 'server " + std::string(address) +
                         "' line in the upstream file");
  }
  return out;
}

Drainer::Drainer(DrainSpec spec, Connection* conn, Privilege priv)
    : spec_(std::move(spec)), conn_(conn), priv_(std::move(priv)) {
  if (spec_.kind == DrainSpec::Kind::kHaproxy) {
    channel_ = HaproxyChannelFor(conn_, spec_.socket, priv_);
  }
}

Status Drainer::HaproxyCommand(const std::string& cmd) {
  ASSIGN_OR_RETURN(std::string answer, channel_(cmd));
  answer = Trim(answer);
  if (!answer.empty()) {
    return FailedPreconditionError("haproxy refused '" + cmd + "': " + answer);
  }
  return Status::Ok();
}

Status Drainer::NginxApply(bool down) {
  ASSIGN_OR_RETURN(std::string text,
                   conn_->ReadFile(spec_.upstream_file, 1 << 20, priv_));
  bool changed = false;
  auto edited = NginxSetDown(text, spec_.server, down, &changed);
  if (!edited.ok()) {
    return edited.status().WithContext(spec_.upstream_file);
  }
  if (!changed) return Status::Ok();
  RETURN_IF_ERROR(conn_->WriteFile(spec_.upstream_file, *edited, {}, priv_));
  ExecRequest req;
  req.shell = spec_.reload;
  req.timeout_ms = 60000;
  req.priv = priv_;
  auto r = conn_->Exec(req);
  Status st = r.ok() ? Status::Ok() : r.status();
  if (r.ok() && r->exit_code != 0) {
    st = FailedPreconditionError("nginx reload '" + spec_.reload +
                                 "' failed: " + Trim(r->err + r->out));
  }
  if (!st.ok()) {
    // Leave the file as nginx runs it.
    conn_->WriteFile(spec_.upstream_file, text, {}, priv_).IgnoreError();
    return st;
  }
  if (down) drained_ = true;
  SleepSeconds(spec_.settle_s);
  return Status::Ok();
}

Status Drainer::Drain() {
  if (spec_.kind == DrainSpec::Kind::kNone) return Status::Ok();
  if (spec_.kind == DrainSpec::Kind::kNginx) return NginxApply(true);
  std::string target = spec_.backend + "/" + spec_.server;
  RETURN_IF_ERROR(
      HaproxyCommand("set server " + target + " state " + spec_.mode));
  drained_ = true;
  auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::milliseconds(static_cast<int64_t>(spec_.timeout_s * 1000));
  int64_t active = 0;
  while (true) {
    auto stat = channel_("show stat");
    Status st = stat.ok() ? Status::Ok() : stat.status();
    if (st.ok()) {
      auto n = HaproxyActiveSessions(*stat, spec_.backend, spec_.server);
      if (n.ok()) {
        active = *n;
        if (active == 0) return Status::Ok();
      } else {
        st = n.status();
      }
    }
    if (!st.ok()) {
      Restore().IgnoreError();
      return st;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Restore().IgnoreError();
  return DeadlineExceededError(
      "draining haproxy " + target + ": " + std::to_string(active) +
      " sessions still open after " +
      std::to_string(static_cast<int>(spec_.timeout_s)) +
      " s; the server was put back (raise drain.timeout)");
}

Status Drainer::Restore() {
  if (!drained_) return Status::Ok();
  if (spec_.kind == DrainSpec::Kind::kNginx) {
    RETURN_IF_ERROR(NginxApply(false));
  } else {
    RETURN_IF_ERROR(HaproxyCommand("set server " + spec_.backend + "/" +
                                   spec_.server + " state ready"));
  }
  drained_ = false;
  return Status::Ok();
}

}  // namespace tend::automate::deploy
