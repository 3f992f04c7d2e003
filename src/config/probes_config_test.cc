#include <gtest/gtest.h>

#include "config/tend_config_schema.h"

namespace tend {
namespace {

TEST(ProbesConfigTest, EveryKindDecodes) {
  Result<TendConfig> c = LoadConfigString(R"(
probes:
  - name: web
    type: http
    interval: 5s
    timeout: 2s
    http:
      url: https://127.0.0.1:8443/healthz
      headers: ["Host: example.org", "X-Probe: tend"]
      valid_status_codes: [200, 204]
      fail_if_body_not_matches: ['"ok"']
      min_cert_validity: 14d
  - name: redis
    type: tcp
    tcp: {address: "127.0.0.1:6379", send: "PING\r\n", expect: '^\+PONG'}
  - name: check
    type: exec
    exec: {argv: [/bin/true], valid_exit_codes: [0, 1]}
  - name: sshd
    type: process
    process: {name: sshd, min_count: 1}
  - name: nginx-unit
    type: unit
    unit: {unit: nginx.service}
  - name: backup
    type: file
    file: {path: /var/backups/db.tar.zst, max_age: 26h, min_size_bytes: 1024}
)",
                                          "t.yml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->probes.size(), 6u);
  EXPECT_EQ(c->probes[0].interval_ms, 5000);
  EXPECT_EQ(c->probes[0].http.headers[1], "X-Probe: tend");
  EXPECT_EQ(c->probes[0].http.valid_status_codes.size(), 2u);
  EXPECT_EQ(c->probes[0].http.min_cert_validity_ms, 14LL * 86400 * 1000);
  EXPECT_EQ(c->probes[1].tcp.send, "PING\r\n");
  EXPECT_EQ(c->probes[3].type, "process");
  EXPECT_EQ(c->probes[5].file.max_age_ms, 26LL * 3600 * 1000);
  EXPECT_EQ(c->probes[5].file.min_size_bytes, 1024);
}

TEST(ProbesConfigTest, ErrorsSayWhatAndWhere) {
  Result<TendConfig> c = LoadConfigString(R"(probes:
  - name: a
    type: http
  - name: b
    type: http
    http: {url: "ftp://x", valid_status_codes: [200, 999]}
  - name: c
    type: process
    process: {name: x, pidfile: /run/x.pid}
  - name: a
    type: tcp
    tcp: {address: "127.0.0.1:1", expect: "(unclosed"}
)",
                                          "t.yml");
  ASSERT_FALSE(c.ok());
  const std::string& m = c.status().message();
  EXPECT_NE(m.find("an http probe needs http.url"), std::string::npos) << m;
  EXPECT_NE(m.find("t.yml:6:17: probes[1].http.url"), std::string::npos) << m;
  EXPECT_NE(m.find("999"), std::string::npos) << m;
  EXPECT_NE(m.find("exactly one of process.name"), std::string::npos) << m;
  EXPECT_NE(m.find("invalid regular expression"), std::string::npos) << m;
}

TEST(ProbesConfigTest, DuplicateNamesAreRefused) {
  Result<TendConfig> c = LoadConfigString(R"(probes:
  - {name: a, type: file, file: {path: /x}}
  - {name: a, type: file, file: {path: /y}}
)",
                                          "t.yml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("two probes are named \"a\""),
            std::string::npos)
      << c.status().message();
}

}  // namespace
}  // namespace tend
