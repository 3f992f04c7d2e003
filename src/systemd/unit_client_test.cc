// UnitClient and UnitWatcher over the real D-Bus protocol: a private
// dbus-daemon and the fake systemd (fake_systemd.h) owning
// org.freedesktop.systemd1 on it.
#include "systemd/unit_client.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "systemd/fake_systemd.h"
#include "systemd/unit_watcher.h"

namespace tend {
namespace {

class UnitClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tend_systemd_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto d = TestDbusDaemon::Start(dir_);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    daemon_ = std::move(*d);
    auto f = FakeSystemd::Start(daemon_->address());
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    fake_ = std::move(*f);
    FakeUnitState nginx;
    nginx.name = "nginx.service";
    nginx.main_pid = 4242;
    nginx.n_restarts = 3;
    nginx.active_enter_usec = 1'700'000'000'000'000;
    fake_->AddUnit(nginx);
    auto c = UnitClient::Connect(daemon_->address(), 2000);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    client_ = std::move(*c);
  }
  void TearDown() override {
    client_.reset();
    fake_.reset();
    daemon_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  std::unique_ptr<TestDbusDaemon> daemon_;
  std::unique_ptr<FakeSystemd> fake_;
  std::unique_ptr<UnitClient> client_;
};

TEST_F(UnitClientTest, StatusReadsUnitAndServiceProperties) {
  auto st = client_->Status("nginx.service");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->name, "nginx.service");
  EXPECT_EQ(st->load_state, "loaded");
  EXPECT_EQ(st->active_state, "active");
  EXPECT_EQ(st->sub_state, "running");
  EXPECT_EQ(st->main_pid, 4242u);
  EXPECT_EQ(st->n_restarts, 3u);
  EXPECT_EQ(st->active_enter_usec, 1'700'000'000'000'000u);
}

TEST_F(UnitClientTest, UnknownUnitIsNotFound) {
  auto st = client_->Status("nope.service");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), StatusCode::kNotFound)
      << st.status().ToString();
  Status s = client_->Restart("nope.service");
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
}

TEST_F(UnitClientTest, RestartWaitsForTheJobAndRevivesAKilledUnit) {
  fake_->Kill("nginx.service");
  auto st = client_->Status("nginx.service");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->active_state, "failed");
  EXPECT_EQ(st->main_pid, 0u);
  Status s = client_->Restart("nginx.service");
  ASSERT_TRUE(s.ok()) << s.ToString();
  // The job had finished when Restart returned.
  auto after = fake_->Get("nginx.service");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->active_state, "active");
  EXPECT_EQ(after->jobs, 1);
  st = client_->Status("nginx.service");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->active_state, "active");
  EXPECT_NE(st->main_pid, 0u);
}

TEST_F(UnitClientTest, FailedJobIsAnError) {
  fake_->SetFailJobs("nginx.service", true);
  Status s = client_->Restart("nginx.service");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("'failed'"), std::string::npos) << s.ToString();
}

TEST_F(UnitClientTest, JobThatNeverEndsTimesOut) {
  fake_->SetHangJobs("nginx.service", true);
  auto start = std::chrono::steady_clock::now();
  Status s = client_->Stop("nginx.service");
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded) << s.ToString();
  EXPECT_GE(took, std::chrono::milliseconds(1900));
  EXPECT_LT(took, std::chrono::seconds(20));
}

TEST_F(UnitClientTest, StartStopAndListTemplateInstances) {
  FakeUnitState tmpl;
  tmpl.name = "app@.service";
  fake_->AddUnit(tmpl);
  ASSERT_TRUE(client_->Start("app@1.service").ok());
  ASSERT_TRUE(client_->Start("app@2.service").ok());
  auto list = client_->List("app@*.service");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "app@1.service");
  EXPECT_EQ((*list)[0].active_state, "active");
  EXPECT_NE((*list)[0].main_pid, 0u);
  ASSERT_TRUE(client_->Stop("app@2.service").ok());
  list = client_->List("app@*.service");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].active_state, "inactive");
  auto none = client_->List("zzz*.service");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(UnitClientTest, WatcherSeesDeathAtOnce) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<UnitStateChange> changes;
  auto w =
      UnitWatcher::Start(daemon_->address(), [&](const UnitStateChange& c) {
        std::lock_guard<std::mutex> l(mu);
        changes.push_back(c);
        cv.notify_all();
      });
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto state = (*w)->Watch("nginx.service");
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(*state, "active");
  auto missing = (*w)->Watch("missing.service");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);

  auto t0 = std::chrono::steady_clock::now();
  fake_->Kill("nginx.service");
  {
    std::unique_lock<std::mutex> l(mu);
    ASSERT_TRUE(cv.wait_for(l, std::chrono::seconds(10),
                            [&] { return !changes.empty(); }));
    EXPECT_EQ(changes[0].unit, "nginx.service");
    EXPECT_EQ(changes[0].active_state, "failed");
    EXPECT_EQ(changes[0].sub_state, "failed");
  }
  // Generous bound: a signal, not a poll interval.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));

  ASSERT_TRUE(client_->Restart("nginx.service").ok());
  {
    std::unique_lock<std::mutex> l(mu);
    ASSERT_TRUE(cv.wait_for(l, std::chrono::seconds(10),
                            [&] { return changes.size() >= 2; }));
    EXPECT_EQ(changes[1].active_state, "active");
  }
  (*w)->Unwatch("nginx.service");
  fake_->Kill("nginx.service");
  ASSERT_TRUE(client_->Status("nginx.service").ok());  // A round trip.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::lock_guard<std::mutex> l(mu);
  EXPECT_EQ(changes.size(), 2u);
}

TEST(UnitClientNoBusTest, MissingBusIsUnavailable) {
  auto c = UnitClient::Connect("unix:path=/nonexistent/tend/bus", 500);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(c.status().message().find("/nonexistent/tend/bus"),
            std::string::npos);
}

}  // namespace
}  // namespace tend
