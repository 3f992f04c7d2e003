// A systemd unit watched over D-Bus by the live agent: its death is noticed
// from systemd's PropertiesChanged signal (not at the next probe interval),
// the unit probe runs at once, and a restart_unit remedy restarts it over
// D-Bus. The test runs its own dbus-daemon and a stand-in for systemd's
// D-Bus API (src/systemd/fake_systemd.h; no systemd on test machines), and
// points the agent at that bus with DBUS_SYSTEM_BUS_ADDRESS.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "alerting_test_util.h"
#include "systemd/fake_systemd.h"

namespace tend::testing {
namespace {

TEST(AlertingUnit, DeadUnitIsNoticedFromTheSignalAndRestarted) {
  TempDir dir;
  Result<std::unique_ptr<TestDbusDaemon>> bus =
      TestDbusDaemon::Start(dir.path());
  ASSERT_TRUE(bus.ok()) << bus.status().ToString();
  Result<std::unique_ptr<FakeSystemd>> systemd =
      FakeSystemd::Start((*bus)->address());
  ASSERT_TRUE(systemd.ok()) << systemd.status().ToString();
  FakeUnitState web;
  web.name = "web.service";
  web.main_pid = 4242;
  (*systemd)->AddUnit(web);
  ASSERT_EQ(setenv("DBUS_SYSTEM_BUS_ADDRESS", (*bus)->address().c_str(), 1), 0);

  // The probe's interval is 10 minutes: only the signal can make it run
  // within the test's deadline.
  AlertingAgent agent(dir.path(), BaseConfig() + R"(logs: {enabled: false}
probes:
  - name: web-unit
    type: unit
    interval: 10m
    unit: {unit: web.service}
remedies:
  - name: restart-web
    kind: restart_unit
    unit: web.service
    timeout: 5s
    on:
      - {probe: web-unit, failures: 1, settle: 0s}
)");
  ASSERT_TRUE(agent.Start()) << agent.LastLog();
  // The watcher subscribes when the agent starts.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));

  const auto killed = Steady::now();
  (*systemd)->Kill("web.service");
  Result<FakeUnitState> state = NotFoundError("not polled");
  bool restarted = false;
  while (Steady::now() - killed < std::chrono::seconds(10)) {
    state = (*systemd)->Get("web.service");
    ASSERT_TRUE(state.ok());
    if (state->jobs >= 1 && state->active_state == "active") {
      restarted = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const double took_ms =
      std::chrono::duration<double, std::milli>(Steady::now() - killed).count();
  ASSERT_TRUE(restarted) << "unit state " << state->active_state << ", jobs "
                         << state->jobs << "\n"
                         << agent.LastLog();
  // Far inside the 10-minute interval: the signal drove it.
  EXPECT_LT(took_ms, 5000) << took_ms;
  EXPECT_EQ(state->jobs, 1);

  nlohmann::json events;
  for (int i = 0; i < 100; ++i) {
    events = Events(agent.addr(), "remedy");
    if (!events.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::vector<nlohmann::json> ok = EventsWhere(events, "restart-web", "ok");
  ASSERT_EQ(ok.size(), 1u) << EventSummary(events);
  EXPECT_NE(ok[0].value("message", "").find("web.service"), std::string::npos)
      << ok[0].dump();
  nlohmann::json probe_events = Events(agent.addr(), "probe");
  EXPECT_FALSE(EventsWhere(probe_events, "web-unit", "down").empty())
      << EventSummary(probe_events);

  // The unit probe reports the unit active again.
  Result<nlohmann::json> probes = ApiData(agent.addr(), "/api/v1/probes", {});
  ASSERT_TRUE(probes.ok());
  bool up = false;
  for (int i = 0; i < 100 && !up; ++i) {
    probes = ApiData(agent.addr(), "/api/v1/probes", {});
    up = probes.ok() && (*probes)[0].value("health", "") == "up";
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(up) << (probes.ok() ? probes->dump() : "");
  EXPECT_EQ(agent.Stop(SIGTERM), 0);
  unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
}

}  // namespace
}  // namespace tend::testing
