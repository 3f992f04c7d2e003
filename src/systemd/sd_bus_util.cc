#include "systemd/sd_bus_util.h"

#include <cerrno>
#include <cstring>

namespace tend::sdbus {

Result<BusPtr> OpenBus(const std::string& address) {
  sd_bus* raw = nullptr;
  if (address.empty()) {
    int r = sd_bus_open_system(&raw);
    if (r < 0) {
      return UnavailableError(
          std::string("cannot connect to the system D-Bus (is systemd "
                      "running?): ") +
          strerror(-r));
    }
    return BusPtr(raw);
  }
  int r = sd_bus_new(&raw);
  if (r < 0)
    return UnavailableError(std::string("sd_bus_new: ") + strerror(-r));
  BusPtr bus(raw);
  r = sd_bus_set_address(bus.get(), address.c_str());
  if (r >= 0) r = sd_bus_set_bus_client(bus.get(), 1);
  if (r >= 0) r = sd_bus_start(bus.get());
  if (r < 0) {
    return UnavailableError("cannot connect to D-Bus at " + address + ": " +
                            strerror(-r));
  }
  return bus;
}

Status CallError(std::string_view what, int r, const BusError& err) {
  std::string w(what);
  std::string name = err.name();
  if (!name.empty()) {
    std::string text = w + ": " + name + ": " + err.message();
    if (name == "org.freedesktop.systemd1.NoSuchUnit" ||
        name == "org.freedesktop.DBus.Error.UnknownObject") {
      return NotFoundError(text);
    }
    if (name == "org.freedesktop.DBus.Error.NoReply" ||
        name == "org.freedesktop.DBus.Error.Timeout" ||
        name == "org.freedesktop.DBus.Error.TimedOut") {
      return DeadlineExceededError(text);
    }
    if (name == "org.freedesktop.DBus.Error.ServiceUnknown" ||
        name == "org.freedesktop.DBus.Error.NameHasNoOwner" ||
        name == "org.freedesktop.DBus.Error.Disconnected") {
      return UnavailableError(text);
    }
    return FailedPreconditionError(text);
  }
  int e = -r;
  if (e == ETIMEDOUT) return DeadlineExceededError(w + ": timed out");
  if (e == ECONNRESET || e == ENOTCONN || e == EPIPE || e == ECONNREFUSED) {
    return UnavailableError(w + ": D-Bus connection lost: " + strerror(e));
  }
  return ErrnoError(w, e);
}

}  // namespace tend::sdbus
