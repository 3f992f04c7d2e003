// Deploys with real components: two instances of a small HTTP service
// (tests/tools/release_server.cc) behind a real haproxy or nginx on
// loopback, deployed by `tend apply` (the deploy module, serial: 1) and by
// `tend deploy`, under a constant request load that counts every failure.
//
// Why zero failures is the right assertion for a good rolling deploy: the
// module drains an instance's backend (haproxy: state drain, then waits for
// its sessions to reach 0; nginx: `down` in the upstream file plus a
// reload and a settle time) before it restarts that instance, and puts it
// back only after its health gate passed. The proxies are configured not
// to hide failures: haproxy with `retries 0` and no redispatch, nginx with
// `proxy_next_upstream off`. So any request that reached a stopped or bad
// instance would be counted.
//
// A bad release deployed without draining fails its gate and rolls back by
// itself; the requests it fails are bounded by the time the gate needs to
// decide (health_timeout for a release that never passes) plus the two
// restarts: see BadReleaseWithoutDrainIsBounded.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "base/subprocess.h"
#include "harness.h"

namespace tend::testing {
namespace {

using Clock = std::chrono::steady_clock;

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Subst(std::string s,
                  const std::vector<std::pair<std::string, std::string>>& kv) {
  for (const auto& [k, v] : kv) {
    for (size_t p = s.find(k); p != std::string::npos;
         p = s.find(k, p + v.size())) {
      s.replace(p, k.size(), v);
    }
  }
  return s;
}

SubprocessResult RunCmd(std::vector<std::string> argv, int64_t timeout_ms) {
  SubprocessOptions o;
  o.argv = std::move(argv);
  o.timeout_ms = timeout_ms;
  auto r = RunSubprocess(o);
  return r.ok() ? *r : SubprocessResult{};
}

// Requests sent continuously through the proxy from a few threads; every
// answer other than 200, and every connection error, is a failure.
class LoadGenerator {
 public:
  explicit LoadGenerator(int port, int threads = 2) : port_(port) {
    start_ = Clock::now();
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this] { Loop(); });
    }
  }
  ~LoadGenerator() { Stop(); }
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  int64_t total() const { return total_; }
  int64_t failed() const { return failed_; }
  std::vector<std::string> failures() {
    std::lock_guard<std::mutex> l(mu_);
    return failures_;
  }
  // Seconds since start of the first and last failure.
  std::pair<double, double> failure_span() {
    std::lock_guard<std::mutex> l(mu_);
    return {first_failure_, last_failure_};
  }
  // Requests answered with each body.
  std::map<std::string, int64_t> bodies() {
    std::lock_guard<std::mutex> l(mu_);
    return bodies_;
  }
  double elapsed() const {
    return std::chrono::duration<double>(Clock::now() - start_).count();
  }

 private:
  void Loop() {
    while (!stop_) {
      httplib::Client cli("127.0.0.1", port_);
      cli.set_connection_timeout(3);
      cli.set_read_timeout(10);
      auto res = cli.Get("/");
      ++total_;
      std::lock_guard<std::mutex> l(mu_);
      if (res && res->status == 200) {
        ++bodies_[res->body];
      } else {
        ++failed_;
        double t = elapsed();
        if (failures_.empty()) first_failure_ = t;
        last_failure_ = t;
        if (failures_.size() < 20) {
          failures_.push_back(res ? "status " + std::to_string(res->status) +
                                        " " + res->body
                                  : "error " + httplib::to_string(res.error()));
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  int port_;
  Clock::time_point start_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> total_{0}, failed_{0};
  std::mutex mu_;
  std::vector<std::string> failures_;
  double first_failure_ = 0, last_failure_ = 0;
  std::map<std::string, int64_t> bodies_;
  std::vector<std::thread> threads_;
};

class DeployTest : public ::testing::Test {
 protected:
  void SetUp() override {
    d_ = tmp_.path();
    server_bin_ = std::string(std::getenv("TEND_BUILD_DIR")
                                  ? std::getenv("TEND_BUILD_DIR")
                                  : "build/debug") +
                  "/tend_release_server";
    ASSERT_EQ(access(server_bin_.c_str(), X_OK), 0) << server_bin_;
    // The restart script runs in the app's directory: an absolute path.
    char abs[4096];
    ASSERT_NE(realpath(server_bin_.c_str(), abs), nullptr);
    server_bin_ = abs;
    for (int i = 0; i < 2; ++i) ports_[i] = FreePort();
    front_ = FreePort();
    // Release sources: good ones serve their version; the bad one has no
    // content (GET / is 500) and reports itself unhealthy.
    for (const char* v : {"v1", "v2", "v3"}) {
      std::string src = d_ + "/src-" + v;
      ASSERT_EQ(system(("mkdir -p " + src).c_str()), 0);
      WriteFile(src + "/content", std::string(v) + "\n");
    }
    ASSERT_EQ(system(("mkdir -p " + d_ + "/src-bad").c_str()), 0);
    WriteFile(d_ + "/src-bad/unhealthy", "");
    // The restart: stop the instance's server (by its pidfile, waiting until
    // it has answered what it accepted and exited), start the release that
    // is now current/, wait until it listens.
    WriteFile(d_ + "/restart.sh", Subst(R"(#!/bin/sh
port=$1
pidfile=$TEND_DEPLOY_PATH/server.pid
if [ -f "$pidfile" ]; then
  old=$(cat "$pidfile")
  kill "$old" 2>/dev/null
  i=0
  while [ -d /proc/$old ] && ! grep -q '^State:.*Z' /proc/$old/status 2>/dev/null && [ $i -lt 200 ]; do
    sleep 0.02; i=$((i+1))
  done
  rm -f "$pidfile"
fi
setsid @BIN@ --port "$port" --dir "$TEND_DEPLOY_PATH/current" --pidfile "$pidfile" \
  >>"$TEND_DEPLOY_PATH/server.log" 2>&1 </dev/null &
i=0
while [ ! -s "$pidfile" ] && [ $i -lt 250 ]; do sleep 0.02; i=$((i+1)); done
)",
                                        {{"@BIN@", server_bin_}}));
    ASSERT_EQ(chmod((d_ + "/restart.sh").c_str(), 0755), 0);
    WriteFile(d_ + "/inventory.ini",
              Subst(R"([apps]
app1 ansible_connection=local app_port=@P1@ lb_server=s1 lb_addr=127.0.0.1:@P1@
app2 ansible_connection=local app_port=@P2@ lb_server=s2 lb_addr=127.0.0.1:@P2@
)",
                    {{"@P1@", std::to_string(ports_[0])},
                     {"@P2@", std::to_string(ports_[1])}}));
  }

  void TearDown() override {
    // Only the servers this test's restarts started, by their pidfiles.
    for (const char* app : {"app1", "app2"}) {
      std::string pid = ReadFile(d_ + "/" + app + "/server.pid");
      if (!pid.empty()) kill(std::stoi(pid), SIGKILL);
    }
  }

  std::string AppPath(int i) { return d_ + "/app" + std::to_string(i + 1); }

  // The rolling-deploy playbook; `drain` is the YAML of the drain option
  // (indented for the task) or "".
  std::string Playbook(const std::string& drain, double health_timeout = 10) {
    std::string path = d_ + "/play-" + std::to_string(++playbooks_) + ".yml";
    WriteFile(path, Subst(R"(- hosts: apps
  serial: 1
  gather_facts: false
  tasks:
    - name: deploy the app
      deploy:
        path: "@D@/{{ inventory_hostname }}"
        release: "{{ release }}"
        src: "@D@/src-{{ version }}"
        restart: "@D@/restart.sh {{ app_port }}"
        health:
          http: "http://127.0.0.1:{{ app_port }}/health"
          timeout: 2
        health_timeout: @HT@
        bake: 1
        interval: 0.2
@DRAIN@)",
                          {{"@D@", d_},
                           {"@HT@", std::to_string(health_timeout)},
                           {"@DRAIN@", drain}}));
    return path;
  }

  SubprocessResult Apply(const std::string& playbook,
                         const std::string& release, const std::string& version,
                         const std::string& limit = "") {
    std::vector<std::string> argv = {
        TendBinary(),
        "apply",
        playbook,
        "-i",
        d_ + "/inventory.ini",
        "-e",
        "release=" + release + " version=" + version};
    if (!limit.empty()) {
      argv.push_back("--limit");
      argv.push_back(limit);
    }
    return RunCmd(argv, 180000);
  }

  std::string Current(int i) {
    char buf[256];
    ssize_t n = readlink((AppPath(i) + "/current").c_str(), buf, sizeof(buf));
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }

  // The first deploy (r1, no proxy yet) brings both instances up.
  void FirstDeploy() {
    auto r = Apply(Playbook(""), "r1", "v1");
    ASSERT_EQ(r.exit_code, 0) << r.stdout_data << r.stderr_data;
    for (int i = 0; i < 2; ++i) {
      ASSERT_TRUE(
          WaitForHttp200("127.0.0.1:" + std::to_string(ports_[i]), "/", 5000));
    }
  }

  Status StartHaproxy() {
    WriteFile(d_ + "/haproxy.cfg",
              Subst(R"(global
  stats socket @D@/haproxy.sock mode 600 level admin
  maxconn 2000
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
  retries 0
frontend fe
  bind 127.0.0.1:@FRONT@
  default_backend app
backend app
  balance roundrobin
  server s1 127.0.0.1:@P1@
  server s2 127.0.0.1:@P2@
)",
                    {{"@D@", d_},
                     {"@FRONT@", std::to_string(front_)},
                     {"@P1@", std::to_string(ports_[0])},
                     {"@P2@", std::to_string(ports_[1])}}));
    RETURN_IF_ERROR(
        proxy_.Start({PeerBinary("haproxy"), "-f", d_ + "/haproxy.cfg", "-db"},
                     d_ + "/haproxy.log"));
    if (!WaitForHttp200("127.0.0.1:" + std::to_string(front_), "/", 20000)) {
      return UnavailableError("haproxy did not come up: " + proxy_.Log());
    }
    return Status::Ok();
  }

  std::string HaproxyDrain() {
    return Subst(R"(        drain:
          haproxy:
            socket: @D@/haproxy.sock
            backend: app
            server: "{{ lb_server }}"
            timeout: 20
)",
                 {{"@D@", d_}});
  }

  Status StartNginx() {
    if (system(("mkdir -p " + d_ + "/nginx/tmp").c_str()) != 0) {
      return InternalError("mkdir failed");
    }
    WriteFile(d_ + "/nginx/upstream.conf",
              Subst(R"(upstream app {
    server 127.0.0.1:@P1@;
    server 127.0.0.1:@P2@;
}
)",
                    {{"@P1@", std::to_string(ports_[0])},
                     {"@P2@", std::to_string(ports_[1])}}));
    WriteFile(
        d_ + "/nginx/nginx.conf",
        Subst(R"(daemon off;
pid @N@/nginx.pid;
error_log @N@/error.log warn;
worker_processes 1;
events { worker_connections 1024; }
http {
  client_body_temp_path @N@/tmp/body;
  proxy_temp_path @N@/tmp/proxy;
  fastcgi_temp_path @N@/tmp/fastcgi;
  uwsgi_temp_path @N@/tmp/uwsgi;
  scgi_temp_path @N@/tmp/scgi;
  access_log off;
  include @N@/upstream.conf;
  server {
    listen 127.0.0.1:@FRONT@;
    location / {
      proxy_pass http://app;
      proxy_next_upstream off;
    }
  }
}
)",
              {{"@N@", d_ + "/nginx"}, {"@FRONT@", std::to_string(front_)}}));
    RETURN_IF_ERROR(
        proxy_.Start({PeerBinary("nginx"), "-p", d_ + "/nginx/", "-c",
                      d_ + "/nginx/nginx.conf", "-e", d_ + "/nginx/error.log"},
                     d_ + "/nginx.log"));
    if (!WaitForHttp200("127.0.0.1:" + std::to_string(front_), "/", 20000)) {
      return UnavailableError("nginx did not come up: " + proxy_.Log() +
                              ReadFile(d_ + "/nginx/error.log"));
    }
    return Status::Ok();
  }

  std::string NginxDrain() {
    std::string n = d_ + "/nginx";
    return Subst(R"(        drain:
          nginx:
            upstream_file: @N@/upstream.conf
            server: "{{ lb_addr }}"
            reload: "@BIN@ -p @N@/ -c @N@/nginx.conf -e @N@/error.log -s reload"
            settle: 1
)",
                 {{"@N@", n}, {"@BIN@", PeerBinary("nginx")}});
  }

  // haproxy's status column for a server ("no check", "DRAIN", "MAINT"),
  // asked on its runtime socket.
  std::string HaproxyStatus(const std::string& server) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string path = d_ + "/haproxy.sock";
    std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path.c_str());
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      close(fd);
      return "no socket";
    }
    std::string cmd = "show stat\n";
    if (write(fd, cmd.data(), cmd.size()) != static_cast<ssize_t>(cmd.size())) {
      close(fd);
      return "write failed";
    }
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = read(fd, buf, sizeof(buf))) > 0;) {
      out.append(buf, static_cast<size_t>(n));
    }
    close(fd);
    for (const auto& line : Lines(out)) {
      auto f = Split(line, ',');
      if (f.size() > 17 && f[0] == "app" && f[1] == server) return f[17];
    }
    return "?";
  }

  static std::vector<std::string> Lines(const std::string& s) {
    return Split(s, '\n');
  }
  static std::vector<std::string> Split(const std::string& s, char c) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string x;
    while (std::getline(ss, x, c)) out.push_back(x);
    return out;
  }

  TempDir tmp_;
  std::string d_, server_bin_;
  int ports_[2] = {0, 0};
  int front_ = 0;
  int playbooks_ = 0;
  ChildProcess proxy_;
};

TEST_F(DeployTest, HaproxyRollingDeployLosesNoRequest) {
  ASSERT_NO_FATAL_FAILURE(FirstDeploy());
  Status st = StartHaproxy();
  ASSERT_TRUE(st.ok()) << st.ToString() << "; run scripts/peers.sh";
  LoadGenerator load(front_);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto r = Apply(Playbook(HaproxyDrain()), "r2", "v2");
  EXPECT_EQ(r.exit_code, 0) << r.stdout_data << r.stderr_data;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));

  // A bad release on app1: drained, fails its gate, rolls back, restored.
  r = Apply(Playbook(HaproxyDrain(), /*health_timeout=*/1), "r3", "bad",
            "app1");
  EXPECT_EQ(r.exit_code, 1) << r.stdout_data << r.stderr_data;
  EXPECT_NE(r.stdout_data.find("rolled back to release 'r2'"),
            std::string::npos)
      << r.stdout_data;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  load.Stop();

  EXPECT_EQ(load.failed(), 0) << "of " << load.total() << ": "
                              << ::testing::PrintToString(load.failures());
  EXPECT_GT(load.total(), 200);
  auto bodies = load.bodies();
  EXPECT_GT(bodies["v1\n"], 0);
  EXPECT_GT(bodies["v2\n"], 0);
  EXPECT_EQ(Current(0), "releases/r2");
  EXPECT_EQ(Current(1), "releases/r2");
  EXPECT_EQ(HaproxyStatus("s1"), "no check");  // ready again, not DRAIN
  EXPECT_EQ(HaproxyStatus("s2"), "no check");
  std::printf("haproxy rolling deploy: %lld requests, %lld failed\n",
              static_cast<long long>(load.total()),
              static_cast<long long>(load.failed()));
}

TEST_F(DeployTest, NginxRollingDeployLosesNoRequest) {
  ASSERT_NO_FATAL_FAILURE(FirstDeploy());
  Status st = StartNginx();
  ASSERT_TRUE(st.ok()) << st.ToString() << "; run scripts/peers.sh";
  std::string upstream = ReadFile(d_ + "/nginx/upstream.conf");
  LoadGenerator load(front_);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto r = Apply(Playbook(NginxDrain()), "r2", "v2");
  EXPECT_EQ(r.exit_code, 0) << r.stdout_data << r.stderr_data;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  load.Stop();
  EXPECT_EQ(load.failed(), 0) << "of " << load.total() << ": "
                              << ::testing::PrintToString(load.failures());
  EXPECT_GT(load.total(), 200);
  EXPECT_GT(load.bodies()["v2\n"], 0);
  EXPECT_EQ(ReadFile(d_ + "/nginx/upstream.conf"), upstream);
  std::printf("nginx rolling deploy: %lld requests, %lld failed\n",
              static_cast<long long>(load.total()),
              static_cast<long long>(load.failed()));
}

// No draining: the bad release takes its share of the traffic until the
// gate gives up (health_timeout 1 s, as it never passes), then the old
// release is restarted. The failed requests all fall in that window:
// they span at most health_timeout + one interval + the two restarts
// (bounded here by 4 s), and are at most the share of one of the two
// backends plus the restart gaps.
TEST_F(DeployTest, BadReleaseWithoutDrainIsBounded) {
  ASSERT_NO_FATAL_FAILURE(FirstDeploy());
  Status st = StartHaproxy();
  ASSERT_TRUE(st.ok()) << st.ToString() << "; run scripts/peers.sh";
  LoadGenerator load(front_);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  int64_t before = load.total();
  auto start = load.elapsed();
  auto r = Apply(Playbook("", /*health_timeout=*/1), "r2", "bad", "app1");
  auto end = load.elapsed();
  int64_t during = load.total() - before;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  load.Stop();
  EXPECT_EQ(r.exit_code, 1) << r.stdout_data;
  EXPECT_NE(r.stdout_data.find("did not pass within 1.0s: got status 500"),
            std::string::npos)
      << r.stdout_data;
  EXPECT_NE(r.stdout_data.find("rolled back to release 'r1'"),
            std::string::npos);
  EXPECT_EQ(Current(0), "releases/r1");
  auto [first, last] = load.failure_span();
  EXPECT_GT(load.failed(), 0) << "the bad release was never reached";
  EXPECT_GE(first, start);
  EXPECT_LE(last, end + 0.5);
  EXPECT_LE(last - first, 4.0);
  EXPECT_LE(load.failed(), during * 3 / 4)
      << "more failures than one backend's share of the episode";
  std::printf(
      "bad release without drain: %lld failed of %lld during the %.1f s "
      "episode (failures spanned %.2f s)\n",
      static_cast<long long>(load.failed()), static_cast<long long>(during),
      end - start, last - first);
}

TEST_F(DeployTest, CliRollbackListPruneAndCheckMode) {
  std::string app = d_ + "/cli-app";
  auto deploy = [&](const std::string& id, const std::string& version,
                    std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {
        TendBinary(),           "deploy", app, "--release", id, "--src",
        d_ + "/src-" + version, "--keep", "2"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunCmd(argv, 60000);
  };
  for (const char* id : {"r1", "r2", "r3"}) {
    auto r = deploy(id, "v1");
    ASSERT_EQ(r.exit_code, 0) << r.stdout_data << r.stderr_data;
    EXPECT_EQ(r.stdout_data, "changed: release '" + std::string(id) +
                                 "' is current and healthy\n");
  }
  auto r = RunCmd({"/bin/ls", app + "/releases"}, 5000);
  EXPECT_EQ(r.stdout_data, "r2\nr3\n");
  r = deploy("r3", "v1");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.stdout_data, "ok: release 'r3' is current and healthy\n");

  // Check mode touches nothing.
  std::string state = ReadFile(app + "/.tend-deploy.json");
  r = deploy("r4", "v2", {"--check"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data,
            "changed: would create release 'r4' and switch current to it "
            "(from 'r3')\n");
  EXPECT_EQ(ReadFile(app + "/.tend-deploy.json"), state);
  EXPECT_EQ(RunCmd({"/bin/ls", app + "/releases"}, 5000).stdout_data,
            "r2\nr3\n");

  r = RunCmd({TendBinary(), "deploy", "rollback", app}, 60000);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "changed: rolled back from 'r3' to 'r2'\n");
  r = RunCmd({TendBinary(), "deploy", "rollback", app}, 60000);
  EXPECT_EQ(r.stdout_data, "ok: already rolled back to 'r2' (from 'r3')\n");
  r = RunCmd({TendBinary(), "deploy", "rollback", app, "--to", "r1"}, 60000);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.stdout_data.find("'r1' does not exist"), std::string::npos);

  // A failing gate from the CLI.
  r = deploy("r5", "v2",
             {"--health-exec", "exit 7", "--health-timeout", "0.2",
              "--interval", "0.05"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.stdout_data.find("rolled back to release 'r2'"),
            std::string::npos)
      << r.stdout_data;

  r = RunCmd({TendBinary(), "deploy", "list", app}, 10000);
  EXPECT_EQ(r.exit_code, 0);
  auto lines = Lines(r.stdout_data);
  ASSERT_EQ(lines.size(), 4u) << r.stdout_data;
  EXPECT_EQ(lines[1].substr(0, 5), "* r2 ");
  EXPECT_NE(lines[1].find(" healthy "), std::string::npos);
  EXPECT_EQ(lines[2].substr(0, 5), "  r3 ");
  EXPECT_NE(lines[2].find(" rolled_back "), std::string::npos);
  EXPECT_NE(lines[3].find("failed"), std::string::npos);
  EXPECT_NE(lines[3].find("exit 7"), std::string::npos);
  r = RunCmd({TendBinary(), "deploy", "list", app, "-o", "json"}, 10000);
  auto j = nlohmann::json::parse(r.stdout_data, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.stdout_data;
  EXPECT_EQ(j["current"], "r2");
  EXPECT_EQ(j["releases"].size(), 3u);

  r = RunCmd({TendBinary(), "deploy", app, "--release", "a/b", "--src", d_},
             10000);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.stdout_data.find("has the character '/'"), std::string::npos);
  r = RunCmd({TendBinary(), "deploy", app, "--bake", "soon"}, 10000);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_data.find("--bake must be a number"), std::string::npos);
}

}  // namespace
}  // namespace tend::testing
