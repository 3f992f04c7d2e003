// FakeSystemd: a stand-in for systemd's D-Bus API, for tests that run their
// own dbus-daemon (test machines have no systemd). It owns the name
// org.freedesktop.systemd1 on the given bus and speaks the real protocol,
// covering exactly the subset tend uses:
//
//   Manager (/org/freedesktop/systemd1, org.freedesktop.systemd1.Manager):
//     GetUnit(s) -> o         NoSuchUnit for units not loaded
//     LoadUnit(s) -> o        an unknown name gives a "not-found" unit
//     StartUnit/StopUnit/RestartUnit(ss) -> o
//                             emits JobNew, replies, changes the unit's
//                             state, emits PropertiesChanged and JobRemoved
//                             (result "done", or "failed" for a unit set to
//                             fail); starting "app@3.service" instantiates
//                             the template "app@.service" when it exists
//     ListUnitsByPatterns(as, as) -> a(ssssssouso), ListUnits()
//     Subscribe()
//   Unit objects (/org/freedesktop/systemd1/unit/<escaped name>):
//     org.freedesktop.systemd1.Unit: Id, LoadState, ActiveState, SubState,
//       ActiveEnterTimestamp (ActiveState/SubState emit PropertiesChanged)
//     org.freedesktop.systemd1.Service: NRestarts, MainPID
//
// Anything else (other methods, job modes other than "replace" semantics,
// dependencies) is not modelled.
//
// Threads: the fake runs its own thread; every public member may be called
// from any thread.
#ifndef TEND_SYSTEMD_FAKE_SYSTEMD_H_
#define TEND_SYSTEMD_FAKE_SYSTEMD_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace tend {

struct FakeUnitState {
  std::string name;
  std::string load_state = "loaded";
  std::string active_state = "active";
  std::string sub_state = "running";
  uint32_t n_restarts = 0;
  uint32_t main_pid = 0;
  uint64_t active_enter_usec = 0;
  bool fail_jobs = false;  // Jobs on it end with result "failed".
  bool hang_jobs = false;  // Jobs on it never finish (no JobRemoved).
  int jobs = 0;            // Jobs run on it (restart, start, stop).
};

class FakeSystemd {
 public:
  // Connects to the bus at `bus_address`, takes the name and starts the
  // thread.
  static Result<std::unique_ptr<FakeSystemd>> Start(
      const std::string& bus_address);
  virtual ~FakeSystemd() = default;

  // Adds (or replaces) a unit. A name like "app@.service" is a template.
  virtual void AddUnit(const FakeUnitState& unit) = 0;
  // The unit's main process "dies": ActiveState "failed", SubState
  // "failed", MainPID 0, with PropertiesChanged.
  virtual void Kill(const std::string& unit) = 0;
  // The unit's state now (kNotFound when absent).
  virtual Result<FakeUnitState> Get(const std::string& unit) = 0;
  virtual void SetFailJobs(const std::string& unit, bool fail) = 0;
  virtual void SetHangJobs(const std::string& unit, bool hang) = 0;
};

// Starts `dbus-daemon --session --nofork` listening on
// unix:path=<dir>/bus and stops it (SIGTERM, by pid) when destroyed.
class TestDbusDaemon {
 public:
  static Result<std::unique_ptr<TestDbusDaemon>> Start(const std::string& dir);
  ~TestDbusDaemon();
  const std::string& address() const { return address_; }

 private:
  TestDbusDaemon() = default;
  int pid_ = -1;
  std::string address_;
};

}  // namespace tend

#endif  // TEND_SYSTEMD_FAKE_SYSTEMD_H_
