// unit probes (and process probes by unit) against a fake UnitClient.
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <memory>

#include "probe/probe_test_util.h"

namespace tend {
namespace {

using testing::SampleValue;

// Shared state of the fake bus, so a test can change it between runs.
struct FakeBus {
  std::map<std::string, UnitStatus> units;
  bool down = false;
  int connects = 0;
};

class FakeUnitClient : public UnitClient {
 public:
  explicit FakeUnitClient(FakeBus* bus) : bus_(bus) {}
  Result<UnitStatus> Status(const std::string& unit) override {
    if (bus_->down) return UnavailableError("bus connection lost");
    auto it = bus_->units.find(unit);
    if (it == bus_->units.end()) {
      return NotFoundError("unit " + unit + " not loaded");
    }
    return it->second;
  }
  tend::Status Restart(const std::string&) override {
    return UnimplementedError("fake");
  }
  tend::Status Start(const std::string&) override {
    return UnimplementedError("fake");
  }
  tend::Status Stop(const std::string&) override {
    return UnimplementedError("fake");
  }
  Result<std::vector<UnitStatus>> List(const std::string&) override {
    return UnimplementedError("fake");
  }

 private:
  FakeBus* bus_;
};

ProbeDeps DepsFor(FakeBus* bus) {
  ProbeDeps deps;
  deps.unit_client_factory = [bus]() -> Result<std::unique_ptr<UnitClient>> {
    bus->connects++;
    if (bus->down) return UnavailableError("no system bus");
    return std::unique_ptr<UnitClient>(std::make_unique<FakeUnitClient>(bus));
  };
  return deps;
}

ProbeSpec Unit(const std::string& unit) {
  ProbeSpec s;
  s.name = "svc";
  s.kind = ProbeKind::kUnit;
  s.unit.unit = unit;
  return s;
}

UnitStatus Status(std::string active, std::string sub, uint32_t restarts) {
  UnitStatus u;
  u.name = "nginx.service";
  u.load_state = "loaded";
  u.active_state = std::move(active);
  u.sub_state = std::move(sub);
  u.n_restarts = restarts;
  return u;
}

TEST(UnitProbeTest, ActiveUnit) {
  FakeBus bus;
  bus.units["nginx.service"] = Status("active", "running", 2);
  ProbeResult r = testing::RunSpec(Unit("nginx.service"), DepsFor(&bus));
  EXPECT_TRUE(r.success) << r.error;
  EXPECT_EQ(SampleValue(r, "probe_unit_active"), 1);
  EXPECT_EQ(SampleValue(r, "probe_unit_restarts_total"), 2);
  EXPECT_EQ(SampleValue(r, "probe_unit_state", "state", "active"), 1);
  EXPECT_EQ(SampleValue(r, "probe_unit_state", "state", "failed"), 0);
  int states = 0;
  for (const ProbeSample& s : r.samples) states += s.name == "probe_unit_state";
  EXPECT_EQ(states, 6);
}

TEST(UnitProbeTest, FailedUnitAndExpectedState) {
  FakeBus bus;
  bus.units["nginx.service"] = Status("failed", "failed", 5);
  ProbeSpec s = Unit("nginx.service");
  ProbeResult r = testing::RunSpec(s, DepsFor(&bus));
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.error,
            "systemd unit nginx.service is failed (failed), expected active");
  EXPECT_EQ(SampleValue(r, "probe_unit_active"), 0);
  EXPECT_EQ(SampleValue(r, "probe_unit_state", "state", "failed"), 1);
  s.unit.expected_state = "failed";
  EXPECT_TRUE(testing::RunSpec(s, DepsFor(&bus)).success);
}

TEST(UnitProbeTest, UnknownUnitAndNoBus) {
  FakeBus bus;
  ProbeResult r = testing::RunSpec(Unit("gone.service"), DepsFor(&bus));
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.error, "unit gone.service not loaded");

  r = testing::RunSpec(Unit("x.service"), ProbeDeps());
  EXPECT_FALSE(r.success);
  EXPECT_NE(r.error.find("no D-Bus connection is configured"),
            std::string::npos);
}

TEST(UnitProbeTest, ReconnectsAfterTheBusWentAway) {
  FakeBus bus;
  bus.units["a.service"] = Status("active", "running", 0);
  ProbeDeps deps = DepsFor(&bus);
  Result<std::unique_ptr<Probe>> p = MakeProbe(Unit("a.service"), deps);
  ASSERT_TRUE(p.ok());
  auto run = [&] {
    return (*p)->Run(deps.clock->MonotonicNanos() + kNanosPerSecond);
  };
  EXPECT_TRUE(run().success);
  EXPECT_TRUE(run().success);
  EXPECT_EQ(bus.connects, 1);  // The connection is kept.
  bus.down = true;
  ProbeResult r = run();
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.error, "bus connection lost");
  r = run();
  EXPECT_EQ(r.error, "no system bus");
  bus.down = false;
  EXPECT_TRUE(run().success);
  EXPECT_EQ(bus.connects, 3);
}

TEST(UnitProbeTest, ProcessByUnitMainPid) {
  FakeBus bus;
  UnitStatus u = Status("active", "running", 0);
  u.main_pid = static_cast<uint32_t>(getpid());
  bus.units["self.service"] = u;
  ProbeSpec s;
  s.name = "proc";
  s.kind = ProbeKind::kProcess;
  s.process.unit = "self.service";
  ProbeResult r = testing::RunSpec(s, DepsFor(&bus));
  EXPECT_TRUE(r.success) << r.error;
  EXPECT_EQ(SampleValue(r, "probe_process_count"), 1);
  EXPECT_GT(*SampleValue(r, "probe_process_resident_memory_bytes"), 0);

  bus.units["self.service"].main_pid = 0;
  bus.units["self.service"].active_state = "inactive";
  r = testing::RunSpec(s, DepsFor(&bus));
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.error,
            "systemd unit self.service has no main process (inactive)");
  EXPECT_EQ(SampleValue(r, "probe_process_count"), 0);
}

}  // namespace
}  // namespace tend
