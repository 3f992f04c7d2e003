// Small helpers shared by the sd-bus clients in this folder: opening a bus
// connection and turning sd-bus errors into Status.
#ifndef TEND_SYSTEMD_SD_BUS_UTIL_H_
#define TEND_SYSTEMD_SD_BUS_UTIL_H_

#include <systemd/sd-bus.h>

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace tend::sdbus {

inline constexpr const char* kService = "org.freedesktop.systemd1";
inline constexpr const char* kManagerPath = "/org/freedesktop/systemd1";
inline constexpr const char* kManagerIface = "org.freedesktop.systemd1.Manager";
inline constexpr const char* kUnitIface = "org.freedesktop.systemd1.Unit";
inline constexpr const char* kServiceIface = "org.freedesktop.systemd1.Service";
inline constexpr const char* kPropsIface = "org.freedesktop.DBus.Properties";

struct BusUnref {
  void operator()(sd_bus* b) const { sd_bus_flush_close_unref(b); }
};
using BusPtr = std::unique_ptr<sd_bus, BusUnref>;

// RAII for sd_bus_error and sd_bus_message.
class BusError {
 public:
  BusError() = default;
  ~BusError() { sd_bus_error_free(&e_); }
  BusError(const BusError&) = delete;
  BusError& operator=(const BusError&) = delete;
  sd_bus_error* get() { return &e_; }
  bool Has(const char* name) const { return sd_bus_error_has_name(&e_, name); }
  std::string name() const { return e_.name ? e_.name : ""; }
  std::string message() const { return e_.message ? e_.message : ""; }

 private:
  sd_bus_error e_ = SD_BUS_ERROR_NULL;
};

struct MessageUnref {
  void operator()(sd_bus_message* m) const { sd_bus_message_unref(m); }
};
using MessagePtr = std::unique_ptr<sd_bus_message, MessageUnref>;

// Opens the system bus, or the bus at `address` when non-empty. A bus that
// cannot be reached is kUnavailable naming the address.
Result<BusPtr> OpenBus(const std::string& address);

// An error from a method call: a D-Bus error name when systemd sent one
// (NoSuchUnit is kNotFound, others kFailedPrecondition with the name and
// message), else the errno (a timeout is kDeadlineExceeded, a vanished bus
// kUnavailable).
Status CallError(std::string_view what, int r, const BusError& err);

}  // namespace tend::sdbus

#endif  // TEND_SYSTEMD_SD_BUS_UTIL_H_
