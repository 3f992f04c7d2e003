#include "http/outbound.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "http/testing_tls_cert.h"

namespace tend {
namespace {

// Runs a cpp-httplib server (plain or TLS) on 127.0.0.1 in a thread.
class Running {
 public:
  explicit Running(std::unique_ptr<httplib::Server> server)
      : server_(std::move(server)) {
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ~Running() {
    server_->stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::string url(const std::string& scheme, const std::string& path) const {
    return scheme + "://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
};

std::unique_ptr<httplib::Server> PlainServer() {
  auto s = std::make_unique<httplib::Server>();
  s->Get("/ok", [](const httplib::Request& req, httplib::Response& res) {
    res.set_header("X-Probe", "yes");
    res.set_content("hello " + req.get_header_value("X-Name"), "text/plain");
  });
  s->Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.status = 201;
    res.set_content(req.method + ":" + req.body + ":" +
                        req.get_header_value("Content-Type"),
                    "text/plain");
  });
  s->Delete("/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.method, "text/plain");
  });
  s->Get("/fail", [](const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_content("down", "text/plain");
  });
  s->Get("/hop1", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("/hop2");
  });
  s->Get("/hop2", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("/ok");
  });
  s->Get("/loop", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("/loop");
  });
  s->Get("/slow", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    res.set_content("late", "text/plain");
  });
  s->Get("/big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(100000, 'x'), "text/plain");
  });
  s->Get("/auth", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.get_header_value("Authorization"), "text/plain");
  });
  return s;
}

std::string Header(const OutboundResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  }
  return "";
}

TEST(OutboundTest, GetStatusHeadersBody) {
  Running server(PlainServer());
  OutboundRequest req;
  req.url = server.url("http", "/ok");
  req.headers = {{"X-Name", "tend"}};
  Result<OutboundResponse> r = OutboundFetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello tend");
  EXPECT_EQ(Header(*r, "X-Probe"), "yes");
  EXPECT_EQ(Header(*r, "Content-Type"), "text/plain");
  EXPECT_EQ(r->http_version, "HTTP/1.1");
  EXPECT_FALSE(r->tls);
  EXPECT_EQ(r->redirects, 0);
  EXPECT_EQ(r->cert_earliest_expiry_unix, 0);
  EXPECT_GT(r->total_s, 0);
  EXPECT_GE(r->total_s, r->connect_s);
  EXPECT_EQ(r->tls_s, 0);
}

TEST(OutboundTest, ServerErrorIsAResult) {
  Running server(PlainServer());
  OutboundRequest req;
  req.url = server.url("http", "/fail");
  Result<OutboundResponse> r = OutboundFetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "down");
}

TEST(OutboundTest, PostBodyAndCustomMethod) {
  Running server(PlainServer());
  OutboundRequest req;
  req.method = "POST";
  req.url = server.url("http", "/echo");
  req.body = "{\"a\":1}";
  req.headers = {{"Content-Type", "application/json"}};
  Result<OutboundResponse> r = OutboundFetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "POST:{\"a\":1}:application/json");

  OutboundRequest del;
  del.method = "DELETE";
  del.url = server.url("http", "/echo");
  Result<OutboundResponse> d = OutboundFetch(del);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->body, "DELETE");
}

TEST(OutboundTest, BearerAndBasicAuth) {
  Running server(PlainServer());
  OutboundRequest req;
  req.url = server.url("http", "/auth");
  req.bearer_token = "t0k";
  Result<OutboundResponse> r = OutboundFetch(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "Bearer t0k");
  req.bearer_token.clear();
  req.basic_auth_user = "u";
  req.basic_auth_password = "p";
  r = OutboundFetch(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "Basic dTpw");  // base64("u:p")
}

TEST(OutboundTest, FollowsRedirects) {
  Running server(PlainServer());
  OutboundRequest req;
  req.url = server.url("http", "/hop1");
  Result<OutboundResponse> r = OutboundFetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->redirects, 2);
  EXPECT_EQ(r->final_url, server.url("http", "/ok"));
  EXPECT_EQ(r->body, "hello ");
  // Only the last response's headers.
  EXPECT_EQ(Header(*r, "Location"), "");
}

TEST(OutboundTest, NoFollowReturnsTheRedirect) {
  Running server(PlainServer());
  OutboundRequest req;
  req.url = server.url("http", "/hop1");
  req.follow_redirects = false;
  Result<OutboundResponse> r = OutboundFetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->redirects, 0);
  EXPECT_EQ(Header(*r, "Location"), "/hop2");
}

TEST(OutboundTest, TooManyRedirectsFails) {
  Running server(PlainServer());
  OutboundRequest req;
  req.url = server.url("http", "/loop");
  req.max_redirects = 3;
  Result<OutboundResponse> r = OutboundFetch(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("/loop"), std::string::npos)
      << r.status().message();
}

TEST(OutboundTest, TimeoutIsDeadlineExceeded) {
  Running server(PlainServer());
  OutboundRequest req;
  req.url = server.url("http", "/slow");
  req.timeout_ms = 200;
  OutboundResponse partial;
  auto start = std::chrono::steady_clock::now();
  Result<OutboundResponse> r = OutboundFetch(req, &partial);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded)
      << r.status().ToString();
  EXPECT_LT(took, std::chrono::milliseconds(1400));
  // The connection was made before the deadline passed.
  EXPECT_GT(partial.total_s, 0.1);
}

TEST(OutboundTest, BodyCap) {
  Running server(PlainServer());
  OutboundRequest req;
  req.url = server.url("http", "/big");
  req.max_body_bytes = 1000;
  Result<OutboundResponse> r = OutboundFetch(req);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("exceeds 1000 bytes"), std::string::npos)
      << r.status().message();
  req.max_body_bytes = 100000;
  r = OutboundFetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body.size(), 100000u);
}

TEST(OutboundTest, ConnectionRefused) {
  // A port that was just free: bind, read its number, close.
  int port = 0;
  {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port = ntohs(addr.sin_port);
    close(fd);
  }
  OutboundRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  Result<OutboundResponse> r = OutboundFetch(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("GET http://127.0.0.1:"),
            std::string::npos);
}

TEST(OutboundTest, RejectsOtherSchemes) {
  OutboundRequest req;
  req.url = "file:///etc/passwd";
  Result<OutboundResponse> r = OutboundFetch(req);
  EXPECT_FALSE(r.ok());
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The CA expires before the leaf, so "earliest over the chain" and
    // "leaf" differ.
    ca_ = testing::MakeCert("tend test CA", 10 * 86400, nullptr);
    leaf_ = testing::MakeCert("localhost", 30 * 86400, ca_.get());
    char tmpl[] = "/tmp/tend_outbound_ca_XXXXXX";
    int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    close(fd);
    ca_file_ = tmpl;
    std::ofstream(ca_file_) << ca_->pem;
  }
  void TearDown() override { std::remove(ca_file_.c_str()); }

  std::unique_ptr<testing::TestCert> ca_, leaf_;
  std::string ca_file_;
};

TEST_F(TlsTest, VerifiedWithCaFileReportsExpiry) {
  auto server = testing::MakeTlsServer(leaf_.get(), ca_.get());
  server->Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("secure", "text/plain");
  });
  Running running(std::move(server));
  OutboundRequest req;
  req.url = running.url("https", "/");
  req.ca_file = ca_file_;
  Result<OutboundResponse> r = OutboundFetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "secure");
  EXPECT_TRUE(r->tls);
  EXPECT_TRUE(r->tls_version.starts_with("TLS 1.")) << r->tls_version;
  EXPECT_EQ(r->cert_leaf_expiry_unix, leaf_->not_after_unix);
  EXPECT_EQ(r->cert_earliest_expiry_unix, ca_->not_after_unix);
  EXPECT_GT(r->tls_s, 0);
}

TEST_F(TlsTest, UntrustedFailsUnlessVerifyOff) {
  auto server = testing::MakeTlsServer(leaf_.get(), ca_.get());
  server->Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("secure", "text/plain");
  });
  Running running(std::move(server));
  OutboundRequest req;
  req.url = running.url("https", "/");
  req.ca_file = "/dev/null";  // Trust nothing.
  Result<OutboundResponse> r = OutboundFetch(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("https://127.0.0.1"), std::string::npos);

  req.tls_verify = false;
  r = OutboundFetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "secure");
  EXPECT_EQ(r->cert_leaf_expiry_unix, leaf_->not_after_unix);
  EXPECT_EQ(r->cert_earliest_expiry_unix, ca_->not_after_unix);
}

TEST_F(TlsTest, ServerNameOverridesVerifiedName) {
  auto server = testing::MakeTlsServer(leaf_.get(), ca_.get());
  server->Get("/", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.get_header_value("Host"), "text/plain");
  });
  Running running(std::move(server));
  OutboundRequest req;
  // Connect to 127.0.0.1 while sending and verifying "localhost".
  req.url = running.url("https", "/");
  req.ca_file = ca_file_;
  req.server_name = "localhost";
  Result<OutboundResponse> r = OutboundFetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "localhost:" + std::to_string(running.port()));

  // A name the certificate does not hold fails verification.
  req.server_name = "example.invalid";
  r = OutboundFetch(req);
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace tend
