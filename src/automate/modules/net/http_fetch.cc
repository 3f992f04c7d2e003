#include "automate/modules/net/http_fetch.h"

#include <curl/curl.h>

#include <cctype>
#include <cstdio>
#include <mutex>
#include <string_view>

namespace tend::automate::netmod {
namespace {

bool GlobalInit() {
  static std::once_flag once;
  static CURLcode code = CURLE_OK;
  std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return code == CURLE_OK;
}

struct Transfer {
  FetchResponse* resp;
  FILE* file = nullptr;
  size_t max_body_bytes = 0;
  bool too_large = false;
  bool write_failed = false;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t bytes = size * n;
  if (t->file != nullptr) {
    if (fwrite(data, 1, bytes, t->file) != bytes) {
      t->write_failed = true;
      return 0;
    }
  } else {
    if (t->resp->body.size() + bytes > t->max_body_bytes) {
      t->too_large = true;
      return 0;  // aborts with CURLE_WRITE_ERROR
    }
    t->resp->body.append(data, bytes);
  }
  t->resp->body_bytes += bytes;
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

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {
    // A new response (after a redirect or a 100/401): its headers only.
    t->resp->headers.clear();
    std::string_view rest = Trim(line);
    size_t sp = rest.find(' ');
    size_t sp2 = sp == std::string_view::npos ? sp : rest.find(' ', sp + 1);
    t->resp->reason = sp2 == std::string_view::npos
                          ? ""
                          : std::string(Trim(rest.substr(sp2 + 1)));
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos && colon > 0) {
    std::string name(Trim(line.substr(0, colon)));
    for (auto& c : name) {
      c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
    }
    t->resp->headers.emplace_back(std::move(name),
                                  std::string(Trim(line.substr(colon + 1))));
  }
  return size * n;
}

}  // namespace

std::string FetchResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return "";
}

std::string UrlBasename(std::string_view url) {
  size_t scheme = url.find("://");
  std::string_view rest =
      scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  size_t end = rest.find_first_of("?#");
  if (end != std::string_view::npos) rest = rest.substr(0, end);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return "";
  std::string_view path = rest.substr(slash);
  return std::string(path.substr(path.rfind('/') + 1));
}

Result<FetchResponse> Fetch(const FetchRequest& req) {
  const std::string where = req.method + " " + req.url;
  if (!GlobalInit()) return InternalError(where + ": curl_global_init failed");
  FetchResponse resp;
  Transfer t{.resp = &resp, .max_body_bytes = req.max_body_bytes};
  if (!req.body_file.empty()) {
    t.file = fopen(req.body_file.c_str(), "wbe");
    if (t.file == nullptr) {
      return InternalError("cannot write " + req.body_file);
    }
  }
  CURL* c = curl_easy_init();
  if (c == nullptr) {
    if (t.file) fclose(t.file);
    return InternalError(where + ": curl_easy_init failed");
  }
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,ftp,file");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https,ftp");
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(req.timeout_s));
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, req.follow_redirects ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  // urllib turns a POST answered with 301/302/303 into a GET, as curl does
  // by default; keep that.
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, req.validate_certs ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, req.validate_certs ? 2L : 0L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "ansible-httpget");
  if (!req.user.empty()) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH,
                     static_cast<long>(req.force_basic_auth ? CURLAUTH_BASIC
                                                            : CURLAUTH_ANY));
    curl_easy_setopt(c, CURLOPT_USERNAME, req.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, req.password.c_str());
  }
  if (req.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    // Python's http.client sends "Content-Length: 0" for a POST, PUT or
    // PATCH without a body; without it a server may wait for one.
    const bool expects_body =
        req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
    if (req.has_body || !req.body.empty() || expects_body) {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(req.body.size()));
    }
    if (req.method != "GET" || req.has_body || !req.body.empty() ||
        expects_body) {
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }
  }
  if (req.if_modified_since > 0) {
    curl_easy_setopt(c, CURLOPT_TIMECONDITION,
                     static_cast<long>(CURL_TIMECOND_IFMODSINCE));
    curl_easy_setopt(c, CURLOPT_TIMEVALUE_LARGE,
                     static_cast<curl_off_t>(req.if_modified_since));
  }
  curl_slist* headers = nullptr;
  for (const auto& [k, v] : req.headers) {
    headers = curl_slist_append(headers, (k + ": " + v).c_str());
  }
  // curl adds "Expect: 100-continue" to large bodies; urllib never does.
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

  CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  char* eff = nullptr;
  curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff);
  long redirects = 0;
  curl_easy_getinfo(c, CURLINFO_REDIRECT_COUNT, &redirects);
  double total = 0;
  curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &total);
  resp.status = static_cast<int>(status);
  resp.final_url = eff ? eff : req.url;
  resp.redirects = static_cast<int>(redirects);
  resp.elapsed_s = total;
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
  bool close_failed = t.file != nullptr && fclose(t.file) != 0;
  if (t.too_large) {
    return ResourceExhaustedError(where + ": response body larger than " +
                                  std::to_string(req.max_body_bytes) +
                                  " bytes");
  }
  if (t.write_failed || close_failed) {
    return InternalError(where + ": cannot write the body to " + req.body_file);
  }
  if (rc != CURLE_OK) {
    std::string reason = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      return DeadlineExceededError(where + ": " + reason);
    }
    return UnavailableError(where + ": " + reason);
  }
  // file:// answers no status line; urllib reports 200 for it.
  if (resp.status == 0 && req.url.starts_with("file:")) resp.status = 200;
  return resp;
}

}  // namespace tend::automate::netmod
