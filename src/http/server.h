// HttpServer: tend's HTTP API server, a thin wrapper over cpp-httplib that
// keeps the library out of the rest of the code.
//
// Threads: handlers run on the server's own small thread pool, never on the
// event loop; they must only touch state that is safe to share (snapshots
// behind a mutex, or loop.Post()).
#ifndef TEND_HTTP_SERVER_H_
#define TEND_HTTP_SERVER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "base/status.h"

namespace httplib {
class Server;
}

namespace tend {

struct HttpRequest {
  std::string method;
  std::string path;
  std::string body;
  std::multimap<std::string, std::string> headers;  // As received.
  std::multimap<std::string, std::string> params;   // Query and form.
  std::string remote_addr;

  // The first value of header `name` (case-insensitive), or "".
  std::string Header(const std::string& name) const;
  // The first value of parameter `name`, or "".
  std::string Param(const std::string& name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::map<std::string, std::string> headers;
  // When set, the body is streamed (chunked) instead of `body`: the
  // function is called once, after the handler returned, on the same
  // server thread, and calls `write` per chunk; `write` returns false once
  // the client is gone, and the function should then return. An empty
  // chunk writes nothing and only asks whether the client is still there.
  using Writer = std::function<bool(std::string_view chunk)>;
  std::function<void(const Writer& write)> stream;
  // With `stream`: write its bytes as they are, without chunked encoding,
  // until it returns (a connection upgraded with status 101, e.g. to a
  // WebSocket); the connection is closed after.
  bool stream_raw = false;
};

struct HttpServerOptions {
  int threads = 4;
  size_t max_body_bytes = 1u << 20;
  int read_timeout_sec = 10;
  int write_timeout_sec = 10;
};

class HttpServer {
 public:
  using Handler = std::function<void(const HttpRequest&, HttpResponse*)>;

  explicit HttpServer(HttpServerOptions options = HttpServerOptions());
  ~HttpServer();  // Stop()s.
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Routes `method` ("GET", "POST") on the exact `path`. Call before Start.
  void Handle(const std::string& method, const std::string& path,
              Handler handler);
  // Routes every path that starts with `prefix` (after exact routes).
  void HandlePrefix(const std::string& method, const std::string& prefix,
                    Handler handler);

  // Binds host:port synchronously (port 0 picks a free port) and serves on
  // background threads. Fails with a clear message when the address is in
  // use or cannot be bound.
  Status Start(const std::string& host, int port);

  // The bound port (after Start).
  int port() const { return port_; }

  // Stops accepting, finishes in-flight requests, joins. Idempotent.
  void Stop();

 private:
  HttpServerOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

// Splits "host:port" ("[::1]:9955" for IPv6). Port must be 1..65535 (0 when
// allow_zero).
Status SplitHostPort(const std::string& addr, std::string* host, int* port,
                     bool allow_zero = false);

}  // namespace tend

#endif  // TEND_HTTP_SERVER_H_
