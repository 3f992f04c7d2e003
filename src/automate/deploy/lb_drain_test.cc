#include "automate/deploy/lb_drain.h"

#include <gtest/gtest.h>

#include <vector>

#include "automate/transport/local_connection.h"

namespace tend::automate::deploy {
namespace {

constexpr const char* kUpstream =
    "upstream app {\n"
    "    server 127.0.0.1:8081 max_fails=0;\n"
    "    server 127.0.0.1:80810;\n"
    "    # server 127.0.0.1:8082;\n"
    "    server 127.0.0.1:8082;\n"
    "}\n";

TEST(NginxSetDownTest, MarksOnlyTheNamedServerAndRestoresIt) {
  bool changed = false;
  auto down = NginxSetDown(kUpstream, "127.0.0.1:8081", true, &changed);
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_TRUE(changed);
  EXPECT_EQ(*down,
            "upstream app {\n"
            "    server 127.0.0.1:8081 max_fails=0 down;\n"
            "    server 127.0.0.1:80810;\n"
            "    # server 127.0.0.1:8082;\n"
            "    server 127.0.0.1:8082;\n"
            "}\n");
  auto again = NginxSetDown(*down, "127.0.0.1:8081", true, &changed);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(changed);
  auto up = NginxSetDown(*down, "127.0.0.1:8081", false, &changed);
  ASSERT_TRUE(up.ok());
  EXPECT_TRUE(changed);
  EXPECT_EQ(*up, kUpstream);
  auto second = NginxSetDown(kUpstream, "127.0.0.1:8082", true, &changed);
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->find("    # server 127.0.0.1:8082;\n"), std::string::npos);
  EXPECT_NE(second->find("    server 127.0.0.1:8082 down;\n"),
            std::string::npos);
}

TEST(NginxSetDownTest, MissingServerIsNotFound) {
  bool changed = true;
  auto r = NginxSetDown(kUpstream, "127.0.0.1:9999", true, &changed);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("server 127.0.0.1:9999"),
            std::string::npos);
}

constexpr const char* kShowStat =
    "# pxname,svname,qcur,qmax,scur,smax,slim,stot\n"
    "front,FRONTEND,,,7,9,100,50\n"
    "app,web1,0,0,3,5,,40\n"
    "app,web2,2,3,0,4,,40\n"
    "app,BACKEND,0,0,3,9,,80\n"
    "\n";

TEST(HaproxyStatTest, SessionsPlusQueueOfOneServer) {
  auto n = HaproxyActiveSessions(kShowStat, "app", "web1");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 3);
  n = HaproxyActiveSessions(kShowStat, "app", "web2");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
  n = HaproxyActiveSessions(kShowStat, "app", "web3");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), StatusCode::kNotFound);
  n = HaproxyActiveSessions(
      "# pxname,svname,qcur,scur\napp,web1,9223372036854775807,1\n", "app",
      "web1");
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.status().message().find("bad number"), std::string::npos);
  n = HaproxyActiveSessions("Unknown command.\n", "app", "web1");
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.status().message().find("no CSV header"), std::string::npos);
}

TEST(DrainSpecTest, ParsesBothKindsAndNamesMistakes) {
  auto d = ParseDrainSpec(Value::parse(
      R"({"haproxy":{"socket":"/run/h.sock","backend":"app","server":"w1","timeout":5}})"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->kind, DrainSpec::Kind::kHaproxy);
  EXPECT_EQ(d->mode, "drain");
  EXPECT_EQ(d->timeout_s, 5);
  EXPECT_EQ(d->Describe(), "haproxy app/w1");
  d = ParseDrainSpec(Value::parse(
      R"({"nginx":{"upstream_file":"/u.conf","server":"127.0.0.1:1","settle":0}})"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->reload, "nginx -s reload");
  EXPECT_EQ(d->settle_s, 0);
  auto bad = ParseDrainSpec(Value::parse(R"({"haproxy":{"socket":"/s"}})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("missing 'server'"), std::string::npos);
  bad = ParseDrainSpec(Value::parse(R"({"traefik":{}})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("haproxy or nginx"), std::string::npos);
  bad = ParseDrainSpec(Value::parse(
      R"({"haproxy":{"socket":"/s","backend":"b","server":"s","mode":"off"}})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("drain or maint"), std::string::npos);
  bad = ParseDrainSpec(Value::parse(
      R"({"nginx":{"upstream_file":"/u","server":"a:1","sock":"x"}})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("unknown key 'sock'"),
            std::string::npos);
}

// haproxy's side of the conversation, scripted: sessions fall to 0 after
// a few polls.
struct FakeHaproxy {
  std::vector<std::string> commands;
  int polls_until_idle = 3;
  std::string state_answer = "\n";
  HaproxyChannel Channel() {
    return [this](const std::string& cmd) -> Result<std::string> {
      commands.push_back(cmd);
      if (cmd.starts_with("set server")) return state_answer;
      int scur = polls_until_idle-- > 0 ? 1 : 0;
      return "# pxname,svname,qcur,qmax,scur\napp,w1,0,0," +
             std::to_string(scur) + "\n";
    };
  }
};

DrainSpec HaproxySpec(double timeout) {
  DrainSpec d;
  d.kind = DrainSpec::Kind::kHaproxy;
  d.socket = "/nonexistent";
  d.backend = "app";
  d.server = "w1";
  d.timeout_s = timeout;
  return d;
}

TEST(DrainerTest, HaproxyWaitsForIdleThenRestores) {
  auto conn = NewLocalConnection("localhost");
  FakeHaproxy fake;
  Drainer d(HaproxySpec(10), conn.get(), Privilege{});
  d.set_channel(fake.Channel());
  ASSERT_TRUE(d.Drain().ok());
  EXPECT_TRUE(d.drained());
  ASSERT_EQ(fake.commands.size(), 5u);
  EXPECT_EQ(fake.commands[0], "set server app/w1 state drain");
  EXPECT_EQ(fake.commands[4], "show stat");
  ASSERT_TRUE(d.Restore().ok());
  EXPECT_EQ(fake.commands.back(), "set server app/w1 state ready");
  EXPECT_FALSE(d.drained());
}

TEST(DrainerTest, HaproxyTimeoutPutsTheServerBack) {
  auto conn = NewLocalConnection("localhost");
  FakeHaproxy fake;
  fake.polls_until_idle = 1 << 30;
  Drainer d(HaproxySpec(0.2), conn.get(), Privilege{});
  d.set_channel(fake.Channel());
  Status st = d.Drain();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("1 sessions still open"), std::string::npos)
      << st.message();
  EXPECT_EQ(fake.commands.back(), "set server app/w1 state ready");
  EXPECT_FALSE(d.drained());
}

TEST(DrainerTest, HaproxyRefusalIsAnError) {
  auto conn = NewLocalConnection("localhost");
  FakeHaproxy fake;
  fake.state_answer = "No such server.\n";
  Drainer d(HaproxySpec(1), conn.get(), Privilege{});
  d.set_channel(fake.Channel());
  Status st = d.Drain();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("No such server."), std::string::npos);
}

TEST(DrainerTest, RealSocketErrorNamesThePath) {
  auto conn = NewLocalConnection("localhost");
  Drainer d(HaproxySpec(1), conn.get(), Privilege{});
  Status st = d.Drain();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("/nonexistent"), std::string::npos);
}

TEST(DrainerTest, NginxEditsTheFileReloadsAndRestores) {
  char tmpl[] = "/tmp/tend-drain-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  auto conn = NewLocalConnection("localhost");
  ASSERT_TRUE(conn->WriteFile(dir + "/up.conf", kUpstream, {}, {}).ok());
  DrainSpec spec;
  spec.kind = DrainSpec::Kind::kNginx;
  spec.upstream_file = dir + "/up.conf";
  spec.server = "127.0.0.1:8082";
  spec.reload = "echo reload >> " + dir + "/reloads";
  spec.settle_s = 0;
  Drainer d(spec, conn.get(), Privilege{});
  ASSERT_TRUE(d.Drain().ok());
  auto text = conn->ReadFile(dir + "/up.conf", 1 << 20, {});
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("    server 127.0.0.1:8082 down;"), std::string::npos);
  ASSERT_TRUE(d.Restore().ok());
  text = conn->ReadFile(dir + "/up.conf", 1 << 20, {});
  EXPECT_EQ(*text, kUpstream);
  auto reloads = conn->ReadFile(dir + "/reloads", 1 << 20, {});
  ASSERT_TRUE(reloads.ok());
  EXPECT_EQ(*reloads, "reload\nreload\n");

  // A failing reload leaves the file as nginx runs it.
  spec.reload = "exit 1";
  Drainer bad(spec, conn.get(), Privilege{});
  Status st = bad.Drain();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("reload"), std::string::npos);
  text = conn->ReadFile(dir + "/up.conf", 1 << 20, {});
  EXPECT_EQ(*text, kUpstream);
  ASSERT_TRUE(conn->Remove(dir, true, {}).ok());
}

}  // namespace
}  // namespace tend::automate::deploy
