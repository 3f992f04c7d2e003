#include "logs/sources/syslog_receiver.h"

#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

#include "base/clock.h"
#include "base/log.h"
#include "logs/sources/syslog_net.h"

namespace tend::logs {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr int kUdpBatch = 16;
constexpr int kUdpRounds = 4;  // recvmmsg calls per event, for fairness.
// Largest UDP payload; datagrams are read into buffers of this size.
constexpr size_t kMaxDatagram = 65536;

}  // namespace

SyslogServer::Receiver::Receiver(SyslogServer* server) : server_(server) {}

SyslogServer::Receiver::~Receiver() {
  for (auto& c : conns_) {
    if (c->fd >= 0) {
      c->tls.reset();
      close(c->fd);
    }
  }
  for (auto& l : listeners_) close(l->fd);
  if (wake_.fd >= 0) close(wake_.fd);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

Result<std::unique_ptr<SyslogServer::Receiver>> SyslogServer::Receiver::Create(
    SyslogServer* server) {
  std::unique_ptr<Receiver> r(new Receiver(server));
  const SyslogServerOptions& o = server->options_;
  r->epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (r->epoll_fd_ < 0) return ErrnoError("epoll_create1", errno);
  r->wake_.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (r->wake_.fd < 0) return ErrnoError("eventfd", errno);
  RETURN_IF_ERROR(r->AddToEpoll(&r->wake_, EPOLLIN));
  if (!o.tls.empty()) {
    auto tls = TlsServerContext::Create(o.tls_cert_file, o.tls_key_file);
    if (!tls.ok()) return tls.status();
    r->tls_ = std::move(*tls);
  }
  for (const std::string& a : o.udp) {
    uint16_t port = 0;
    RETURN_IF_ERROR(r->Listen(Kind::kUdp, a, &port));
    server->ports_.udp.push_back(port);
  }
  for (const std::string& a : o.tcp) {
    uint16_t port = 0;
    RETURN_IF_ERROR(r->Listen(Kind::kTcpListen, a, &port));
    server->ports_.tcp.push_back(port);
  }
  for (const std::string& a : o.tls) {
    uint16_t port = 0;
    RETURN_IF_ERROR(r->Listen(Kind::kTlsListen, a, &port));
    server->ports_.tls.push_back(port);
  }
  if (!o.udp.empty()) {
    const size_t cap = std::min(o.max_message_bytes + 1, kMaxDatagram);
    r->udp_buffer_.resize(cap * kUdpBatch);
  }
  return r;
}

Status SyslogServer::Receiver::AddToEpoll(Watch* w, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = w;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, w->fd, &ev) != 0) {
    return ErrnoError("epoll_ctl", errno);
  }
  return Status::Ok();
}

Status SyslogServer::Receiver::Listen(Kind kind, const std::string& address,
                                      uint16_t* port) {
  const bool udp = kind == Kind::kUdp;
  auto fd = OpenListenSocket(
      udp ? "udp" : (kind == Kind::kTlsListen ? "tls" : "tcp"), address,
      udp ? server_->options_.udp_receive_buffer_bytes : 0, port);
  if (!fd.ok()) return fd.status();
  auto listener = std::make_unique<Listener>();
  listener->kind = kind;
  listener->fd = *fd;
  listener->address = address;
  listeners_.push_back(std::move(listener));  // Closed by ~Receiver.
  Listener* l = listeners_.back().get();
  RETURN_IF_ERROR(AddToEpoll(l, EPOLLIN));
  l->in_epoll = true;
  return Status::Ok();
}

void SyslogServer::Receiver::Stop() {
  stop_.store(true);
  Wake();
}

void SyslogServer::Receiver::Wake() {
  const uint64_t one = 1;
  // Fails only when the counter is saturated, which still wakes the loop.
  [[maybe_unused]] ssize_t n = write(wake_.fd, &one, sizeof(one));
}

void SyslogServer::Receiver::Run() {
  // OpenSSL writes to the socket (handshake, alerts); a write to a peer
  // that has gone raises SIGPIPE, which would end the process unless the
  // program ignores it. Blocked here, it stays pending on this thread and
  // the write fails with EPIPE instead, handled as a connection error.
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  epoll_event events[64];
  while (!stop_.load()) {
    const int timeout_ms = listeners_backoff_ ? 100 : -1;
    const int n = epoll_wait(epoll_fd_, events, 64, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      LogError("syslog receiver: epoll_wait failed",
               {{"source", server_->name()}, {"err", std::strerror(errno)}});
      server_->errors_.fetch_add(1);
      return;
    }
    if (listeners_backoff_) ReaddListeners();
    for (int i = 0; i < n; ++i) {
      Watch* w = static_cast<Watch*>(events[i].data.ptr);
      switch (w->kind) {
        case Kind::kWake: {
          uint64_t v;
          [[maybe_unused]] ssize_t r = read(wake_.fd, &v, sizeof(v));
          if (paused_.load() && !server_->QueueFull()) Resume();
          break;
        }
        case Kind::kUdp:
          ReadUdp(static_cast<Listener*>(w));
          break;
        case Kind::kTcpListen:
        case Kind::kTlsListen:
          Accept(static_cast<Listener*>(w));
          break;
        case Kind::kConn:
          HandleConn(static_cast<Conn*>(w), events[i].events);
          break;
      }
    }
    // Closed connections are freed only now: an event later in the same
    // batch may still point at them.
    std::erase_if(conns_,
                  [](const std::unique_ptr<Conn>& c) { return c->closed; });
  }
}

void SyslogServer::Receiver::ReaddListeners() {
  listeners_backoff_ = false;
  for (auto& l : listeners_) {
    if (l->in_epoll) continue;
    if (AddToEpoll(l.get(), EPOLLIN).ok()) {
      l->in_epoll = true;
    } else {
      listeners_backoff_ = true;
    }
  }
}

void SyslogServer::Receiver::ReadUdp(Listener* l) {
  const size_t cap = udp_buffer_.size() / kUdpBatch;
  const size_t max = server_->options_.max_message_bytes;
  mmsghdr msgs[kUdpBatch];
  iovec iov[kUdpBatch];
  sockaddr_storage peers[kUdpBatch];
  alignas(cmsghdr) char control[kUdpBatch][CMSG_SPACE(sizeof(uint32_t))];
  char origin[64];  // Holds any "[ip6]:port".
  for (int round = 0; round < kUdpRounds; ++round) {
    for (int i = 0; i < kUdpBatch; ++i) {
      iov[i].iov_base = udp_buffer_.data() + i * cap;
      iov[i].iov_len = cap;
      msgs[i] = mmsghdr{};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_name = &peers[i];
      msgs[i].msg_hdr.msg_namelen = sizeof(peers[i]);
      msgs[i].msg_hdr.msg_control = control[i];
      msgs[i].msg_hdr.msg_controllen = sizeof(control[i]);
    }
    const int n = recvmmsg(l->fd, msgs, kUdpBatch, MSG_DONTWAIT, nullptr);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        server_->errors_.fetch_add(1);
        LogWarn("syslog receive failed", {{"source", server_->name()},
                                          {"address", l->address},
                                          {"err", std::strerror(errno)}});
      }
      return;
    }
    const int64_t now = Clock::Real()->NowUnixNanos();
    for (int i = 0; i < n; ++i) {
      msghdr& h = msgs[i].msg_hdr;
      for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr;
           c = CMSG_NXTHDR(&h, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
          uint32_t drops;
          std::memcpy(&drops, CMSG_DATA(c), sizeof(drops));
          // A running total per socket; unsigned subtraction survives wrap.
          server_->dropped_.fetch_add(drops - l->kernel_drops);
          l->kernel_drops = drops;
        }
      }
      std::string_view body(static_cast<const char*>(iov[i].iov_base),
                            std::min<size_t>(msgs[i].msg_len, cap));
      bool truncated = (h.msg_flags & MSG_TRUNC) != 0;
      if (!truncated) {
        while (!body.empty() && (body.back() == '\n' || body.back() == '\r' ||
                                 body.back() == '\0')) {
          body.remove_suffix(1);
        }
      }
      if (body.size() > max) {
        body = body.substr(0, max);
        truncated = true;
      }
      if (body.empty()) continue;  // Nothing to keep.
      const size_t olen = FormatPeer(peers[i], origin, sizeof(origin));
      if (!server_->Enqueue(body, std::string_view(origin, olen), truncated, "",
                            now, /*drop_if_full=*/true)) {
        server_->dropped_.fetch_add(1);
      }
    }
    if (n < kUdpBatch) return;
  }
}

void SyslogServer::Receiver::Accept(Listener* l) {
  const size_t max_conns = server_->options_.max_connections;
  for (;;) {
    sockaddr_storage peer{};
    socklen_t len = sizeof(peer);
    const int fd = accept4(l->fd, reinterpret_cast<sockaddr*>(&peer), &len,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      server_->errors_.fetch_add(1);
      LogWarn("syslog accept failed", {{"source", server_->name()},
                                       {"address", l->address},
                                       {"err", std::strerror(errno)}});
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
          errno == ENOMEM) {
        // The pending connection stays readable; without a pause the
        // level-triggered loop would spin on it.
        epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, l->fd, nullptr);
        l->in_epoll = false;
        listeners_backoff_ = true;
      }
      return;
    }
    if (server_->open_.load() >= max_conns) {
      server_->errors_.fetch_add(1);
      close(fd);
      if (rejected_++ % 1000 == 0) {
        LogWarn("syslog connection refused: max_connections reached",
                {{"source", server_->name()},
                 {"peer", PeerString(peer)},
                 {"max_connections", static_cast<long long>(max_conns)},
                 {"refused_so_far", static_cast<long long>(rejected_)}});
      }
      continue;
    }
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
    auto c = std::make_unique<Conn>(server_->options_.max_message_bytes);
    c->kind = Kind::kConn;
    c->fd = fd;
    c->origin = PeerString(peer);
    if (l->kind == Kind::kTlsListen) {
      auto tls = TlsServerStream::Create(*tls_, fd);
      if (!tls.ok()) {
        close(fd);
        server_->errors_.fetch_add(1);
        LogWarn("syslog TLS connection failed", {{"source", server_->name()},
                                                 {"peer", c->origin},
                                                 {"err", tls.status()}});
        continue;
      }
      c->tls = std::move(*tls);
    }
    c->events = EPOLLIN;
    if (!paused_.load()) {
      if (!AddToEpoll(c.get(), c->events).ok()) {
        close(fd);
        server_->errors_.fetch_add(1);
        continue;
      }
      c->in_epoll = true;
    }
    server_->open_.fetch_add(1);
    conns_.push_back(std::move(c));
  }
}

void SyslogServer::Receiver::SetInterest(Conn* c, uint32_t events) {
  if (c->events == events) return;
  c->events = events;
  if (!c->in_epoll) return;
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = c;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c->fd, &ev);
}

void SyslogServer::Receiver::HandleConn(Conn* c, uint32_t /*events*/) {
  // A connection paused earlier in this batch waits for Resume().
  if (c->closed || !c->in_epoll) return;
  if (c->tls != nullptr && !c->tls->handshake_done()) {
    switch (c->tls->Handshake()) {
      case TlsIo::kOk:
        SetInterest(c, EPOLLIN);
        break;
      case TlsIo::kWantRead:
        SetInterest(c, EPOLLIN);
        return;
      case TlsIo::kWantWrite:
        SetInterest(c, EPOLLOUT);
        return;
      case TlsIo::kEof:
        CloseConn(c);
        return;
      case TlsIo::kError:
        server_->errors_.fetch_add(1);
        LogWarn("syslog TLS handshake failed", {{"source", server_->name()},
                                                {"peer", c->origin},
                                                {"err", c->tls->error()}});
        CloseConn(c);
        return;
    }
  }
  ReadConn(c);
}

void SyslogServer::Receiver::ReadConn(Conn* c) {
  // Frames left from before a pause go first.
  if (!DrainFrames(c, Clock::Real()->NowUnixNanos())) {
    Pause();
    return;
  }
  for (;;) {
    char* p = c->decoder.PrepareWrite(kReadChunk);
    size_t got = 0;
    if (c->tls != nullptr) {
      switch (c->tls->Read(p, kReadChunk, &got)) {
        case TlsIo::kOk:
          break;
        case TlsIo::kWantRead:
          SetInterest(c, EPOLLIN);
          return;
        case TlsIo::kWantWrite:  // Renegotiation: wait for writability.
          SetInterest(c, EPOLLOUT);
          return;
        case TlsIo::kEof:
          EndConn(c);
          return;
        case TlsIo::kError:
          server_->errors_.fetch_add(1);
          LogWarn("syslog TLS read failed", {{"source", server_->name()},
                                             {"peer", c->origin},
                                             {"err", c->tls->error()}});
          EndConn(c);
          return;
      }
    } else {
      const ssize_t n = read(c->fd, p, kReadChunk);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        // ECONNRESET and the like: the peer is gone; keep what came.
        if (errno != ECONNRESET) {
          server_->errors_.fetch_add(1);
          LogWarn("syslog read failed", {{"source", server_->name()},
                                         {"peer", c->origin},
                                         {"err", std::strerror(errno)}});
        }
        EndConn(c);
        return;
      }
      if (n == 0) {
        EndConn(c);
        return;
      }
      got = static_cast<size_t>(n);
    }
    c->decoder.Commit(got);
    if (!DrainFrames(c, Clock::Real()->NowUnixNanos())) {
      Pause();
      return;
    }
    // Plain TCP: one read per event keeps connections fair; the
    // level-triggered epoll reports the rest. TLS must read until
    // kWantRead: OpenSSL may hold decrypted bytes the socket no longer
    // shows.
    if (c->tls == nullptr) return;
  }
}

bool SyslogServer::Receiver::DrainFrames(Conn* c, int64_t now_ns,
                                         bool ignore_limit) {
  SyslogFrame f;
  while (ignore_limit || !server_->QueueFull()) {
    if (!c->decoder.Next(&f)) return true;
    server_->Enqueue(f.message, c->origin, f.truncated, f.error, now_ns,
                     /*drop_if_full=*/false);
  }
  return false;
}

void SyslogServer::Receiver::EndConn(Conn* c) {
  const int64_t now = Clock::Real()->NowUnixNanos();
  // The connection is going away: queue what it sent (at most one read
  // beyond the limit) rather than keep a closed connection around.
  DrainFrames(c, now, /*ignore_limit=*/true);
  SyslogFrame f;
  if (c->decoder.Finish(&f)) {
    server_->Enqueue(f.message, c->origin, f.truncated, f.error, now,
                     /*drop_if_full=*/false);
  }
  CloseConn(c);
}

void SyslogServer::Receiver::CloseConn(Conn* c) {
  if (c->closed) return;
  if (c->in_epoll) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c->fd, nullptr);
  c->tls.reset();
  close(c->fd);
  c->fd = -1;
  c->in_epoll = false;
  c->closed = true;
  server_->open_.fetch_sub(1);
}

void SyslogServer::Receiver::Pause() {
  if (paused_.load()) return;
  paused_.store(true);
  for (auto& c : conns_) {
    if (c->closed || !c->in_epoll) continue;
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c->fd, nullptr);
    c->in_epoll = false;
  }
  // Poll may have emptied the queue between our check and paused_ being
  // set, and then seen paused_ false and not woken us: check again.
  if (!server_->QueueFull()) Wake();
}

void SyslogServer::Receiver::Resume() {
  paused_.store(false);
  for (auto& c : conns_) {
    if (c->closed || c->in_epoll) continue;
    if (AddToEpoll(c.get(), c->events).ok()) c->in_epoll = true;
  }
  // Frames already read wait in the decoders, and OpenSSL may hold
  // decrypted bytes: epoll reports neither, so read each connection now.
  for (auto& c : conns_) {
    if (paused_.load()) break;
    if (!c->closed && (c->tls == nullptr || c->tls->handshake_done())) {
      ReadConn(c.get());
    }
  }
}

}  // namespace tend::logs
