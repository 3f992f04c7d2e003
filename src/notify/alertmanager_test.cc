// Forwarding to a real Alertmanager (Debian's prometheus-alertmanager,
// unpacked by scripts/peers.sh into build/peers/bin). Alerts are posted
// through its v2 API and read back from it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/clock.h"
#include "http/outbound.h"
#include "notify/forwarder.h"
#include "notify/notify_test_util.h"

extern char** environ;

namespace tend::notify {
namespace {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    close(fd);
    return 0;
  }
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

class AlertmanagerProcess {
 public:
  // Starts alertmanager; failure is reported through ok().
  explicit AlertmanagerProcess(const std::string& dir) {
    binary_ = "build/peers/bin/alertmanager";
    if (access(binary_.c_str(), X_OK) != 0) {
      error_ = binary_ +
               " not found: run scripts/peers.sh build/peers (it unpacks "
               "Debian's prometheus-alertmanager there)";
      return;
    }
    {
      std::ofstream f(dir + "/am.yml");
      f << "route:\n  receiver: 'null'\nreceivers:\n  - name: 'null'\n";
    }
    port_ = FreePort();
    std::vector<std::string> args = {
        binary_,
        "--config.file=" + dir + "/am.yml",
        "--storage.path=" + dir + "/data",
        "--web.listen-address=127.0.0.1:" + std::to_string(port_),
        "--cluster.listen-address=",
        "--log.level=warn"};
    // Debian's build reads its default template from the fixed path
    // /usr/share/prometheus/alertmanager/default.tmpl. When the package is
    // only unpacked (not installed), show it the unpacked copy in a private
    // mount namespace of its own; the host's mounts are not touched.
    std::string share =
        "build/peers/x-prometheus-alertmanager/usr/share/prometheus";
    if (access("/usr/share/prometheus/alertmanager/default.tmpl", R_OK) != 0 &&
        access((share + "/alertmanager/default.tmpl").c_str(), R_OK) == 0) {
      args.insert(
          args.begin(),
          {"unshare", "-m", "--propagation", "private", "sh", "-c",
           "mount --bind \"$0\" /usr/share/prometheus && exec \"$@\"", share});
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawnp(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) !=
        0) {
      error_ = "cannot start " + binary_;
      pid_ = 0;
      return;
    }
    for (int i = 0; i < 200; ++i) {
      OutboundRequest r;
      r.url = url() + "/-/ready";
      r.timeout_ms = 1000;
      Result<OutboundResponse> resp = OutboundFetch(r);
      if (resp.ok() && resp->status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    error_ = "alertmanager did not become ready on " + url();
  }
  ~AlertmanagerProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int st = 0;
      waitpid(pid_, &st, 0);
    }
  }
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }
  nlohmann::json Alerts() const {
    OutboundRequest r;
    r.url = url() + "/api/v2/alerts";
    Result<OutboundResponse> resp = OutboundFetch(r);
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    if (!resp.ok()) return nlohmann::json::array();
    return nlohmann::json::parse(resp->body, nullptr, false);
  }

 private:
  std::string binary_;
  std::string error_;
  int port_ = 0;
  pid_t pid_ = 0;
};

const nlohmann::json* FindAlert(const nlohmann::json& alerts,
                                const std::string& name) {
  for (const nlohmann::json& a : alerts) {
    if (a["labels"].value("alertname", "") == name) return &a;
  }
  return nullptr;
}

TEST(AlertmanagerForwardTest, RealAlertmanagerReceivesAndResolves) {
  TempDir dir;
  AlertmanagerProcess am(dir.path());
  ASSERT_TRUE(am.ok()) << am.error();
  NotifyMetrics metrics;
  ForwarderOptions o;
  o.urls = {am.url()};
  o.resend_delay_ms = 60000;
  AlertmanagerForwarder fwd(o, Clock::Real(), &metrics);
  fwd.Start();
  int64_t now = Clock::Real()->NowUnixNanos() / kNanosPerMilli;
  alert::Alert disk = MakeAlert(
      {{"alertname", "DiskFull"}, {"instance", "db1"}, {"severity", "page"}},
      now - 60000);
  disk.annotations = {{"summary", "disk on db1 is 97% full"}};
  alert::Alert load = MakeAlert({{"alertname", "HighLoad"}}, now - 30000);
  fwd.Handle({disk, load});
  ASSERT_TRUE(fwd.WaitIdle(10000));
  EXPECT_EQ(metrics.AlertmanagerSentCount(), 2);

  nlohmann::json got = am.Alerts();
  ASSERT_TRUE(got.is_array()) << got.dump();
  const nlohmann::json* d = FindAlert(got, "DiskFull");
  ASSERT_NE(d, nullptr) << got.dump();
  EXPECT_EQ((*d)["labels"]["instance"], "db1");
  EXPECT_EQ((*d)["labels"]["severity"], "page");
  EXPECT_EQ((*d)["annotations"]["summary"], "disk on db1 is 97% full");
  EXPECT_EQ((*d)["status"]["state"], "active");
  EXPECT_EQ((*d)["generatorURL"], "rules.yml:g:r");
  // Alertmanager's fingerprint is the one tend puts in webhook payloads.
  EXPECT_EQ((*d)["fingerprint"],
            FingerprintHex(StableFingerprint(disk.labels)));
  ASSERT_NE(FindAlert(got, "HighLoad"), nullptr);

  // Unchanged firing alerts are not re-sent within resend_delay.
  fwd.Handle({disk, load});
  ASSERT_TRUE(fwd.WaitIdle(10000));
  EXPECT_EQ(metrics.AlertmanagerSentCount(), 2);

  // HighLoad resolves: it is sent at once, with its endsAt.
  alert::Alert resolved = load;
  resolved.ends_at_ms = Clock::Real()->NowUnixNanos() / kNanosPerMilli - 1000;
  fwd.Handle({disk, resolved});
  ASSERT_TRUE(fwd.WaitIdle(10000));
  EXPECT_EQ(metrics.AlertmanagerSentCount(), 3);
  got = am.Alerts();
  EXPECT_NE(FindAlert(got, "DiskFull"), nullptr);
  EXPECT_EQ(FindAlert(got, "HighLoad"), nullptr)
      << "Alertmanager still lists the resolved alert: " << got.dump();
  fwd.Stop();
}

TEST(AlertmanagerForwardTest, FullQueueDropsOldestAndCounts) {
  NotifyMetrics metrics;
  ForwarderOptions o;
  o.urls = {"http://127.0.0.1:1"};
  o.queue_capacity = 3;
  // Not started: nothing drains the queue.
  AlertmanagerForwarder fwd(o, Clock::Real(), &metrics);
  alert::Alerts many;
  for (int i = 0; i < 5; ++i) {
    many.push_back(MakeAlert({{"alertname", "A" + std::to_string(i)}}, 1));
  }
  fwd.Handle(many);
  EXPECT_EQ(fwd.queued(), 3u);
  EXPECT_EQ(metrics.AlertmanagerDroppedCount(), 2);
}

TEST(AlertmanagerForwardTest, PayloadFollowsTheV2Api) {
  alert::Alert a = MakeAlert({{"alertname", "X"}}, 1700000000000);
  alert::Alert r =
      MakeAlert({{"alertname", "Y"}}, 1700000000000, 1700000060000);
  nlohmann::json j =
      nlohmann::json::parse(AlertmanagerPayload({a, r}, 1700000100000, 60000));
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["startsAt"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(j[0]["endsAt"], "2023-11-14T22:19:00Z");  // now + 4 x 1m.
  EXPECT_EQ(j[1]["endsAt"], "2023-11-14T22:14:20Z");
  EXPECT_EQ(j[0]["labels"]["alertname"], "X");
}

}  // namespace
}  // namespace tend::notify
