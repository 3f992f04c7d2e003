// One HTTP(S) request for get_url and uri, over libcurl, made from the
// controller. The body goes to a file (get_url, uri's dest: any size,
// streamed) or to memory (uri's content: bounded).
//
// Errors: a request that could not be completed (DNS, connect, TLS,
// timeout, a body over max_body_bytes, a file that cannot be written) is
// an error Status naming the URL and curl's reason; any HTTP status is a
// successful result. Thread-safe: any number of calls at once.
#ifndef TEND_AUTOMATE_MODULES_NET_HTTP_FETCH_H_
#define TEND_AUTOMATE_MODULES_NET_HTTP_FETCH_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace tend::automate::netmod {

struct FetchRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // sent when non-empty (or when has_body)
  bool has_body = false;
  int timeout_s = 10;  // the whole exchange; 0 = none
  bool validate_certs = true;
  bool follow_redirects = true;
  std::string user, password;  // url_username/url_password
  // true: Basic credentials on the first request; false: only after the
  // server asks (401 with WWW-Authenticate), as Python's urllib does.
  bool force_basic_auth = false;
  // > 0: If-Modified-Since with this Unix time (seconds).
  int64_t if_modified_since = 0;
  // Non-empty: the body is written to this (new or truncated) file.
  std::string body_file;
  size_t max_body_bytes = 64u << 20;  // when kept in memory
};

struct FetchResponse {
  int status = 0;
  std::string reason;  // "OK", "Not Found"
  // The last response's headers, names lower-cased, in arrival order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // when not written to a file
  uint64_t body_bytes = 0;
  std::string final_url;
  int redirects = 0;
  double elapsed_s = 0;
  // The first value of a (lower-case) header, "" when absent.
  std::string Header(std::string_view name) const;
};

Result<FetchResponse> Fetch(const FetchRequest& req);

// "dir/file.tar.gz" of "http://h/dir/file.tar.gz?x=1" -> "file.tar.gz"; ""
// when the path ends with "/" (Ansible's url_filename then says
// "index.html").
std::string UrlBasename(std::string_view url);

}  // namespace tend::automate::netmod

#endif  // TEND_AUTOMATE_MODULES_NET_HTTP_FETCH_H_
