// SyslogServer against real senders: logger(1) over UDP and TCP, a TLS
// client on OpenSSL with a certificate made by the openssl CLI, and raw
// sockets for backpressure, overflow and malformed input.
#include "logs/sources/syslog_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/subprocess.h"
#include "logs/sources/syslog_net.h"

namespace tend::logs {
namespace {

using std::chrono::milliseconds;

struct Got {
  std::string line;
  std::string origin;
  LogRecord record;
  bool truncated;
};

class CollectSink : public EntrySink {
 public:
  void Add(const SourceEntry& e) override {
    ASSERT_NE(e.record, nullptr);
    got.push_back(
        {std::string(e.line), std::string(e.origin), *e.record, e.truncated});
  }
  std::vector<Got> got;
};

// Polls until `want` entries arrived or 10 s passed, waiting on wait_fd()
// like the pipeline does.
void PollUntil(SyslogServer& s, CollectSink& sink, size_t want,
               size_t max_bytes = 1 << 20) {
  const auto deadline = std::chrono::steady_clock::now() + milliseconds(10000);
  while (sink.got.size() < want &&
         std::chrono::steady_clock::now() < deadline) {
    auto n = s.Poll(sink, max_bytes);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    if (sink.got.size() >= want) break;
    pollfd p{s.wait_fd(), POLLIN, 0};
    ::poll(&p, 1, 250);
  }
}

SyslogServerOptions Options() {
  SyslogServerOptions o;
  o.name = "net";
  o.udp = {"127.0.0.1:0"};
  o.tcp = {"127.0.0.1:0"};
  o.zone = TimeZone::Utc();
  return o;
}

SubprocessResult RunTool(std::vector<std::string> argv,
                         std::string stdin_data = "") {
  SubprocessOptions o;
  o.argv = std::move(argv);
  o.stdin_data = std::move(stdin_data);
  o.timeout_ms = 20000;
  auto r = RunSubprocess(o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return {};
  EXPECT_TRUE(r->success()) << r->stderr_data;
  return *r;
}

int Connect(uint16_t port, int type = SOCK_STREAM) {
  const int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ADD_FAILURE() << "connect: " << strerror(errno);
  }
  return fd;
}

void SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    ASSERT_GT(n, 0) << strerror(errno);
    data.remove_prefix(static_cast<size_t>(n));
  }
}

std::vector<std::string> LoghubLines(const std::string& name, size_t n) {
  std::ifstream in("../shared/data/loghub/" + name);
  EXPECT_TRUE(in) << name;
  std::vector<std::string> out;
  std::string line;
  while (out.size() < n && std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF files.
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

TEST(SyslogServerTest, LoggerUdpRfc5424) {
  auto s = SyslogServer::Start(Options());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const uint16_t port = (*s)->bound_ports().udp.at(0);
  ASSERT_NE(port, 0);
  RunTool({"logger", "--server", "127.0.0.1", "--port", std::to_string(port),
           "--udp", "--rfc5424", "-t", "myapp", "-p", "local3.err", "--sd-id",
           "meta@32473", "--sd-param", "k=\"v\"", "hello over udp"});
  CollectSink sink;
  PollUntil(**s, sink, 1);
  ASSERT_EQ(sink.got.size(), 1u);
  const Got& g = sink.got[0];
  EXPECT_FALSE(g.record.parse_error) << g.line;
  EXPECT_EQ(g.record.app, "myapp");
  EXPECT_EQ(g.record.message, "hello over udp");
  EXPECT_EQ(g.record.level, Level::kError);
  ASSERT_NE(g.record.fields.Find("facility"), nullptr);
  EXPECT_EQ(*g.record.fields.Find("facility"), "local3");
  ASSERT_NE(g.record.fields.Find("sd.meta@32473.k"), nullptr);
  EXPECT_EQ(*g.record.fields.Find("sd.meta@32473.k"), "v");
  EXPECT_TRUE(g.record.time_from_line);
  // logger stamps the current time; allow for a slow machine.
  EXPECT_LT(std::llabs(g.record.time_ns - Clock::Real()->NowUnixNanos()),
            60'000'000'000LL);
  EXPECT_EQ(g.line.substr(0, 6), "<155>1");  // local3(19)*8 + err(3).
  EXPECT_EQ(g.origin.rfind("127.0.0.1:", 0), 0u) << g.origin;
  EXPECT_FALSE(g.truncated);
  EXPECT_EQ((*s)->stats().entries, 1u);
  EXPECT_EQ((*s)->stats().bytes, g.line.size());
  EXPECT_EQ((*s)->Checkpoint(), "");
}

// Many loghub lines through logger over TCP, in both framings: every line
// arrives once, in order, with logger's header parsed off.
void LoggerTcp(bool octet_count, const char* format) {
  auto s = SyslogServer::Start(Options());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const uint16_t port = (*s)->bound_ports().tcp.at(0);
  const std::vector<std::string> lines = LoghubLines("OpenSSH_2k.log", 500);
  ASSERT_EQ(lines.size(), 500u);
  std::string input;
  for (const auto& l : lines) input += l + "\n";
  std::vector<std::string> argv = {"logger",
                                   "--server",
                                   "127.0.0.1",
                                   "--port",
                                   std::to_string(port),
                                   "--tcp",
                                   format,
                                   "-t",
                                   "sshd-relay",
                                   "-p",
                                   "auth.warning"};
  if (octet_count) argv.push_back("--octet-count");
  RunTool(argv, input);
  CollectSink sink;
  PollUntil(**s, sink, lines.size(), 4096);  // Small polls: many rounds.
  ASSERT_EQ(sink.got.size(), lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    const Got& g = sink.got[i];
    ASSERT_FALSE(g.record.parse_error) << g.line;
    ASSERT_EQ(g.record.message, lines[i]) << "line " << i;
    ASSERT_EQ(g.record.app, "sshd-relay");
    ASSERT_EQ(g.record.level, Level::kWarn);
    ASSERT_EQ(*g.record.fields.Find("facility"), "auth");
  }
  SourceStats st = (*s)->stats();
  EXPECT_EQ(st.entries, lines.size());
  EXPECT_EQ(st.dropped, 0u);
  EXPECT_EQ(st.truncated, 0u);
  EXPECT_EQ(st.errors, 0u);
}

TEST(SyslogServerTest, LoggerTcpOctetCountingRfc5424) {
  LoggerTcp(true, "--rfc5424");
}
TEST(SyslogServerTest, LoggerTcpNewlineFramingRfc3164) {
  LoggerTcp(false, "--rfc3164");
}
TEST(SyslogServerTest, LoggerTcpOctetCountingRfc3164) {
  LoggerTcp(true, "--rfc3164");
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/tend-syslog-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A TLS client on OpenSSL: connects, sends `data`, closes cleanly.
void TlsSend(uint16_t port, const std::string& ca_file,
             const std::string& data) {
  // A server that closed early must fail the test, not kill it.
  signal(SIGPIPE, SIG_IGN);
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  ASSERT_NE(ctx, nullptr);
  ASSERT_EQ(SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr), 1);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  const int fd = Connect(port);
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  SSL_set_tlsext_host_name(ssl, "localhost");
  SSL_set1_host(ssl, "localhost");
  ASSERT_EQ(SSL_connect(ssl), 1) << "TLS handshake with the server failed";
  size_t off = 0;
  while (off < data.size()) {
    size_t n = 0;
    // Odd write sizes split frames across TLS records.
    ASSERT_EQ(SSL_write_ex(ssl, data.data() + off,
                           std::min<size_t>(777, data.size() - off), &n),
              1);
    off += n;
  }
  SSL_shutdown(ssl);
  // Close gracefully: half-close, then wait for the server's close.
  shutdown(fd, SHUT_WR);
  char buf[256];
  while (recv(fd, buf, sizeof(buf), 0) > 0) {
  }
  SSL_free(ssl);
  close(fd);
  SSL_CTX_free(ctx);
}

TEST(SyslogServerTest, TlsWithGeneratedCertificate) {
  TempDir dir;
  const std::string cert = dir.path() + "/cert.pem";
  const std::string key = dir.path() + "/key.pem";
  RunTool({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
           "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out",
           cert, "-days", "2", "-subj", "/CN=localhost", "-addext",
           "subjectAltName=DNS:localhost"});
  SyslogServerOptions o = Options();
  o.tls = {"127.0.0.1:0"};
  o.tls_cert_file = cert;
  o.tls_key_file = key;
  auto s = SyslogServer::Start(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const std::vector<std::string> lines = LoghubLines("Linux_2k.log", 300);
  std::string data;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string msg = "<38>" + lines[i];  // auth.info, 3164 lines.
    // Alternate the two framings within one connection.
    data += i % 2 == 0 ? std::to_string(msg.size()) + " " + msg : msg + "\n";
  }
  TlsSend((*s)->bound_ports().tls.at(0), cert, data);
  CollectSink sink;
  PollUntil(**s, sink, lines.size());
  ASSERT_EQ(sink.got.size(), lines.size());
  size_t parsed = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    ASSERT_EQ(sink.got[i].line, "<38>" + lines[i]);
    if (!sink.got[i].record.parse_error) ++parsed;
    EXPECT_EQ(sink.got[i].record.level, Level::kInfo);
  }
  EXPECT_EQ(parsed, lines.size());
  EXPECT_EQ(sink.got[0].record.host, "combo");  // Linux_2k's host name.
  EXPECT_EQ((*s)->stats().errors, 0u);
}

TEST(SyslogServerTest, TlsRejectsPlainTextAndBadCertificate) {
  TempDir dir;
  SyslogServerOptions o = Options();
  o.tls = {"127.0.0.1:0"};
  o.tls_cert_file = dir.path() + "/missing.pem";
  o.tls_key_file = dir.path() + "/missing.key";
  auto bad = SyslogServer::Start(o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("missing.pem"), std::string::npos)
      << bad.status().ToString();

  const std::string cert = dir.path() + "/cert.pem";
  const std::string key = dir.path() + "/key.pem";
  RunTool({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
           "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out",
           cert, "-days", "2", "-subj", "/CN=localhost"});
  o.tls_cert_file = cert;
  o.tls_key_file = key;
  auto s = SyslogServer::Start(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  // Plain syslog sent to the TLS port is a failed handshake: counted,
  // logged, nothing queued, and the server keeps working.
  const int fd = Connect((*s)->bound_ports().tls.at(0));
  SendAll(fd, "<13>this is not TLS\n");
  char buf[64];
  (void)!recv(fd, buf, sizeof(buf), 0);  // Waits for the server to close.
  close(fd);
  for (int i = 0; i < 100 && (*s)->stats().errors == 0; ++i) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_EQ((*s)->stats().errors, 1u);
  CollectSink sink;
  ASSERT_TRUE((*s)->Poll(sink, 1 << 20).ok());
  EXPECT_TRUE(sink.got.empty());
  TlsSend((*s)->bound_ports().tls.at(0), cert, "<13>after\n");
  PollUntil(**s, sink, 1);
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_EQ(sink.got[0].record.message, "after");
}

TEST(SyslogServerTest, TcpBackpressureStopsReadingAndLosesNothing) {
  SyslogServerOptions o = Options();
  o.queue_bytes = 16 * 1024;
  o.max_message_bytes = 1024;
  auto s = SyslogServer::Start(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  constexpr int kMessages = 100000;  // ~6 MB: more than socket buffers hold.
  std::atomic<bool> done{false};
  std::thread writer([&] {
    const int fd = Connect((*s)->bound_ports().tcp.at(0));
    std::string batch;
    for (int i = 0; i < kMessages; ++i) {
      batch += "<14>Oct 11 22:14:15 host app[1]: message number " +
               std::to_string(i) + "\n";
      if (batch.size() > 8192) {
        SendAll(fd, batch);
        batch.clear();
      }
    }
    SendAll(fd, batch);
    close(fd);
    done = true;
  });
  // Nobody polls: the queue fills, the server stops reading, the writer
  // blocks.
  for (int i = 0; i < 250 && (*s)->queued_bytes() < o.queue_bytes; ++i) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_FALSE(done.load()) << "the writer should be blocked";
  EXPECT_GE((*s)->queued_bytes(), o.queue_bytes);
  // The bound: queue_bytes plus one message and its origin.
  EXPECT_LE((*s)->queued_bytes(), o.queue_bytes + o.max_message_bytes + 64);
  CollectSink sink;
  PollUntil(**s, sink, kMessages, 32 * 1024);
  writer.join();
  ASSERT_EQ(sink.got.size(), static_cast<size_t>(kMessages));
  for (int i = 0; i < kMessages; ++i) {
    ASSERT_EQ(sink.got[i].record.message,
              "message number " + std::to_string(i));
  }
  EXPECT_EQ((*s)->stats().dropped, 0u);
  EXPECT_EQ((*s)->queued_bytes(), 0u);
}

TEST(SyslogServerTest, UdpOverflowIsCounted) {
  SyslogServerOptions o = Options();
  o.queue_bytes = 4096;
  o.max_message_bytes = 1024;
  auto s = SyslogServer::Start(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const int fd = Connect((*s)->bound_ports().udp.at(0), SOCK_DGRAM);
  constexpr int kSent = 500;
  for (int i = 0; i < kSent; ++i) {
    const std::string m =
        "<14>Oct 11 22:14:15 host app: datagram " + std::to_string(i);
    ASSERT_EQ(send(fd, m.data(), m.size(), 0), static_cast<ssize_t>(m.size()));
    // Pace the sender so the kernel's socket buffer never overflows: this
    // test is about the queue's own drops.
    if (i % 20 == 19) std::this_thread::sleep_for(milliseconds(2));
  }
  // Had the kernel dropped any (a starved receiver), its count arrives with
  // the next datagram read: send one more, which is then counted itself.
  std::this_thread::sleep_for(milliseconds(100));
  const std::string final_msg = "<14>Oct 11 22:14:15 host app: last";
  ASSERT_EQ(send(fd, final_msg.data(), final_msg.size(), 0),
            static_cast<ssize_t>(final_msg.size()));
  close(fd);
  // Nobody polls while the datagrams arrive; wait until the receiver has
  // seen them all (the drop count stops moving).
  CollectSink sink;
  uint64_t last = ~uint64_t{0};
  for (int i = 0; i < 100; ++i) {
    std::this_thread::sleep_for(milliseconds(50));
    const uint64_t now = (*s)->stats().dropped;
    if (now == last && now > 0) break;
    last = now;
  }
  PollUntil(**s, sink, kSent + 1 - (*s)->stats().dropped);
  const SourceStats st = (*s)->stats();
  EXPECT_GT(st.dropped, 0u);
  EXPECT_LT(sink.got.size(), static_cast<size_t>(kSent));
  EXPECT_EQ(sink.got.size() + st.dropped, static_cast<size_t>(kSent) + 1);
  // What was kept is the beginning, in order.
  for (size_t i = 0; i < sink.got.size(); ++i) {
    if (i + 1 == sink.got.size() && sink.got[i].record.message == "last") {
      break;
    }
    ASSERT_EQ(sink.got[i].record.message, "datagram " + std::to_string(i));
  }
}

TEST(SyslogServerTest, KernelUdpDropsAreCounted) {
  SyslogServerOptions o = Options();
  o.udp_receive_buffer_bytes = 1;  // The kernel's minimum: a few datagrams.
  auto s = SyslogServer::Start(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const int fd = Connect((*s)->bound_ports().udp.at(0), SOCK_DGRAM);
  // A burst much faster than the receiving thread takes it. The queue
  // (8 MiB) never fills, so every drop is the kernel's.
  constexpr int kSent = 20000;
  const std::string m(300, 'k');
  for (int i = 0; i < kSent; ++i) {
    ASSERT_EQ(send(fd, m.data(), m.size(), 0), 300);
  }
  std::this_thread::sleep_for(milliseconds(200));
  // The kernel reports its drop count with the next datagram read.
  ASSERT_EQ(send(fd, "<13>last", 8, 0), 8);
  close(fd);
  CollectSink sink;
  const auto deadline = std::chrono::steady_clock::now() + milliseconds(5000);
  while (std::chrono::steady_clock::now() < deadline &&
         (sink.got.empty() || sink.got.back().line != "<13>last")) {
    PollUntil(**s, sink, sink.got.size() + 1);
  }
  ASSERT_FALSE(sink.got.empty());
  EXPECT_EQ(sink.got.back().line, "<13>last");
  const SourceStats st = (*s)->stats();
  EXPECT_GT(st.dropped, 0u) << "no kernel drops with a minimal buffer";
  EXPECT_EQ(sink.got.size() + st.dropped, static_cast<size_t>(kSent) + 1);
}

TEST(SyslogServerTest, MalformedInputIsKeptRawAndNeverCrashes) {
  SyslogServerOptions o = Options();
  o.max_message_bytes = 100;
  auto s = SyslogServer::Start(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const int fd = Connect((*s)->bound_ports().tcp.at(0));
  std::string garbage;
  for (int i = 0; i < 50; ++i) garbage.push_back(static_cast<char>(0x80 + i));
  SendAll(fd, garbage + "\n");                      // 1: binary garbage.
  SendAll(fd, std::string(250, 'x') + "\n");        // 2: oversized line.
  SendAll(fd, "300 <13>" + std::string(292, 'y'));  // 3: oversized frame.
  SendAll(fd, "<13>Oct 11 22:14:15 h a: fine\n");   // 4: still in sync.
  SendAll(fd, "50 <13>promised fifty");             // 5: connection ends.
  close(fd);
  CollectSink sink;
  PollUntil(**s, sink, 5);
  ASSERT_EQ(sink.got.size(), 5u);
  EXPECT_EQ(sink.got[0].line, garbage);
  EXPECT_TRUE(sink.got[0].record.parse_error);
  EXPECT_EQ(sink.got[0].record.message, garbage);
  EXPECT_EQ(sink.got[1].line, std::string(100, 'x'));
  EXPECT_TRUE(sink.got[1].truncated);
  EXPECT_TRUE(sink.got[1].record.parse_error);
  EXPECT_EQ(sink.got[2].line.size(), 100u);
  EXPECT_TRUE(sink.got[2].truncated);
  EXPECT_EQ(sink.got[3].record.message, "fine");
  EXPECT_FALSE(sink.got[3].record.parse_error);
  EXPECT_EQ(sink.got[4].line, "50 <13>promised fifty");
  EXPECT_TRUE(sink.got[4].record.parse_error);
  EXPECT_EQ(sink.got[4].record.error_reason,
            "connection closed inside an octet-counted frame");
  EXPECT_EQ((*s)->stats().truncated, 2u);
  // A UDP datagram over the limit is cut and counted too.
  const int u = Connect((*s)->bound_ports().udp.at(0), SOCK_DGRAM);
  const std::string big = "<13>" + std::string(500, 'z');
  ASSERT_EQ(send(u, big.data(), big.size(), 0), 504);
  close(u);
  PollUntil(**s, sink, 6);
  ASSERT_EQ(sink.got.size(), 6u);
  EXPECT_TRUE(sink.got[5].truncated);
  EXPECT_EQ(sink.got[5].line, big.substr(0, 100));
  EXPECT_EQ((*s)->stats().truncated, 3u);
}

TEST(SyslogServerTest, BindErrorsNameTheAddress) {
  auto a = SyslogServer::Start(Options());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  SyslogServerOptions o = Options();
  o.udp.clear();
  o.tcp = {"127.0.0.1:" + std::to_string((*a)->bound_ports().tcp.at(0))};
  auto b = SyslogServer::Start(o);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("bind tcp " + o.tcp[0]),
            std::string::npos)
      << b.status().ToString();
  EXPECT_NE(b.status().message().find("Address already in use"),
            std::string::npos)
      << b.status().ToString();
  o.tcp = {"127.0.0.1"};
  b = SyslogServer::Start(o);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("HOST:PORT"), std::string::npos);
  o.tcp = {"127.0.0.1:70000"};
  EXPECT_FALSE(SyslogServer::Start(o).ok());
  o.tcp.clear();
  b = SyslogServer::Start(o);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("no udp, tcp or tls"), std::string::npos);
  o = Options();
  o.tls = {"127.0.0.1:0"};
  EXPECT_FALSE(SyslogServer::Start(o).ok());  // No certificate.
}

TEST(SyslogServerTest, ListensOnIpv6AndAnyAddress) {
  SyslogServerOptions o = Options();
  o.udp.clear();
  o.tcp = {":0"};
  auto s = SyslogServer::Start(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const int fd = Connect((*s)->bound_ports().tcp.at(0));
  SendAll(fd, "<13>Oct 11 22:14:15 h a: via any\n");
  close(fd);
  CollectSink sink;
  PollUntil(**s, sink, 1);
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_EQ(sink.got[0].record.message, "via any");
  // A dual-stack socket shows IPv4 peers as IPv4.
  EXPECT_EQ(sink.got[0].origin.rfind("127.0.0.1:", 0), 0u)
      << sink.got[0].origin;
}

TEST(SyslogServerTest, MaxConnectionsRefusesExtraConnections) {
  SyslogServerOptions o = Options();
  o.max_connections = 1;
  auto s = SyslogServer::Start(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const uint16_t port = (*s)->bound_ports().tcp.at(0);
  const int first = Connect(port);
  for (int i = 0; i < 100 && (*s)->stats().open < 1; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ((*s)->stats().open, 1u);
  const int second = Connect(port);
  char buf[8];
  EXPECT_EQ(recv(second, buf, sizeof(buf), 0), 0);  // Closed by the server.
  close(second);
  EXPECT_EQ((*s)->stats().errors, 1u);
  SendAll(first, "<13>Oct 11 22:14:15 h a: first stays\n");
  close(first);
  CollectSink sink;
  PollUntil(**s, sink, 1);
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_EQ(sink.got[0].record.message, "first stays");
  for (int i = 0; i < 100 && (*s)->stats().open > 0; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ((*s)->stats().open, 0u);
}

TEST(SyslogNetTest, SplitHostPortAndFormatPeer) {
  std::string host, port;
  ASSERT_TRUE(SplitHostPort("10.0.0.1:514", &host, &port).ok());
  EXPECT_EQ(host, "10.0.0.1");
  EXPECT_EQ(port, "514");
  ASSERT_TRUE(SplitHostPort("[fe80::1]:6514", &host, &port).ok());
  EXPECT_EQ(host, "fe80::1");
  EXPECT_EQ(port, "6514");
  ASSERT_TRUE(SplitHostPort(":0", &host, &port).ok());
  EXPECT_EQ(host, "");
  for (const char* bad :
       {"", "host", "host:", "[::1]514", "[::1", "h:65536", "h:-1", "h:12x"}) {
    Status st = SplitHostPort(bad, &host, &port);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << bad;
  }
  sockaddr_storage a{};
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a);
  v6->sin6_family = AF_INET6;
  v6->sin6_port = htons(1234);
  ASSERT_EQ(inet_pton(AF_INET6, "2001:db8::7", &v6->sin6_addr), 1);
  EXPECT_EQ(PeerString(a), "[2001:db8::7]:1234");
  ASSERT_EQ(inet_pton(AF_INET6, "::ffff:192.0.2.9", &v6->sin6_addr), 1);
  EXPECT_EQ(PeerString(a), "192.0.2.9:1234");
}

TEST(SyslogServerTest, RestoreAcceptsOnlyEmptyCheckpoint) {
  auto s = SyslogServer::Start(Options());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE((*s)->Restore("").ok());
  Status bad = (*s)->Restore("offset=12");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("\"net\""), std::string::npos);
}

}  // namespace
}  // namespace tend::logs
