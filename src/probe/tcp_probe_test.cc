// tcp probes against real listening sockets on loopback.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "probe/probe_test_util.h"

namespace tend {
namespace {

// A loopback listener whose connections are handled one at a time by
// `handle(fd)` on a background thread.
class Listener {
 public:
  explicit Listener(std::function<void(int)> handle)
      : handle_(std::move(handle)) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    EXPECT_EQ(listen(fd_, 16), 0);
    thread_ = std::thread([this] {
      while (true) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;  // shutdown() below.
        if (stop_) {
          close(c);
          return;
        }
        handle_(c);
        close(c);
      }
    });
  }
  ~Listener() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    thread_.join();
    close(fd_);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  std::function<void(int)> handle_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

ProbeSpec Tcp(const std::string& address) {
  ProbeSpec s;
  s.name = "tcp";
  s.kind = ProbeKind::kTcp;
  s.timeout_ms = 2000;
  s.tcp.address = address;
  return s;
}

void WriteAll(int fd, const std::string& s) {
  ASSERT_EQ(write(fd, s.data(), s.size()), static_cast<ssize_t>(s.size()));
}

TEST(TcpProbeTest, ConnectOnly) {
  Listener l([](int) {});
  ProbeResult r = testing::RunSpec(Tcp(l.address()));
  EXPECT_TRUE(r.success) << r.error;
}

TEST(TcpProbeTest, BannerExpect) {
  Listener l([](int fd) {
    // The banner arrives in two pieces: the probe must keep reading.
    WriteAll(fd, "SSH-2.0-");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    WriteAll(fd, "OpenSSH_9.2\r\n");
  });
  ProbeSpec s = Tcp(l.address());
  s.tcp.expect = "^SSH-2\\.0-\\S+\r\n";
  ProbeResult r = testing::RunSpec(s);
  EXPECT_TRUE(r.success) << r.error;
  EXPECT_EQ(testing::SampleValue(r, "probe_failed_due_to_regex"), 0);
}

TEST(TcpProbeTest, SendThenExpect) {
  Listener l([](int fd) {
    char buf[64];
    ssize_t n = read(fd, buf, sizeof(buf));
    std::string got(buf, n > 0 ? static_cast<size_t>(n) : 0);
    WriteAll(fd, got == "PING\r\n" ? "+PONG\r\n" : "-ERR\r\n");
  });
  ProbeSpec s = Tcp(l.address());
  s.tcp.send = "PING\r\n";
  s.tcp.expect = "^\\+PONG";
  ProbeResult r = testing::RunSpec(s);
  EXPECT_TRUE(r.success) << r.error;

  s.tcp.send = "HELLO\r\n";
  r = testing::RunSpec(s);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(testing::SampleValue(r, "probe_failed_due_to_regex"), 1);
  EXPECT_NE(r.error.find("connection closed after 6 bytes \"-ERR..\""),
            std::string::npos)
      << r.error;
}

TEST(TcpProbeTest, ExpectTimesOutAtTheDeadline) {
  std::atomic<bool> release{false};
  Listener l([&release](int) {
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  });
  ProbeSpec s = Tcp(l.address());
  s.timeout_ms = 300;
  s.tcp.expect = "ready";
  auto start = std::chrono::steady_clock::now();
  ProbeResult r = testing::RunSpec(s);
  auto took = std::chrono::steady_clock::now() - start;
  release = true;
  EXPECT_FALSE(r.success);
  EXPECT_NE(r.error.find("timed out after 0 bytes"), std::string::npos)
      << r.error;
  EXPECT_GE(took, std::chrono::milliseconds(250));
  EXPECT_LT(took, std::chrono::seconds(2));
}

TEST(TcpProbeTest, RefusedAndUnresolvable) {
  std::string address;
  {
    Listener l([](int) {});
    address = l.address();
  }
  ProbeResult r = testing::RunSpec(Tcp(address));
  EXPECT_FALSE(r.success);
  EXPECT_NE(r.error.find("connect " + address + ": "), std::string::npos)
      << r.error;
  EXPECT_NE(r.error.find("refused"), std::string::npos) << r.error;

  r = testing::RunSpec(Tcp("no-such-host.invalid:80"));
  EXPECT_FALSE(r.success);
  EXPECT_NE(r.error.find("resolve no-such-host.invalid"), std::string::npos)
      << r.error;
}

}  // namespace
}  // namespace tend
