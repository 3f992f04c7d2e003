// tcp probes: connect, optionally send, optionally read until a regex
// matches. Every step is bounded by the run's deadline (non-blocking socket
// and poll); name resolution uses getaddrinfo, which has no timeout of its
// own (targets are normally addresses or names in /etc/hosts).
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cstring>

#include "probe/probe_table.h"
#include "probe/probe_util.h"

namespace tend {
namespace {

// Splits "host:port" / "[v6]:port".
bool SplitHostPort(const std::string& address, std::string* host,
                   std::string* port) {
  if (address.starts_with("[")) {
    size_t close = address.find("]:");
    if (close == std::string::npos) return false;
    *host = address.substr(1, close - 1);
    *port = address.substr(close + 2);
  } else {
    size_t colon = address.rfind(':');
    if (colon == std::string::npos || colon == 0) return false;
    *host = address.substr(0, colon);
    if (host->find(':') != std::string::npos) return false;  // Unbracketed v6.
    *port = address.substr(colon + 1);
  }
  if (port->empty() || port->size() > 5) return false;
  for (char c : *port) {
    if (c < '0' || c > '9') return false;
  }
  int n = 0;
  std::from_chars(port->data(), port->data() + port->size(), n);
  return n > 0 && n <= 65535 && !host->empty();
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

class TcpProbe : public Probe {
 public:
  TcpProbe(const ProbeSpec& spec, const ProbeDeps& deps, std::string host,
           std::string port, std::unique_ptr<RE2> expect)
      : spec_(spec.tcp),
        clock_(deps.clock),
        host_(std::move(host)),
        port_(std::move(port)),
        expect_(std::move(expect)) {}

  ProbeResult Run(int64_t deadline_mono_ns) override {
    ProbeResult r;
    Status s = Check(deadline_mono_ns);
    r.success = s.ok();
    if (!s.ok()) r.error = s.message();
    if (expect_ != nullptr) {
      AddSample(&r, "probe_failed_due_to_regex", regex_failed_flag(s) ? 1 : 0);
    }
    return r;
  }

 private:
  static bool regex_failed_flag(const Status& s) {
    return s.code() == StatusCode::kFailedPrecondition;
  }

  // Waits for `events` on fd until the deadline. Returns false on timeout.
  bool Wait(int fd, short events, int64_t deadline_mono_ns) const {
    while (true) {
      int64_t left =
          (deadline_mono_ns - clock_->MonotonicNanos()) / kNanosPerMilli;
      if (left <= 0) return false;
      pollfd p{fd, events, 0};
      int n = poll(&p, 1, static_cast<int>(left > 60000 ? 60000 : left));
      if (n > 0) return true;
      if (n < 0 && errno != EINTR) return true;  // Let the syscall report it.
    }
  }

  Status Check(int64_t deadline) {
    const std::string& where = spec_.address;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    addrinfo* res = nullptr;
    int gai = getaddrinfo(host_.c_str(), port_.c_str(), &hints, &res);
    if (gai != 0) {
      return UnavailableError("resolve " + host_ + ": " + gai_strerror(gai));
    }
    Status last = UnavailableError("connect " + where + ": no address");
    for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
      last = TryAddress(ai, deadline);
      if (last.ok() || last.code() == StatusCode::kFailedPrecondition ||
          clock_->MonotonicNanos() >= deadline) {
        break;
      }
    }
    freeaddrinfo(res);
    return last;
  }

  Status TryAddress(const addrinfo* ai, int64_t deadline) {
    const std::string& where = spec_.address;
    Fd fd(socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                 ai->ai_protocol));
    if (fd.get() < 0) return ErrnoError("socket for " + where, errno);
    if (connect(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) return ErrnoError("connect " + where, errno);
      if (!Wait(fd.get(), POLLOUT, deadline)) {
        return DeadlineExceededError("connect " + where + ": timed out");
      }
      int err = 0;
      socklen_t len = sizeof(err);
      getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) return ErrnoError("connect " + where, err);
    }
    size_t sent = 0;
    while (sent < spec_.send.size()) {
      ssize_t n = ::send(fd.get(), spec_.send.data() + sent,
                         spec_.send.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<size_t>(n);
      } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        if (!Wait(fd.get(), POLLOUT, deadline)) {
          return DeadlineExceededError("send to " + where + ": timed out");
        }
      } else {
        return ErrnoError("send to " + where, errno);
      }
    }
    if (expect_ == nullptr) return Status::Ok();
    std::string got;
    char buf[4096];
    while (true) {
      if (RE2::PartialMatch(got, *expect_)) return Status::Ok();
      if (got.size() >= static_cast<size_t>(spec_.max_read_bytes)) {
        return FailedPreconditionError(
            "expect \"" + expect_->pattern() + "\" not found in the first " +
            std::to_string(got.size()) + " bytes from " + where);
      }
      if (!Wait(fd.get(), POLLIN, deadline)) {
        return DeadlineExceededError("expect \"" + expect_->pattern() +
                                     "\" from " + where + ": timed out after " +
                                     Quote(got));
      }
      size_t want = sizeof(buf);
      size_t room = static_cast<size_t>(spec_.max_read_bytes) - got.size();
      if (want > room) want = room;
      ssize_t n = recv(fd.get(), buf, want, 0);
      if (n > 0) {
        got.append(buf, static_cast<size_t>(n));
      } else if (n == 0) {
        return FailedPreconditionError(
            "expect \"" + expect_->pattern() + "\" from " + where +
            ": connection closed after " + Quote(got));
      } else if (errno != EAGAIN && errno != EINTR) {
        return ErrnoError("read from " + where, errno);
      }
    }
  }

  // The first bytes read, printable, for the error line.
  static std::string Quote(const std::string& got) {
    std::string out = std::to_string(got.size()) + " bytes \"";
    for (size_t i = 0; i < got.size() && i < 64; ++i) {
      char c = got[i];
      out += (c >= 32 && c < 127) ? c : '.';
    }
    if (got.size() > 64) out += "...";
    return out + "\"";
  }

  const TcpProbeSpec spec_;
  const Clock* clock_;
  const std::string host_, port_;
  const std::unique_ptr<RE2> expect_;
};

}  // namespace

Result<std::unique_ptr<Probe>> NewTcpProbe(const ProbeSpec& spec,
                                           const ProbeDeps& deps) {
  const TcpProbeSpec& t = spec.tcp;
  if (t.address.empty()) return SpecError(spec, "tcp.address is required");
  std::string host, port;
  if (!SplitHostPort(t.address, &host, &port)) {
    return SpecError(spec, "tcp.address \"" + t.address +
                               "\" is not host:port (IPv6: [addr]:port)");
  }
  if (t.max_read_bytes <= 0) {
    return SpecError(spec, "tcp.max_read_bytes must be > 0");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<RE2> expect,
                   CompileProbeRegex(spec, "tcp.expect", t.expect));
  return std::unique_ptr<Probe>(std::make_unique<TcpProbe>(
      spec, deps, std::move(host), std::move(port), std::move(expect)));
}

}  // namespace tend
