// The health check of a deploy's gate: one HTTP, TCP or command probe.
//
// HTTP and TCP checks are made by the controller (tend itself), as a load
// balancer in front of the host would see the service; `exec` runs on the
// target through its Connection (so `curl -fsS localhost:8080/health` there
// checks from the target's own view, and https works through curl).
#ifndef TEND_AUTOMATE_DEPLOY_HEALTH_H_
#define TEND_AUTOMATE_DEPLOY_HEALTH_H_

#include <string>

#include "automate/transport/connection.h"
#include "automate/value.h"
#include "base/status.h"

namespace tend::automate::deploy {

struct HealthCheck {
  enum class Kind { kNone, kHttp, kTcp, kExec };
  Kind kind = Kind::kNone;
  // http
  std::string url;      // as given, for messages
  std::string address;  // host:port parsed from url
  std::string path;     // with the query string
  int status = 200;
  std::string body_match;  // RE2, searched anywhere in the body; "" = any
  // tcp: host:port
  std::string tcp;
  // exec: a shell command on the target; exit 0 passes
  std::string exec;
  std::string exec_dir;   // where exec runs ("" = the login's default); the
                          // deploy module sets its `path`
  int timeout_ms = 5000;  // per probe

  // "http http://127.0.0.1:8080/health", "tcp 127.0.0.1:5432", "exec 'x'".
  std::string Describe() const;
};

// From the module's `health` mapping: {http: URL, status: 200, body_match:
// RE} | {tcp: "host:port"} | {exec: "cmd"}, each with an optional timeout
// (seconds). A null or empty mapping gives kind kNone (no gate). Errors
// start with "health: " and say what is wrong.
Result<HealthCheck> ParseHealthCheck(const Value& v);

// Runs the probe once. Ok when it passes; otherwise an error whose message
// says what was seen ("got status 500, want 200", "connection refused",
// "exit 1: <stderr>"). kNone always passes.
Status RunHealthCheck(const HealthCheck& check, Connection* conn,
                      const Privilege& priv);

}  // namespace tend::automate::deploy

#endif  // TEND_AUTOMATE_DEPLOY_HEALTH_H_
