// Taking a backend out of a load balancer while its host is switched, and
// putting it back after its health gate passed (the deploy module's
// `drain` option).
//
// haproxy: through its runtime API on a unix socket (`stats socket ...
// level admin`): `set server BACKEND/SERVER state drain` (or maint), then
// `show stat` is polled until the server's current sessions and queue are
// 0; restoring is `set server BACKEND/SERVER state ready`.
// nginx: the `server ADDRESS ...;` line of an upstream file gets the `down`
// flag, nginx is reloaded (`reload`, default `nginx -s reload`), and tend
// waits `settle` seconds for the old workers to stop accepting (nginx has
// no API telling when they finished); restoring removes the flag and
// reloads again.
//
// Both act on the host the Connection reaches (the deploy target, or the
// balancer's host when the task is delegated there). On the local
// transport the haproxy socket is spoken to directly; over SSH through
// `socat` on that host.
#ifndef TEND_AUTOMATE_DEPLOY_LB_DRAIN_H_
#define TEND_AUTOMATE_DEPLOY_LB_DRAIN_H_

#include <functional>
#include <string>
#include <string_view>

#include "automate/transport/connection.h"
#include "automate/value.h"
#include "base/status.h"

namespace tend::automate::deploy {

struct DrainSpec {
  enum class Kind { kNone, kHaproxy, kNginx };
  Kind kind = Kind::kNone;
  // haproxy
  std::string socket;          // the admin-level stats socket
  std::string backend;         // BACKEND of BACKEND/SERVER
  std::string server;          // haproxy: SERVER name; nginx: the address as in
                               // the upstream's server line ("127.0.0.1:8081")
  std::string mode = "drain";  // haproxy: drain | maint
  double timeout_s = 30;       // haproxy: for sessions to reach 0
  // nginx
  std::string upstream_file;
  std::string reload = "nginx -s reload";
  double settle_s = 1;

  // "haproxy app/web1", "nginx 127.0.0.1:8081 in /etc/nginx/up.conf".
  std::string Describe() const;
};

// From the module's `drain` mapping: {haproxy: {socket, backend, server,
// mode, timeout}} or {nginx: {upstream_file, server, reload, settle}}.
// Null or empty: kind kNone. Errors start with "drain: ".
Result<DrainSpec> ParseDrainSpec(const Value& v);

// Sends one runtime-API command to haproxy and returns its answer.
using HaproxyChannel =
    std::function<Result<std::string>(const std::string& command)>;

// The channel for `socket` on the host `conn` reaches (see above).
HaproxyChannel HaproxyChannelFor(Connection* conn, const std::string& socket,
                                 const Privilege& priv);

// The current sessions plus queued requests of BACKEND/SERVER in `show
// stat` CSV output; kNotFound when the server is not listed.
Result<int64_t> HaproxyActiveSessions(std::string_view show_stat,
                                      std::string_view backend,
                                      std::string_view server);

// Sets `down` on (or removes it from) the server line(s) for `address` in
// an nginx upstream file's text. *changed tells whether the text differs.
// kNotFound when no `server ADDRESS` line exists.
Result<std::string> NginxSetDown(std::string_view text,
                                 std::string_view address, bool down,
                                 bool* changed);

// Drains and restores one backend. Not thread-safe; one per task.
class Drainer {
 public:
  Drainer(DrainSpec spec, Connection* conn, Privilege priv);
  // Takes the backend out and waits until it is idle (haproxy) or settled
  // (nginx). On error the backend is put back as it was.
  Status Drain();
  // Puts back what Drain() took out (no-op when Drain() changed nothing:
  // a server already down in the nginx file stays down).
  Status Restore();
  bool drained() const { return drained_; }
  // For tests: replaces the haproxy channel and the sleep.
  void set_channel(HaproxyChannel c) { channel_ = std::move(c); }

 private:
  Status HaproxyCommand(const std::string& cmd);
  Status NginxApply(bool down);

  DrainSpec spec_;
  Connection* conn_;
  Privilege priv_;
  HaproxyChannel channel_;
  bool drained_ = false;  // Drain() changed something Restore() must undo
};

}  // namespace tend::automate::deploy

#endif  // TEND_AUTOMATE_DEPLOY_LB_DRAIN_H_
