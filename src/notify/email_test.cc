// E-mail over SMTP (libcurl) to a minimal SMTP sink written here.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "notify/config.h"
#include "notify/integration.h"
#include "notify/notify_test_util.h"

namespace tend::notify {
namespace {

using ::testing::HasSubstr;

// Accepts SMTP sessions on a loopback port and records the envelope and
// message of each. Speaks just enough ESMTP for libcurl; never offers
// STARTTLS.
class SmtpSink {
 public:
  SmtpSink() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    socklen_t len = sizeof(a);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    EXPECT_EQ(listen(fd_, 4), 0);
    thread_ = std::thread([this] { Serve(); });
  }
  ~SmtpSink() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  std::string from() {
    std::lock_guard<std::mutex> l(mu_);
    return from_;
  }
  std::vector<std::string> rcpts() {
    std::lock_guard<std::mutex> l(mu_);
    return rcpts_;
  }
  std::string data() {
    std::lock_guard<std::mutex> l(mu_);
    return data_;
  }

 private:
  void Serve() {
    while (true) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      Session(c);
      close(c);
    }
  }
  static void Say(int c, const std::string& s) {
    ssize_t n = write(c, s.data(), s.size());
    (void)n;
  }
  void Session(int c) {
    Say(c, "220 sink ESMTP\r\n");
    std::string buf;
    bool in_data = false;
    char tmp[4096];
    while (true) {
      ssize_t n = read(c, tmp, sizeof(tmp));
      if (n <= 0) return;
      buf.append(tmp, n);
      while (true) {
        if (in_data) {
          size_t end = buf.find("\r\n.\r\n");
          if (end == std::string::npos) break;
          {
            std::lock_guard<std::mutex> l(mu_);
            data_ = buf.substr(0, end + 2);
          }
          buf.erase(0, end + 5);
          in_data = false;
          Say(c, "250 queued\r\n");
          continue;
        }
        size_t eol = buf.find("\r\n");
        if (eol == std::string::npos) break;
        std::string line = buf.substr(0, eol);
        buf.erase(0, eol + 2);
        std::string verb = line.substr(0, 4);
        if (verb == "EHLO" || verb == "HELO") {
          Say(c, "250-sink\r\n250 8BITMIME\r\n");
        } else if (verb == "MAIL") {
          std::lock_guard<std::mutex> l(mu_);
          from_ = line.substr(10);
          Say(c, "250 ok\r\n");
        } else if (verb == "RCPT") {
          std::lock_guard<std::mutex> l(mu_);
          rcpts_.push_back(line.substr(8));
          Say(c, "250 ok\r\n");
        } else if (verb == "DATA") {
          in_data = true;
          Say(c, "354 go ahead\r\n");
        } else if (verb == "QUIT") {
          Say(c, "221 bye\r\n");
          return;
        } else {
          Say(c, "502 not implemented\r\n");
        }
      }
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::string from_;
  std::vector<std::string> rcpts_;
  std::string data_;
};

NotifyConfig Load(const std::string& yaml) {
  Result<NotifyConfig> c = LoadNotifyConfigString(yaml, "am.yml");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : NotifyConfig{};
}

Notification Firing() {
  Notification n;
  n.receiver = "mail";
  n.group_key = "{}:{alertname=\"DiskFull\"}";
  n.group_labels = {{"alertname", "DiskFull"}};
  n.alerts.push_back(MakeAlert({{"alertname", "DiskFull"}, {"instance", "db1"}},
                               1700000000000));
  n.now_ms = 1700000100000;
  ComputeCommon(&n);
  return n;
}

TEST(EmailTest, SendsThroughSmtp) {
  SmtpSink sink;
  NotifyConfig c = Load(
      "global:\n"
      "  smtp_from: 'tend <tend@example.org>'\n"
      "  smtp_smarthost: '127.0.0.1:" +
      std::to_string(sink.port()) +
      "'\n"
      "  smtp_require_tls: false\n"
      "route: {receiver: mail}\n"
      "receivers:\n"
      "  - name: mail\n"
      "    email_configs:\n"
      "      - to: 'ops@example.org, dba@example.org'\n"
      "        headers: {Subject: '{{ .Status | toUpper }} {{ "
      ".CommonLabels.instance }}'}\n");
  std::unique_ptr<Integration> mail =
      MakeEmail(c.receivers[0].email_configs[0]);
  std::string body = mail->Render(Firing());
  Status s = mail->Send(body);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(sink.from(), "<tend@example.org>");
  EXPECT_EQ(sink.rcpts(), (std::vector<std::string>{"<ops@example.org>",
                                                    "<dba@example.org>"}));
  std::string data = sink.data();
  EXPECT_THAT(data, HasSubstr("Subject: FIRING db1\r\n"));
  EXPECT_THAT(data, HasSubstr("To: ops@example.org, dba@example.org\r\n"));
  EXPECT_THAT(data, HasSubstr("From: tend <tend@example.org>\r\n"));
  EXPECT_THAT(data, HasSubstr("[FIRING] {alertname=\"DiskFull\", "
                              "instance=\"db1\"}"));
  EXPECT_THAT(data, HasSubstr("summary: something is wrong"));
}

TEST(EmailTest, RequireTlsRefusesAServerWithoutStartTls) {
  SmtpSink sink;
  NotifyConfig c = Load(
      "route: {receiver: mail}\n"
      "receivers:\n"
      "  - name: mail\n"
      "    email_configs:\n"
      "      - {to: a@b, from: c@d, smarthost: '127.0.0.1:" +
      std::to_string(sink.port()) + "', timeout: 5s}\n");
  EXPECT_TRUE(c.receivers[0].email_configs[0].require_tls);  // The default.
  std::unique_ptr<Integration> mail =
      MakeEmail(c.receivers[0].email_configs[0]);
  Status s = mail->Send(mail->Render(Firing()));
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("smtp 127.0.0.1:"));
  EXPECT_EQ(sink.data(), "");
}

TEST(EmailTest, UnreachableServerIsAnError) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  close(fd);  // Nothing listens there now.
  EmailConfig e;
  e.to = {"a@b"};
  e.from = "c@d";
  e.smarthost = "127.0.0.1:" + std::to_string(port);
  e.require_tls = false;
  e.timeout_ms = 3000;
  std::unique_ptr<Integration> mail = MakeEmail(e);
  Status s = mail->Send("Subject: x\r\n\r\nbody\r\n");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
}

}  // namespace
}  // namespace tend::notify
