// Helpers for the logs integration tests (logs_agent_test.cc,
// logs_rotation_test.cc): a `tend agent` with a logs configuration in a
// temp dir, Loki API calls, files, and running `tend logs ...`.
// Header-only: each logs test binary links only harness.cc.
#ifndef TEND_TESTS_INTEGRATION_LOGS_TEST_UTIL_H_
#define TEND_TESTS_INTEGRATION_LOGS_TEST_UTIL_H_

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/env.h"
#include "base/status.h"
#include "base/subprocess.h"
#include "harness.h"
#include "http/client.h"

namespace tend::testing {

inline int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline void SleepMs(int64_t ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

// Polls `done` every 50 ms until it holds or `timeout_ms` passed.
template <typename F>
bool PollUntil(int timeout_ms, F done) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    SleepMs(50);
  }
}

// The tend binary: $TEND_BUILD_DIR/tend, else the one at the top of the
// build tree this test was built in (<build>/tests/integration/<test>).
inline std::string LogsTend() {
  const char* b = std::getenv("TEND_BUILD_DIR");
  if (b != nullptr && *b != '\0') return std::string(b) + "/tend";
  char exe[4096];
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return TendBinary();
  std::string path(exe, static_cast<size_t>(n));
  for (int up = 0; up < 3; ++up) {
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos) return TendBinary();
    path.resize(slash);
  }
  return path + "/tend";
}

inline std::string ReadText(const std::string& path) {
  std::string out;
  if (!Env::Default()->ReadFile(path, &out).ok()) return "";
  return out;
}

// Writes (or appends) `data` with plain write(2) calls, no fsync: what a
// logging program does. False on any error.
inline bool WriteText(const std::string& path, const std::string& data,
                      bool append = false) {
  int fd = ::open(
      path.c_str(),
      O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0644);
  if (fd < 0) return false;
  size_t off = 0;
  while (off < data.size()) {
    ssize_t w = ::write(fd, data.data() + off, data.size() - off);
    if (w <= 0) {
      ::close(fd);
      return false;
    }
    off += static_cast<size_t>(w);
  }
  return ::close(fd) == 0;
}

// The lines of `text` (a last line without '\n' included, '\r' kept).
inline std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    out.push_back(text.substr(pos, eol - pos));
    pos = eol + 1;
  }
  return out;
}

inline std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

// Runs a command to completion (limit `timeout_ms`). A start failure gives
// exit_code -1 with the reason in stderr_data.
inline SubprocessResult Exec(std::vector<std::string> argv,
                             int64_t timeout_ms = 60'000) {
  SubprocessOptions o;
  o.argv = std::move(argv);
  o.timeout_ms = timeout_ms;
  o.max_output_bytes = 64 << 20;
  Result<SubprocessResult> r = RunSubprocess(o);
  if (!r.ok()) {
    SubprocessResult bad;
    bad.stderr_data = r.status().ToString();
    return bad;
  }
  return std::move(*r);
}

inline std::string UrlEncode(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

using Params = std::vector<std::pair<std::string, std::string>>;

inline std::string PathWithParams(const std::string& path,
                                  const Params& params) {
  std::string out = path;
  for (size_t i = 0; i < params.size(); ++i) {
    out += i == 0 ? '?' : '&';
    out += UrlEncode(params[i].first) + "=" + UrlEncode(params[i].second);
  }
  return out;
}

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// GET with any status; fails only on transport errors.
inline Result<HttpAnswer> Fetch(const std::string& addr,
                                const std::string& path,
                                const Params& params = {}) {
  HttpClientRequest req;
  req.address = addr;
  req.path = PathWithParams(path, params);
  req.timeout_ms = 60'000;
  ASSIGN_OR_RETURN(HttpClientResponse res, HttpFetch(req));
  return HttpAnswer{res.status, std::move(res.body)};
}

// GET of a Prometheus/Loki JSON API: the "data" member; fails on HTTP
// errors, bad JSON or a status other than "success".
inline Result<nlohmann::json> ApiData(const std::string& addr,
                                      const std::string& path,
                                      const Params& params) {
  ASSIGN_OR_RETURN(HttpAnswer a, Fetch(addr, path, params));
  if (a.status != 200) {
    return UnavailableError(path + ": HTTP " + std::to_string(a.status) + ": " +
                            a.body);
  }
  nlohmann::json j = nlohmann::json::parse(a.body, nullptr, false);
  if (j.is_discarded() || j.value("status", "") != "success" ||
      !j.contains("data")) {
    return UnavailableError(path +
                            ": unexpected answer: " + a.body.substr(0, 500));
  }
  return j["data"];
}

// One entry of a streams result.
struct StoredLine {
  std::map<std::string, std::string> labels;
  int64_t t_ns = 0;
  std::string line;
};

// Checks the Loki streams shape of one stream object and appends its
// entries to *out in the order given. False (with *why) on a bad shape.
inline bool AppendStream(const nlohmann::json& s, std::vector<StoredLine>* out,
                         std::string* why) {
  if (!s.is_object() || !s.contains("stream") || !s["stream"].is_object() ||
      !s.contains("values") || !s["values"].is_array()) {
    *why = "not a {stream, values} object: " + s.dump().substr(0, 300);
    return false;
  }
  std::map<std::string, std::string> labels;
  for (auto it = s["stream"].begin(); it != s["stream"].end(); ++it) {
    if (!it.value().is_string()) {
      *why = "label value not a string: " + s["stream"].dump();
      return false;
    }
    labels[it.key()] = it.value().get<std::string>();
  }
  for (const auto& v : s["values"]) {
    if (!v.is_array() || v.size() != 2 || !v[0].is_string() ||
        !v[1].is_string()) {
      *why = "value not [\"<ns>\", \"line\"]: " + v.dump().substr(0, 300);
      return false;
    }
    StoredLine l;
    l.labels = labels;
    const std::string ns = v[0].get<std::string>();
    char* end = nullptr;
    l.t_ns = std::strtoll(ns.c_str(), &end, 10);
    if (ns.empty() || *end != '\0') {
      *why = "timestamp not decimal nanoseconds: " + ns;
      return false;
    }
    l.line = v[1].get<std::string>();
    out->push_back(std::move(l));
  }
  return true;
}

// A log query over [start_ns, end_ns] through /loki/api/v1/query_range:
// every entry, stream after stream (each stream in the query's direction).
inline Result<std::vector<StoredLine>> QueryLines(
    const std::string& addr, const std::string& query, int64_t start_ns,
    int64_t end_ns, size_t limit = 5000, bool forward = true) {
  ASSIGN_OR_RETURN(nlohmann::json data,
                   ApiData(addr, "/loki/api/v1/query_range",
                           {{"query", query},
                            {"start", std::to_string(start_ns)},
                            {"end", std::to_string(end_ns)},
                            {"limit", std::to_string(limit)},
                            {"direction", forward ? "forward" : "backward"}}));
  if (data.value("resultType", "") != "streams" || !data["result"].is_array()) {
    return UnavailableError("not a streams result: " +
                            data.dump().substr(0, 300));
  }
  std::vector<StoredLine> out;
  std::string why;
  for (const auto& s : data["result"]) {
    if (!AppendStream(s, &out, &why)) return UnavailableError(why);
  }
  return out;
}

// A tend agent on a data dir, started and stopped by the tests. Each start
// listens on a fresh port and logs to agent-N.log in the temp dir.
class LogsAgent {
 public:
  LogsAgent(std::string dir, std::string config_path, std::string data_dir)
      : dir_(std::move(dir)),
        config_(std::move(config_path)),
        data_(std::move(data_dir)) {}

  // Starts the agent and waits (up to 30 s) until /-/ready answers.
  bool Start() {
    addr_ = "127.0.0.1:" + std::to_string(FreePort());
    logs_.push_back(dir_ + "/agent-" + std::to_string(logs_.size()) + ".log");
    proc_ = std::make_unique<ChildProcess>();
    if (!proc_
             ->Start({LogsTend(), "agent", "--config", config_, "--data-dir",
                      data_, "--listen", addr_},
                     logs_.back())
             .ok()) {
      return false;
    }
    return WaitForHttp200(addr_, "/-/ready", 30'000);
  }
  // Sends `sig` and waits up to 20 s; the wait status, -1 on timeout.
  int Stop(int sig) {
    if (!proc_) return -1;
    int st = proc_->SignalAndWait(sig, 20'000);
    return st;
  }
  bool Running() { return proc_ && proc_->Running(); }
  pid_t pid() const { return proc_ ? proc_->pid() : -1; }
  const std::string& addr() const { return addr_; }
  const std::string& data_dir() const { return data_; }
  std::string LastLog() const {
    return logs_.empty() ? "" : ReadText(logs_.back());
  }

 private:
  std::string dir_, config_, data_, addr_;
  std::vector<std::string> logs_;
  std::unique_ptr<ChildProcess> proc_;
};

}  // namespace tend::testing

#endif  // TEND_TESTS_INTEGRATION_LOGS_TEST_UTIL_H_
