#include "systemd/unit_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <thread>

#include "base/log.h"
#include "base/thread_annotations.h"
#include "systemd/sd_bus_util.h"

namespace tend {
namespace {

using sdbus::BusError;
using sdbus::BusPtr;
using sdbus::CallError;
using sdbus::MessagePtr;

class SdBusUnitWatcher : public UnitWatcher {
 public:
  SdBusUnitWatcher(BusPtr bus, Callback cb)
      : bus_(std::move(bus)), callback_(std::move(cb)) {}

  ~SdBusUnitWatcher() override {
    {
      MutexLock l(&mu_);
      stop_ = true;
    }
    Wake();
    if (thread_.joinable()) thread_.join();
    for (auto& [path, w] : by_path_) sd_bus_slot_unref(w.slot);
    if (wake_fd_ >= 0) close(wake_fd_);
  }

  Status Init(int64_t timeout_ms) {
    wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) return ErrnoError("eventfd", errno);
    sd_bus_set_method_call_timeout(bus_.get(), uint64_t(timeout_ms) * 1000);
    thread_ = std::thread([this] { Run(); });
    return Status::Ok();
  }

  Result<std::string> Watch(const std::string& unit) override {
    Request req;
    req.watch = true;
    req.unit = unit;
    Submit(&req);
    if (!req.status.ok()) return req.status;
    return req.active_state;
  }

  void Unwatch(const std::string& unit) override {
    Request req;
    req.watch = false;
    req.unit = unit;
    Submit(&req);
  }

 private:
  struct Request {
    bool watch = false;
    std::string unit;
    bool done = false;
    Status status;
    std::string active_state;
  };
  struct Watched {
    std::string unit;
    sd_bus_slot* slot = nullptr;
  };

  void Wake() {
    uint64_t one = 1;
    ssize_t n = write(wake_fd_, &one, sizeof one);
    (void)n;
  }

  void Submit(Request* req) {
    MutexLock l(&mu_);
    if (stop_) {
      req->status = UnavailableError("unit watcher stopped");
      return;
    }
    queue_.push_back(req);
    Wake();
    while (!req->done) cv_.Wait(&mu_);
  }

  void Run() {
    for (;;) {
      std::deque<Request*> todo;
      {
        MutexLock l(&mu_);
        if (stop_) {
          for (Request* r : queue_) {
            r->status = UnavailableError("unit watcher stopped");
            r->done = true;
          }
          queue_.clear();
          cv_.SignalAll();
          return;
        }
        todo.swap(queue_);
      }
      for (Request* r : todo) {
        Status s;
        std::string state;
        if (r->watch) {
          Result<std::string> res = Add(r->unit);
          if (res.ok()) {
            state = *res;
          } else {
            s = res.status();
          }
        } else {
          Remove(r->unit);
        }
        MutexLock l(&mu_);
        r->status = s;
        r->active_state = state;
        r->done = true;
        cv_.SignalAll();
      }
      int r;
      while ((r = sd_bus_process(bus_.get(), nullptr)) > 0) {
      }
      if (r < 0) {
        LogError(
            "unit watcher: D-Bus connection lost; unit state changes "
            "are no longer noticed",
            {{"err", strerror(-r)}});
        // Keep serving requests (they fail) until stopped.
      }
      pollfd fds[2];
      fds[0].fd = sd_bus_get_fd(bus_.get());
      int ev = sd_bus_get_events(bus_.get());
      fds[0].events = short(ev < 0 ? 0 : ev);
      fds[1].fd = wake_fd_;
      fds[1].events = POLLIN;
      uint64_t usec = 0;
      int timeout_ms = -1;
      if (r >= 0 && sd_bus_get_timeout(bus_.get(), &usec) >= 0 &&
          usec != UINT64_MAX) {
        timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t now = uint64_t(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
        timeout_ms = usec <= now ? 0 : int((usec - now + 999) / 1000);
      }
      if (r < 0) {
        fds[0].fd = -1;
        timeout_ms = -1;
      }
      int n = poll(fds, 2, timeout_ms);
      if (n < 0 && errno != EINTR) {
        LogError("unit watcher: poll failed", {{"err", strerror(errno)}});
      }
      if (fds[1].revents & POLLIN) {
        uint64_t v;
        ssize_t got = read(wake_fd_, &v, sizeof v);
        (void)got;
      }
    }
  }

  Result<std::string> Add(const std::string& unit) {
    BusError err;
    sd_bus_message* raw = nullptr;
    int r = sd_bus_call_method(bus_.get(), sdbus::kService, sdbus::kManagerPath,
                               sdbus::kManagerIface, "LoadUnit", err.get(),
                               &raw, "s", unit.c_str());
    MessagePtr reply(raw);
    if (r < 0) return CallError("LoadUnit " + unit, r, err);
    const char* p = nullptr;
    if (sd_bus_message_read(reply.get(), "o", &p) < 0) {
      return InternalError("LoadUnit: malformed reply");
    }
    std::string path(p);
    // Subscribe before reading the state so no change falls in between.
    if (!by_path_.count(path)) {
      sd_bus_slot* slot = nullptr;
      r = sd_bus_match_signal(bus_.get(), &slot, sdbus::kService, path.c_str(),
                              sdbus::kPropsIface, "PropertiesChanged",
                              &SdBusUnitWatcher::OnChanged, this);
      if (r < 0) {
        BusError none;
        return CallError("subscribing to " + unit, r, none);
      }
      by_path_[path] = Watched{unit, slot};
    }
    BusError err2;
    char* v = nullptr;
    r = sd_bus_get_property_string(bus_.get(), sdbus::kService, path.c_str(),
                                   sdbus::kUnitIface, "LoadState", err2.get(),
                                   &v);
    if (r < 0) return CallError("reading LoadState of " + unit, r, err2);
    std::string load(v);
    free(v);
    if (load == "not-found") {
      Remove(unit);
      return NotFoundError("systemd unit " + unit + " not found");
    }
    return ReadActive(path, unit);
  }

  Result<std::string> ReadActive(const std::string& path,
                                 const std::string& unit) {
    BusError err;
    char* v = nullptr;
    int r = sd_bus_get_property_string(bus_.get(), sdbus::kService,
                                       path.c_str(), sdbus::kUnitIface,
                                       "ActiveState", err.get(), &v);
    if (r < 0) return CallError("reading ActiveState of " + unit, r, err);
    std::string out(v);
    free(v);
    return out;
  }

  void Remove(const std::string& unit) {
    for (auto it = by_path_.begin(); it != by_path_.end(); ++it) {
      if (it->second.unit == unit) {
        sd_bus_slot_unref(it->second.slot);
        by_path_.erase(it);
        return;
      }
    }
  }

  static int OnChanged(sd_bus_message* m, void* userdata, sd_bus_error*) {
    static_cast<SdBusUnitWatcher*>(userdata)->HandleChanged(m);
    return 0;
  }

  void HandleChanged(sd_bus_message* m) {
    const char* path = sd_bus_message_get_path(m);
    if (path == nullptr) return;
    auto it = by_path_.find(path);
    if (it == by_path_.end()) return;
    const char* iface = nullptr;
    if (sd_bus_message_read(m, "s", &iface) < 0) return;
    if (std::strcmp(iface, sdbus::kUnitIface) != 0) return;
    UnitStateChange change;
    change.unit = it->second.unit;
    if (sd_bus_message_enter_container(m, 'a', "{sv}") < 0) return;
    for (;;) {
      int r = sd_bus_message_enter_container(m, 'e', "sv");
      if (r <= 0) break;
      const char* key = nullptr;
      if (sd_bus_message_read(m, "s", &key) < 0) return;
      std::string* dst = nullptr;
      if (std::strcmp(key, "ActiveState") == 0) dst = &change.active_state;
      if (std::strcmp(key, "SubState") == 0) dst = &change.sub_state;
      if (dst != nullptr) {
        const char* val = nullptr;
        if (sd_bus_message_read(m, "v", "s", &val) < 0) return;
        *dst = val;
      } else if (sd_bus_message_skip(m, "v") < 0) {
        return;
      }
      if (sd_bus_message_exit_container(m) < 0) return;
    }
    if (sd_bus_message_exit_container(m) < 0) return;
    if (change.active_state.empty()) {
      // systemd may only name the property as invalidated.
      char** inval = nullptr;
      bool named = false;
      if (sd_bus_message_read_strv(m, &inval) >= 0 && inval != nullptr) {
        for (char** s = inval; *s; ++s) {
          if (std::strcmp(*s, "ActiveState") == 0) named = true;
          free(*s);
        }
        free(inval);
      }
      if (!named) return;
      Result<std::string> st = ReadActive(path, change.unit);
      if (!st.ok()) return;
      change.active_state = *st;
    }
    callback_(change);
  }

  BusPtr bus_;
  Callback callback_;
  int wake_fd_ = -1;
  std::thread thread_;
  // Owned by the watcher's thread.
  std::map<std::string, Watched> by_path_;

  Mutex mu_;
  CondVar cv_;
  bool stop_ GUARDED_BY(mu_) = false;
  std::deque<Request*> queue_ GUARDED_BY(mu_);
};

}  // namespace

Result<std::unique_ptr<UnitWatcher>> UnitWatcher::Start(
    const std::string& bus_address, Callback callback, int64_t timeout_ms) {
  ASSIGN_OR_RETURN(sdbus::BusPtr bus, sdbus::OpenBus(bus_address));
  auto w =
      std::make_unique<SdBusUnitWatcher>(std::move(bus), std::move(callback));
  RETURN_IF_ERROR(w->Init(timeout_ms));
  return std::unique_ptr<UnitWatcher>(std::move(w));
}

}  // namespace tend
