#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "automate/modules/net/net_test_util.h"

namespace tend::automate::testing {
namespace {

// A listening socket on a free loopback port.
struct Listener {
  explicit Listener(int want_port = 0) {
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in a{};
    a.sin_port = htons(static_cast<uint16_t>(want_port));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    EXPECT_EQ(listen(fd, 128), 0);
    socklen_t len = sizeof(a);
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~Listener() { Close(); }
  void Close() {
    if (fd >= 0) close(fd);
    fd = -1;
  }
  int fd = -1;
  int port = 0;
};

// A port nothing listens on (bound, then closed).
int FreePort() {
  Listener l;
  return l.port;
}

class WaitForTest : public ::testing::Test {
 protected:
  const Module& m_ = NetModule("wait_for");
  ModuleHarness h_;
  TempDir dir_;
};

TEST_F(WaitForTest, PortStartedAndStopped) {
  Listener l;
  Value args{{"port", l.port}, {"timeout", 5}};
  for (bool remote : {false, true}) {
    auto r = remote ? RunRemote(m_, args) : h_.Run(m_, args);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_FALSE(r->failed) << r->msg;
    EXPECT_FALSE(r->changed);
    EXPECT_EQ(r->data["port"], l.port);
    EXPECT_EQ(r->data["state"], "started");
  }
  Value stopped{
      {"port", l.port}, {"state", "stopped"}, {"timeout", 1}, {"sleep", 0.1}};
  auto r = h_.Run(m_, stopped);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_EQ(r->msg, "Timeout when waiting for 127.0.0.1:" +
                        std::to_string(l.port) + " to stop.");
  l.Close();
  for (bool remote : {false, true}) {
    r = remote ? RunRemote(m_, stopped) : h_.Run(m_, stopped);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->failed) << r->msg;
  }
}

TEST_F(WaitForTest, PortOpeningLater) {
  int port = FreePort();
  std::unique_ptr<Listener> late;
  std::thread opener([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    late = std::make_unique<Listener>(port);
  });
  auto r = h_.Run(m_, Value{{"port", port}, {"timeout", 10}, {"sleep", 0.1}});
  opener.join();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->failed) << r->msg;
}

TEST_F(WaitForTest, ClosedPortTimesOutWithMessage) {
  int port = FreePort();
  auto r = h_.Run(m_, Value{{"port", port}, {"timeout", 1}, {"sleep", 0.2}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_EQ(r->msg,
            "Timeout when waiting for 127.0.0.1:" + std::to_string(port));
  r = h_.Run(m_, Value{{"port", port},
                       {"timeout", 0.5},
                       {"msg", "service did not come up"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->msg, "service did not come up");
}

TEST_F(WaitForTest, BannerRegexOnAPort) {
  Listener l;
  std::thread server([&] {
    int c = accept(l.fd, nullptr, nullptr);
    if (c >= 0) {
      const char kBanner[] = "SSH-2.0-OpenSSH_9.2\r\n";
      (void)!write(c, kBanner, sizeof(kBanner) - 1);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      close(c);
    }
  });
  auto r = h_.Run(m_, Value{{"port", l.port},
                            {"search_regex", "OpenSSH_(?P<v>[0-9.]+)"},
                            {"timeout", 5}});
  server.join();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->failed) << r->msg;
  EXPECT_EQ(r->data["match_groupdict"]["v"], "9.2");
}

TEST_F(WaitForTest, PathsAndRegex) {
  std::string path = dir_ / "ready";
  auto r = h_.Run(m_, Value{{"path", path}, {"timeout", 0.5}, {"sleep", 0.1}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_EQ(r->msg, "Timeout when waiting for file " + path);
  WriteText(path, "status: starting\n");
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    WriteText(path, "status: starting\nstatus: ready pid=42\n");
  });
  r = h_.Run(m_, Value{{"path", path},
                       {"search_regex", "^status: ready pid=(\\d+)$"},
                       {"timeout", 10},
                       {"sleep", 0.1}});
  writer.join();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->failed) << r->msg;
  EXPECT_EQ(r->data["match_groups"][0], "42");
  r = h_.Run(m_, Value{{"path", path}, {"state", "absent"}, {"timeout", 0.3}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->msg, "Timeout when waiting for " + path + " to be absent.");
  unlink(path.c_str());
  r = h_.Run(m_, Value{{"path", path}, {"state", "absent"}, {"timeout", 1}},
             /*check=*/true);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->failed);
  EXPECT_FALSE(r->changed);
}

TEST_F(WaitForTest, BadParameters) {
  auto v = h_.Run(m_, Value{{"port", 22}, {"path", "/x"}});
  ASSERT_FALSE(v.ok());
  v = h_.Run(m_, Value{{"port", 22}, {"state", "drained"}});
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("state"), std::string::npos);
  auto r = h_.Run(m_, Value{{"path", "/x"}, {"state", "stopped"}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  r = h_.Run(m_, Value{{"port", 70000}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  r = h_.Run(m_, Value{{"path", dir_ / "x"}, {"search_regex", "(?<=a)b"}});
  EXPECT_TRUE(!r.ok() || r->failed);
}

}  // namespace
}  // namespace tend::automate::testing
