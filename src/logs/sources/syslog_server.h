// SyslogServer: a log source that receives syslog over the network.
//
// Transports: UDP (RFC 5426, one message per datagram), TCP (RFC 6587,
// octet counting or LF framing, chosen per message: syslog_framing.h) and
// TLS over TCP (RFC 5425 transport; same framing). Each message is parsed
// with ParseSyslog (RFC 3164 or 5424, year inference, options.zone for
// timestamps without offset) and handed as SourceEntry::record, with
// line = the whole message and origin = the peer "ip:port". A message that
// is not syslog, or a frame cut off by the end of its connection, is kept
// whole with parse_error set, never dropped.
//
// Threads. Start() creates one receiving thread that owns every socket
// (epoll): it accepts connections, reads, frames and queues messages (it
// blocks SIGPIPE for itself, so a TLS write to a vanished peer cannot end
// the process). The
// pipeline thread calls Restore/Poll/Checkpoint/wait_fd; stats() may be
// called from any thread. The destructor stops and joins the receiving
// thread and closes every socket; messages still queued are lost (they
// were never handed out, so no checkpoint claims them).
//
// Queue and loss. Between the two threads sits one queue of about
// queue_bytes (message and origin bytes). When it is full, the receiving
// thread stops reading TCP and TLS connections until Poll has taken half of
// it: the senders' kernel buffers fill and the senders wait, and nothing is
// lost. The queue exceeds queue_bytes by at most one message, except when
// a connection ends while the queue is full: its last read (up to 64 KiB)
// is queued so the connection can close. UDP cannot wait: a datagram that does
// not fit is read and dropped, and counted in stats().dropped, as are datagrams
// the kernel dropped because the socket buffer was full (SO_RXQ_OVFL).
//
// Checkpoint() is always "": the network cannot replay, so a message
// received but not yet committed when tend stops is lost; a sender that
// needs more must retry at its end (TCP senders with their own queues, such
// as rsyslog's, resend what the connection did not deliver).
#ifndef TEND_LOGS_SOURCES_SYSLOG_SERVER_H_
#define TEND_LOGS_SOURCES_SYSLOG_SERVER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/status.h"
#include "base/thread_annotations.h"
#include "logs/parse/record.h"
#include "logs/parse/timestamp.h"
#include "logs/sources/source.h"

namespace tend::logs {

struct SyslogServerOptions {
  std::string name;  // The source name (stream label `source`).
  // Listen addresses "HOST:PORT": "0.0.0.0:514", "127.0.0.1:0" (port 0: the
  // kernel picks one; bound_ports() tells which), "[::1]:6514", ":514" (all
  // IPv4 and IPv6 addresses). HOST may be a name; the first address it
  // resolves to is used.
  std::vector<std::string> udp;
  std::vector<std::string> tcp;
  std::vector<std::string> tls;
  // PEM certificate chain and private key; required when `tls` is set.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Longer messages are cut to this size and counted as truncated.
  size_t max_message_bytes = 64 * 1024;
  size_t queue_bytes = 8 * 1024 * 1024;
  // SO_RCVBUF of the UDP sockets; 0 keeps the system default
  // (net.core.rmem_default). Bursts beyond it are dropped by the kernel
  // (counted); the kernel caps it at net.core.rmem_max.
  size_t udp_receive_buffer_bytes = 0;
  // TCP and TLS connections open at once; more are accepted and closed
  // right away (logged, counted in stats().errors).
  size_t max_connections = 256;
  // The zone of timestamps without an offset (RFC 3164).
  TimeZone zone = TimeZone::Local();
};

// The ports actually bound, in the order of the options' addresses.
struct SyslogBoundPorts {
  std::vector<uint16_t> udp;
  std::vector<uint16_t> tcp;
  std::vector<uint16_t> tls;
};

class SyslogServer : public LogSource {
 public:
  // Validates the options, loads the TLS certificate, binds every address
  // and starts the receiving thread. Fails, with nothing left open, on an
  // invalid option, an address that cannot be bound ("syslog source NAME:
  // bind tcp 0.0.0.0:514: Address already in use") or a bad certificate.
  static Result<std::unique_ptr<SyslogServer>> Start(
      SyslogServerOptions options);
  ~SyslogServer() override;

  SyslogServer(const SyslogServer&) = delete;
  SyslogServer& operator=(const SyslogServer&) = delete;

  const std::string& name() const override { return options_.name; }
  // Accepts only "" (the server never produces anything else).
  Status Restore(std::string_view checkpoint) override;
  Result<size_t> Poll(EntrySink& sink, size_t max_bytes) override;
  std::string Checkpoint() const override { return ""; }
  // An eventfd, readable while queued messages wait for Poll.
  int wait_fd() const override { return wait_fd_; }
  SourceStats stats() const override;

  const SyslogBoundPorts& bound_ports() const { return ports_; }

  // Bytes queued now (for tests and metrics). Any thread.
  size_t queued_bytes() const { return queued_bytes_.load(); }

 private:
  struct Message {
    size_t offset;  // In Batch::bytes: the message, then the origin.
    uint32_t size;
    uint16_t origin_size;
    bool truncated;
    std::string_view error;  // Static text: a framing error, or "".
    int64_t receive_time_ns;
  };
  // Messages in one contiguous buffer, so queueing allocates nothing once
  // the buffers have grown. Poll swaps the whole batch out under the lock.
  struct Batch {
    std::string bytes;
    std::vector<Message> messages;
    size_t next = 0;  // Poll's position in `messages`.
    void Clear() {
      bytes.clear();
      messages.clear();
      next = 0;
    }
  };
  class Receiver;  // The receiving thread's state (syslog_server.cc).

  explicit SyslogServer(SyslogServerOptions options);

  // Receiving thread: queues one message. Returns false (queueing nothing)
  // when `drop_if_full` and it does not fit.
  bool Enqueue(std::string_view message, std::string_view origin,
               bool truncated, std::string_view error, int64_t receive_ns,
               bool drop_if_full);
  bool QueueFull() const { return queued_bytes_.load() >= queue_limit_; }

  const SyslogServerOptions options_;
  const size_t queue_limit_;
  SyslogBoundPorts ports_;
  int wait_fd_ = -1;  // Signalled when the queue becomes non-empty.

  Mutex mu_;
  Batch pending_ GUARDED_BY(mu_);  // Filled by the receiving thread.
  Batch taken_;                    // Pipeline thread: being handed out by Poll.
  LogRecord record_;               // Pipeline thread: reused for every message.
  std::atomic<size_t> queued_bytes_{0};

  std::atomic<uint64_t> entries_{0};
  std::atomic<uint64_t> bytes_{0};
  std::atomic<uint64_t> truncated_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> errors_{0};
  std::atomic<uint64_t> open_{0};

  std::unique_ptr<Receiver> receiver_;
  std::thread thread_;
};

}  // namespace tend::logs

#endif  // TEND_LOGS_SOURCES_SYSLOG_SERVER_H_
