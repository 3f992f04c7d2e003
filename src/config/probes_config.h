// The `probes:` section: a list of service checks (docs/probes.md). The
// kinds whose options are plain values use the probe library's own structs;
// http and exec have YAML-friendly forms (lists of strings) converted by
// ProbeSpecOf (src/agent/probe_wiring.h).
#ifndef TEND_CONFIG_PROBES_CONFIG_H_
#define TEND_CONFIG_PROBES_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "probe/probe.h"

namespace tend {

struct HttpProbeConfig {
  std::string url;
  std::string method = "GET";
  std::vector<std::string> headers;  // "Name: value".
  std::string body;
  std::vector<std::string> valid_status_codes;  // Integers; empty: 2xx.
  std::vector<std::string> fail_if_body_matches;
  std::vector<std::string> fail_if_body_not_matches;
  bool follow_redirects = true;
  int64_t max_redirects = 10;
  bool tls_verify = true;
  std::string ca_file;
  std::string server_name;
  bool fail_if_ssl = false;
  bool fail_if_not_ssl = false;
  int64_t min_cert_validity_ms = 0;
  int64_t ip_family = 0;
  std::string max_body_size = "1MiB";
  std::string basic_auth_username;
  std::string basic_auth_password;
  std::string bearer_token;
};

struct ExecProbeConfig {
  std::vector<std::string> argv;
  std::vector<std::string> valid_exit_codes;  // Integers; empty: 0.
  std::string output_matches;
  std::string output_not_matches;
  std::vector<std::string> env;  // "K=V".
  std::string working_dir;
};

struct ProbeConfig {
  std::string name;
  std::string type = "http";
  int64_t interval_ms = 15000;
  int64_t timeout_ms = 0;  // 0: min(interval, 10s).
  HttpProbeConfig http;
  TcpProbeSpec tcp;
  ExecProbeConfig exec;
  ProcessProbeSpec process;
  UnitProbeSpec unit;
  FileProbeSpec file;
};

}  // namespace tend

#endif  // TEND_CONFIG_PROBES_CONFIG_H_
