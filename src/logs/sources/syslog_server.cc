#include "logs/sources/syslog_server.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "logs/parse/parse_options.h"
#include "logs/parse/syslog.h"
#include "logs/sources/syslog_receiver.h"

namespace tend::logs {
namespace {

// Message sizes must fit Message::size; UDP cannot carry more than 64 KiB
// anyway, and TCP senders rarely send more than a few KiB.
constexpr size_t kMaxMessageLimit = 16 * 1024 * 1024;
constexpr size_t kMaxQueueLimit = size_t{1} << 32;

Status Validate(const SyslogServerOptions& o) {
  const std::string where = "syslog source \"" + o.name + "\": ";
  if (o.name.empty()) {
    return InvalidArgumentError("syslog source: name must not be empty");
  }
  if (o.udp.empty() && o.tcp.empty() && o.tls.empty()) {
    return InvalidArgumentError(where +
                                "no udp, tcp or tls listen address given");
  }
  if (o.max_message_bytes == 0 || o.max_message_bytes > kMaxMessageLimit) {
    return InvalidArgumentError(where +
                                "max_message_bytes must be 1..16777216");
  }
  if (o.queue_bytes < o.max_message_bytes || o.queue_bytes > kMaxQueueLimit) {
    return InvalidArgumentError(
        where +
        "queue_bytes must be at least max_message_bytes and at most "
        "4 GiB");
  }
  if (o.max_connections == 0) {
    return InvalidArgumentError(where + "max_connections must be > 0");
  }
  if (!o.tls.empty() && (o.tls_cert_file.empty() || o.tls_key_file.empty())) {
    return InvalidArgumentError(
        where + "tls listen addresses need tls_cert_file and tls_key_file");
  }
  return Status::Ok();
}

void SignalEventFd(int fd) {
  const uint64_t one = 1;
  // Fails only when the counter is saturated: it is readable then anyway.
  [[maybe_unused]] ssize_t n = write(fd, &one, sizeof(one));
}

}  // namespace

SyslogServer::SyslogServer(SyslogServerOptions options)
    : options_(std::move(options)), queue_limit_(options_.queue_bytes) {}

Result<std::unique_ptr<SyslogServer>> SyslogServer::Start(
    SyslogServerOptions options) {
  RETURN_IF_ERROR(Validate(options));
  std::unique_ptr<SyslogServer> s(new SyslogServer(std::move(options)));
  s->wait_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (s->wait_fd_ < 0) {
    return ErrnoError("syslog source \"" + s->name() + "\": eventfd", errno);
  }
  auto receiver = Receiver::Create(s.get());
  if (!receiver.ok()) {
    return receiver.status().WithContext("syslog source \"" + s->name() + "\"");
  }
  s->receiver_ = std::move(*receiver);
  Receiver* r = s->receiver_.get();
  s->thread_ = std::thread([r] { r->Run(); });
  return s;
}

SyslogServer::~SyslogServer() {
  if (thread_.joinable()) {
    receiver_->Stop();
    thread_.join();
  }
  receiver_.reset();
  if (wait_fd_ >= 0) close(wait_fd_);
}

Status SyslogServer::Restore(std::string_view checkpoint) {
  if (checkpoint.empty()) return Status::Ok();
  return InvalidArgumentError("syslog source \"" + name() +
                              "\": unexpected checkpoint (a syslog server "
                              "keeps none)");
}

bool SyslogServer::Enqueue(std::string_view message, std::string_view origin,
                           bool truncated, std::string_view error,
                           int64_t receive_ns, bool drop_if_full) {
  const size_t need = message.size() + origin.size();
  if (drop_if_full && queued_bytes_.load() + need > queue_limit_) {
    return false;
  }
  bool was_empty;
  {
    MutexLock lock(&mu_);
    was_empty = pending_.messages.empty();
    Message m;
    m.offset = pending_.bytes.size();
    m.size = static_cast<uint32_t>(message.size());
    m.origin_size = static_cast<uint16_t>(origin.size());
    m.truncated = truncated;
    m.error = error;
    m.receive_time_ns = receive_ns;
    pending_.bytes.append(message);
    pending_.bytes.append(origin);
    pending_.messages.push_back(m);
  }
  queued_bytes_.fetch_add(need);
  if (was_empty) SignalEventFd(wait_fd_);
  return true;
}

Result<size_t> SyslogServer::Poll(EntrySink& sink, size_t max_bytes) {
  // Drain first: a message queued after this read signals again.
  uint64_t counter;
  [[maybe_unused]] ssize_t r = read(wait_fd_, &counter, sizeof(counter));

  ParseOptions opts;
  opts.zone = options_.zone;
  size_t handed = 0;
  size_t handed_bytes = 0;
  size_t released = 0;
  uint64_t truncated = 0;
  while (handed_bytes < max_bytes) {
    if (taken_.next == taken_.messages.size()) {
      taken_.Clear();
      {
        MutexLock lock(&mu_);
        std::swap(pending_, taken_);
      }
      if (taken_.messages.empty()) break;
    }
    const Message& m = taken_.messages[taken_.next++];
    const std::string_view line(taken_.bytes.data() + m.offset, m.size);
    const std::string_view origin(taken_.bytes.data() + m.offset + m.size,
                                  m.origin_size);
    opts.receive_time_ns = m.receive_time_ns;
    if (!m.error.empty()) {
      SetUnparsed(line, m.error, opts, &record_);
    } else {
      ParseSyslog(line, opts, &record_);
    }
    SourceEntry entry;
    entry.line = line;
    entry.receive_time_ns = m.receive_time_ns;
    entry.origin = origin;
    entry.record = &record_;
    entry.truncated = m.truncated;
    sink.Add(entry);
    ++handed;
    handed_bytes += m.size;
    released += m.size + m.origin_size;
    if (m.truncated) ++truncated;
  }
  entries_.fetch_add(handed);
  bytes_.fetch_add(handed_bytes);
  truncated_.fetch_add(truncated);
  // Release queue space before looking at paused(): the receiver sets
  // paused and then re-checks the queue, so one of the two sees the other.
  const size_t left = queued_bytes_.fetch_sub(released) - released;
  if (receiver_->paused() && left < queue_limit_ / 2) receiver_->Wake();
  // Stopped by max_bytes: more may wait, and its signal was drained above.
  if (handed_bytes >= max_bytes) SignalEventFd(wait_fd_);
  return handed;
}

SourceStats SyslogServer::stats() const {
  SourceStats s;
  s.entries = entries_.load();
  s.bytes = bytes_.load();
  s.truncated = truncated_.load();
  s.dropped = dropped_.load();
  s.errors = errors_.load();
  s.open = open_.load();
  return s;
}

}  // namespace tend::logs
