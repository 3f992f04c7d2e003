#include "automate/deploy/health.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "automate/transport/local_connection.h"

namespace tend::automate::deploy {
namespace {

Value J(const char* text) { return Value::parse(text); }

std::string ParseError(const char* json) {
  auto r = ParseHealthCheck(J(json));
  EXPECT_FALSE(r.ok()) << json;
  return r.ok() ? "" : r.status().message();
}

TEST(HealthParseTest, AcceptsEachKindAndRejectsMistakes) {
  auto h = ParseHealthCheck(J(
      R"({"http":"http://127.0.0.1:8080/health?x=1","status":204,"body_match":"ok"})"));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->kind, HealthCheck::Kind::kHttp);
  EXPECT_EQ(h->address, "127.0.0.1:8080");
  EXPECT_EQ(h->path, "/health?x=1");
  EXPECT_EQ(h->status, 204);
  h = ParseHealthCheck(J(R"({"http":"http://localhost"})"));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->address, "localhost:80");
  EXPECT_EQ(h->path, "/");
  h = ParseHealthCheck(J(R"({"tcp":"127.0.0.1:5432","timeout":0.5})"));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->timeout_ms, 500);
  h = ParseHealthCheck(Value());
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->kind, HealthCheck::Kind::kNone);

  EXPECT_NE(ParseError(R"({"status":200})").find("one of http, tcp or exec"),
            std::string::npos);
  EXPECT_NE(ParseError(R"({"tcp":"a:1","exec":"true"})").find("only one"),
            std::string::npos);
  EXPECT_NE(ParseError(R"({"http":"https://x/"})").find("exec with curl"),
            std::string::npos);
  EXPECT_NE(
      ParseError(R"({"http":"http://x/","body_match":"("})").find("body_match"),
      std::string::npos);
  EXPECT_NE(ParseError(R"({"tcp":"nohost"})").find("host:port"),
            std::string::npos);
  EXPECT_NE(ParseError(R"({"exec":"true","retries":3})").find("'retries'"),
            std::string::npos);
  EXPECT_NE(ParseError(R"({"http":"http://x/","status":"abc"})").find("status"),
            std::string::npos);
}

class HealthRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/ok", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("status: fine", "text/plain");
    });
    server_.Get("/bad", [](const httplib::Request&, httplib::Response& res) {
      res.status = 500;
      res.set_content("broken", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running())
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }
  Status Check(const std::string& json) {
    auto h = ParseHealthCheck(Value::parse(json));
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    if (!h.ok()) return h.status();
    return RunHealthCheck(*h, conn_.get(), Privilege{});
  }
  std::string Base() { return "http://127.0.0.1:" + std::to_string(port_); }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::unique_ptr<Connection> conn_ = NewLocalConnection("localhost");
};

TEST_F(HealthRunTest, HttpStatusAndBody) {
  EXPECT_TRUE(Check(R"({"http":")" + Base() + R"(/ok"})").ok());
  EXPECT_TRUE(
      Check(R"({"http":")" + Base() + R"(/ok","body_match":"fi.e$"})").ok());
  Status st = Check(R"({"http":")" + Base() + R"(/ok","body_match":"^bad"})");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("does not match"), std::string::npos);
  st = Check(R"({"http":")" + Base() + R"(/bad"})");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("got status 500, want 200"), std::string::npos);
  EXPECT_TRUE(Check(R"({"http":")" + Base() + R"(/bad","status":500})").ok());
}

TEST_F(HealthRunTest, TcpOpenAndClosedPorts) {
  EXPECT_TRUE(
      Check(R"({"tcp":"127.0.0.1:)" + std::to_string(port_) + R"("})").ok());
  // A port that was just free: bind, note it, close.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int closed = ntohs(a.sin_port);
  close(fd);
  Status st = Check(R"({"tcp":"127.0.0.1:)" + std::to_string(closed) + R"("})");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("refused"), std::string::npos) << st.message();
}

TEST_F(HealthRunTest, ExecRunsOnTheTarget) {
  EXPECT_TRUE(Check(R"({"exec":"test 1 -eq 1"})").ok());
  Status st = Check(R"({"exec":"echo nope >&2; exit 3"})");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "exit 3: nope");
  st = Check(R"({"exec":"sleep 5","timeout":0.2})");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("timed out"), std::string::npos);
}

}  // namespace
}  // namespace tend::automate::deploy
