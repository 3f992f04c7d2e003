// Delivery against real receivers: an HTTP webhook on loopback that fails
// before it accepts, one that hangs, an exec receiver running a real
// script, and the outbox across a restart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "base/clock.h"
#include "notify/dispatcher.h"
#include "notify/notify_test_util.h"

namespace tend::notify {
namespace {

using Steady = std::chrono::steady_clock;

// An HTTP server on a free loopback port; `handler` answers POST /hook.
class HookServer {
 public:
  explicit HookServer(
      std::function<void(const httplib::Request&, httplib::Response&)> h) {
    server_.Post("/hook", [this, h](const httplib::Request& req,
                                    httplib::Response& res) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        times_.push_back(Steady::now());
        bodies_.push_back(req.body);
      }
      h(req, res);
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
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/hook";
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(mu_);
    return times_.size();
  }
  std::vector<Steady::time_point> times() {
    std::lock_guard<std::mutex> lock(mu_);
    return times_;
  }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }
  bool WaitFor(size_t n, int64_t ms) {
    auto end = Steady::now() + std::chrono::milliseconds(ms);
    while (Steady::now() < end) {
      if (count() >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return count() >= n;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Steady::time_point> times_;
  std::vector<std::string> bodies_;
};

// The whole pipeline over one StateDb in a temporary directory.
class Stack {
 public:
  Stack(const std::string& dir, std::string_view yaml, DelivererOptions o) {
    auto db = state::StateDb::Open(dir + "/state.db");
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    nflog_ = std::move(*Nflog::Load(db_.get()));
    Result<NotifyConfig> c = LoadNotifyConfigString(yaml, "am.yml");
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    config_ = *c;
    receivers_ = BuildReceivers(config_, {});
    deliverer_ = std::make_unique<Deliverer>(db_.get(), nflog_.get(),
                                             Clock::Real(), &metrics_, o);
    deliverer_->SetReceivers(receivers_);
    dispatcher_ =
        std::make_unique<Dispatcher>(config_, receivers_, nflog_.get(),
                                     deliverer_.get(), DispatcherOptions{});
  }
  ~Stack() { deliverer_->Stop(); }
  void Fire(const alert::Alerts& alerts) {
    int64_t now = Clock::Real()->NowUnixNanos() / kNanosPerMilli;
    dispatcher_->Receive(alerts, now);
    dispatcher_->Tick(now);
  }
  std::vector<state::Event> Events() {
    state::EventQuery q;
    q.kinds = {"notification"};
    return *db_->ListEvents(q);
  }

  std::unique_ptr<state::StateDb> db_;
  std::unique_ptr<Nflog> nflog_;
  NotifyConfig config_;
  std::shared_ptr<const ReceiverSet> receivers_;
  NotifyMetrics metrics_;
  std::unique_ptr<Deliverer> deliverer_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

std::string HookConfig(const std::string& url, std::string extra = "") {
  return "route: {receiver: web, group_wait: 0s}\n"
         "receivers:\n"
         "  - name: web\n"
         "    webhook_configs: [{url: '" +
         url + "'" + extra + "}]\n";
}

alert::Alert Now(Labels labels) {
  return MakeAlert(std::move(labels),
                   Clock::Real()->NowUnixNanos() / kNanosPerMilli);
}

TEST(DeliveryTest, WebhookFailingThreeTimesGetsTheFourthWithBackoff) {
  TempDir dir;
  std::atomic<int> calls{0};
  HookServer hook([&](const httplib::Request&, httplib::Response& res) {
    res.status = ++calls <= 3 ? 503 : 200;
  });
  DelivererOptions o;
  o.initial_backoff_ms = 200;
  o.jitter = 0.2;
  Stack s(dir.path(), HookConfig(hook.url()), o);
  ASSERT_TRUE(s.deliverer_->Start().ok());
  s.Fire({Now({{"alertname", "Backoff"}})});
  ASSERT_TRUE(hook.WaitFor(4, 10000)) << "got " << hook.count();
  ASSERT_TRUE(s.deliverer_->WaitIdle(5000));
  std::vector<Steady::time_point> t = hook.times();
  ASSERT_EQ(t.size(), 4u);
  for (int i = 1; i <= 3; ++i) {
    double expect_ms = 200.0 * (1 << (i - 1));
    double gap_ms =
        std::chrono::duration<double, std::milli>(t[i] - t[i - 1]).count();
    EXPECT_GE(gap_ms, expect_ms * 0.75) << "gap " << i;
    EXPECT_LE(gap_ms, expect_ms * 1.25 + 1000) << "gap " << i;
  }
  nlohmann::json body = nlohmann::json::parse(hook.bodies()[3]);
  EXPECT_EQ(body["alerts"][0]["labels"]["alertname"], "Backoff");
  std::vector<state::Event> ev = s.Events();
  ASSERT_EQ(ev.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(ev[i].outcome, "retry");
    EXPECT_THAT(ev[i].details_json, ::testing::HasSubstr("HTTP 503"));
  }
  EXPECT_EQ(ev[3].outcome, "sent");
  EXPECT_EQ(ev[3].subject, "web");
  nlohmann::json d = nlohmann::json::parse(ev[3].details_json);
  EXPECT_EQ(d["attempt"], 4);
  EXPECT_EQ(d["alerts"], 1);
  EXPECT_EQ(d["integration"], "webhook");
  EXPECT_EQ(s.metrics_.FailedCount("web", "webhook"), 3);
  EXPECT_EQ(s.metrics_.SentCount("web", "webhook"), 1);
  EXPECT_EQ(*s.db_->OutboxSize(), 0);
}

TEST(DeliveryTest, AHangingReceiverDoesNotBlockAnother) {
  TempDir dir;
  std::atomic<bool> release{false};
  HookServer hang([&](const httplib::Request&, httplib::Response& res) {
    for (int i = 0; i < 1000 && !release; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    res.status = 200;
  });
  HookServer ok([](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
  });
  std::string yaml =
      "route:\n"
      "  receiver: slow\n"
      "  group_wait: 0s\n"
      "  routes: [{receiver: fast, matchers: [to=fast]}]\n"
      "receivers:\n"
      "  - {name: slow, webhook_configs: [{url: '" +
      hang.url() +
      "', timeout: 3s}]}\n"
      "  - {name: fast, webhook_configs: [{url: '" +
      ok.url() + "'}]}\n";
  Stack s(dir.path(), yaml, DelivererOptions{});
  ASSERT_TRUE(s.deliverer_->Start().ok());
  s.Fire({Now({{"alertname", "A"}, {"to", "slow"}})});
  ASSERT_TRUE(hang.WaitFor(1, 5000));
  auto t0 = Steady::now();
  s.Fire({Now({{"alertname", "B"}, {"to", "fast"}})});
  ASSERT_TRUE(ok.WaitFor(1, 5000));
  double ms =
      std::chrono::duration<double, std::milli>(Steady::now() - t0).count();
  EXPECT_LT(ms, 2000) << "the fast receiver waited for the hanging one";
  // The fast item leaves the outbox once its answer is processed, a moment
  // after the receiver saw the request; the hanging one stays.
  for (int i = 0; i < 500 && s.deliverer_->pending() > 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(s.deliverer_->pending(), 1u);
  release = true;
}

TEST(DeliveryTest, ExecReceiverGetsThePayloadOnStdin) {
  TempDir dir;
  std::string script = dir.path() + "/hook.sh";
  std::string out = dir.path() + "/payload.json";
  {
    std::ofstream f(script);
    f << "#!/bin/sh\ncat > \"$1\"\n";
  }
  chmod(script.c_str(), 0755);
  std::string yaml =
      "route: {receiver: x, group_wait: 0s}\n"
      "receivers: [{name: x, exec_configs: [{argv: ['" +
      script + "', '" + out + "'], timeout: 5s}]}]\n";
  Stack s(dir.path(), yaml, DelivererOptions{});
  ASSERT_TRUE(s.deliverer_->Start().ok());
  s.Fire({Now({{"alertname", "Exec"}, {"instance", "h1"}})});
  ASSERT_TRUE(s.deliverer_->WaitIdle(10000));
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << ss.str();
  EXPECT_EQ(j["receiver"], "x");
  EXPECT_EQ(j["status"], "firing");
  EXPECT_EQ(j["alerts"][0]["labels"]["instance"], "h1");
  EXPECT_EQ(s.metrics_.SentCount("x", "exec"), 1);
}

TEST(DeliveryTest, FailingExecIsGivenUpAfterMaxAge) {
  TempDir dir;
  std::string yaml =
      "route: {receiver: x, group_wait: 0s}\n"
      "receivers: [{name: x, exec_configs: [{argv: ['/bin/sh', '-c', "
      "'echo broken >&2; exit 3']}]}]\n";
  DelivererOptions o;
  o.initial_backoff_ms = 50;
  o.max_age_ms = 400;
  Stack s(dir.path(), yaml, o);
  ASSERT_TRUE(s.deliverer_->Start().ok());
  s.Fire({Now({{"alertname", "Broken"}})});
  ASSERT_TRUE(s.deliverer_->WaitIdle(10000));
  std::vector<state::Event> ev = s.Events();
  ASSERT_GE(ev.size(), 2u);
  EXPECT_EQ(ev.back().outcome, "failed");
  EXPECT_THAT(ev.back().message, ::testing::HasSubstr("exit status 3: broken"));
  EXPECT_EQ(ev.front().outcome, "retry");
  EXPECT_EQ(*s.db_->OutboxSize(), 0);
}

TEST(DeliveryTest, OutboxSurvivesARestart) {
  TempDir dir;
  HookServer hook([](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
  });
  alert::Alert a = Now({{"alertname", "Durable"}});
  {
    // Accepted, then "crash" before any delivery thread ran.
    Stack s(dir.path(), HookConfig(hook.url()), DelivererOptions{});
    s.Fire({a});
    EXPECT_EQ(*s.db_->OutboxSize(), 1);
  }
  EXPECT_EQ(hook.count(), 0u);
  Stack s(dir.path(), HookConfig(hook.url()), DelivererOptions{});
  ASSERT_TRUE(s.deliverer_->Start().ok());
  // The evaluator hands the restored alert again: not a second item.
  s.Fire({a});
  ASSERT_TRUE(hook.WaitFor(1, 5000));
  ASSERT_TRUE(s.deliverer_->WaitIdle(5000));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(hook.count(), 1u);
  EXPECT_EQ(*s.db_->OutboxSize(), 0);
}

TEST(DeliveryTest, NewerItemSupersedesAWaitingOne) {
  TempDir dir;
  std::atomic<int> calls{0};
  HookServer hook([&](const httplib::Request&, httplib::Response& res) {
    res.status = ++calls == 1 ? 500 : 200;
  });
  DelivererOptions o;
  o.initial_backoff_ms = 500;
  o.jitter = 0;
  Stack s(dir.path(),
          "route: {receiver: web, group_wait: 0s, group_interval: 1s}\n"
          "receivers: [{name: web, webhook_configs: [{url: '" +
              hook.url() + "'}]}]\n",
          o);
  ASSERT_TRUE(s.deliverer_->Start().ok());
  alert::Alert a = Now({{"alertname", "A"}});
  s.Fire({a});
  ASSERT_TRUE(hook.WaitFor(1, 5000));
  // While the first waits for its retry, the alert resolves.
  alert::Alert r = a;
  r.ends_at_ms = a.starts_at_ms + 1;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  int64_t later = Clock::Real()->NowUnixNanos() / kNanosPerMilli + 1000;
  s.dispatcher_->Receive({r}, later);
  s.dispatcher_->Tick(later);
  ASSERT_TRUE(s.deliverer_->WaitIdle(5000));
  ASSERT_EQ(hook.count(), 2u);
  nlohmann::json last = nlohmann::json::parse(hook.bodies()[1]);
  EXPECT_EQ(last["status"], "resolved");
  std::vector<state::Event> ev = s.Events();
  bool skipped = false;
  for (const auto& e : ev) skipped |= e.outcome == "skipped";
  EXPECT_TRUE(skipped);
}

}  // namespace
}  // namespace tend::notify
