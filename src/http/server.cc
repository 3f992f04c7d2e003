#include "http/server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>

#include "base/log.h"

namespace tend {
namespace {

HttpRequest Convert(const httplib::Request& req) {
  HttpRequest r;
  r.method = req.method;
  r.path = req.path;
  r.body = req.body;
  for (const auto& [k, v] : req.headers) r.headers.emplace(k, v);
  for (const auto& [k, v] : req.params) r.params.emplace(k, v);
  r.remote_addr = req.remote_addr;
  return r;
}

void Apply(const HttpResponse& in, httplib::Response& out) {
  out.status = in.status;
  for (const auto& [k, v] : in.headers) out.set_header(k, v);
  if (in.stream && in.stream_raw) {
    // A fixed, unreachable length keeps httplib from chunking; the
    // connection ends when the producer returns.
    constexpr size_t kUnbounded = size_t{1} << 62;
    out.set_content_provider(
        kUnbounded, in.content_type,
        [stream = in.stream](size_t, size_t, httplib::DataSink& sink) {
          stream([&sink](std::string_view chunk) {
            if (chunk.empty()) return sink.is_writable();
            return sink.is_writable() && sink.write(chunk.data(), chunk.size());
          });
          return false;  // Ends the response (and the connection).
        });
    return;
  }
  if (in.stream) {
    // Chunked: the producer runs once, on this server thread, writing as
    // it goes; a write that fails (the client left) ends it.
    out.set_chunked_content_provider(
        in.content_type, [stream = in.stream](size_t, httplib::DataSink& sink) {
          stream([&sink](std::string_view chunk) {
            // An empty chunk would end a chunked body: it only asks whether
            // the client is still there.
            if (chunk.empty()) return sink.is_writable();
            return sink.is_writable() && sink.write(chunk.data(), chunk.size());
          });
          sink.done();
          return true;
        });
    return;
  }
  out.set_content(in.body, in.content_type);
}

httplib::Server::Handler Wrap(HttpServer::Handler h) {
  return
      [h = std::move(h)](const httplib::Request& req, httplib::Response& res) {
        HttpRequest r = Convert(req);
        HttpResponse out;
        h(r, &out);
        Apply(out, res);
      };
}

// httplib routes by regular expression: escape a literal path.
std::string EscapeRegex(const std::string& path) {
  std::string re;
  for (char c : path) {
    if (std::string_view(".^$|()[]{}*+?\\").find(c) != std::string_view::npos)
      re.push_back('\\');
    re.push_back(c);
  }
  return re;
}

void Route(httplib::Server* server, const std::string& method,
           const std::string& re, HttpServer::Handler handler) {
  if (method == "GET") {
    server->Get(re, Wrap(std::move(handler)));
  } else if (method == "POST") {
    server->Post(re, Wrap(std::move(handler)));
  } else if (method == "PUT") {
    server->Put(re, Wrap(std::move(handler)));
  } else if (method == "DELETE") {
    server->Delete(re, Wrap(std::move(handler)));
  }
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

}  // namespace

std::string HttpRequest::Header(const std::string& name) const {
  std::string want = Lower(name);
  for (const auto& [k, v] : headers) {
    if (Lower(k) == want) return v;
  }
  return "";
}

std::string HttpRequest::Param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

HttpServer::HttpServer(HttpServerOptions options)
    : options_(options), server_(std::make_unique<httplib::Server>()) {
  int threads = options_.threads;
  server_->new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));
  };
  // httplib's default also sets SO_REUSEPORT, which would let a second agent
  // bind the same port and silently split the traffic: only SO_REUSEADDR.
  server_->set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server_->set_payload_max_length(options_.max_body_bytes);
  server_->set_read_timeout(options_.read_timeout_sec, 0);
  server_->set_write_timeout(options_.write_timeout_sec, 0);
  server_->set_keep_alive_max_count(100);
  server_->set_error_handler(
      [](const httplib::Request& req, httplib::Response& res) {
        if (res.body.empty()) {
          res.set_content(
              res.status == 404
                  ? "404 not found: " + req.method + " " + req.path + "\n"
                  : std::to_string(res.status) + ": " + req.method + " " +
                        req.path + "\n",
              "text/plain; charset=utf-8");
        }
      });
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Handle(const std::string& method, const std::string& path,
                        Handler handler) {
  Route(server_.get(), method, EscapeRegex(path), std::move(handler));
}

void HttpServer::HandlePrefix(const std::string& method,
                              const std::string& prefix, Handler handler) {
  Route(server_.get(), method, EscapeRegex(prefix) + ".*", std::move(handler));
}

Status HttpServer::Start(const std::string& host, int port) {
  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
    if (port_ <= 0) return UnavailableError("cannot bind " + host + ":0");
  } else {
    errno = 0;
    if (!server_->bind_to_port(host, port)) {
      int err = errno;
      std::string what =
          "cannot listen on " + host + ":" + std::to_string(port);
      if (err == EADDRINUSE) {
        return UnavailableError(what +
                                ": address already in use (another tend "
                                "agent? use --listen to pick another port)");
      }
      return err != 0 ? ErrnoError(what, err) : UnavailableError(what);
    }
    port_ = port;
  }
  thread_ = std::thread([this] {
    if (!server_->listen_after_bind()) {
      LogDebug("http server stopped listening");
    }
  });
  // stop() before the thread has entered its accept loop would be lost and
  // Stop() would then wait forever: return only once it is serving.
  for (int i = 0; i < 5000 && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return Status::Ok();
}

void HttpServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

Status SplitHostPort(const std::string& addr, std::string* host, int* port,
                     bool allow_zero) {
  std::string h, p;
  if (!addr.empty() && addr[0] == '[') {
    size_t close = addr.find(']');
    if (close == std::string::npos || close + 1 >= addr.size() ||
        addr[close + 1] != ':') {
      return InvalidArgumentError("\"" + addr +
                                  "\" is not [ipv6]:port, e.g. [::1]:9955");
    }
    h = addr.substr(1, close - 1);
    p = addr.substr(close + 2);
  } else {
    size_t colon = addr.rfind(':');
    if (colon == std::string::npos) {
      return InvalidArgumentError("\"" + addr +
                                  "\" is not host:port, e.g. 127.0.0.1:9955");
    }
    h = addr.substr(0, colon);
    p = addr.substr(colon + 1);
  }
  char* end = nullptr;
  long v = std::strtol(p.c_str(), &end, 10);
  if (p.empty() || *end != '\0' || v < (allow_zero ? 0 : 1) || v > 65535) {
    return InvalidArgumentError("\"" + addr + "\": port \"" + p +
                                "\" is not a number from " +
                                (allow_zero ? "0" : "1") + " to 65535");
  }
  if (h.empty()) {
    return InvalidArgumentError("\"" + addr + "\": missing host");
  }
  *host = h;
  *port = static_cast<int>(v);
  return Status::Ok();
}

}  // namespace tend
