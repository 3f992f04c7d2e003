// Socket helpers for the syslog server: listen addresses, binding, and
// peer addresses as text. Thread-safe (no shared state).
#ifndef TEND_LOGS_SOURCES_SYSLOG_NET_H_
#define TEND_LOGS_SOURCES_SYSLOG_NET_H_

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace tend::logs {

// Splits "HOST:PORT", "[IPV6]:PORT" or ":PORT" (host ""). Fails with the
// address quoted when the shape is wrong or PORT is not 0..65535.
Status SplitHostPort(const std::string& address, std::string* host,
                     std::string* port);

// Creates a non-blocking, close-on-exec socket bound to `address` (UDP when
// kind is "udp", else a listening TCP socket) and sets *port to the port
// bound (useful with port 0). HOST may be a name (first address resolved);
// "" means every address: IPv6 "::" accepting IPv4 too, or 0.0.0.0 where
// the host has no IPv6. UDP sockets get SO_RXQ_OVFL and, when
// udp_receive_buffer_bytes > 0, that SO_RCVBUF. Errors read
// "bind KIND ADDRESS: reason". The caller owns the descriptor.
Result<int> OpenListenSocket(std::string_view kind, const std::string& address,
                             size_t udp_receive_buffer_bytes, uint16_t* port);

// Writes "ip:port" ("[ip6]:port"; an IPv4-mapped IPv6 address as IPv4)
// into buf (size >= 64 recommended) and returns its length, without
// allocating.
size_t FormatPeer(const sockaddr_storage& addr, char* buf, size_t size);
std::string PeerString(const sockaddr_storage& addr);

}  // namespace tend::logs

#endif  // TEND_LOGS_SOURCES_SYSLOG_NET_H_
