#include "automate/deploy/health.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <re2/re2.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "http/client.h"

namespace tend::automate::deploy {
namespace {

Status Bad(const std::string& msg) {
  return InvalidArgumentError("health: " + msg);
}

// Splits "host:port" / "[v6]:port"; false when malformed.
bool SplitHostPort(const std::string& hp, std::string* host,
                   std::string* port) {
  size_t colon = hp.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == hp.size()) {
    return false;
  }
  *host = hp.substr(0, colon);
  *port = hp.substr(colon + 1);
  if (host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  for (char c : *port) {
    if (c < '0' || c > '9') return false;
  }
  return !host->empty();
}

Status CheckTcp(const std::string& hp, int timeout_ms) {
  std::string host, port;
  if (!SplitHostPort(hp, &host, &port)) {
    return InvalidArgumentError("bad address '" + hp + "'");
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) {
    return UnavailableError("cannot resolve '" + host +
                            "': " + gai_strerror(rc));
  }
  Status last = UnavailableError("no address for '" + hp + "'");
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    int fd =
        socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
               ai->ai_protocol);
    if (fd < 0) {
      last = ErrnoError("socket", errno);
      continue;
    }
    int c = connect(fd, ai->ai_addr, ai->ai_addrlen);
    int err = c == 0 ? 0 : errno;
    if (err == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int n = poll(&p, 1, timeout_ms);
      if (n == 0) {
        err = ETIMEDOUT;
      } else {
        socklen_t len = sizeof(err);
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      }
    }
    close(fd);
    if (err == 0) {
      freeaddrinfo(res);
      return Status::Ok();
    }
    last = UnavailableError("connect " + hp + ": " + strerror(err));
  }
  freeaddrinfo(res);
  return last;
}

Status CheckHttp(const HealthCheck& c) {
  HttpClientRequest req;
  req.address = c.address;
  req.path = c.path;
  req.timeout_ms = c.timeout_ms;
  auto resp = HttpFetch(req);
  if (!resp.ok()) return resp.status();
  if (resp->status != c.status) {
    return UnavailableError("got status " + std::to_string(resp->status) +
                            ", want " + std::to_string(c.status));
  }
  if (!c.body_match.empty()) {
    RE2 re(c.body_match, RE2::Quiet);
    if (!RE2::PartialMatch(resp->body, re)) {
      std::string head = resp->body.substr(0, 200);
      return UnavailableError("body does not match /" + c.body_match + "/: '" +
                              head + "'");
    }
  }
  return Status::Ok();
}

Status CheckExec(const HealthCheck& c, Connection* conn,
                 const Privilege& priv) {
  ExecRequest req;
  req.shell = c.exec;
  req.chdir = c.exec_dir;
  req.timeout_ms = c.timeout_ms;
  req.priv = priv;
  auto r = conn->Exec(req);
  if (!r.ok()) return r.status();
  if (r->timed_out) {
    return DeadlineExceededError("timed out after " +
                                 std::to_string(c.timeout_ms) + " ms");
  }
  if (r->exit_code == 0) return Status::Ok();
  std::string why = r->err.empty() ? r->out : r->err;
  while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) {
    why.pop_back();
  }
  if (why.size() > 300) why.resize(300);
  std::string code = r->exit_code >= 0 ? "exit " + std::to_string(r->exit_code)
                                       : "signal " + std::to_string(r->signal);
  return UnavailableError(why.empty() ? code : code + ": " + why);
}

}  // namespace

std::string HealthCheck::Describe() const {
  switch (kind) {
    case Kind::kHttp:
      return "http " + url;
    case Kind::kTcp:
      return "tcp " + tcp;
    case Kind::kExec:
      return "exec '" + exec + "'";
    case Kind::kNone:
      break;
  }
  return "none";
}

Result<HealthCheck> ParseHealthCheck(const Value& v) {
  HealthCheck c;
  if (v.is_null() || (v.is_object() && v.empty())) return c;
  if (!v.is_object()) {
    return Bad("must be a mapping with one of http, tcp or exec; got " +
               v.dump());
  }
  int kinds = 0;
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string& k = it.key();
    const Value& x = it.value();
    auto str = [&](std::string* out) -> Status {
      if (!x.is_string() || x.get<std::string>().empty()) {
        return Bad("'" + k + "' must be a non-empty string");
      }
      *out = x.get<std::string>();
      return Status::Ok();
    };
    if (k == "http") {
      RETURN_IF_ERROR(str(&c.url));
      c.kind = HealthCheck::Kind::kHttp;
      ++kinds;
    } else if (k == "tcp") {
      RETURN_IF_ERROR(str(&c.tcp));
      c.kind = HealthCheck::Kind::kTcp;
      ++kinds;
    } else if (k == "exec") {
      RETURN_IF_ERROR(str(&c.exec));
      c.kind = HealthCheck::Kind::kExec;
      ++kinds;
    } else if (k == "status") {
      if (x.is_number_integer()) {
        c.status = x.get<int>();
      } else if (x.is_string() && !x.get<std::string>().empty() &&
                 x.get<std::string>().find_first_not_of("0123456789") ==
                     std::string::npos) {
        c.status = std::stoi(x.get<std::string>());
      } else {
        return Bad("'status' must be an HTTP status code, got " + x.dump());
      }
      if (c.status < 100 || c.status > 599) {
        return Bad("'status' must be between 100 and 599, got " +
                   std::to_string(c.status));
      }
    } else if (k == "body_match") {
      RETURN_IF_ERROR(str(&c.body_match));
      RE2 re(c.body_match, RE2::Quiet);
      if (!re.ok()) {
        return Bad("'body_match' is not a valid regular expression: " +
                   re.error());
      }
    } else if (k == "timeout") {
      if (!x.is_number() || x.get<double>() <= 0) {
        return Bad("'timeout' must be a positive number of seconds");
      }
      c.timeout_ms = static_cast<int>(x.get<double>() * 1000);
    } else {
      return Bad("unknown key '" + k +
                 "'; supported: http, status, body_match, tcp, exec, timeout");
    }
  }
  if (kinds != 1) {
    return Bad(kinds == 0 ? "give one of http, tcp or exec"
                          : "give only one of http, tcp or exec");
  }
  if (c.kind == HealthCheck::Kind::kHttp) {
    constexpr std::string_view kScheme = "http://";
    if (!std::string_view(c.url).starts_with(kScheme)) {
      return Bad(
          "'http' must be an http:// URL (for https use exec with "
          "curl); got '" +
          c.url + "'");
    }
    std::string rest = c.url.substr(kScheme.size());
    size_t slash = rest.find('/');
    c.address = rest.substr(0, slash);
    c.path = slash == std::string::npos ? "/" : rest.substr(slash);
    if (c.address.find(':') == std::string::npos) c.address += ":80";
    std::string host, port;
    if (!SplitHostPort(c.address, &host, &port)) {
      return Bad("bad address in URL '" + c.url + "'");
    }
  } else if (c.kind == HealthCheck::Kind::kTcp) {
    std::string host, port;
    if (!SplitHostPort(c.tcp, &host, &port)) {
      return Bad("'tcp' must be host:port, got '" + c.tcp + "'");
    }
  }
  return c;
}

Status RunHealthCheck(const HealthCheck& check, Connection* conn,
                      const Privilege& priv) {
  switch (check.kind) {
    case HealthCheck::Kind::kNone:
      return Status::Ok();
    case HealthCheck::Kind::kHttp:
      return CheckHttp(check);
    case HealthCheck::Kind::kTcp:
      return CheckTcp(check.tcp, check.timeout_ms);
    case HealthCheck::Kind::kExec:
      return CheckExec(check, conn, priv);
  }
  return Status::Ok();
}

}  // namespace tend::automate::deploy
