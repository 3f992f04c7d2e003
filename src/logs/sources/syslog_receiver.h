// The syslog server's receiving thread (internal to syslog_server.cc and
// syslog_receiver.cc): sockets, the epoll loop, framing, backpressure.
#ifndef TEND_LOGS_SOURCES_SYSLOG_RECEIVER_H_
#define TEND_LOGS_SOURCES_SYSLOG_RECEIVER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "logs/sources/syslog_framing.h"
#include "logs/sources/syslog_server.h"
#include "logs/sources/syslog_tls.h"

namespace tend::logs {

// Threads: Create and the destructor run on the thread that owns the
// server; Run on the receiving thread; Stop, Wake and paused() on any
// thread. Everything else belongs to the receiving thread.
class SyslogServer::Receiver {
 public:
  // Binds every configured address and fills server->ports_. On failure
  // closes whatever it opened.
  static Result<std::unique_ptr<Receiver>> Create(SyslogServer* server);
  // Closes every socket. The thread running Run() must have returned.
  ~Receiver();

  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  // The receiving thread's body; returns once Stop() was called.
  void Run();
  void Stop();
  // Tells the receiving thread that the queue has room again.
  void Wake();
  // True while TCP and TLS reading is suspended because the queue is full.
  bool paused() const { return paused_.load(); }

 private:
  enum class Kind : uint8_t { kWake, kUdp, kTcpListen, kTlsListen, kConn };
  // What an epoll event's data.ptr points to.
  struct Watch {
    Kind kind;
    int fd = -1;
  };
  struct Listener : Watch {
    std::string address;        // As configured, for messages.
    uint32_t kernel_drops = 0;  // Last SO_RXQ_OVFL value seen (UDP).
    bool in_epoll = false;
  };
  struct Conn : Watch {
    explicit Conn(size_t max_message) : decoder(max_message) {}
    std::string origin;  // Peer "ip:port".
    SyslogFrameDecoder decoder;
    std::unique_ptr<TlsServerStream> tls;
    bool in_epoll = false;
    uint32_t events = 0;  // Interest set while in epoll.
    bool closed = false;
  };

  explicit Receiver(SyslogServer* server);

  Status Listen(Kind kind, const std::string& address, uint16_t* port);
  Status AddToEpoll(Watch* w, uint32_t events);

  void ReadUdp(Listener* l);
  void Accept(Listener* l);
  void HandleConn(Conn* c, uint32_t events);
  // Reads until the socket would block, the queue fills or the peer ends.
  void ReadConn(Conn* c);
  // Queues the complete frames the decoder holds, stopping when the queue
  // is full (unless ignore_limit); false when it stopped for that.
  bool DrainFrames(Conn* c, int64_t now_ns, bool ignore_limit = false);
  // The peer is done (or failed): queues the partial last frame, closes.
  void EndConn(Conn* c);
  void CloseConn(Conn* c);
  void SetInterest(Conn* c, uint32_t events);
  void Pause();
  void Resume();
  void ReaddListeners();

  SyslogServer* const server_;
  int epoll_fd_ = -1;
  Watch wake_{Kind::kWake, -1};  // eventfd: Stop and Wake.
  std::atomic<bool> stop_{false};
  std::atomic<bool> paused_{false};
  std::unique_ptr<TlsServerContext> tls_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::vector<std::unique_ptr<Conn>> conns_;
  // Listeners taken out of epoll after accept failed for lack of
  // descriptors (EMFILE), re-added on the next loop turn after a pause.
  bool listeners_backoff_ = false;
  uint64_t rejected_ = 0;  // Connections refused over max_connections.
  std::vector<char> udp_buffer_;
};

}  // namespace tend::logs

#endif  // TEND_LOGS_SOURCES_SYSLOG_RECEIVER_H_
