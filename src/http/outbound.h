// Outbound HTTP(S) over libcurl: what probes, notification receivers and
// forwarding to Alertmanager send. One call is one request on a fresh
// connection (probes measure a whole exchange; receivers send rarely).
//
// Errors: a request that could not be completed (DNS, connect, TLS,
// timeout, a body over max_body_bytes) is an error Status naming the URL
// and curl's reason (kDeadlineExceeded for timeouts, kUnavailable for the
// rest); any HTTP status, 500 included, is a successful result. The phase
// timings and TLS facts gathered before a failure are still reported
// through *partial when it is non-null.
//
// Thread-safety: OutboundFetch may be called from any number of threads at
// once (curl_global_init runs once, before the first call).
#ifndef TEND_HTTP_OUTBOUND_H_
#define TEND_HTTP_OUTBOUND_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace tend {

struct OutboundRequest {
  std::string method = "GET";
  std::string url;  // http://, https://
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int64_t timeout_ms = 10000;  // The whole exchange.
  bool follow_redirects = true;
  int max_redirects = 10;
  bool tls_verify = true;  // Peer certificate and host name.
  std::string ca_file;     // Empty: the system's CA store.
  std::string client_cert_file, client_key_file;  // Optional, PEM.
  std::string server_name;  // Non-empty: SNI and verified name override.
  // Force the address family: 0 any, 4 or 6.
  int ip_family = 0;
  size_t max_body_bytes = 10 << 20;  // Larger bodies fail the request.
  std::string basic_auth_user, basic_auth_password;  // Optional.
  std::string bearer_token;                          // Optional.
};

struct OutboundResponse {
  int status = 0;
  std::string http_version;  // "HTTP/1.1", "HTTP/2"
  std::vector<std::pair<std::string, std::string>> headers;  // Last response.
  std::string body;
  int redirects = 0;
  std::string final_url;
  // Phase durations in seconds as blackbox_exporter names them: resolve,
  // connect, tls, processing (request sent to first byte), transfer.
  double resolve_s = 0, connect_s = 0, tls_s = 0, processing_s = 0,
         transfer_s = 0, total_s = 0;
  bool tls = false;
  std::string tls_version;  // "TLS 1.3"
  // Earliest notAfter over the peer's chain, Unix seconds (0 if no TLS).
  int64_t cert_earliest_expiry_unix = 0;
  // notAfter of the leaf certificate, Unix seconds (0 if no TLS).
  int64_t cert_leaf_expiry_unix = 0;
};

Result<OutboundResponse> OutboundFetch(const OutboundRequest& request,
                                       OutboundResponse* partial = nullptr);

}  // namespace tend

#endif  // TEND_HTTP_OUTBOUND_H_
