#include "logs/sources/syslog_net.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>

namespace tend::logs {

Status SplitHostPort(const std::string& address, std::string* host,
                     std::string* port) {
  size_t colon;
  if (!address.empty() && address[0] == '[') {
    const size_t close = address.find(']');
    if (close == std::string::npos || close + 1 >= address.size() ||
        address[close + 1] != ':') {
      return InvalidArgumentError("listen address \"" + address +
                                  "\": expected [IPV6]:PORT");
    }
    *host = address.substr(1, close - 1);
    colon = close + 1;
  } else {
    colon = address.rfind(':');
    if (colon == std::string::npos) {
      return InvalidArgumentError("listen address \"" + address +
                                  "\": expected HOST:PORT");
    }
    *host = address.substr(0, colon);
  }
  *port = address.substr(colon + 1);
  if (port->empty() || port->size() > 5 ||
      !std::all_of(port->begin(), port->end(),
                   [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoul(*port) > 65535) {
    return InvalidArgumentError("listen address \"" + address +
                                "\": port must be a number 0..65535");
  }
  return Status::Ok();
}

size_t FormatPeer(const sockaddr_storage& addr, char* buf, size_t size) {
  char ip[INET6_ADDRSTRLEN] = "?";
  unsigned port = 0;
  int n = 0;
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
    port = ntohs(a->sin_port);
    n = std::snprintf(buf, size, "%s:%u", ip, port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    port = ntohs(a->sin6_port);
    if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
      // A dual-stack socket's IPv4 peer: show it as IPv4.
      inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], ip, sizeof(ip));
      n = std::snprintf(buf, size, "%s:%u", ip, port);
    } else {
      inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
      n = std::snprintf(buf, size, "[%s]:%u", ip, port);
    }
  } else {
    n = std::snprintf(buf, size, "unknown");
  }
  return n < 0 ? 0 : std::min(static_cast<size_t>(n), size - 1);
}

std::string PeerString(const sockaddr_storage& addr) {
  char buf[INET6_ADDRSTRLEN + 16];
  return std::string(buf, FormatPeer(addr, buf, sizeof(buf)));
}

Result<int> OpenListenSocket(std::string_view kind, const std::string& address,
                             size_t udp_receive_buffer_bytes, uint16_t* port) {
  const bool udp = kind == "udp";
  const std::string what = "bind " + std::string(kind) + " " + address;
  std::string host, port_text;
  RETURN_IF_ERROR(SplitHostPort(address, &host, &port_text));
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = udp ? SOCK_DGRAM : SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  const bool any = host.empty();
  addrinfo* res = nullptr;
  const int gai =
      getaddrinfo(any ? "::" : host.c_str(), port_text.c_str(), &hints, &res);
  if (gai != 0) {
    if (!any) return InvalidArgumentError(what + ": " + gai_strerror(gai));
    res = nullptr;
  }
  const int type = hints.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC;
  int fd = res != nullptr ? socket(res->ai_family, type, 0) : -1;
  if (fd < 0 && any) {  // No IPv6 here: all IPv4 addresses.
    if (res != nullptr) freeaddrinfo(res);
    res = nullptr;
    if (getaddrinfo("0.0.0.0", port_text.c_str(), &hints, &res) != 0) {
      return InternalError(what + ": cannot resolve 0.0.0.0");
    }
    fd = socket(res->ai_family, type, 0);
  }
  if (fd < 0) {
    const int err = errno;
    if (res != nullptr) freeaddrinfo(res);
    return ErrnoError(what + ": socket", err);
  }
  const int one = 1;
  const int zero = 0;
  Status status;
  if (res->ai_family == AF_INET6 && any) {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
  }
  if (!udp) {
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  } else {
    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
    if (udp_receive_buffer_bytes > 0) {
      const int size = static_cast<int>(
          std::min<size_t>(udp_receive_buffer_bytes, INT_MAX / 2));
      if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) != 0) {
        status = ErrnoError(what + ": SO_RCVBUF", errno);
      }
    }
  }
  if (status.ok() && bind(fd, res->ai_addr, res->ai_addrlen) != 0) {
    status = ErrnoError(what, errno);
  }
  freeaddrinfo(res);
  if (status.ok() && !udp && listen(fd, SOMAXCONN) != 0) {
    status = ErrnoError("listen " + address, errno);
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  if (status.ok() &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len) != 0) {
    status = ErrnoError("getsockname " + address, errno);
  }
  if (!status.ok()) {
    close(fd);
    return status;
  }
  *port = bound.ss_family == AF_INET6
              ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
              : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return fd;
}

}  // namespace tend::logs
