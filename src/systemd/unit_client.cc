#include "systemd/unit_client.h"

#include <fnmatch.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include <cstdlib>
#include <map>
#include <string_view>

#include "systemd/sd_bus_util.h"

namespace tend {
namespace {

using sdbus::BusError;
using sdbus::BusPtr;
using sdbus::CallError;
using sdbus::MessagePtr;

int64_t MonoUsec() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000 + ts.tv_nsec / 1000;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

class SdBusUnitClient : public UnitClient {
 public:
  SdBusUnitClient(BusPtr bus, int64_t timeout_ms)
      : bus_(std::move(bus)), timeout_ms_(timeout_ms) {}
  ~SdBusUnitClient() override { sd_bus_slot_unref(job_slot_); }

  ::tend::Status Init() {
    sd_bus_set_method_call_timeout(bus_.get(), uint64_t(timeout_ms_) * 1000);
    int r =
        sd_bus_match_signal(bus_.get(), &job_slot_, sdbus::kService,
                            sdbus::kManagerPath, sdbus::kManagerIface,
                            "JobRemoved", &SdBusUnitClient::OnJobRemoved, this);
    if (r < 0) {
      BusError none;
      return CallError("subscribing to JobRemoved", r, none);
    }
    // systemd sends job signals only while some client is subscribed.
    BusError err;
    r = sd_bus_call_method(bus_.get(), sdbus::kService, sdbus::kManagerPath,
                           sdbus::kManagerIface, "Subscribe", err.get(),
                           nullptr, "");
    if (r < 0 && !err.Has("org.freedesktop.systemd1.AlreadySubscribed")) {
      return CallError("org.freedesktop.systemd1.Manager.Subscribe", r, err);
    }
    return Status::Ok();
  }

  Result<UnitStatus> Status(const std::string& unit) override {
    Drain();
    ASSIGN_OR_RETURN(std::string path, UnitPath(unit));
    UnitStatus st;
    st.name = unit;
    RETURN_IF_ERROR(FillStatus(path, &st));
    if (st.load_state == "not-found") {
      return NotFoundError("systemd unit " + unit + " not found");
    }
    return st;
  }

  ::tend::Status Restart(const std::string& unit) override {
    return RunJob("RestartUnit", unit);
  }
  ::tend::Status Start(const std::string& unit) override {
    return RunJob("StartUnit", unit);
  }
  ::tend::Status Stop(const std::string& unit) override {
    return RunJob("StopUnit", unit);
  }

  Result<std::vector<UnitStatus>> List(const std::string& glob) override {
    Drain();
    BusError err;
    sd_bus_message* raw = nullptr;
    int r = sd_bus_call_method(bus_.get(), sdbus::kService, sdbus::kManagerPath,
                               sdbus::kManagerIface, "ListUnitsByPatterns",
                               err.get(), &raw, "asas", 0, 1, glob.c_str());
    bool filter = false;
    if (r < 0 && err.Has("org.freedesktop.DBus.Error.UnknownMethod")) {
      // systemd before v230: list everything and filter here.
      BusError err2;
      r = sd_bus_call_method(bus_.get(), sdbus::kService, sdbus::kManagerPath,
                             sdbus::kManagerIface, "ListUnits", err2.get(),
                             &raw, "");
      if (r < 0) return CallError("ListUnits", r, err2);
      filter = true;
    } else if (r < 0) {
      return CallError("ListUnitsByPatterns", r, err);
    }
    MessagePtr reply(raw);
    std::vector<std::pair<UnitStatus, std::string>> found;
    r = sd_bus_message_enter_container(reply.get(), 'a', "(ssssssouso)");
    if (r < 0) return InternalError("ListUnits: unexpected reply signature");
    for (;;) {
      const char *name, *desc, *load, *active, *sub, *following, *path;
      const char *job_type, *job_path;
      uint32_t job_id;
      r = sd_bus_message_read(reply.get(), "(ssssssouso)", &name, &desc, &load,
                              &active, &sub, &following, &path, &job_id,
                              &job_type, &job_path);
      if (r < 0) return InternalError("ListUnits: malformed reply");
      if (r == 0) break;
      if (filter && fnmatch(glob.c_str(), name, 0) != 0) continue;
      UnitStatus st;
      st.name = name;
      st.load_state = load;
      st.active_state = active;
      st.sub_state = sub;
      found.emplace_back(std::move(st), path);
    }
    std::vector<UnitStatus> out;
    out.reserve(found.size());
    for (auto& [st, path] : found) {
      ::tend::Status s = FillExtra(path, &st);
      if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
      out.push_back(std::move(st));
    }
    return out;
  }

 private:
  static int OnJobRemoved(sd_bus_message* m, void* userdata,
                          sd_bus_error* /*ret_error*/) {
    auto* self = static_cast<SdBusUnitClient*>(userdata);
    uint32_t id;
    const char *path, *unit, *result;
    if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0) {
      return 0;
    }
    // Jobs of other clients arrive too; keep the map small.
    if (self->finished_jobs_.size() > 1024) self->finished_jobs_.clear();
    self->finished_jobs_[path] = result;
    return 0;
  }

  // Dispatches queued signals so they do not pile up between calls.
  void Drain() {
    while (sd_bus_process(bus_.get(), nullptr) > 0) {
    }
    finished_jobs_.clear();
  }

  Result<std::string> UnitPath(const std::string& unit) {
    for (const char* method : {"GetUnit", "LoadUnit"}) {
      BusError err;
      sd_bus_message* raw = nullptr;
      int r = sd_bus_call_method(bus_.get(), sdbus::kService,
                                 sdbus::kManagerPath, sdbus::kManagerIface,
                                 method, err.get(), &raw, "s", unit.c_str());
      MessagePtr reply(raw);
      if (r < 0) {
        if (err.Has("org.freedesktop.systemd1.NoSuchUnit") &&
            std::string_view(method) == "GetUnit") {
          continue;  // Not loaded: LoadUnit loads it (or says not-found).
        }
        return CallError(std::string(method) + " " + unit, r, err);
      }
      const char* path = nullptr;
      if (sd_bus_message_read(reply.get(), "o", &path) < 0) {
        return InternalError(std::string(method) + ": malformed reply");
      }
      return std::string(path);
    }
    return NotFoundError("systemd unit " + unit + " not found");
  }

  Result<std::string> GetString(const std::string& path, const char* iface,
                                const char* prop) {
    BusError err;
    char* v = nullptr;
    int r = sd_bus_get_property_string(
        bus_.get(), sdbus::kService, path.c_str(), iface, prop, err.get(), &v);
    if (r < 0) return CallError(std::string("reading ") + prop, r, err);
    std::string out(v);
    free(v);
    return out;
  }

  template <typename T>
  ::tend::Status GetTrivial(const std::string& path, const char* iface,
                            const char* prop, char type, T* out) {
    BusError err;
    int r =
        sd_bus_get_property_trivial(bus_.get(), sdbus::kService, path.c_str(),
                                    iface, prop, err.get(), type, out);
    if (r < 0) return CallError(std::string("reading ") + prop, r, err);
    return ::tend::Status::Ok();
  }

  ::tend::Status FillStatus(const std::string& path, UnitStatus* st) {
    ASSIGN_OR_RETURN(st->load_state,
                     GetString(path, sdbus::kUnitIface, "LoadState"));
    ASSIGN_OR_RETURN(st->active_state,
                     GetString(path, sdbus::kUnitIface, "ActiveState"));
    ASSIGN_OR_RETURN(st->sub_state,
                     GetString(path, sdbus::kUnitIface, "SubState"));
    if (st->load_state == "not-found") return ::tend::Status::Ok();
    return FillExtra(path, st);
  }

  // ActiveEnterTimestamp, and NRestarts/MainPID for services.
  ::tend::Status FillExtra(const std::string& path, UnitStatus* st) {
    RETURN_IF_ERROR(GetTrivial(path, sdbus::kUnitIface, "ActiveEnterTimestamp",
                               't', &st->active_enter_usec));
    if (!EndsWith(st->name, ".service")) return ::tend::Status::Ok();
    RETURN_IF_ERROR(
        GetTrivial(path, sdbus::kServiceIface, "MainPID", 'u', &st->main_pid));
    // NRestarts exists since systemd 235; older ones leave it 0.
    ::tend::Status s = GetTrivial(path, sdbus::kServiceIface, "NRestarts", 'u',
                                  &st->n_restarts);
    if (!s.ok() && s.code() != StatusCode::kFailedPrecondition) return s;
    return ::tend::Status::Ok();
  }

  ::tend::Status RunJob(const char* method, const std::string& unit) {
    Drain();
    const int64_t deadline = MonoUsec() + timeout_ms_ * 1000;
    BusError err;
    sd_bus_message* raw = nullptr;
    int r = sd_bus_call_method(bus_.get(), sdbus::kService, sdbus::kManagerPath,
                               sdbus::kManagerIface, method, err.get(), &raw,
                               "ss", unit.c_str(), "replace");
    MessagePtr reply(raw);
    if (r < 0) return CallError(std::string(method) + " " + unit, r, err);
    const char* job_path = nullptr;
    if (sd_bus_message_read(reply.get(), "o", &job_path) < 0) {
      return InternalError(std::string(method) + ": malformed reply");
    }
    const std::string job(job_path);
    for (;;) {
      auto it = finished_jobs_.find(job);
      if (it != finished_jobs_.end()) {
        std::string result = it->second;
        finished_jobs_.clear();
        if (result == "done") return ::tend::Status::Ok();
        return FailedPreconditionError(std::string(method) + " " + unit +
                                       ": job " + job + " finished with '" +
                                       result + "'");
      }
      r = sd_bus_process(bus_.get(), nullptr);
      if (r < 0) {
        BusError none;
        return CallError(std::string(method) + " " + unit, r, none);
      }
      if (r > 0) continue;
      int64_t left = deadline - MonoUsec();
      if (left <= 0) {
        return DeadlineExceededError(
            std::string(method) + " " + unit + ": job " + job +
            " did not finish within " + std::to_string(timeout_ms_) + " ms");
      }
      r = sd_bus_wait(bus_.get(), uint64_t(left));
      if (r < 0 && r != -EINTR) {
        BusError none;
        return CallError(std::string(method) + " " + unit, r, none);
      }
    }
  }

  BusPtr bus_;
  int64_t timeout_ms_;
  sd_bus_slot* job_slot_ = nullptr;
  std::map<std::string, std::string> finished_jobs_;
};

}  // namespace

Result<std::unique_ptr<UnitClient>> UnitClient::Connect(
    const std::string& bus_address, int64_t timeout_ms) {
  ASSIGN_OR_RETURN(sdbus::BusPtr bus, sdbus::OpenBus(bus_address));
  auto client = std::make_unique<SdBusUnitClient>(std::move(bus), timeout_ms);
  RETURN_IF_ERROR(client->Init());
  return std::unique_ptr<UnitClient>(std::move(client));
}

}  // namespace tend
