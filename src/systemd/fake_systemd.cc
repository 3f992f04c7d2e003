#include "systemd/fake_systemd.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <thread>

#include "base/thread_annotations.h"
#include "systemd/sd_bus_util.h"

extern char** environ;

namespace tend {
namespace {

using sdbus::BusPtr;

struct Unit {
  FakeUnitState st;
  std::string path;
  sd_bus_slot* unit_slot = nullptr;
  sd_bus_slot* service_slot = nullptr;
};

uint64_t NowUsec() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

int GetProp(sd_bus*, const char*, const char*, const char* prop,
            sd_bus_message* reply, void* userdata, sd_bus_error*) {
  const FakeUnitState& u = static_cast<Unit*>(userdata)->st;
  std::string_view p(prop);
  if (p == "Id") return sd_bus_message_append(reply, "s", u.name.c_str());
  if (p == "LoadState") {
    return sd_bus_message_append(reply, "s", u.load_state.c_str());
  }
  if (p == "ActiveState") {
    return sd_bus_message_append(reply, "s", u.active_state.c_str());
  }
  if (p == "SubState") {
    return sd_bus_message_append(reply, "s", u.sub_state.c_str());
  }
  if (p == "ActiveEnterTimestamp") {
    return sd_bus_message_append(reply, "t", u.active_enter_usec);
  }
  if (p == "NRestarts") return sd_bus_message_append(reply, "u", u.n_restarts);
  if (p == "MainPID") return sd_bus_message_append(reply, "u", u.main_pid);
  return -EINVAL;
}

const sd_bus_vtable kUnitVtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Id", "s", GetProp, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("LoadState", "s", GetProp, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("ActiveState", "s", GetProp, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("SubState", "s", GetProp, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("ActiveEnterTimestamp", "t", GetProp, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_VTABLE_END};

const sd_bus_vtable kServiceVtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("NRestarts", "u", GetProp, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("MainPID", "u", GetProp, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_VTABLE_END};

class FakeSystemdImpl : public FakeSystemd {
 public:
  explicit FakeSystemdImpl(BusPtr bus) : bus_(std::move(bus)) {}

  ~FakeSystemdImpl() override {
    {
      MutexLock l(&mu_);
      stop_ = true;
    }
    Wake();
    if (thread_.joinable()) thread_.join();
    for (auto& [n, u] : units_) {
      sd_bus_slot_unref(u->unit_slot);
      sd_bus_slot_unref(u->service_slot);
    }
    sd_bus_slot_unref(manager_slot_);
    if (wake_fd_ >= 0) close(wake_fd_);
  }

  Status Init() {
    wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) return ErrnoError("eventfd", errno);
    static const sd_bus_vtable kManagerVtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("GetUnit", "s", "o", &FakeSystemdImpl::OnGetUnit, 0),
        SD_BUS_METHOD("LoadUnit", "s", "o", &FakeSystemdImpl::OnLoadUnit, 0),
        SD_BUS_METHOD("StartUnit", "ss", "o", &FakeSystemdImpl::OnStart, 0),
        SD_BUS_METHOD("StopUnit", "ss", "o", &FakeSystemdImpl::OnStop, 0),
        SD_BUS_METHOD("RestartUnit", "ss", "o", &FakeSystemdImpl::OnRestart, 0),
        SD_BUS_METHOD("ListUnitsByPatterns", "asas", "a(ssssssouso)",
                      &FakeSystemdImpl::OnListByPatterns, 0),
        SD_BUS_METHOD("ListUnits", "", "a(ssssssouso)",
                      &FakeSystemdImpl::OnListUnits, 0),
        SD_BUS_METHOD("Subscribe", "", "", &FakeSystemdImpl::OnSubscribe, 0),
        SD_BUS_SIGNAL("JobNew", "uos", 0),
        SD_BUS_SIGNAL("JobRemoved", "uoss", 0),
        SD_BUS_VTABLE_END};
    int r = sd_bus_add_object_vtable(bus_.get(), &manager_slot_,
                                     sdbus::kManagerPath, sdbus::kManagerIface,
                                     kManagerVtable, this);
    if (r < 0) return ErrnoError("adding the Manager object", -r);
    r = sd_bus_request_name(bus_.get(), sdbus::kService, 0);
    if (r < 0) return ErrnoError("requesting org.freedesktop.systemd1", -r);
    thread_ = std::thread([this] { Run(); });
    return Status::Ok();
  }

  void AddUnit(const FakeUnitState& unit) override {
    Call([&] { AddUnitLocal(unit); });
  }
  void Kill(const std::string& name) override {
    Call([&] {
      Unit* u = Find(name);
      if (u == nullptr) return;
      u->st.active_state = "failed";
      u->st.sub_state = "failed";
      u->st.main_pid = 0;
      EmitChanged(u);
    });
  }
  Result<FakeUnitState> Get(const std::string& name) override {
    Result<FakeUnitState> out = NotFoundError("no unit " + name);
    Call([&] {
      Unit* u = Find(name);
      if (u != nullptr) out = u->st;
    });
    return out;
  }
  void SetFailJobs(const std::string& name, bool fail) override {
    Call([&] {
      if (Unit* u = Find(name)) u->st.fail_jobs = fail;
    });
  }
  void SetHangJobs(const std::string& name, bool hang) override {
    Call([&] {
      if (Unit* u = Find(name)) u->st.hang_jobs = hang;
    });
  }

 private:
  struct Task {
    std::function<void()> fn;
    bool done = false;
  };

  void Wake() {
    uint64_t one = 1;
    ssize_t n = write(wake_fd_, &one, sizeof one);
    (void)n;
  }

  // Runs `fn` on the fake's thread and waits for it.
  void Call(std::function<void()> fn) {
    Task t{std::move(fn)};
    MutexLock l(&mu_);
    if (stop_) return;
    tasks_.push_back(&t);
    Wake();
    while (!t.done) cv_.Wait(&mu_);
  }

  void Run() {
    for (;;) {
      std::deque<Task*> todo;
      {
        MutexLock l(&mu_);
        if (stop_) {
          for (Task* t : tasks_) t->done = true;
          cv_.SignalAll();
          return;
        }
        todo.swap(tasks_);
      }
      for (Task* t : todo) {
        t->fn();
        MutexLock l(&mu_);
        t->done = true;
        cv_.SignalAll();
      }
      while (sd_bus_process(bus_.get(), nullptr) > 0) {
      }
      sd_bus_flush(bus_.get());
      pollfd fds[2];
      fds[0].fd = sd_bus_get_fd(bus_.get());
      int ev = sd_bus_get_events(bus_.get());
      fds[0].events = short(ev < 0 ? 0 : ev);
      fds[1].fd = wake_fd_;
      fds[1].events = POLLIN;
      poll(fds, 2, 100);
      if (fds[1].revents & POLLIN) {
        uint64_t v;
        ssize_t n = read(wake_fd_, &v, sizeof v);
        (void)n;
      }
    }
  }

  Unit* Find(const std::string& name) {
    auto it = units_.find(name);
    return it == units_.end() ? nullptr : it->second.get();
  }

  Unit* AddUnitLocal(const FakeUnitState& st) {
    if (st.name.find("@.") != std::string::npos) {
      templates_[st.name] = st;
      return nullptr;
    }
    auto& slot = units_[st.name];
    if (slot) {
      slot->st = st;
      return slot.get();
    }
    slot = std::make_unique<Unit>();
    slot->st = st;
    char* path = nullptr;
    sd_bus_path_encode("/org/freedesktop/systemd1/unit", st.name.c_str(),
                       &path);
    slot->path = path;
    free(path);
    sd_bus_add_object_vtable(bus_.get(), &slot->unit_slot, slot->path.c_str(),
                             sdbus::kUnitIface, kUnitVtable, slot.get());
    sd_bus_add_object_vtable(bus_.get(), &slot->service_slot,
                             slot->path.c_str(), sdbus::kServiceIface,
                             kServiceVtable, slot.get());
    return slot.get();
  }

  void EmitChanged(Unit* u) {
    sd_bus_emit_properties_changed(bus_.get(), u->path.c_str(),
                                   sdbus::kUnitIface, "ActiveState", "SubState",
                                   nullptr);
  }

  static FakeSystemdImpl* Self(void* p) {
    return static_cast<FakeSystemdImpl*>(p);
  }

  static int OnGetUnit(sd_bus_message* m, void* ud, sd_bus_error* e) {
    const char* name;
    int r = sd_bus_message_read(m, "s", &name);
    if (r < 0) return r;
    Unit* u = Self(ud)->Find(name);
    if (u == nullptr) {
      return sd_bus_error_setf(e, "org.freedesktop.systemd1.NoSuchUnit",
                               "Unit %s not loaded.", name);
    }
    return sd_bus_reply_method_return(m, "o", u->path.c_str());
  }

  static int OnLoadUnit(sd_bus_message* m, void* ud, sd_bus_error*) {
    const char* name;
    int r = sd_bus_message_read(m, "s", &name);
    if (r < 0) return r;
    FakeSystemdImpl* self = Self(ud);
    Unit* u = self->Find(name);
    if (u == nullptr) u = self->Instantiate(name);
    if (u == nullptr) {
      FakeUnitState st;
      st.name = name;
      st.load_state = "not-found";
      st.active_state = "inactive";
      st.sub_state = "dead";
      u = self->AddUnitLocal(st);
    }
    return sd_bus_reply_method_return(m, "o", u->path.c_str());
  }

  // "app@3.service" from the template "app@.service", inactive.
  Unit* Instantiate(const std::string& name) {
    size_t at = name.find('@');
    size_t dot = name.rfind('.');
    if (at == std::string::npos || dot == std::string::npos || dot < at) {
      return nullptr;
    }
    std::string tmpl = name.substr(0, at + 1) + name.substr(dot);
    auto it = templates_.find(tmpl);
    if (it == templates_.end()) return nullptr;
    FakeUnitState st = it->second;
    st.name = name;
    st.active_state = "inactive";
    st.sub_state = "dead";
    st.main_pid = 0;
    return AddUnitLocal(st);
  }

  static int OnStart(sd_bus_message* m, void* ud, sd_bus_error* e) {
    return Self(ud)->Job(m, e, "start");
  }
  static int OnStop(sd_bus_message* m, void* ud, sd_bus_error* e) {
    return Self(ud)->Job(m, e, "stop");
  }
  static int OnRestart(sd_bus_message* m, void* ud, sd_bus_error* e) {
    return Self(ud)->Job(m, e, "restart");
  }

  int Job(sd_bus_message* m, sd_bus_error* e, const std::string& kind) {
    const char *name, *mode;
    int r = sd_bus_message_read(m, "ss", &name, &mode);
    if (r < 0) return r;
    Unit* u = Find(name);
    if (u == nullptr && kind != "stop") u = Instantiate(name);
    if (u == nullptr || u->st.load_state == "not-found") {
      return sd_bus_error_setf(e, "org.freedesktop.systemd1.NoSuchUnit",
                               "Unit %s not found.", name);
    }
    uint32_t id = ++job_id_;
    std::string job = "/org/freedesktop/systemd1/job/" + std::to_string(id);
    sd_bus_emit_signal(bus_.get(), sdbus::kManagerPath, sdbus::kManagerIface,
                       "JobNew", "uos", id, job.c_str(), name);
    r = sd_bus_reply_method_return(m, "o", job.c_str());
    if (r < 0) return r;
    u->st.jobs++;
    if (u->st.hang_jobs) return 1;
    const char* result = "done";
    if (u->st.fail_jobs) {
      u->st.active_state = "failed";
      u->st.sub_state = "failed";
      u->st.main_pid = 0;
      result = "failed";
    } else if (kind == "stop") {
      u->st.active_state = "inactive";
      u->st.sub_state = "dead";
      u->st.main_pid = 0;
    } else {
      u->st.active_state = "active";
      u->st.sub_state = "running";
      u->st.main_pid = 10000 + id;
      u->st.active_enter_usec = NowUsec();
    }
    EmitChanged(u);
    sd_bus_emit_signal(bus_.get(), sdbus::kManagerPath, sdbus::kManagerIface,
                       "JobRemoved", "uoss", id, job.c_str(), name, result);
    return 1;
  }

  static int OnListByPatterns(sd_bus_message* m, void* ud, sd_bus_error*) {
    char** states = nullptr;
    char** patterns = nullptr;
    int r = sd_bus_message_read_strv(m, &states);
    if (r >= 0) r = sd_bus_message_read_strv(m, &patterns);
    std::vector<std::string> st, pat;
    for (char** p = states; p && *p; ++p) st.push_back(*p);
    for (char** p = patterns; p && *p; ++p) pat.push_back(*p);
    for (char** p = states; p && *p; ++p) free(*p);
    for (char** p = patterns; p && *p; ++p) free(*p);
    free(states);
    free(patterns);
    if (r < 0) return r;
    return Self(ud)->ReplyList(m, st, pat);
  }

  static int OnListUnits(sd_bus_message* m, void* ud, sd_bus_error*) {
    return Self(ud)->ReplyList(m, {}, {});
  }

  static int OnSubscribe(sd_bus_message* m, void*, sd_bus_error*) {
    return sd_bus_reply_method_return(m, "");
  }

  int ReplyList(sd_bus_message* m, const std::vector<std::string>& states,
                const std::vector<std::string>& patterns) {
    sd_bus_message* raw = nullptr;
    int r = sd_bus_message_new_method_return(m, &raw);
    if (r < 0) return r;
    sdbus::MessagePtr reply(raw);
    r = sd_bus_message_open_container(reply.get(), 'a', "(ssssssouso)");
    if (r < 0) return r;
    for (auto& [name, u] : units_) {
      bool pat_ok = patterns.empty();
      for (const auto& p : patterns) {
        if (fnmatch(p.c_str(), name.c_str(), 0) == 0) pat_ok = true;
      }
      bool st_ok = states.empty();
      for (const auto& s : states) {
        if (s == u->st.load_state || s == u->st.active_state ||
            s == u->st.sub_state) {
          st_ok = true;
        }
      }
      if (!pat_ok || !st_ok) continue;
      r = sd_bus_message_append(
          reply.get(), "(ssssssouso)", name.c_str(), "fake unit",
          u->st.load_state.c_str(), u->st.active_state.c_str(),
          u->st.sub_state.c_str(), "", u->path.c_str(), uint32_t{0}, "", "/");
      if (r < 0) return r;
    }
    r = sd_bus_message_close_container(reply.get());
    if (r < 0) return r;
    return sd_bus_send(nullptr, reply.get(), nullptr);
  }

  BusPtr bus_;
  sd_bus_slot* manager_slot_ = nullptr;
  int wake_fd_ = -1;
  std::thread thread_;
  uint32_t job_id_ = 0;
  // Owned by the fake's thread.
  std::map<std::string, std::unique_ptr<Unit>> units_;
  std::map<std::string, FakeUnitState> templates_;

  Mutex mu_;
  CondVar cv_;
  bool stop_ GUARDED_BY(mu_) = false;
  std::deque<Task*> tasks_ GUARDED_BY(mu_);
};

}  // namespace

Result<std::unique_ptr<FakeSystemd>> FakeSystemd::Start(
    const std::string& bus_address) {
  ASSIGN_OR_RETURN(sdbus::BusPtr bus, sdbus::OpenBus(bus_address));
  auto fake = std::make_unique<FakeSystemdImpl>(std::move(bus));
  RETURN_IF_ERROR(fake->Init());
  return std::unique_ptr<FakeSystemd>(std::move(fake));
}

Result<std::unique_ptr<TestDbusDaemon>> TestDbusDaemon::Start(
    const std::string& dir) {
  std::string addr = "unix:path=" + dir + "/bus";
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return ErrnoError("pipe", errno);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  std::string address_arg = "--address=" + addr;
  const char* argv[] = {"dbus-daemon",       "--session",         "--nofork",
                        address_arg.c_str(), "--print-address=1", nullptr};
  pid_t pid = -1;
  int r = posix_spawnp(&pid, "dbus-daemon", &fa, nullptr,
                       const_cast<char* const*>(argv), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  if (r != 0) {
    close(fds[0]);
    return ErrnoError("starting dbus-daemon", r);
  }
  std::unique_ptr<TestDbusDaemon> d(new TestDbusDaemon());
  d->pid_ = pid;
  d->address_ = addr;
  // The daemon prints its address once it listens.
  std::string printed;
  char buf[512];
  pollfd p{fds[0], POLLIN, 0};
  while (printed.find('\n') == std::string::npos) {
    if (poll(&p, 1, 10000) <= 0) break;
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    printed.append(buf, size_t(n));
  }
  close(fds[0]);
  if (printed.find('\n') == std::string::npos) {
    return UnavailableError("dbus-daemon did not print its address");
  }
  return d;
}

TestDbusDaemon::~TestDbusDaemon() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int st;
    while (waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
    }
  }
}

}  // namespace tend
