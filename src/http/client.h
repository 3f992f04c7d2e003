// A small blocking HTTP client for the CLI commands that talk to a running
// agent (and for tests). Plain HTTP over TCP; the agent listens on loopback.
#ifndef TEND_HTTP_CLIENT_H_
#define TEND_HTTP_CLIENT_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace tend {

struct HttpClientResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

struct HttpClientRequest {
  std::string method = "GET";
  std::string address;  // host:port or [v6]:port
  std::string path;     // With query string.
  std::string body;
  std::string content_type = "application/x-www-form-urlencoded";
  std::vector<std::pair<std::string, std::string>> headers;
  int timeout_ms = 5000;
};

// Sends one request. Fails (kUnavailable, naming the address) when the
// server cannot be reached or the exchange breaks; any HTTP status is a
// successful result.
Result<HttpClientResponse> HttpFetch(const HttpClientRequest& request);

// Percent-encodes `s` for a query string or form body (RFC 3986
// unreserved characters stay as they are).
std::string UrlEncode(std::string_view s);

}  // namespace tend

#endif  // TEND_HTTP_CLIENT_H_
