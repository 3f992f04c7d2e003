#include "probe/probe_table.h"

#include <array>

#include "probe/probe_util.h"

namespace tend {
namespace {

struct KindEntry {
  ProbeKind kind;
  std::string_view name;
  Result<std::unique_ptr<Probe>> (*make)(const ProbeSpec&, const ProbeDeps&);
};

// Every probe kind, in the order documentation lists them.
constexpr std::array<KindEntry, 6> kKinds = {{
    {ProbeKind::kHttp, "http", NewHttpProbe},
    {ProbeKind::kTcp, "tcp", NewTcpProbe},
    {ProbeKind::kExec, "exec", NewExecProbe},
    {ProbeKind::kProcess, "process", NewProcessProbe},
    {ProbeKind::kUnit, "unit", NewUnitProbe},
    {ProbeKind::kFile, "file", NewFileProbe},
}};

struct HelpEntry {
  std::string_view name, help;
};

constexpr HelpEntry kHelp[] = {
    {"probe_success", "Whether the probe succeeded (1) or failed (0)."},
    {"probe_duration_seconds", "How long the probe took, in seconds."},
    {"probe_http_status_code", "HTTP status code of the final response."},
    {"probe_http_content_length",
     "Content-Length of the final response (-1 when absent)."},
    {"probe_http_uncompressed_body_length",
     "Bytes of the final response body."},
    {"probe_http_redirects", "Number of redirects followed."},
    {"probe_http_ssl", "Whether the final response used TLS."},
    {"probe_http_version", "HTTP version of the final response."},
    {"probe_http_duration_seconds", "Duration of each phase of the request."},
    {"probe_ssl_earliest_cert_expiry",
     "Earliest notAfter over the peer's certificate chain, Unix seconds."},
    {"probe_ssl_leaf_cert_expiry",
     "notAfter of the peer's leaf certificate, Unix seconds."},
    {"probe_tls_version_info", "TLS version used (1 with label version)."},
    {"probe_failed_due_to_regex", "Whether a regular expression check failed."},
    {"probe_exec_exit_code",
     "Exit code of the command (-1 when killed or timed out)."},
    {"probe_process_count", "Number of matching processes."},
    {"probe_process_cpu_seconds_total",
     "User and system CPU time of the matching processes, in seconds."},
    {"probe_process_resident_memory_bytes",
     "Resident memory of the matching processes, in bytes."},
    {"probe_unit_active", "Whether the unit's ActiveState is active."},
    {"probe_unit_state", "The unit's ActiveState (1 for the current one)."},
    {"probe_unit_restarts_total", "NRestarts of the unit."},
    {"probe_file_exists", "Whether the path exists."},
    {"probe_file_age_seconds", "Seconds since the file was last modified."},
    {"probe_file_size_bytes", "Size of the file, in bytes."},
};

}  // namespace

std::string_view ProbeKindName(ProbeKind kind) {
  for (const KindEntry& e : kKinds) {
    if (e.kind == kind) return e.name;
  }
  return "unknown";
}

Result<ProbeKind> ParseProbeKind(std::string_view name) {
  std::string known;
  for (const KindEntry& e : kKinds) {
    if (e.name == name) return e.kind;
    if (!known.empty()) known += ", ";
    known += e.name;
  }
  return InvalidArgumentError("unknown probe type \"" + std::string(name) +
                              "\" (known: " + known + ")");
}

int64_t EffectiveTimeoutMs(const ProbeSpec& spec) {
  if (spec.timeout_ms > 0) return spec.timeout_ms;
  return spec.interval_ms > 0 && spec.interval_ms < 10000 ? spec.interval_ms
                                                          : 10000;
}

std::string_view ProbeMetricHelp(std::string_view name) {
  for (const HelpEntry& e : kHelp) {
    if (e.name == name) return e.help;
  }
  return "";
}

Result<std::unique_ptr<Probe>> MakeProbe(const ProbeSpec& spec,
                                         const ProbeDeps& deps) {
  if (spec.name.empty()) {
    return InvalidArgumentError("probe: name is required");
  }
  if (spec.interval_ms <= 0) return SpecError(spec, "interval must be > 0");
  if (spec.timeout_ms < 0) return SpecError(spec, "timeout must be >= 0");
  for (const KindEntry& e : kKinds) {
    if (e.kind == spec.kind) return e.make(spec, deps);
  }
  return SpecError(spec, "unknown probe type");
}

std::string ProbeTarget(const ProbeSpec& spec) {
  switch (spec.kind) {
    case ProbeKind::kHttp:
      return spec.http.url;
    case ProbeKind::kTcp:
      return spec.tcp.address;
    case ProbeKind::kExec: {
      std::string out;
      for (const std::string& a : spec.exec.argv) {
        if (!out.empty()) out += ' ';
        out += a;
      }
      return out;
    }
    case ProbeKind::kProcess: {
      const ProcessProbeSpec& p = spec.process;
      if (!p.name.empty()) return "name=" + p.name;
      if (!p.cmdline.empty()) return "cmdline=~" + p.cmdline;
      if (!p.pidfile.empty()) return "pidfile=" + p.pidfile;
      return "unit=" + p.unit;
    }
    case ProbeKind::kUnit:
      return spec.unit.unit;
    case ProbeKind::kFile:
      return spec.file.path;
  }
  return "";
}

}  // namespace tend
