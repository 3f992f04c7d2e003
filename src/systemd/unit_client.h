// UnitClient: systemd units over D-Bus (org.freedesktop.systemd1), for the
// unit probe and the restart/scale remedies.
//
// The system bus by default; a bus address can be given so tests run
// against their own dbus-daemon.
//
// Errors: no bus (systemd not running, e.g. in a container) is
// kUnavailable saying so; an unknown unit is kNotFound; a method call
// refused by systemd (permission, a failed job) is kFailedPrecondition with
// systemd's error name and message.
//
// Tests: fake_systemd.h implements the subset of systemd's D-Bus API used
// here (GetUnit, LoadUnit, Start/Stop/RestartUnit with JobNew/JobRemoved,
// ListUnitsByPatterns, Subscribe, the Unit and Service properties above and
// PropertiesChanged) on a private dbus-daemon.
//
// Threads: one UnitClient per thread (an sd-bus connection is not
// thread-safe); calls block for at most the timeout.
#ifndef TEND_SYSTEMD_UNIT_CLIENT_H_
#define TEND_SYSTEMD_UNIT_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace tend {

struct UnitStatus {
  std::string name;
  std::string load_state;    // "loaded", "not-found", ...
  std::string active_state;  // "active", "failed", "inactive", ...
  std::string sub_state;     // "running", "dead", ...
  uint32_t n_restarts = 0;   // NRestarts (services).
  uint32_t main_pid = 0;     // MainPID (services; 0 when none).
  // When the unit last entered "active", Unix microseconds (0: never).
  uint64_t active_enter_usec = 0;
};

class UnitClient {
 public:
  virtual ~UnitClient() = default;

  // Connects to the system bus, or to `bus_address` when non-empty
  // ("unix:path=/tmp/x/bus").
  static Result<std::unique_ptr<UnitClient>> Connect(
      const std::string& bus_address = "", int64_t timeout_ms = 5000);

  // Named Status (as systemctl status); inside the class the type is
  // therefore spelled ::tend::Status.
  virtual Result<UnitStatus> Status(const std::string& unit) = 0;
  // Queue a job (mode "replace") and wait until it finished or the timeout
  // passed; the job's result ("done", "failed", ...) decides success.
  virtual ::tend::Status Restart(const std::string& unit) = 0;
  virtual ::tend::Status Start(const std::string& unit) = 0;
  virtual ::tend::Status Stop(const std::string& unit) = 0;
  // Units whose name matches a glob ("app@*.service"), with their status.
  virtual Result<std::vector<UnitStatus>> List(const std::string& glob) = 0;
};

}  // namespace tend

#endif  // TEND_SYSTEMD_UNIT_CLIENT_H_
