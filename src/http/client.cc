#include "http/client.h"

#include <httplib.h>

#include "http/server.h"

namespace tend {

Result<HttpClientResponse> HttpFetch(const HttpClientRequest& request) {
  std::string host;
  int port = 0;
  RETURN_IF_ERROR(SplitHostPort(request.address, &host, &port));
  httplib::Client client(host, port);
  const time_t sec = request.timeout_ms / 1000;
  const time_t usec = (request.timeout_ms % 1000) * 1000;
  client.set_connection_timeout(sec, usec);
  client.set_read_timeout(sec, usec);
  client.set_write_timeout(sec, usec);
  httplib::Headers headers;
  for (const auto& [k, v] : request.headers) headers.emplace(k, v);
  if (request.method != "GET" && request.method != "POST" &&
      request.method != "DELETE") {
    return InvalidArgumentError("unsupported method " + request.method);
  }
  httplib::Result res = request.method == "GET"
                            ? client.Get(request.path, headers)
                        : request.method == "POST"
                            ? client.Post(request.path, headers, request.body,
                                          request.content_type)
                            : client.Delete(request.path, headers);
  if (!res) {
    return UnavailableError("cannot reach http://" + request.address +
                            request.path + ": " +
                            httplib::to_string(res.error()));
  }
  HttpClientResponse out;
  out.status = res->status;
  out.content_type = res->get_header_value("Content-Type");
  out.body = std::move(res->body);
  return out;
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
        c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace tend
