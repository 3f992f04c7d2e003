// Helpers for the alerting integration tests (alerting_*_test.cc): a real
// `tend agent` with probes, rules, notifications, remedies and supervised
// processes in a temp dir, and the real things around it: an HTTP receiver
// (cpp-httplib) that records webhook payloads, a receiver that never
// answers, Debian's nginx (daemonized, as an init script starts it) and
// Debian's prometheus-alertmanager.
//
// Every process a test starts is stopped by its own pid; nothing is looked
// up by name. Header-only: each test binary links harness.cc only.
#ifndef TEND_TESTS_INTEGRATION_ALERTING_TEST_UTIL_H_
#define TEND_TESTS_INTEGRATION_ALERTING_TEST_UTIL_H_

#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "logs_test_util.h"

namespace tend::testing {

using Steady = std::chrono::steady_clock;

inline int64_t WallMs() { return NowNs() / 1'000'000; }

// `text` with every occurrence of each key replaced by its value.
inline std::string Subst(
    std::string text,
    const std::vector<std::pair<std::string, std::string>>& vars) {
  for (const auto& [key, value] : vars) {
    for (size_t at = text.find(key); at != std::string::npos;
         at = text.find(key, at + value.size())) {
      text.replace(at, key.size(), value);
    }
  }
  return text;
}

// RFC 3339 in UTC ("2024-05-01T10:00:00Z", "...:00.123Z", "+00:00") as Unix
// milliseconds; -1 when it is not that shape. Go's zero time
// (0001-01-01T00:00:00Z) gives a large negative number.
inline int64_t ParseRfc3339Ms(const std::string& s) {
  std::tm tm{};
  int frac_ms = 0;
  const char* p = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (p == nullptr) return -1;
  if (*p == '.') {
    ++p;
    int digits = 0;
    while (*p >= '0' && *p <= '9') {
      if (digits < 3) frac_ms = frac_ms * 10 + (*p - '0');
      ++digits;
      ++p;
    }
    for (; digits < 3; ++digits) frac_ms *= 10;
  }
  int64_t offset_s = 0;
  if (*p == '+' || *p == '-') {
    int h = 0, m = 0;
    if (std::sscanf(p + 1, "%2d:%2d", &h, &m) != 2) return -1;
    offset_s = (*p == '+' ? 1 : -1) * (h * 3600 + m * 60);
    p += 6;
  } else if (*p == 'Z') {
    ++p;
  } else {
    return -1;
  }
  if (*p != '\0') return -1;
  return (static_cast<int64_t>(timegm(&tm)) - offset_s) * 1000 + frac_ms;
}

// Unix milliseconds as RFC 3339 in UTC, whole seconds ("...T10:00:00Z").
inline std::string FormatRfc3339(int64_t ms) {
  const time_t t = static_cast<time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// ---------------------------------------------------------------------
// HTTP calls to the agent.

// Any method (tend's test client knows only GET and POST, hence
// cpp-httplib); transport errors only fail.
inline Result<HttpAnswer> Send(
    const std::string& addr, const std::string& method, const std::string& path,
    const std::string& body = "",
    const std::string& content_type = "application/json") {
  const size_t colon = addr.rfind(':');
  httplib::Client cli(addr.substr(0, colon),
                      std::atoi(addr.c_str() + colon + 1));
  cli.set_connection_timeout(10);
  cli.set_read_timeout(30);
  httplib::Result r = method == "POST"     ? cli.Post(path, body, content_type)
                      : method == "DELETE" ? cli.Delete(path)
                      : method == "PUT"    ? cli.Put(path, body, content_type)
                                           : cli.Get(path);
  if (!r) {
    return UnavailableError(method + " " + addr + path + ": " +
                            httplib::to_string(r.error()));
  }
  return HttpAnswer{r->status, r->body};
}

// GET /api/v1/events: the events of `kind` (all kinds when empty), oldest
// first; an empty array after recording a failure.
inline nlohmann::json Events(const std::string& addr,
                             const std::string& kind = "") {
  Params p = {{"since", "1h"}, {"limit", "100000"}};
  if (!kind.empty()) p.push_back({"kind", kind});
  Result<nlohmann::json> d = ApiData(addr, "/api/v1/events", p);
  if (!d.ok() || !d->is_array()) {
    ADD_FAILURE() << "/api/v1/events: "
                  << (d.ok() ? d->dump() : d.status().ToString());
    return nlohmann::json::array();
  }
  return *d;
}

// The events matching subject and outcome (either empty: any).
inline std::vector<nlohmann::json> EventsWhere(const nlohmann::json& events,
                                               const std::string& subject,
                                               const std::string& outcome) {
  std::vector<nlohmann::json> out;
  for (const nlohmann::json& e : events) {
    if (!subject.empty() && e.value("subject", "") != subject) continue;
    if (!outcome.empty() && e.value("outcome", "") != outcome) continue;
    out.push_back(e);
  }
  return out;
}

// "kind/subject/outcome" of each event, for failure messages.
inline std::string EventSummary(const nlohmann::json& events) {
  std::string out;
  for (const nlohmann::json& e : events) {
    out += e.value("time", "") + " " + e.value("kind", "") + "/" +
           e.value("subject", "") + "/" + e.value("outcome", "") + ": " +
           e.value("message", "") + "\n";
  }
  return out;
}

// GET /api/v1/alerts: data.alerts (empty on failure, recorded).
inline nlohmann::json ActiveAlerts(const std::string& addr) {
  Result<nlohmann::json> d = ApiData(addr, "/api/v1/alerts", {});
  if (!d.ok() || !d->contains("alerts")) {
    ADD_FAILURE() << "/api/v1/alerts: "
                  << (d.ok() ? d->dump() : d.status().ToString());
    return nlohmann::json::array();
  }
  return (*d)["alerts"];
}

// The alert named `name` in an /api/v1/alerts list, or null.
inline nlohmann::json FindApiAlert(const nlohmann::json& alerts,
                                   const std::string& name) {
  for (const nlohmann::json& a : alerts) {
    if (a["labels"].value("alertname", "") == name) return a;
  }
  return nullptr;
}

// ---------------------------------------------------------------------
// A webhook receiver: an HTTP server on a free loopback port that records
// every POST (any path) and answers with what `status_for(attempt)` says
// (attempt counts from 1 over all requests). The payload is parsed as JSON
// (null when it is not).
class HookServer {
 public:
  struct Hook {
    Steady::time_point at;
    int64_t wall_ms = 0;
    std::string path;
    std::string body;
    nlohmann::json json;
    int answered = 0;
  };

  explicit HookServer(std::function<int(int)> status_for = nullptr)
      : status_for_(std::move(status_for)) {
    server_.Post(
        R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
          Hook h;
          h.at = Steady::now();
          h.wall_ms = WallMs();
          h.path = req.path;
          h.body = req.body;
          h.json = nlohmann::json::parse(req.body, nullptr, false);
          if (h.json.is_discarded()) h.json = nullptr;
          int attempt;
          {
            std::lock_guard<std::mutex> lock(mu_);
            attempt = static_cast<int>(hooks_.size()) + 1;
          }
          h.answered = status_for_ ? status_for_(attempt) : 200;
          res.status = h.answered;
          res.set_content(h.answered < 300 ? "ok" : "try again", "text/plain");
          std::lock_guard<std::mutex> lock(mu_);
          hooks_.push_back(std::move(h));
        });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ~HookServer() {
    server_.stop();
    thread_.join();
  }
  HookServer(const HookServer&) = delete;
  HookServer& operator=(const HookServer&) = delete;

  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<Hook> hooks() const {
    std::lock_guard<std::mutex> lock(mu_);
    return hooks_;
  }
  size_t count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return hooks_.size();
  }
  // The payloads with top-level "status" == `status` (firing, resolved).
  std::vector<Hook> WithStatus(const std::string& status) const {
    std::vector<Hook> out;
    for (const Hook& h : hooks()) {
      if (h.json.is_object() && h.json.value("status", "") == status) {
        out.push_back(h);
      }
    }
    return out;
  }
  // Payloads of `status` that carry an alert named `alertname`.
  std::vector<Hook> For(const std::string& alertname,
                        const std::string& status) const {
    std::vector<Hook> out;
    for (const Hook& h : WithStatus(status)) {
      for (const nlohmann::json& a : h.json.value("alerts", nlohmann::json())) {
        if (a["labels"].value("alertname", "") == alertname) {
          out.push_back(h);
          break;
        }
      }
    }
    return out;
  }
  std::string Dump() const {
    std::string out;
    for (const Hook& h : hooks()) {
      out += std::to_string(h.answered) + " " + h.path + " " + h.body + "\n";
    }
    return out;
  }

 private:
  std::function<int(int)> status_for_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<Hook> hooks_;
};

// A receiver that accepts connections and never answers (a hung
// upstream). Connections stay open until the server is destroyed.
class HangServer {
 public:
  HangServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 ||
        ::listen(fd_, 64) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      ADD_FAILURE() << "hang server: cannot listen";
      return;
    }
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) continue;
        std::lock_guard<std::mutex> lock(mu_);
        conns_.push_back(c);
      }
    });
  }
  ~HangServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    for (int c : conns_) ::close(c);
    if (fd_ >= 0) ::close(fd_);
  }
  HangServer(const HangServer&) = delete;
  HangServer& operator=(const HangServer&) = delete;

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/hook";
  }
  size_t accepted() const {
    std::lock_guard<std::mutex> lock(mu_);
    return conns_.size();
  }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<int> conns_;
};

// ---------------------------------------------------------------------
// Debian's nginx from build/peers, daemonized (`daemon on`, one process),
// serving /ok on a loopback port; every path it writes is in `dir`. Started
// by Start() or by anything else running the same command line (a remedy);
// the pid comes from its pid file.
class Nginx {
 public:
  explicit Nginx(std::string dir) : dir_(std::move(dir)) {
    addr_ = "127.0.0.1:" + std::to_string(FreePort());
    ::mkdir((dir_ + "/nginx").c_str(), 0755);
    ::mkdir((dir_ + "/nginx/tmp").c_str(), 0755);
    WriteText(conf(), Subst(R"(daemon on;
master_process off;
pid @D@/nginx.pid;
error_log @D@/error.log warn;
events { worker_connections 64; }
http {
  client_body_temp_path @D@/tmp/body;
  proxy_temp_path @D@/tmp/proxy;
  fastcgi_temp_path @D@/tmp/fastcgi;
  uwsgi_temp_path @D@/tmp/uwsgi;
  scgi_temp_path @D@/tmp/scgi;
  access_log off;
  server {
    listen @ADDR@;
    location = /ok { return 200 "ok\n"; }
  }
}
)",
                            {{"@D@", dir_ + "/nginx"}, {"@ADDR@", addr_}}));
  }
  ~Nginx() { Stop(); }

  // The command that starts it; returns once nginx has daemonized.
  std::vector<std::string> argv() const {
    return {
        PeerBinary("nginx"),      "-p", dir_ + "/nginx/", "-c", conf(), "-e",
        dir_ + "/nginx/error.log"};
  }
  std::string conf() const { return dir_ + "/nginx/nginx.conf"; }
  const std::string& addr() const { return addr_; }
  std::string url() const { return "http://" + addr_ + "/ok"; }

  // Starts it and waits until /ok answers. False (with *why) on failure.
  bool Start(std::string* why) {
    SubprocessResult r = Exec(argv(), 20'000);
    if (r.exit_code != 0) {
      *why = "nginx did not start (run scripts/peers.sh): " + r.stderr_data +
             ReadText(dir_ + "/nginx/error.log");
      return false;
    }
    if (!WaitForHttp200(addr_, "/ok", 10'000)) {
      *why = "nginx does not answer on " + addr_;
      return false;
    }
    return true;
  }

  // The pid in its pid file when that process is this nginx and alive.
  pid_t Pid() const {
    std::string text = ReadText(dir_ + "/nginx/nginx.pid");
    const pid_t pid = static_cast<pid_t>(std::atoi(text.c_str()));
    if (pid <= 0) return -1;
    // Our command line (it names our conf), not a recycled pid.
    std::string cmdline = ReadText("/proc/" + std::to_string(pid) + "/cmdline");
    if (cmdline.find(conf()) == std::string::npos) return -1;
    std::string stat = ReadText("/proc/" + std::to_string(pid) + "/stat");
    const size_t rp = stat.rfind(')');
    if (rp == std::string::npos || rp + 2 >= stat.size() || stat[rp + 2] == 'Z')
      return -1;
    return pid;
  }

  // SIGQUIT (graceful stop) to the pid in its pid file; waits until the
  // process is gone and the port refuses connections. True when stopped
  // (or not running).
  bool Stop() {
    const pid_t pid = Pid();
    if (pid <= 0) return true;
    ::kill(pid, SIGQUIT);
    if (!PollUntil(10'000, [&] { return Pid() != pid; })) {
      ::kill(pid, SIGKILL);
      PollUntil(5'000, [&] { return Pid() != pid; });
    }
    return PollUntil(5'000, [&] { return !Get(addr_, "/ok").ok(); });
  }

 private:
  std::string dir_;
  std::string addr_;
};

// ---------------------------------------------------------------------
// Debian's prometheus-alertmanager (build/peers/bin/alertmanager) on a
// free loopback port, with a null receiver. Debian's build reads its
// default template from /usr/share/prometheus/alertmanager/default.tmpl;
// when the package is only unpacked, a private mount namespace of its own
// shows it the unpacked copy (the host's mounts are not touched).
class Alertmanager {
 public:
  explicit Alertmanager(const std::string& dir) {
    const std::string bin = PeerBinary("alertmanager");
    if (::access(bin.c_str(), X_OK) != 0) {
      error_ = bin + " not found: run scripts/peers.sh";
      return;
    }
    WriteText(dir + "/am.yml",
              "route:\n  receiver: 'null'\nreceivers:\n  - name: 'null'\n");
    port_ = FreePort();
    std::vector<std::string> args = {
        bin,
        "--config.file=" + dir + "/am.yml",
        "--storage.path=" + dir + "/am-data",
        "--web.listen-address=127.0.0.1:" + std::to_string(port_),
        "--cluster.listen-address=",
        "--log.level=warn"};
    const std::string bin_dir = bin.substr(0, bin.rfind('/'));
    const std::string share =
        bin_dir + "/../x-prometheus-alertmanager/usr/share/prometheus";
    if (::access("/usr/share/prometheus/alertmanager/default.tmpl", R_OK) !=
            0 &&
        ::access((share + "/alertmanager/default.tmpl").c_str(), R_OK) == 0) {
      args.insert(
          args.begin(),
          {"/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh",
           "-c", "mount --bind \"$0\" /usr/share/prometheus && exec \"$@\"",
           share});
    }
    Status s = proc_.Start(args, dir + "/alertmanager.log");
    if (!s.ok()) {
      error_ = "cannot start alertmanager: " + s.ToString();
      return;
    }
    if (!WaitForHttp200(addr(), "/-/ready", 20'000)) {
      error_ =
          "alertmanager did not become ready on " + addr() + ": " + proc_.Log();
    }
  }
  // ChildProcess's destructor stops it (SIGTERM to its pid, then SIGKILL).

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::string addr() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string url() const { return "http://" + addr(); }
  // GET /api/v2/alerts (Alertmanager lists active, silenced and inhibited
  // alerts, not resolved ones); null after recording a failure.
  nlohmann::json Alerts() const {
    Result<std::string> body = Get(addr(), "/api/v2/alerts");
    if (!body.ok()) {
      ADD_FAILURE() << body.status().ToString();
      return nullptr;
    }
    nlohmann::json j = nlohmann::json::parse(*body, nullptr, false);
    if (!j.is_array()) {
      ADD_FAILURE() << "not an alert list: " << *body;
      return nullptr;
    }
    return j;
  }
  std::string Log() const { return proc_.Log(); }

 private:
  std::string error_;
  int port_ = 0;
  ChildProcess proc_;
};

// ---------------------------------------------------------------------
// A tend agent in `dir` with the configuration `yaml` (written to
// dir/tend.yml) and its data in dir/data.
class AlertingAgent : public LogsAgent {
 public:
  AlertingAgent(const std::string& dir, const std::string& yaml)
      : LogsAgent(dir, dir + "/tend.yml", dir + "/data") {
    WriteText(dir + "/tend.yml", yaml);
  }
};

// The common part of every test configuration: a 1 s collection cycle
// (rules run after each one) and no per-process collector (noise).
inline std::string BaseConfig() {
  return R"(agent:
  interval: 1s
log:
  level: info
collectors:
  processes:
    enabled: false
)";
}

// An alertmanager.yml with one webhook receiver and short intervals.
inline std::string WebhookNotifications(const std::string& url,
                                        const std::string& group_wait = "1s") {
  return Subst(R"(route:
  receiver: hook
  group_by: [alertname]
  group_wait: @WAIT@
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: '@URL@'
        send_resolved: true
)",
               {{"@URL@", url}, {"@WAIT@", group_wait}});
}

}  // namespace tend::testing

#endif  // TEND_TESTS_INTEGRATION_ALERTING_TEST_UTIL_H_
