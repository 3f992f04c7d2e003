#include "config/probes_config_schema.h"

#include <re2/re2.h>

#include <charconv>
#include <set>
#include <string>
#include <string_view>

#include "config/byte_size.h"
#include "config/yaml_text.h"

namespace tend {
namespace {

constexpr int64_t kDay = 24LL * 3600 * 1000;

Status ValidateInt(std::string_view text, int64_t min, int64_t max) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < min ||
      v > max) {
    return InvalidArgumentError("want an integer from " + std::to_string(min) +
                                " to " + std::to_string(max) + ", got " +
                                QuoteForMessage(text));
  }
  return Status::Ok();
}

Status ValidateStatusCode(std::string_view t) {
  return ValidateInt(t, 100, 599);
}
Status ValidateExitCode(std::string_view t) { return ValidateInt(t, 0, 255); }

Status ValidateHeader(std::string_view h) {
  size_t colon = h.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return InvalidArgumentError("want \"Name: value\", got " +
                                QuoteForMessage(h));
  }
  return Status::Ok();
}

Status ValidateRe2(std::string_view pattern) {
  RE2 re(pattern, RE2::Quiet);
  if (!re.ok()) {
    return InvalidArgumentError("invalid regular expression " +
                                QuoteForMessage(pattern) + ": " + re.error());
  }
  return Status::Ok();
}

Status ValidateOptionalUrl(std::string_view url) {
  if (url.empty() || url.rfind("http://", 0) == 0 ||
      url.rfind("https://", 0) == 0) {
    return Status::Ok();
  }
  return InvalidArgumentError("want an http:// or https:// URL, got " +
                              QuoteForMessage(url));
}

Status ValidateOptionalAbsolute(std::string_view path) {
  if (path.empty() || path[0] == '/') return Status::Ok();
  return InvalidArgumentError("want an absolute path, got " +
                              QuoteForMessage(path));
}

Schema<HttpProbeConfig> HttpSchema() {
  using H = HttpProbeConfig;
  Schema<H> s;
  s.String("url", &H::url, "The URL to request (required).",
           ValidateOptionalUrl)
      .String("method", &H::method, "The request method.")
      .StringList("headers", &H::headers,
                  "Request headers, as \"Name: value\".", ValidateHeader)
      .String("body", &H::body, "The request body.")
      .StringList("valid_status_codes", &H::valid_status_codes,
                  "Status codes that count as success; empty: any 2xx.",
                  ValidateStatusCode)
      .StringList("fail_if_body_matches", &H::fail_if_body_matches,
                  "Fail when the body matches any of these (RE2).", ValidateRe2)
      .StringList("fail_if_body_not_matches", &H::fail_if_body_not_matches,
                  "Fail unless the body matches every one of these (RE2).",
                  ValidateRe2)
      .Bool("follow_redirects", &H::follow_redirects, "Follow redirects.")
      .Int("max_redirects", &H::max_redirects,
           "At most this many redirects are followed.", 0, 100)
      .Bool("tls_verify", &H::tls_verify,
            "Verify the server's certificate and name.")
      .String("ca_file", &H::ca_file,
              "CA certificates (PEM) to verify with; empty: the system's.",
              ValidateOptionalAbsolute)
      .String("server_name", &H::server_name,
              "The TLS server name (SNI) and name verified, when it differs "
              "from the URL's host.")
      .Bool("fail_if_ssl", &H::fail_if_ssl, "Fail when TLS was used.")
      .Bool("fail_if_not_ssl", &H::fail_if_not_ssl,
            "Fail when TLS was not used.")
      .Duration("min_cert_validity", &H::min_cert_validity_ms,
                "Fail when a certificate of the chain expires sooner "
                "(0: not checked).",
                0, 3650 * kDay)
      .Int("ip_family", &H::ip_family, "0 any, 4 or 6.", 0, 6)
      .String("max_body_size", &H::max_body_size,
              "Larger bodies fail the probe.", ValidateByteSize)
      .String("basic_auth_username", &H::basic_auth_username,
              "HTTP basic authentication user.")
      .String("basic_auth_password", &H::basic_auth_password,
              "HTTP basic authentication password.")
      .String("bearer_token", &H::bearer_token,
              "Sent as Authorization: Bearer.");
  return s;
}

Schema<TcpProbeSpec> TcpSchema() {
  using T = TcpProbeSpec;
  Schema<T> s;
  s.String("address", &T::address,
           "host:port to connect to (required; [v6]:port for IPv6).")
      .String("send", &T::send, "Bytes written after connecting.")
      .String("expect", &T::expect,
              "RE2 that what the server sends must match.",
              [](auto p) { return p.empty() ? Status::Ok() : ValidateRe2(p); })
      .Int("max_read_bytes", &T::max_read_bytes,
           "At most this much is read while waiting for `expect`.", 1,
           16 << 20);
  return s;
}

Schema<ExecProbeConfig> ExecSchema() {
  using E = ExecProbeConfig;
  Schema<E> s;
  s.StringList("argv", &E::argv,
               "The command and its arguments (required; no shell).")
      .StringList("valid_exit_codes", &E::valid_exit_codes,
                  "Exit codes that count as success; empty: 0.",
                  ValidateExitCode)
      .String("output_matches", &E::output_matches,
              "RE2 that stdout then stderr must match.",
              [](auto p) { return p.empty() ? Status::Ok() : ValidateRe2(p); })
      .String("output_not_matches", &E::output_not_matches,
              "RE2 that stdout then stderr must not match.",
              [](auto p) { return p.empty() ? Status::Ok() : ValidateRe2(p); })
      .StringList("env", &E::env, "The environment, as K=V; empty: tend's.")
      .String("working_dir", &E::working_dir, "Where the command runs.",
              ValidateOptionalAbsolute);
  return s;
}

Schema<ProcessProbeSpec> ProcessSchema() {
  using P = ProcessProbeSpec;
  Schema<P> s;
  s.String("name", &P::name,
           "The kernel's name of the process (comm) or argv[0]'s base name.")
      .String("cmdline", &P::cmdline,
              "RE2 over the command line (argv joined by spaces).",
              [](auto p) { return p.empty() ? Status::Ok() : ValidateRe2(p); })
      .String("pidfile", &P::pidfile, "The process whose pid this file holds.",
              ValidateOptionalAbsolute)
      .String("unit", &P::unit, "The main process of this systemd service.")
      .Int("min_count", &P::min_count, "Fail with fewer matching processes.", 0,
           1 << 20)
      .Int("max_count", &P::max_count,
           "Fail with more matching processes (0: no limit).", 0, 1 << 20);
  return s;
}

Schema<UnitProbeSpec> UnitSchema() {
  using U = UnitProbeSpec;
  Schema<U> s;
  s.String("unit", &U::unit, "The systemd unit (required), nginx.service.")
      .String("expected_state", &U::expected_state,
              "The ActiveState that counts as success.");
  return s;
}

Schema<FileProbeSpec> FileSchema() {
  using F = FileProbeSpec;
  Schema<F> s;
  s.String("path", &F::path, "The file (required, absolute).",
           ValidateOptionalAbsolute)
      .Bool("expect_exists", &F::expect_exists,
            "false: success when the file is absent.")
      .Duration("max_age", &F::max_age_ms,
                "Fail when last modified longer ago (0: not checked).", 0,
                3650 * kDay)
      .Int("min_size_bytes", &F::min_size_bytes,
           "Fail when smaller (-1: not checked).", -1)
      .Int("max_size_bytes", &F::max_size_bytes,
           "Fail when larger (-1: not checked).", -1);
  return s;
}

// The option a kind requires, or OK.
Status CheckKind(const ProbeConfig& p) {
  if (p.type == "http" && p.http.url.empty()) {
    return InvalidArgumentError("an http probe needs http.url");
  }
  if (p.type == "tcp" && p.tcp.address.empty()) {
    return InvalidArgumentError("a tcp probe needs tcp.address");
  }
  if (p.type == "exec" && p.exec.argv.empty()) {
    return InvalidArgumentError("an exec probe needs exec.argv");
  }
  if (p.type == "process") {
    int set = !p.process.name.empty() + !p.process.cmdline.empty() +
              !p.process.pidfile.empty() + !p.process.unit.empty();
    if (set != 1) {
      return InvalidArgumentError(
          "a process probe needs exactly one of process.name, "
          "process.cmdline, process.pidfile or process.unit");
    }
  }
  if (p.type == "unit" && p.unit.unit.empty()) {
    return InvalidArgumentError("a unit probe needs unit.unit");
  }
  if (p.type == "file" && p.file.path.empty()) {
    return InvalidArgumentError("a file probe needs file.path");
  }
  if (p.name.empty()) return InvalidArgumentError("a probe needs a name");
  return Status::Ok();
}

}  // namespace

Schema<ProbeConfig> ProbeSchema() {
  using P = ProbeConfig;
  Schema<P> s;
  s.String("name", &P::name,
           "Unique name; the `probe` label of its metrics (required).")
      .Enum("type", &P::type, "What kind of check this is.",
            {"http", "tcp", "exec", "process", "unit", "file"})
      .Duration("interval", &P::interval_ms, "How often the probe runs.", 100,
                kDay)
      .Duration("timeout", &P::timeout_ms,
                "Longest a run may take (0: the interval, at most 10s).", 0,
                kDay)
      .Section("http", &P::http, HttpSchema(), "Options of an http probe.")
      .Section("tcp", &P::tcp, TcpSchema(), "Options of a tcp probe.")
      .Section("exec", &P::exec, ExecSchema(), "Options of an exec probe.")
      .Section("process", &P::process, ProcessSchema(),
               "Options of a process probe.")
      .Section("unit", &P::unit, UnitSchema(), "Options of a unit probe.")
      .Section("file", &P::file, FileSchema(), "Options of a file probe.")
      .Validate(CheckKind);
  return s;
}

Status CheckProbeList(const std::vector<ProbeConfig>& probes) {
  std::set<std::string> seen;
  for (const ProbeConfig& p : probes) {
    if (!seen.insert(p.name).second) {
      return InvalidArgumentError("two probes are named " +
                                  QuoteForMessage(p.name));
    }
  }
  return Status::Ok();
}

}  // namespace tend
