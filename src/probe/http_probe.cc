// http(s) probes over OutboundFetch, with blackbox_exporter's semantics.
#include <strings.h>

#include <cinttypes>
#include <cstdlib>

#include "http/outbound.h"
#include "probe/probe_table.h"
#include "probe/probe_util.h"

namespace tend {
namespace {

class HttpProbe : public Probe {
 public:
  HttpProbe(const ProbeSpec& spec, const ProbeDeps& deps)
      : spec_(spec.http), clock_(deps.clock) {}

  Status Init(const ProbeSpec& spec) {
    for (const std::string& p : spec_.fail_if_body_matches) {
      Result<std::unique_ptr<RE2>> re =
          CompileProbeRegex(spec, "http.fail_if_body_matches", p);
      if (!re.ok()) return re.status();
      if (*re) body_matches_.push_back(std::move(*re));
    }
    for (const std::string& p : spec_.fail_if_body_not_matches) {
      Result<std::unique_ptr<RE2>> re =
          CompileProbeRegex(spec, "http.fail_if_body_not_matches", p);
      if (!re.ok()) return re.status();
      if (*re) body_not_matches_.push_back(std::move(*re));
    }
    return Status::Ok();
  }

  ProbeResult Run(int64_t deadline_mono_ns) override {
    OutboundRequest req;
    req.method = spec_.method;
    req.url = spec_.url;
    req.headers = spec_.headers;
    req.body = spec_.body;
    req.timeout_ms = RemainingMs(clock_, deadline_mono_ns);
    req.follow_redirects = spec_.follow_redirects;
    req.max_redirects = spec_.max_redirects;
    req.tls_verify = spec_.tls_verify;
    req.ca_file = spec_.ca_file;
    req.server_name = spec_.server_name;
    req.ip_family = spec_.ip_family;
    req.max_body_bytes = static_cast<size_t>(spec_.max_body_bytes);
    req.basic_auth_user = spec_.basic_auth_user;
    req.basic_auth_password = spec_.basic_auth_password;
    req.bearer_token = spec_.bearer_token;

    ProbeResult r;
    r.success = true;
    OutboundResponse partial;
    Result<OutboundResponse> fetched = OutboundFetch(req, &partial);
    const OutboundResponse& resp = fetched.ok() ? *fetched : partial;
    if (!fetched.ok()) Fail(&r, fetched.status().message());

    AddPhases(resp, &r);
    AddSample(&r, "probe_http_status_code", resp.status);
    AddSample(&r, "probe_http_content_length", ContentLength(resp));
    AddSample(&r, "probe_http_uncompressed_body_length",
              static_cast<double>(resp.body.size()));
    AddSample(&r, "probe_http_redirects", resp.redirects);
    AddSample(&r, "probe_http_ssl", resp.tls ? 1 : 0);
    AddSample(&r, "probe_http_version", VersionNumber(resp.http_version));
    if (resp.tls && resp.cert_earliest_expiry_unix > 0) {
      AddSample(&r, "probe_ssl_earliest_cert_expiry",
                static_cast<double>(resp.cert_earliest_expiry_unix));
      AddSample(&r, "probe_ssl_leaf_cert_expiry",
                static_cast<double>(resp.cert_leaf_expiry_unix));
    }
    if (resp.tls && !resp.tls_version.empty()) {
      AddSample(&r, "probe_tls_version_info", 1,
                {{"version", resp.tls_version}});
    }
    if (!fetched.ok()) {
      AddSample(&r, "probe_failed_due_to_regex", 0);
      return r;
    }

    if (!StatusValid(resp.status)) {
      Fail(&r, "status " + std::to_string(resp.status) + " from " + spec_.url +
                   " is not " + ValidCodesText());
    }
    if (spec_.fail_if_ssl && resp.tls) {
      Fail(&r,
           "final response from " + resp.final_url + " used TLS (fail_if_ssl)");
    }
    if (spec_.fail_if_not_ssl && !resp.tls) {
      Fail(&r, "final response from " + resp.final_url +
                   " did not use TLS (fail_if_not_ssl)");
    }
    if (resp.tls && spec_.min_cert_validity_ms > 0) {
      int64_t now_s = clock_->NowUnixNanos() / kNanosPerSecond;
      int64_t left_s = resp.cert_earliest_expiry_unix - now_s;
      if (left_s * 1000 < spec_.min_cert_validity_ms) {
        Fail(&r, "certificate chain of " + spec_.url + " expires in " +
                     std::to_string(left_s / 86400) + "d" +
                     std::to_string(left_s % 86400 / 3600) +
                     "h, less than min_cert_validity");
      }
    }
    bool regex_failed = false;
    for (const auto& re : body_matches_) {
      if (RE2::PartialMatch(resp.body, *re)) {
        regex_failed = true;
        Fail(&r, "body of " + spec_.url + " matches \"" + re->pattern() +
                     "\" (fail_if_body_matches)");
        break;
      }
    }
    for (const auto& re : body_not_matches_) {
      if (!RE2::PartialMatch(resp.body, *re)) {
        regex_failed = true;
        Fail(&r, "body of " + spec_.url + " does not match \"" + re->pattern() +
                     "\" (fail_if_body_not_matches)");
        break;
      }
    }
    AddSample(&r, "probe_failed_due_to_regex", regex_failed ? 1 : 0);
    return r;
  }

 private:
  static void AddPhases(const OutboundResponse& resp, ProbeResult* r) {
    const std::pair<const char*, double> phases[] = {
        {"resolve", resp.resolve_s},   {"connect", resp.connect_s},
        {"tls", resp.tls_s},           {"processing", resp.processing_s},
        {"transfer", resp.transfer_s},
    };
    for (const auto& [phase, seconds] : phases) {
      AddSample(r, "probe_http_duration_seconds", seconds, {{"phase", phase}});
    }
  }

  static double ContentLength(const OutboundResponse& resp) {
    for (const auto& [k, v] : resp.headers) {
      if (strcasecmp(k.c_str(), "Content-Length") == 0) {
        char* end = nullptr;
        long long n = std::strtoll(v.c_str(), &end, 10);
        if (end != v.c_str() && *end == '\0' && n >= 0) {
          return static_cast<double>(n);
        }
      }
    }
    return -1;
  }

  // "HTTP/1.1" -> 1.1, "HTTP/2" -> 2; 0 when unknown (no response).
  static double VersionNumber(const std::string& v) {
    if (v.size() <= 5) return 0;
    return std::strtod(v.c_str() + 5, nullptr);
  }

  bool StatusValid(int status) const {
    if (spec_.valid_status_codes.empty()) {
      return status >= 200 && status <= 299;
    }
    for (int code : spec_.valid_status_codes) {
      if (code == status) return true;
    }
    return false;
  }

  std::string ValidCodesText() const {
    if (spec_.valid_status_codes.empty()) return "2xx";
    std::string out = "one of";
    for (int code : spec_.valid_status_codes) {
      out += " " + std::to_string(code);
    }
    return out;
  }

  const HttpProbeSpec spec_;
  const Clock* clock_;
  std::vector<std::unique_ptr<RE2>> body_matches_, body_not_matches_;
};

}  // namespace

Result<std::unique_ptr<Probe>> NewHttpProbe(const ProbeSpec& spec,
                                            const ProbeDeps& deps) {
  const HttpProbeSpec& h = spec.http;
  if (h.url.empty()) return SpecError(spec, "http.url is required");
  if (!h.url.starts_with("http://") && !h.url.starts_with("https://")) {
    return SpecError(
        spec, "http.url \"" + h.url + "\" must start with http:// or https://");
  }
  if (h.method.empty()) return SpecError(spec, "http.method is empty");
  for (int code : h.valid_status_codes) {
    if (code < 100 || code > 599) {
      return SpecError(spec,
                       "http.valid_status_codes: " + std::to_string(code) +
                           " is not an HTTP status (100-599)");
    }
  }
  if (h.ip_family != 0 && h.ip_family != 4 && h.ip_family != 6) {
    return SpecError(spec, "http.ip_family must be 4 or 6");
  }
  if (h.max_body_bytes <= 0) {
    return SpecError(spec, "http.max_body_bytes must be > 0");
  }
  if (h.max_redirects < 0) {
    return SpecError(spec, "http.max_redirects must be >= 0");
  }
  auto probe = std::make_unique<HttpProbe>(spec, deps);
  RETURN_IF_ERROR(probe->Init(spec));
  return std::unique_ptr<Probe>(std::move(probe));
}

}  // namespace tend
