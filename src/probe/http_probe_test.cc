// http probes against real cpp-httplib servers on loopback.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <thread>

#include "http/testing_tls_cert.h"
#include "probe/probe_test_util.h"

namespace tend {
namespace {

using testing::SampleValue;

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
  std::string url(const std::string& scheme, const std::string& path) const {
    return scheme + "://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
};

void AddRoutes(httplib::Server* s) {
  s->Get("/health", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("status: ok\nversion: 1.2\n", "text/plain");
  });
  s->Get("/broken", [](const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_content("status: degraded\n", "text/plain");
  });
  s->Get("/moved", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("/health");
  });
  s->Post("/submit", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.get_header_value("X-Token") + ":" + req.body,
                    "text/plain");
  });
}

ProbeSpec Http(const std::string& url) {
  ProbeSpec s;
  s.name = "web";
  s.kind = ProbeKind::kHttp;
  s.timeout_ms = 5000;
  s.http.url = url;
  return s;
}

TEST(HttpProbeTest, SuccessAndBlackboxMetrics) {
  auto server = std::make_unique<httplib::Server>();
  AddRoutes(server.get());
  Running running(std::move(server));
  ProbeResult r = testing::RunSpec(Http(running.url("http", "/health")));
  EXPECT_TRUE(r.success) << r.error;
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(SampleValue(r, "probe_http_status_code"), 200);
  EXPECT_EQ(SampleValue(r, "probe_http_content_length"), 24);
  EXPECT_EQ(SampleValue(r, "probe_http_redirects"), 0);
  EXPECT_EQ(SampleValue(r, "probe_http_ssl"), 0);
  EXPECT_EQ(SampleValue(r, "probe_http_version"), 1.1);
  EXPECT_EQ(SampleValue(r, "probe_failed_due_to_regex"), 0);
  for (const char* phase :
       {"resolve", "connect", "tls", "processing", "transfer"}) {
    EXPECT_TRUE(SampleValue(r, "probe_http_duration_seconds", "phase", phase))
        << phase;
  }
  EXPECT_GT(*SampleValue(r, "probe_http_duration_seconds", "phase", "connect"),
            0);
  EXPECT_FALSE(SampleValue(r, "probe_ssl_earliest_cert_expiry"));
}

TEST(HttpProbeTest, StatusCodes) {
  auto server = std::make_unique<httplib::Server>();
  AddRoutes(server.get());
  Running running(std::move(server));
  ProbeSpec s = Http(running.url("http", "/broken"));
  ProbeResult r = testing::RunSpec(s);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.error, "status 503 from " + s.http.url + " is not 2xx");
  EXPECT_EQ(SampleValue(r, "probe_http_status_code"), 503);

  s.http.valid_status_codes = {200, 503};
  r = testing::RunSpec(s);
  EXPECT_TRUE(r.success) << r.error;

  s.http.url = running.url("http", "/missing");
  r = testing::RunSpec(s);
  EXPECT_FALSE(r.success);
  EXPECT_NE(r.error.find("status 404"), std::string::npos);
  EXPECT_NE(r.error.find("one of 200 503"), std::string::npos);
}

TEST(HttpProbeTest, BodyRegexes) {
  auto server = std::make_unique<httplib::Server>();
  AddRoutes(server.get());
  Running running(std::move(server));
  ProbeSpec s = Http(running.url("http", "/health"));
  s.http.fail_if_body_not_matches = {"status: ok", "version: 1\\.\\d+"};
  ProbeResult r = testing::RunSpec(s);
  EXPECT_TRUE(r.success) << r.error;
  EXPECT_EQ(SampleValue(r, "probe_failed_due_to_regex"), 0);

  s.http.fail_if_body_not_matches = {"version: 2"};
  r = testing::RunSpec(s);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(SampleValue(r, "probe_failed_due_to_regex"), 1);
  EXPECT_NE(r.error.find("does not match \"version: 2\""), std::string::npos)
      << r.error;

  s.http.fail_if_body_not_matches.clear();
  s.http.fail_if_body_matches = {"(?i)DEGRADED|error"};
  r = testing::RunSpec(s);
  EXPECT_TRUE(r.success) << r.error;
  s.http.url = running.url("http", "/broken");
  s.http.valid_status_codes = {503};
  r = testing::RunSpec(s);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(SampleValue(r, "probe_failed_due_to_regex"), 1);
  EXPECT_NE(r.error.find("(fail_if_body_matches)"), std::string::npos);
}

TEST(HttpProbeTest, RedirectsMethodHeadersBody) {
  auto server = std::make_unique<httplib::Server>();
  AddRoutes(server.get());
  Running running(std::move(server));
  ProbeSpec s = Http(running.url("http", "/moved"));
  ProbeResult r = testing::RunSpec(s);
  EXPECT_TRUE(r.success) << r.error;
  EXPECT_EQ(SampleValue(r, "probe_http_redirects"), 1);
  EXPECT_EQ(SampleValue(r, "probe_http_status_code"), 200);

  s.http.follow_redirects = false;
  r = testing::RunSpec(s);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(SampleValue(r, "probe_http_status_code"), 302);

  ProbeSpec post = Http(running.url("http", "/submit"));
  post.http.method = "POST";
  post.http.headers = {{"X-Token", "abc"}};
  post.http.body = "payload";
  post.http.fail_if_body_not_matches = {"^abc:payload$"};
  r = testing::RunSpec(post);
  EXPECT_TRUE(r.success) << r.error;
}

TEST(HttpProbeTest, ConnectionRefusedIsAFailedResult) {
  auto server = std::make_unique<httplib::Server>();
  std::string url;
  {
    Running running(std::move(server));
    url = running.url("http", "/");
  }
  ProbeResult r = testing::RunSpec(Http(url));
  EXPECT_FALSE(r.success);
  EXPECT_NE(r.error.find("GET " + url), std::string::npos) << r.error;
  EXPECT_EQ(SampleValue(r, "probe_http_status_code"), 0);
}

class HttpsProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = testing::MakeCert("probe CA", 90 * 86400, nullptr);
    leaf_ = testing::MakeCert("localhost", 5 * 86400, ca_.get());
    char tmpl[] = "/tmp/tend_probe_ca_XXXXXX";
    int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    close(fd);
    ca_file_ = tmpl;
    std::ofstream(ca_file_) << ca_->pem;
    auto server = testing::MakeTlsServer(leaf_.get(), ca_.get());
    AddRoutes(server.get());
    running_ = std::make_unique<Running>(std::move(server));
  }
  void TearDown() override {
    running_.reset();
    std::remove(ca_file_.c_str());
  }

  std::unique_ptr<testing::TestCert> ca_, leaf_;
  std::string ca_file_;
  std::unique_ptr<Running> running_;
};

TEST_F(HttpsProbeTest, ReportsCertificateExpiry) {
  ProbeSpec s = Http(running_->url("https", "/health"));
  s.http.ca_file = ca_file_;
  ProbeResult r = testing::RunSpec(s);
  EXPECT_TRUE(r.success) << r.error;
  EXPECT_EQ(SampleValue(r, "probe_http_ssl"), 1);
  // The leaf expires first here (5 days, the CA 90).
  EXPECT_EQ(SampleValue(r, "probe_ssl_earliest_cert_expiry"),
            static_cast<double>(leaf_->not_after_unix));
  EXPECT_EQ(SampleValue(r, "probe_ssl_leaf_cert_expiry"),
            static_cast<double>(leaf_->not_after_unix));
  EXPECT_GT(*SampleValue(r, "probe_http_duration_seconds", "phase", "tls"), 0);
  bool has_version = false;
  for (const ProbeSample& sample : r.samples) {
    if (sample.name == "probe_tls_version_info") {
      has_version = GetLabel(sample.labels, "version").starts_with("TLS 1.");
    }
  }
  EXPECT_TRUE(has_version);

  s.http.min_cert_validity_ms = int64_t{30} * 86400 * 1000;
  r = testing::RunSpec(s);
  EXPECT_FALSE(r.success);
  // 5 days, less the second or so since the certificate was made.
  EXPECT_TRUE(r.error.find("expires in 4d23h, less than min_cert_validity") !=
                  std::string::npos ||
              r.error.find("expires in 5d0h, less than min_cert_validity") !=
                  std::string::npos)
      << r.error;

  s.http.min_cert_validity_ms = 0;
  s.http.fail_if_ssl = true;
  r = testing::RunSpec(s);
  EXPECT_FALSE(r.success);
  EXPECT_NE(r.error.find("fail_if_ssl"), std::string::npos);
}

TEST_F(HttpsProbeTest, VerificationFailureUnlessDisabled) {
  ProbeSpec s = Http(running_->url("https", "/health"));
  s.http.ca_file = "/dev/null";
  ProbeResult r = testing::RunSpec(s);
  EXPECT_FALSE(r.success);
  EXPECT_NE(r.error.find("certificate"), std::string::npos) << r.error;
  s.http.tls_verify = false;
  r = testing::RunSpec(s);
  EXPECT_TRUE(r.success) << r.error;
  EXPECT_EQ(SampleValue(r, "probe_ssl_earliest_cert_expiry"),
            static_cast<double>(leaf_->not_after_unix));
}

}  // namespace
}  // namespace tend
