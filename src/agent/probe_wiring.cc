#include "agent/probe_wiring.h"

#include <charconv>
#include <string>

#include "config/byte_size.h"

namespace tend {
namespace {

Result<std::vector<int>> Ints(const std::vector<std::string>& items,
                              const std::string& where) {
  std::vector<int> out;
  for (const std::string& s : items) {
    int v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size()) {
      return InvalidArgumentError(where + ": want an integer, got \"" + s +
                                  "\"");
    }
    out.push_back(v);
  }
  return out;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

}  // namespace

Result<ProbeSpec> ProbeSpecOf(const ProbeConfig& c) {
  ProbeSpec s;
  s.name = c.name;
  const std::string where = "probe \"" + c.name + "\"";
  Result<ProbeKind> kind = ParseProbeKind(c.type);
  if (!kind.ok()) return kind.status().WithContext(where);
  s.kind = *kind;
  s.interval_ms = c.interval_ms;
  s.timeout_ms = c.timeout_ms;

  const HttpProbeConfig& h = c.http;
  s.http.url = h.url;
  s.http.method = h.method;
  for (const std::string& header : h.headers) {
    size_t colon = header.find(':');
    if (colon == std::string::npos) {
      return InvalidArgumentError(where + ": header without ':': " + header);
    }
    s.http.headers.emplace_back(Trim(header.substr(0, colon)),
                                Trim(header.substr(colon + 1)));
  }
  s.http.body = h.body;
  ASSIGN_OR_RETURN(s.http.valid_status_codes,
                   Ints(h.valid_status_codes, where + " valid_status_codes"));
  s.http.fail_if_body_matches = h.fail_if_body_matches;
  s.http.fail_if_body_not_matches = h.fail_if_body_not_matches;
  s.http.follow_redirects = h.follow_redirects;
  s.http.max_redirects = static_cast<int>(h.max_redirects);
  s.http.tls_verify = h.tls_verify;
  s.http.ca_file = h.ca_file;
  s.http.server_name = h.server_name;
  s.http.fail_if_ssl = h.fail_if_ssl;
  s.http.fail_if_not_ssl = h.fail_if_not_ssl;
  s.http.min_cert_validity_ms = h.min_cert_validity_ms;
  s.http.ip_family = static_cast<int>(h.ip_family);
  Result<uint64_t> max_body = ParseByteSize(h.max_body_size);
  if (!max_body.ok()) return max_body.status().WithContext(where);
  s.http.max_body_bytes = static_cast<int64_t>(*max_body);
  s.http.basic_auth_user = h.basic_auth_username;
  s.http.basic_auth_password = h.basic_auth_password;
  s.http.bearer_token = h.bearer_token;

  s.tcp = c.tcp;
  s.exec.argv = c.exec.argv;
  ASSIGN_OR_RETURN(s.exec.valid_exit_codes,
                   Ints(c.exec.valid_exit_codes, where + " valid_exit_codes"));
  s.exec.output_matches = c.exec.output_matches;
  s.exec.output_not_matches = c.exec.output_not_matches;
  s.exec.env = c.exec.env;
  s.exec.working_dir = c.exec.working_dir;
  s.process = c.process;
  s.unit = c.unit;
  s.file = c.file;
  return s;
}

Result<std::vector<ProbeSpec>> ProbeSpecsOf(
    const std::vector<ProbeConfig>& configs) {
  std::vector<ProbeSpec> out;
  out.reserve(configs.size());
  for (const ProbeConfig& c : configs) {
    ASSIGN_OR_RETURN(ProbeSpec s, ProbeSpecOf(c));
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace tend
