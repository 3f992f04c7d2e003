// ansible.builtin.wait_for: waits for a TCP port to open or close, a path
// to appear (optionally holding a regex match) or disappear, or a time to
// pass. Never changes anything (changed is always false; check mode waits
// too, as Ansible's does).
//
// Ports: with the local connection tend connects itself (a non-blocking
// connect bounded by connect_timeout). With a remote connection the check
// runs on the target, so "host" is resolved and reached from the target as
// Ansible does: `bash -c 'exec 3<>/dev/tcp/HOST/PORT'`, or `nc -z` when the
// target has no bash. search_regex on a port needs the local connection.
// Paths go through Connection::Stat and ReadFile.
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "automate/modules/args.h"
#include "automate/modules/files/file_common.h"
#include "automate/modules/net/net_util.h"
#include "automate/modules/system/system_util.h"
#include "automate/py_regex.h"

namespace tend::automate::netmod {
namespace {

// A connected socket (closed when this goes away), or -1.
struct Socket {
  int fd = -1;
  ~Socket() {
    if (fd >= 0) close(fd);
  }
};

// Connects within `timeout_ms`; the fd in *out on success.
bool ConnectLocal(const std::string& host, int port, int timeout_ms,
                  Socket* out) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) !=
      0) {
    return false;
  }
  bool ok = false;
  for (addrinfo* a = res; a != nullptr && !ok; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    a->ai_protocol);
    if (fd < 0) continue;
    int rc = connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{.fd = fd, .events = POLLOUT, .revents = 0};
      if (poll(&p, 1, timeout_ms) == 1) {
        int err = 0;
        socklen_t len = sizeof(err);
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        rc = err == 0 ? 0 : -1;
      } else {
        rc = -1;
      }
    }
    if (rc == 0) {
      out->fd = fd;
      ok = true;
    } else {
      close(fd);
    }
  }
  freeaddrinfo(res);
  return ok;
}

class WaitForModule : public Module {
 public:
  WaitForModule() {
    spec_.name = "wait_for";
    spec_.params = {
        Param("host").Default("127.0.0.1"),
        Param("port", ParamType::kInt),
        Param("path", ParamType::kPath),
        Param("state").Default("started").Choices(
            {"absent", "present", "started", "stopped"}),
        Param("search_regex"),
        Param("delay", ParamType::kFloat).Default(0),
        Param("timeout", ParamType::kFloat).Default(300),
        Param("sleep", ParamType::kFloat).Default(1),
        Param("connect_timeout", ParamType::kFloat).Default(5),
        Param("msg"),
    };
    spec_.mutually_exclusive = {{"port", "path"}};
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result<ModuleResult> Run(const Value& args, ModuleContext& ctx) override {
    ModuleResult res;
    const std::string state = ArgStr(args, "state", "started");
    const std::string host = ArgStr(args, "host", "127.0.0.1");
    const bool has_port = ArgHas(args, "port");
    const bool has_path = ArgHas(args, "path");
    const int port = static_cast<int>(ArgInt(args, "port"));
    std::string path;
    if (has_path) {
      ASSIGN_OR_RETURN(path, filemod::ExpandUser(ctx, ArgStr(args, "path")));
    }
    auto seconds = [&](const char* name, double fallback) {
      const Value& v = args.contains(name) ? args[name] : Value();
      return v.is_number() ? v.get<double>() : fallback;
    };
    const double delay = seconds("delay", 0);
    const double timeout = seconds("timeout", 300);
    const double sleep_s = seconds("sleep", 1);
    const double connect_timeout = seconds("connect_timeout", 5);
    if (has_path && state == "stopped") {
      return sysmod::Failed(
          "state=stopped should only be used for checking a port in the "
          "wait_for module");
    }
    if (has_port && (port < 1 || port > 65535)) {
      return sysmod::Failed("port must be between 1 and 65535; got " +
                            std::to_string(port));
    }
    std::shared_ptr<const RE2> re;
    if (ArgHas(args, "search_regex")) {
      ASSIGN_OR_RETURN(re, CompilePyRegex(ArgStr(args, "search_regex"),
                                          {.multiline = true}, "search_regex"));
      if (has_port && !ctx.conn->is_local()) {
        return sysmod::Failed(
            "search_regex on a port needs the local connection; over a "
            "remote connection wait for the port, then check the banner "
            "with a command");
      }
    }

    const int64_t start = ctx.clock->MonotonicNanos();
    auto elapsed = [&] {
      return static_cast<double>(ctx.clock->MonotonicNanos() - start) / 1e9;
    };
    auto nap = [](double s) {
      if (s > 0) {
        std::this_thread::sleep_for(
            std::chrono::microseconds(static_cast<int64_t>(s * 1e6)));
      }
    };
    nap(delay);
    auto finish = [&](bool ok, std::string timeout_msg) {
      res.data["elapsed"] = static_cast<int64_t>(elapsed());
      res.data["state"] = state;
      if (has_port) res.data["port"] = port;
      if (has_path) res.data["path"] = path;
      if (!ok) {
        res.failed = true;
        res.msg = ArgHas(args, "msg") ? ArgStr(args, "msg") : timeout_msg;
      }
      return res;
    };

    if (!has_port && !has_path) {
      nap(timeout);
      return finish(true, "");
    }
    const bool want_present = state == "started" || state == "present";
    const std::string what =
        has_port ? host + ":" + std::to_string(port) : path;
    while (true) {
      bool reached = false;
      if (has_port) {
        double left = timeout - elapsed();
        int ct_ms = static_cast<int>(
            std::max(1.0, std::min(connect_timeout, std::max(left, 0.0))) *
            1000);
        if (want_present && re != nullptr) {
          ASSIGN_OR_RETURN(reached, PortMatches(host, port, ct_ms, timeout,
                                                elapsed, *re, &res));
        } else {
          ASSIGN_OR_RETURN(bool open, PortOpen(ctx, host, port, ct_ms));
          reached = want_present ? open : !open;
        }
      } else {
        ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(path, true, ctx.priv));
        if (!want_present) {
          reached = !st.exists();
        } else if (st.exists() && re == nullptr) {
          reached = true;
        } else if (st.type == FileType::kFile) {
          Result<std::string> text =
              ctx.conn->ReadFile(path, filemod::kMaxFileBytes, ctx.priv);
          if (text.ok()) reached = Match(*re, *text, &res);
        }
      }
      if (reached) return finish(true, "");
      if (elapsed() >= timeout) break;
      nap(std::min(sleep_s, std::max(0.0, timeout - elapsed())));
      if (elapsed() >= timeout) {
        // One last look at the deadline, as Ansible's loop does.
        continue;
      }
    }
    std::string msg;
    if (has_port) {
      msg = want_present ? "Timeout when waiting for " + what
                         : "Timeout when waiting for " + what + " to stop.";
      if (want_present && re) {
        msg = "Timeout when waiting for search string " +
              ArgStr(args, "search_regex") + " in " + what;
      }
    } else if (!want_present) {
      msg = "Timeout when waiting for " + what + " to be absent.";
    } else if (re) {
      msg = "Timeout when waiting for search string " +
            ArgStr(args, "search_regex") + " in " + what;
    } else {
      msg = "Timeout when waiting for file " + what;
    }
    return finish(false, msg);
  }

 private:
  // True when re matches `text`; match_groups/match_groupdict into res.
  static bool Match(const RE2& re, std::string_view text, ModuleResult* res) {
    int n = re.NumberOfCapturingGroups();
    std::vector<re2::StringPiece> groups(static_cast<size_t>(n) + 1);
    if (!re.Match(text, 0, text.size(), RE2::UNANCHORED, groups.data(),
                  n + 1)) {
      return false;
    }
    Value list = Value::array();
    for (int i = 1; i <= n; ++i) {
      const auto& g = groups[static_cast<size_t>(i)];
      list.push_back(g.data() ? Value(std::string(g)) : Value());
    }
    Value dict = Value::object();
    for (const auto& [name, idx] : re.NamedCapturingGroups()) {
      const auto& g = groups[static_cast<size_t>(idx)];
      dict[name] = g.data() ? Value(std::string(g)) : Value();
    }
    res->data["match_groups"] = std::move(list);
    res->data["match_groupdict"] = std::move(dict);
    return true;
  }

  static Result<bool> PortOpen(ModuleContext& ctx, const std::string& host,
                               int port, int timeout_ms) {
    if (ctx.conn->is_local()) {
      Socket s;
      return ConnectLocal(host, port, timeout_ms, &s);
    }
    ExecRequest req;
    req.shell =
        "if command -v bash >/dev/null 2>&1; then "
        "exec bash -c 'exec 3<>\"/dev/tcp/$1/$2\"' bash \"$1\" \"$2\" "
        "2>/dev/null; else exec nc -z -w \"$3\" \"$1\" \"$2\"; fi";
    // sh -c SCRIPT: positional parameters come after a $0 placeholder.
    req.shell =
        "set -- " + sysmod::ShellQuote(host) + " " + std::to_string(port) +
        " " + std::to_string(std::max(1, timeout_ms / 1000)) + "; " + req.shell;
    req.timeout_ms = timeout_ms;
    req.priv = ctx.priv;
    ASSIGN_OR_RETURN(ExecResult r, ctx.conn->Exec(req));
    return r.exit_code == 0;
  }

  // Connects and reads until `re` matches the data received, the peer
  // closes, or the overall timeout passes.
  template <typename Elapsed>
  static Result<bool> PortMatches(const std::string& host, int port,
                                  int connect_ms, double timeout,
                                  const Elapsed& elapsed, const RE2& re,
                                  ModuleResult* res) {
    Socket s;
    if (!ConnectLocal(host, port, connect_ms, &s)) return false;
    std::string data;
    char buf[4096];
    while (data.size() < (1u << 20)) {
      int left_ms = static_cast<int>((timeout - elapsed()) * 1000);
      if (left_ms <= 0) return false;
      pollfd p{.fd = s.fd, .events = POLLIN, .revents = 0};
      if (poll(&p, 1, left_ms) != 1) return false;
      ssize_t n = recv(s.fd, buf, sizeof(buf), 0);
      if (n <= 0) break;
      data.append(buf, static_cast<size_t>(n));
      if (Match(re, data, res)) return true;
    }
    return Match(re, data, res);
  }

  ModuleSpec spec_;
};

}  // namespace

std::unique_ptr<Module> NewWaitForModule() {
  return std::make_unique<WaitForModule>();
}

}  // namespace tend::automate::netmod
