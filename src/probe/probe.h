// Probes: active checks of a service (HTTP, TCP, a command, a process, a
// systemd unit, a file) that produce blackbox_exporter's probe_* metrics.
//
// A ProbeSpec is what the `probes:` configuration section describes; it is
// a plain struct so the configuration layer can fill it field by field.
// MakeProbe (probe_table.h) validates a spec and builds the Probe; the
// ProbeService (probe_service.h) runs probes on their intervals.
#ifndef TEND_PROBE_PROBE_H_
#define TEND_PROBE_PROBE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/env.h"
#include "base/status.h"
#include "base/subprocess.h"
#include "model/labels.h"
#include "systemd/unit_client.h"

namespace tend {

enum class ProbeKind { kHttp, kTcp, kExec, kProcess, kUnit, kFile };

// "http", "tcp", "exec", "process", "unit", "file": the `type` label and
// the configuration's `type:` value.
std::string_view ProbeKindName(ProbeKind kind);
// Fails with kInvalidArgument listing the known kinds.
Result<ProbeKind> ParseProbeKind(std::string_view name);

// http: one request; success when it completes, the status is valid, the
// body regexes agree and the TLS conditions hold.
struct HttpProbeSpec {
  std::string url;  // http:// or https://; required.
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Empty: any 2xx.
  std::vector<int> valid_status_codes;
  // RE2, unanchored, over the body: fail if any matches / if any does not.
  std::vector<std::string> fail_if_body_matches;
  std::vector<std::string> fail_if_body_not_matches;
  bool follow_redirects = true;
  int max_redirects = 10;
  bool tls_verify = true;
  std::string ca_file;           // Empty: the system's CA store.
  std::string server_name;       // SNI and verified name override.
  bool fail_if_ssl = false;      // Fail when the final response used TLS.
  bool fail_if_not_ssl = false;  // Fail when it did not.
  // Fail when the earliest certificate of the chain expires sooner than
  // this (0: not checked).
  int64_t min_cert_validity_ms = 0;
  int ip_family = 0;  // 0 any, 4, 6.
  int64_t max_body_bytes = 1 << 20;
  std::string basic_auth_user, basic_auth_password;
  std::string bearer_token;
};

// tcp: connect, then optionally send and read until `expect` matches.
struct TcpProbeSpec {
  std::string address;  // "host:port", "[v6]:port"; required.
  std::string send;     // Written after connecting (bytes as given).
  std::string expect;   // RE2, unanchored, over everything read so far.
  int64_t max_read_bytes = 64 << 10;
};

// exec: run argv (no shell) to completion.
struct ExecProbeSpec {
  std::vector<std::string> argv;      // Required.
  std::vector<int> valid_exit_codes;  // Empty: {0}.
  // RE2, unanchored, over stdout followed by stderr.
  std::string output_matches;
  std::string output_not_matches;
  std::vector<std::string> env;  // "K=V"; empty: inherit.
  std::string working_dir;
};

// process: exactly one of name, cmdline, pidfile, unit.
struct ProcessProbeSpec {
  // Equal to the kernel's comm (/proc/PID/stat, at most 15 bytes) or to
  // the base name of argv[0].
  std::string name;
  std::string cmdline;  // RE2, unanchored, over argv joined by spaces.
  std::string pidfile;  // The process whose PID the file holds.
  std::string unit;     // The MainPID of a systemd service.
  int64_t min_count = 1;
  int64_t max_count = 0;  // 0: no upper bound.
};

// unit: a systemd unit's state over D-Bus.
struct UnitProbeSpec {
  std::string unit;                       // "nginx.service"; required.
  std::string expected_state = "active";  // ActiveState for success.
};

// file: a path's existence, age and size (stat(2), symlinks followed).
struct FileProbeSpec {
  std::string path;             // Required.
  bool expect_exists = true;    // false: success when the path is absent.
  int64_t max_age_ms = 0;       // 0: not checked.
  int64_t min_size_bytes = -1;  // -1: not checked.
  int64_t max_size_bytes = -1;  // -1: not checked.
};

struct ProbeSpec {
  std::string name;  // Unique; the `probe` label. Required.
  ProbeKind kind = ProbeKind::kHttp;
  int64_t interval_ms = 15000;
  // The whole run; 0 means min(interval, 10s).
  int64_t timeout_ms = 0;
  // Only the section matching `kind` is read.
  HttpProbeSpec http;
  TcpProbeSpec tcp;
  ExecProbeSpec exec;
  ProcessProbeSpec process;
  UnitProbeSpec unit;
  FileProbeSpec file;
};

// The effective timeout of a spec (timeout_ms, or min(interval, 10s)).
int64_t EffectiveTimeoutMs(const ProbeSpec& spec);

// One sample a probe reports. Labels are the sample's own (phase, state);
// the service adds `probe` and `type`.
struct ProbeSample {
  std::string name;
  double value = 0;
  Labels labels;
};

struct ProbeResult {
  bool success = false;
  double duration_s = 0;
  // Empty on success; otherwise one line: what failed and why.
  std::string error;
  // Kind-specific samples (probe_http_status_code, ...). The service adds
  // probe_success and probe_duration_seconds.
  std::vector<ProbeSample> samples;
};

// What probes need from the outside world; tests pass fakes.
struct ProbeDeps {
  Clock* clock = Clock::Real();
  Env* env = Env::Default();
  CommandRunner* runner = CommandRunner::Real();
  // Makes a connection for unit probes and process probes by unit; each
  // such probe keeps its own. Empty: those probes fail saying no bus is
  // configured.
  std::function<Result<std::unique_ptr<UnitClient>>()> unit_client_factory;
};

class Probe {
 public:
  virtual ~Probe() = default;
  // Runs the check once and returns by `deadline_mono_ns` (deps.clock's
  // monotonic time) as far as the kind allows (a hung D-Bus or NFS stat may
  // not). A failed check is a result with success=false, never a crash.
  // Thread-safe: the service may call Run from a scheduled run and RunNow
  // at the same time.
  virtual ProbeResult Run(int64_t deadline_mono_ns) = 0;
};

// Help text for a probe_* metric name (empty for unknown names).
std::string_view ProbeMetricHelp(std::string_view name);

}  // namespace tend

#endif  // TEND_PROBE_PROBE_H_
