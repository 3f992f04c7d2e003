#include "http/outbound.h"

#include <curl/curl.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string_view>

namespace tend {
namespace {

// curl_global_init is not thread-safe; every caller goes through here first.
bool GlobalInit() {
  static std::once_flag once;
  static CURLcode code = CURLE_OK;
  std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return code == CURLE_OK;
}

struct Transfer {
  OutboundResponse* response;
  size_t max_body_bytes;
  bool body_too_large = false;
  CURL* curl;
  bool tls_version_known = false;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t bytes = size * n;
  if (t->response->body.size() + bytes > t->max_body_bytes) {
    t->body_too_large = true;
    return 0;  // Aborts the transfer with CURLE_WRITE_ERROR.
  }
  t->response->body.append(data, bytes);
  return bytes;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' ||
                        s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// "TLSv1.3" (OpenSSL) -> "TLS 1.3", as blackbox_exporter labels it.
std::string TlsVersionName(const char* openssl_name) {
  std::string_view v = openssl_name;
  if (v.starts_with("TLSv")) return "TLS " + std::string(v.substr(4));
  return std::string(v);
}

// The TLS session is only reachable while the connection is alive, so it is
// read on the first header line of each response.
void NoteTlsVersion(Transfer* t) {
  if (t->tls_version_known) return;
  const curl_tlssessioninfo* info = nullptr;
  if (curl_easy_getinfo(t->curl, CURLINFO_TLS_SSL_PTR, &info) != CURLE_OK ||
      info == nullptr || info->backend != CURLSSLBACKEND_OPENSSL ||
      info->internals == nullptr) {
    return;
  }
  auto* ssl = static_cast<SSL*>(info->internals);
  t->response->tls_version = TlsVersionName(SSL_get_version(ssl));
  t->tls_version_known = true;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t bytes = size * n;
  std::string_view line(data, bytes);
  if (line.starts_with("HTTP/")) {
    // A new response (after a redirect or a 100 Continue): keep the last.
    t->response->headers.clear();
    NoteTlsVersion(t);
    return bytes;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return bytes;  // Blank line, folding.
  t->response->headers.emplace_back(std::string(Trim(line.substr(0, colon))),
                                    std::string(Trim(line.substr(colon + 1))));
  return bytes;
}

// notAfter of a PEM certificate as Unix seconds, or 0 when unreadable.
int64_t PemNotAfter(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return 0;
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) return 0;
  int64_t out = 0;
  struct tm tm;
  std::memset(&tm, 0, sizeof(tm));
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1) {
    out = static_cast<int64_t>(timegm(&tm));
  }
  X509_free(cert);
  return out;
}

// Fills the expiry figures from CURLINFO_CERTINFO (certificate 0 is the
// leaf, the rest the chain the server sent).
void NoteCertificates(CURL* curl, OutboundResponse* r) {
  curl_certinfo* info = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_CERTINFO, &info) != CURLE_OK ||
      info == nullptr) {
    return;
  }
  for (int i = 0; i < info->num_of_certs; ++i) {
    for (curl_slist* s = info->certinfo[i]; s != nullptr; s = s->next) {
      std::string_view item = s->data;
      if (!item.starts_with("Cert:")) continue;
      int64_t not_after = PemNotAfter(item.substr(5));
      if (not_after == 0) continue;
      if (i == 0) r->cert_leaf_expiry_unix = not_after;
      if (r->cert_earliest_expiry_unix == 0 ||
          not_after < r->cert_earliest_expiry_unix) {
        r->cert_earliest_expiry_unix = not_after;
      }
    }
  }
}

double Seconds(CURL* curl, CURLINFO what) {
  curl_off_t us = 0;
  if (curl_easy_getinfo(curl, what, &us) != CURLE_OK) return 0;
  return static_cast<double>(us) / 1e6;
}

// Phase durations as blackbox_exporter splits them. curl reports cumulative
// instants since the start; a phase that did not happen reads 0.
void NoteTimings(CURL* curl, OutboundResponse* r) {
  double lookup = Seconds(curl, CURLINFO_NAMELOOKUP_TIME_T);
  double connect = Seconds(curl, CURLINFO_CONNECT_TIME_T);
  double app = Seconds(curl, CURLINFO_APPCONNECT_TIME_T);
  double first = Seconds(curl, CURLINFO_STARTTRANSFER_TIME_T);
  double total = Seconds(curl, CURLINFO_TOTAL_TIME_T);
  auto pos = [](double d) { return d > 0 ? d : 0.0; };
  r->resolve_s = lookup;
  r->connect_s = connect > 0 ? pos(connect - lookup) : 0;
  r->tls_s = app > 0 ? pos(app - connect) : 0;
  double ready = std::max(app, connect);
  r->processing_s = first > 0 ? pos(first - ready) : 0;
  r->transfer_s = first > 0 ? pos(total - first) : 0;
  r->total_s = total;
}

void NoteInfo(CURL* curl, OutboundResponse* r) {
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  r->status = static_cast<int>(code);
  long version = 0;
  curl_easy_getinfo(curl, CURLINFO_HTTP_VERSION, &version);
  switch (version) {
    case CURL_HTTP_VERSION_1_0:
      r->http_version = "HTTP/1.0";
      break;
    case CURL_HTTP_VERSION_1_1:
      r->http_version = "HTTP/1.1";
      break;
    case CURL_HTTP_VERSION_2_0:
      r->http_version = "HTTP/2";
      break;
    case CURL_HTTP_VERSION_3:
      r->http_version = "HTTP/3";
      break;
    default:
      break;
  }
  long redirects = 0;
  curl_easy_getinfo(curl, CURLINFO_REDIRECT_COUNT, &redirects);
  r->redirects = static_cast<int>(redirects);
  char* url = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK &&
      url != nullptr) {
    r->final_url = url;
  }
  char* scheme = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_SCHEME, &scheme) == CURLE_OK &&
      scheme != nullptr) {
    r->tls = strcasecmp(scheme, "https") == 0;
  }
  NoteTimings(curl, r);
  if (r->tls) NoteCertificates(curl, r);
}

// For server_name: the URL's host is replaced by server_name (so SNI and
// certificate checks use it) and CONNECT_TO sends the connection to the
// original host and port. Returns false when the URL cannot be parsed.
bool RewriteForServerName(const std::string& url, const std::string& name,
                          std::string* new_url, std::string* connect_to) {
  CURLU* u = curl_url();
  if (u == nullptr) return false;
  bool ok = false;
  char* host = nullptr;
  char* port = nullptr;
  char* out = nullptr;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
      curl_url_set(u, CURLUPART_HOST, name.c_str(), 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_URL, &out, 0) == CURLUE_OK) {
    *new_url = out;
    *connect_to = name + ":" + port + ":" + host + ":" + port;
    ok = true;
  }
  curl_free(host);
  curl_free(port);
  curl_free(out);
  curl_url_cleanup(u);
  return ok;
}

class CurlHandle {
 public:
  CurlHandle() : curl_(curl_easy_init()) {}
  ~CurlHandle() {
    if (curl_ != nullptr) curl_easy_cleanup(curl_);
    if (headers_ != nullptr) curl_slist_free_all(headers_);
    if (connect_to_ != nullptr) curl_slist_free_all(connect_to_);
  }
  CurlHandle(const CurlHandle&) = delete;
  CurlHandle& operator=(const CurlHandle&) = delete;
  CURL* get() const { return curl_; }
  curl_slist** headers() { return &headers_; }
  curl_slist** connect_to() { return &connect_to_; }

 private:
  CURL* curl_;
  curl_slist* headers_ = nullptr;
  curl_slist* connect_to_ = nullptr;
};

}  // namespace

Result<OutboundResponse> OutboundFetch(const OutboundRequest& req,
                                       OutboundResponse* partial) {
  const std::string where = req.method + " " + req.url;
  if (!GlobalInit()) return InternalError(where + ": curl_global_init failed");
  if (req.url.empty()) return InvalidArgumentError("outbound request: no URL");
  CurlHandle handle;
  CURL* c = handle.get();
  if (c == nullptr) return InternalError(where + ": curl_easy_init failed");

  OutboundResponse response;
  Transfer transfer{&response, req.max_body_bytes, false, c, false};
  char errbuf[CURL_ERROR_SIZE] = {0};

  std::string url = req.url;
  if (!req.server_name.empty()) {
    std::string connect_to;
    if (!RewriteForServerName(req.url, req.server_name, &url, &connect_to)) {
      return InvalidArgumentError(where + ": cannot parse URL");
    }
    *handle.connect_to() =
        curl_slist_append(*handle.connect_to(), connect_to.c_str());
    curl_easy_setopt(c, CURLOPT_CONNECT_TO, *handle.connect_to());
  }

  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  // Threads: no SIGALRM-based DNS timeouts.
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout_ms));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(req.timeout_ms));
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, req.follow_redirects ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, static_cast<long>(req.max_redirects));
  // One request, one connection: the timings describe a whole exchange.
  curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_CERTINFO, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, req.tls_verify ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, req.tls_verify ? 2L : 0L);
  if (!req.ca_file.empty()) {
    curl_easy_setopt(c, CURLOPT_CAINFO, req.ca_file.c_str());
  }
  if (!req.client_cert_file.empty()) {
    curl_easy_setopt(c, CURLOPT_SSLCERT, req.client_cert_file.c_str());
  }
  if (!req.client_key_file.empty()) {
    curl_easy_setopt(c, CURLOPT_SSLKEY, req.client_key_file.c_str());
  }
  long ipresolve = CURL_IPRESOLVE_WHATEVER;
  if (req.ip_family == 4) ipresolve = CURL_IPRESOLVE_V4;
  if (req.ip_family == 6) ipresolve = CURL_IPRESOLVE_V6;
  curl_easy_setopt(c, CURLOPT_IPRESOLVE, ipresolve);
  if (!req.basic_auth_user.empty() || !req.basic_auth_password.empty()) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(c, CURLOPT_USERNAME, req.basic_auth_user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, req.basic_auth_password.c_str());
  }

  if (req.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (req.method != "GET" || !req.body.empty()) {
    if (!req.body.empty() || req.method == "POST" || req.method == "PUT" ||
        req.method == "PATCH") {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(req.body.size()));
    }
    if (req.method != "POST") {
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }
  }

  curl_slist*& headers = *handle.headers();
  bool has_content_type = false;
  for (const auto& [name, value] : req.headers) {
    if (strcasecmp(name.c_str(), "Content-Type") == 0) has_content_type = true;
    // "Name;" is curl's way to send a header with an empty value.
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    headers = curl_slist_append(headers, line.c_str());
  }
  if (!req.bearer_token.empty()) {
    std::string line = "Authorization: Bearer " + req.bearer_token;
    headers = curl_slist_append(headers, line.c_str());
  }
  // curl would otherwise label a body form-urlencoded; say nothing instead.
  if (!req.body.empty() && !has_content_type) {
    headers = curl_slist_append(headers, "Content-Type:");
  }
  // No "Expect: 100-continue" round trip on larger bodies.
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

  CURLcode rc = curl_easy_perform(c);
  NoteInfo(c, &response);
  if (rc == CURLE_OK) return response;

  std::string reason = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
  while (!reason.empty() && reason.back() == '\n') reason.pop_back();
  if (partial != nullptr) *partial = response;
  if (transfer.body_too_large) {
    return UnavailableError(where + ": response body exceeds " +
                            std::to_string(req.max_body_bytes) + " bytes");
  }
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    return DeadlineExceededError(where + ": timed out after " +
                                 std::to_string(req.timeout_ms) +
                                 " ms: " + reason);
  }
  return UnavailableError(where + ": " + reason);
}

}  // namespace tend
