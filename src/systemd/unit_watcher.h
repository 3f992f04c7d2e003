// UnitWatcher: told at once when a systemd unit's ActiveState changes.
//
// It subscribes to org.freedesktop.DBus.Properties.PropertiesChanged on
// each watched unit's object path (the signal systemd sends the moment a
// unit's state changes), so a unit that dies is noticed within
// milliseconds rather than at the next probe interval.
//
// The watcher owns its own bus connection and one thread that dispatches
// it; the callback runs on that thread, must not block for long (hand the
// change to a queue) and must not call back into the watcher.
//
// Threads: Watch and Unwatch may be called from any thread; they block
// until the watcher's thread has installed (or removed) the subscription,
// so no change after Watch returns is missed.
#ifndef TEND_SYSTEMD_UNIT_WATCHER_H_
#define TEND_SYSTEMD_UNIT_WATCHER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/status.h"

namespace tend {

struct UnitStateChange {
  std::string unit;          // As given to Watch ("nginx.service").
  std::string active_state;  // The new ActiveState ("failed", "active" ...).
  // The new SubState when the signal carried it, else empty.
  std::string sub_state;
};

class UnitWatcher {
 public:
  using Callback = std::function<void(const UnitStateChange&)>;

  // Connects to the system bus (or `bus_address`, as UnitClient::Connect)
  // and starts the thread. kUnavailable when there is no bus.
  static Result<std::unique_ptr<UnitWatcher>> Start(
      const std::string& bus_address, Callback callback,
      int64_t timeout_ms = 5000);

  // Stops the thread; no callback runs after it returns.
  virtual ~UnitWatcher() = default;

  // Subscribes to `unit`'s state changes (loading the unit to learn its
  // object path) and returns its ActiveState now. Watching a unit twice is
  // OK (one subscription). kNotFound for a unit systemd does not know.
  virtual Result<std::string> Watch(const std::string& unit) = 0;
  // Ends the subscription; unknown units are ignored.
  virtual void Unwatch(const std::string& unit) = 0;
};

}  // namespace tend

#endif  // TEND_SYSTEMD_UNIT_WATCHER_H_
