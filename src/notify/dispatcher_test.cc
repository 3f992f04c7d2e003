// Routing, grouping, dedup, inhibition and silencing with Alertmanager's
// semantics. The deliverer is not started: what the dispatcher accepts is
// read back from the outbox of a real StateDb.
#include "notify/dispatcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "notify/notify_test_util.h"

namespace tend::notify {
namespace {

constexpr int64_t kS = 1000;
constexpr int64_t kM = 60 * kS;
constexpr int64_t kT0 = 1'700'000'000'000;

struct Sent {
  std::string receiver;
  std::string integration;
  int index = 0;
  nlohmann::json body;  // Webhook JSON.
  std::string status() const { return body["status"]; }
  std::vector<std::string> alertnames() const {
    std::vector<std::string> out;
    for (const auto& a : body["alerts"]) {
      out.push_back(a["labels"].value("alertname", "") + ":" +
                    a["status"].get<std::string>());
    }
    return out;
  }
};

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    dispatcher_.reset();
    deliverer_.reset();
    nflog_.reset();
    db_.reset();
    auto db = state::StateDb::Open(dir_.path() + "/state.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auto nflog = Nflog::Load(db_.get());
    ASSERT_TRUE(nflog.ok());
    nflog_ = std::move(*nflog);
    deliverer_ = std::make_unique<Deliverer>(db_.get(), nflog_.get(), &clock_,
                                             nullptr, DelivererOptions{});
  }

  // Builds the dispatcher; `replay` runs the deliverer's start-up replay
  // (as after a restart) without starting threads that would send.
  void Load(std::string_view yaml, bool replay = false) {
    Result<NotifyConfig> c = LoadNotifyConfigString(yaml, "am.yml");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    config_ = *c;
    receivers_ = BuildReceivers(config_, {});
    if (replay) {
      auto items = db_->AllItems();
      ASSERT_TRUE(items.ok());
      for (const auto& item : *items) {
        auto env = DecodeEnvelope(item.payload);
        ASSERT_TRUE(env.ok());
        ASSERT_TRUE(nflog_->Apply(env->nflog_key, env->nflog).ok());
      }
    }
    DispatcherOptions o;
    o.external_url = "http://tend.example:9090";
    o.is_silenced = [](const Labels& l) {
      return GetLabel(l, "silenced") == "yes";
    };
    dispatcher_ = std::make_unique<Dispatcher>(
        config_, receivers_, nflog_.get(), deliverer_.get(), o);
  }

  // Receives `alerts` then ticks, at kT0 + t.
  void At(int64_t t, const alert::Alerts& alerts) {
    dispatcher_->Receive(alerts, kT0 + t);
    dispatcher_->Tick(kT0 + t);
  }

  // What was accepted since the last call (and removes it from the outbox).
  std::vector<Sent> Drain() {
    std::vector<Sent> out;
    auto items = db_->AllItems();
    EXPECT_TRUE(items.ok());
    for (const auto& item : *items) {
      auto env = DecodeEnvelope(item.payload);
      EXPECT_TRUE(env.ok());
      Sent s{item.receiver, env->integration, env->index,
             nlohmann::json::parse(env->body, nullptr, false)};
      out.push_back(std::move(s));
      EXPECT_TRUE(db_->Remove(item.id).ok());
    }
    return out;
  }

  TempDir dir_;
  FakeClock clock_{kT0 * kNanosPerMilli};
  std::unique_ptr<state::StateDb> db_;
  std::unique_ptr<Nflog> nflog_;
  std::unique_ptr<Deliverer> deliverer_;
  NotifyConfig config_;
  std::shared_ptr<const ReceiverSet> receivers_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

constexpr std::string_view kSimple = R"(
global: {resolve_timeout: 1h}
route:
  receiver: web
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: web
    webhook_configs:
      - url: http://127.0.0.1:1/hook
)";

TEST_F(DispatcherTest, GroupWaitThenGroupIntervalForUpdates) {
  Load(kSimple);
  alert::Alert a1 = MakeAlert({{"alertname", "A"}, {"i", "1"}}, kT0);
  alert::Alert a2 = MakeAlert({{"alertname", "A"}, {"i", "2"}}, kT0 + 40 * kS);
  At(0, {a1});
  At(29 * kS, {a1});
  EXPECT_TRUE(Drain().empty()) << "sent before group_wait";
  At(30 * kS, {a1});
  std::vector<Sent> s = Drain();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].status(), "firing");
  EXPECT_EQ(s[0].body["groupKey"], "{}:{alertname=\"A\"}");
  EXPECT_EQ(s[0].body["version"], "4");
  EXPECT_EQ(s[0].body["externalURL"], "http://tend.example:9090");
  EXPECT_EQ(s[0].body["groupLabels"]["alertname"], "A");
  EXPECT_EQ(s[0].body["alerts"][0]["endsAt"], "0001-01-01T00:00:00Z");
  EXPECT_EQ(s[0].body["alerts"][0]["fingerprint"].get<std::string>().size(),
            16u);
  // A new alert in the group waits for group_interval, not group_wait.
  At(40 * kS, {a1, a2});
  At(2 * kM, {a1, a2});
  EXPECT_TRUE(Drain().empty());
  At(30 * kS + 5 * kM, {a1, a2});
  s = Drain();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].body["alerts"].size(), 2u);
  EXPECT_EQ(s[0].body["commonLabels"]["alertname"], "A");
  EXPECT_FALSE(s[0].body["commonLabels"].contains("i"));
}

TEST_F(DispatcherTest, RepeatIntervalResendsAnUnchangedSet) {
  Load(kSimple);
  alert::Alert a = MakeAlert({{"alertname", "A"}}, kT0);
  At(0, {a});
  At(30 * kS, {a});
  EXPECT_EQ(Drain().size(), 1u);
  // Flushes every 5 minutes, but nothing changed: nothing sent.
  for (int64_t t = 30 * kS + 5 * kM; t < 4 * 60 * kM + 30 * kS; t += 5 * kM) {
    At(t, {a});
    ASSERT_TRUE(Drain().empty()) << "at +" << t / kS << "s";
  }
  // The first flush at or after 4h after the last notification repeats.
  At(30 * kS + 48 * 5 * kM, {a});
  std::vector<Sent> s = Drain();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].status(), "firing");
}

TEST_F(DispatcherTest, ResolvedIsNotifiedOnceThenDropped) {
  Load(R"(
global: {resolve_timeout: 1h}
route: {receiver: web, group_by: [alertname], group_wait: 30s,
        group_interval: 1m, repeat_interval: 4h}
receivers:
  - name: web
    webhook_configs:
      - url: http://127.0.0.1:1/a
      - url: http://127.0.0.1:1/b
        send_resolved: false
)");
  alert::Alert a = MakeAlert({{"alertname", "A"}}, kT0);
  At(0, {a});
  At(30 * kS, {a});
  ASSERT_EQ(Drain().size(), 2u);
  alert::Alert r = a;
  r.ends_at_ms = kT0 + 50 * kS;
  // The evaluator hands the resolved alert on at every evaluation.
  At(50 * kS, {r});
  EXPECT_TRUE(Drain().empty());
  At(90 * kS, {r});
  std::vector<Sent> s = Drain();
  ASSERT_EQ(s.size(), 1u) << "only the send_resolved integration";
  EXPECT_EQ(s[0].index, 0);
  EXPECT_EQ(s[0].status(), "resolved");
  EXPECT_EQ(s[0].body["alerts"][0]["endsAt"], "2023-11-14T22:14:10Z");
  EXPECT_TRUE(dispatcher_->Groups().empty());
  for (int64_t t = 100 * kS; t < 15 * kM; t += 10 * kS) At(t, {r});
  EXPECT_TRUE(Drain().empty()) << "resolved notified twice";
  EXPECT_TRUE(dispatcher_->Groups().empty());
  // It fires again: a new notification to both.
  alert::Alert again = MakeAlert({{"alertname", "A"}}, kT0 + 20 * kM);
  At(20 * kM, {again});
  At(20 * kM + 30 * kS, {again});
  EXPECT_EQ(Drain().size(), 2u);
}

TEST_F(DispatcherTest, FiringAndResolvedWithinGroupWaitSendsNothing) {
  Load(kSimple);
  alert::Alert a = MakeAlert({{"alertname", "A"}}, kT0);
  At(0, {a});
  a.ends_at_ms = kT0 + 10 * kS;
  At(10 * kS, {a});
  At(30 * kS, {a});
  EXPECT_TRUE(Drain().empty());
}

TEST_F(DispatcherTest, ResolveTimeoutResolvesAlertsNoLongerReceived) {
  Load(R"(
global: {resolve_timeout: 2m}
route: {receiver: web, group_wait: 10s, group_interval: 1m}
receivers: [{name: web, webhook_configs: [{url: 'http://127.0.0.1:1/'}]}]
)");
  alert::Alert a = MakeAlert({{"alertname", "A"}}, kT0);
  At(0, {a});
  At(10 * kS, {});
  ASSERT_EQ(Drain().size(), 1u);
  At(70 * kS, {});
  EXPECT_TRUE(Drain().empty());
  At(130 * kS, {});
  std::vector<Sent> s = Drain();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].status(), "resolved");
  EXPECT_EQ(s[0].body["alerts"][0]["endsAt"], "2023-11-14T22:15:20Z");
}

constexpr std::string_view kTree = R"(
global: {resolve_timeout: 1h}
route:
  receiver: root
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1m
  routes:
    - receiver: pager
      matchers: ['severity="critical"']
      continue: true
    - receiver: db
      match: {team: db}
    - receiver: never
      match: {team: db}
    - receiver: all
      group_by: ['...']
      matchers: ['team="web"']
receivers:
  - {name: root, webhook_configs: [{url: 'http://127.0.0.1:1/root'}]}
  - {name: pager, webhook_configs: [{url: 'http://127.0.0.1:1/pager'}]}
  - {name: db, webhook_configs: [{url: 'http://127.0.0.1:1/db'}]}
  - {name: never, webhook_configs: [{url: 'http://127.0.0.1:1/never'}]}
  - {name: all, webhook_configs: [{url: 'http://127.0.0.1:1/all'}]}
)";

std::multiset<std::string> Receivers(const std::vector<Sent>& s) {
  std::multiset<std::string> out;
  for (const Sent& x : s) out.insert(x.receiver);
  return out;
}

TEST_F(DispatcherTest, RoutesToFirstMatchAndContinues) {
  Load(kTree);
  At(0,
     {MakeAlert({{"alertname", "X"}, {"severity", "critical"}, {"team", "db"}},
                kT0)});
  EXPECT_EQ(Receivers(Drain()), (std::multiset<std::string>{"db", "pager"}));
  At(kS, {MakeAlert({{"alertname", "Y"}, {"team", "db"}}, kT0)});
  EXPECT_EQ(Receivers(Drain()), (std::multiset<std::string>{"db"}));
  At(2 * kS, {MakeAlert({{"alertname", "Z"}, {"team", "ops"}}, kT0)});
  EXPECT_EQ(Receivers(Drain()), (std::multiset<std::string>{"root"}));
  std::vector<Sent> s;
  At(3 * kS, {MakeAlert({{"alertname", "Z"}, {"severity", "critical"}}, kT0)});
  s = Drain();
  ASSERT_EQ(s.size(), 1u) << "pager only: a matching child stops the root";
  EXPECT_EQ(s[0].receiver, "pager");
  EXPECT_EQ(s[0].body["groupKey"],
            "{}/{severity=\"critical\"}:{alertname=\"Z\"}");
}

TEST_F(DispatcherTest, GroupByAllMakesOneGroupPerAlert) {
  Load(kTree);
  At(0, {MakeAlert({{"alertname", "A"}, {"team", "web"}}, kT0),
         MakeAlert({{"alertname", "B"}, {"team", "web"}}, kT0)});
  std::vector<Sent> s = Drain();
  ASSERT_EQ(s.size(), 2u);
  for (const Sent& x : s) EXPECT_EQ(x.body["alerts"].size(), 1u);
  // Grouped by alertname (root), both land in one group.
  At(kS, {MakeAlert({{"alertname", "A"}, {"i", "1"}}, kT0),
          MakeAlert({{"alertname", "A"}, {"i", "2"}}, kT0)});
  s = Drain();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].body["alerts"].size(), 2u);
  EXPECT_EQ(s[0].body["groupLabels"].size(), 1u);
}

TEST_F(DispatcherTest, InhibitionMutesTargetsWhileTheSourceFires) {
  Load(R"(
global: {resolve_timeout: 1h}
route: {receiver: web, group_by: [alertname], group_wait: 0s,
        group_interval: 1m}
receivers: [{name: web, webhook_configs: [{url: 'http://127.0.0.1:1/'}]}]
inhibit_rules:
  - source_matchers: [severity=critical]
    target_matchers: [severity=warning]
    equal: [instance]
  - source_matchers: [alertname=Self]
    target_matchers: [alertname=Self]
)");
  alert::Alert crit = MakeAlert(
      {{"alertname", "Down"}, {"severity", "critical"}, {"instance", "h1"}},
      kT0);
  alert::Alert warn1 = MakeAlert(
      {{"alertname", "Slow"}, {"severity", "warning"}, {"instance", "h1"}},
      kT0);
  alert::Alert warn2 = MakeAlert(
      {{"alertname", "Slow"}, {"severity", "warning"}, {"instance", "h2"}},
      kT0);
  alert::Alert self = MakeAlert({{"alertname", "Self"}}, kT0);
  At(0, {crit, warn1, warn2, self});
  std::vector<Sent> s = Drain();
  ASSERT_EQ(s.size(), 3u) << "Down, Slow (h2 only) and Self";
  for (const Sent& x : s) {
    if (x.body["groupLabels"]["alertname"] == "Slow") {
      ASSERT_EQ(x.body["alerts"].size(), 1u);
      EXPECT_EQ(x.body["alerts"][0]["labels"]["instance"], "h2");
    }
  }
  // The source resolves: the target is notified at the next flush.
  alert::Alert crit_done = crit;
  crit_done.ends_at_ms = kT0 + 30 * kS;
  At(30 * kS, {crit_done, warn1, warn2, self});
  At(60 * kS, {crit_done, warn1, warn2, self});
  s = Drain();
  ASSERT_EQ(s.size(), 2u) << "Down resolved and Slow with h1";
  for (const Sent& x : s) {
    if (x.body["groupLabels"]["alertname"] == "Slow") {
      EXPECT_EQ(x.body["alerts"].size(), 2u);
    } else {
      EXPECT_EQ(x.status(), "resolved");
    }
  }
}

TEST_F(DispatcherTest, SilencedAlertsAreNotSent) {
  Load(kSimple);
  alert::Alert quiet =
      MakeAlert({{"alertname", "Q"}, {"silenced", "yes"}}, kT0);
  alert::Alert loud = MakeAlert({{"alertname", "L"}}, kT0);
  alert::Alert quiet2 =
      MakeAlert({{"alertname", "L"}, {"silenced", "yes"}}, kT0);
  At(0, {quiet, loud, quiet2});
  At(30 * kS, {quiet, loud, quiet2});
  std::vector<Sent> s = Drain();
  ASSERT_EQ(s.size(), 1u);
  ASSERT_EQ(s[0].body["alerts"].size(), 1u);
  EXPECT_FALSE(s[0].body["alerts"][0]["labels"].contains("silenced"));
}

TEST_F(DispatcherTest, MaxAlertsTruncates) {
  Load(R"(
route: {receiver: web, group_wait: 0s}
receivers: [{name: web, webhook_configs: [{url: 'http://127.0.0.1:1/', max_alerts: 2}]}]
)");
  At(0, {MakeAlert({{"alertname", "A"}}, kT0),
         MakeAlert({{"alertname", "B"}}, kT0),
         MakeAlert({{"alertname", "C"}}, kT0)});
  std::vector<Sent> s = Drain();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].body["alerts"].size(), 2u);
  EXPECT_EQ(s[0].body["truncatedAlerts"], 1);
}

TEST_F(DispatcherTest, NothingIsNotifiedTwiceAcrossARestart) {
  Load(kSimple);
  alert::Alert a = MakeAlert({{"alertname", "A"}}, kT0);
  At(0, {a});
  At(30 * kS, {a});
  ASSERT_EQ(Drain().size(), 1u);
  // Restart: everything is rebuilt from the database; the evaluator
  // restores the firing alert with its old starts_at.
  Open();
  Load(kSimple, /*replay=*/true);
  At(10 * kM, {a});
  At(10 * kM + 30 * kS, {a});
  EXPECT_TRUE(Drain().empty()) << "notified again after restart";
  // A real change is still notified, at once (the group has waited).
  alert::Alert b = MakeAlert({{"alertname", "A"}, {"i", "2"}}, kT0 + 11 * kM);
  At(11 * kM, {a, b});
  At(16 * kM, {a, b});
  EXPECT_EQ(Drain().size(), 1u);
}

TEST_F(DispatcherTest, CrashBetweenOutboxAndNflogSendsOnce) {
  Load(kSimple);
  alert::Alert a = MakeAlert({{"alertname", "A"}}, kT0);
  At(0, {a});
  At(30 * kS, {a});
  // Simulate the crash: the item is in the outbox, the nflog entry lost.
  ASSERT_TRUE(db_->Delete("nflog", db_->List("nflog")->at(0).first).ok());
  Open();
  Load(kSimple, /*replay=*/true);  // The deliverer's start-up replay.
  At(1 * kM, {a});
  At(2 * kM, {a});
  EXPECT_EQ(Drain().size(), 1u) << "exactly the original item";
}

TEST(NeedsUpdateTest, FollowsAlertmanagersDedupStage) {
  std::optional<NflogEntry> none;
  EXPECT_FALSE(NeedsUpdate(none, {}, {1}, true, 1000, 0));
  EXPECT_TRUE(NeedsUpdate(none, {1}, {}, true, 1000, 0));
  NflogEntry e{{1, 2}, {}, 100};
  EXPECT_FALSE(NeedsUpdate(e, {1, 2}, {}, true, 1000, 500));
  EXPECT_TRUE(NeedsUpdate(e, {1, 2}, {}, true, 1000, 1100));
  EXPECT_TRUE(NeedsUpdate(e, {1, 2, 3}, {}, false, 1000, 200));
  EXPECT_FALSE(NeedsUpdate(e, {1}, {2}, false, 1000, 200));
  EXPECT_TRUE(NeedsUpdate(e, {1}, {2}, true, 1000, 200));
  EXPECT_TRUE(NeedsUpdate(e, {}, {1, 2}, false, 1000, 200));
  NflogEntry none_firing{{}, {1}, 100};
  EXPECT_FALSE(NeedsUpdate(none_firing, {}, {1, 2}, true, 1000, 200));
}

}  // namespace
}  // namespace tend::notify
